import sqlite3

import pytest

from fsw.dictionary import load
from fsw.protocol import TmPacket, TmSender
from ground.archive import Archive, ArchiveError, ArchiveReader
from ground.ingest import Ingest
from ground.subcommands.replay import replay
from ground.telemetry import TelemetryState

D = load()


def downlink(temperatures):
    """Thermal housekeeping with these camera temperatures, one report a second, and an event."""
    sender = TmSender()
    for i, temp in enumerate(temperatures):
        values = {p.name: (p.enum[0][0] if p.enum else 0) for p in D.structures[20]}
        values["cam_temp"] = round(temp * 100)
        sender.push(TmPacket(0x030, 3, 25, D.encode_hk(20, values), time=757_000_000 + i))
    subtype, data = D.encode_event("anneal_started", {"target": 4000, "hold": 60})
    sender.push(TmPacket(0x030, 5, subtype, data, time=757_000_100))
    return sender.output()


def test_round_trip_raw_and_decoded(tmp_path):
    path = tmp_path / "s.sqlite"
    archive = Archive(path, D)
    ingest = Ingest(D, archive=archive)
    data = downlink([-10.0, 0.5, 25.25])
    records = ingest.feed(data[:700]) + ingest.feed(data[700:])
    archive.close()
    assert len(records) == 4
    reader = ArchiveReader(path, D)
    assert reader.parameter("cam_temp") == [(757_000_000, -10.0), (757_000_001, 0.5), (757_000_002, 25.25)]
    assert reader.parameter("cam_temp", start=757_000_001, end=757_000_001) == [(757_000_001, 0.5)]
    assert reader.events() == [(757_000_100, "anneal_started", {"target": 4000, "hold": 60})]
    frames = reader.frames()
    assert b"".join(b"\x1a\xcf\xfc\x1d" + raw for _, raw in frames) == data
    assert reader.meta["dictionary_version"] == f"{D.version:08x}"
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_replay_rebuilds_the_same_state(tmp_path):
    path = tmp_path / "s.sqlite"
    archive = Archive(path, D)
    Ingest(D, archive=archive).feed(downlink([1.0, 2.0, 3.5]))
    archive.close()
    state = TelemetryState(D)
    assert replay(ArchiveReader(path, D), state, speed=1e9, sleep=lambda s: None) >= 1
    assert state.value("cam_temp") == 3.5
    assert [e.name for e in state.events] == ["anneal_started"]


def test_a_replay_shortens_long_silences(tmp_path):
    """A frame stamped years later (a clock jump, a damaged row) must not hold the replay."""
    frames = [(t, raw) for t, raw in zip((0.0, 1.0, 1e12), [b""] * 3)]
    slept = []
    state = TelemetryState(D)
    assert replay(None, state, speed=1.0, sleep=slept.append, frames=frames) == 3
    assert max(slept) <= 11.0


def test_readers_see_rows_while_the_session_writes(tmp_path):
    path = tmp_path / "s.sqlite"
    archive = Archive(path, D)
    Ingest(D, archive=archive).feed(downlink([1.0]))
    archive.flush(wait=True)
    assert ArchiveReader(path, D).parameter("cam_temp") == [(757_000_000, 1.0)]
    archive.close()


@pytest.mark.parametrize("content", [b"", b"hello, not a database" * 50, None])
def test_corrupt_or_foreign_files_are_refused(tmp_path, content):
    path = tmp_path / "bad.sqlite"
    if content is None:
        sqlite3.connect(path).execute("CREATE TABLE other (x)").connection.commit()
    else:
        path.write_bytes(content)
    with pytest.raises(ArchiveError, match="not a Perijove archive"):
        ArchiveReader(path, D)


def test_missing_archive(tmp_path):
    with pytest.raises(ArchiveError, match="no such archive"):
        ArchiveReader(tmp_path / "none.sqlite", D)


def test_unknown_parameter(tmp_path):
    path = tmp_path / "s.sqlite"
    Archive(path, D).close()
    with pytest.raises(ArchiveError, match="unknown parameter"):
        ArchiveReader(path, D).parameter("warp_factor")

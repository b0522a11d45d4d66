import sqlite3
import time

import pytest

from fsw.dictionary import load
from fsw.protocol import TmPacket, TmSender, decode_tc, encode_tc
from fsw.protocol.dictionary.model import INTEGER_TYPES
from ground.archive import Archive, ArchiveError, ArchiveReader, Retention
from ground.ingest import Ingest
from ground.subcommands.replay import replay
from ground.telemetry import Record, TelemetryState

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


def test_round_trip_compact_and_decoded_on_read(tmp_path):
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
    assert [(r.packet.apid, r.packet.service, r.packet.subtype, r.packet.data) for _, r in reader.records()] == [
        (r.packet.apid, r.packet.service, r.packet.subtype, r.packet.data) for r in records]
    assert reader.meta["dictionary_version"] == f"{D.version:08x}"
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_commands_sent_newest_first_and_what_was_received_after_them(tmp_path):
    path = tmp_path / "s.sqlite"
    archive = Archive(path, D)
    pings = [D.build_tc("ping", seq_count=n) for n in (1, 2, 3)]
    t0 = time.time()
    for n, tc in enumerate(pings):
        archive.add_command(t0 + n, tc.apid, tc.service, tc.subtype, tc.seq_count, "ping", encode_tc(tc))
    accepted = D.report("acceptance_success")
    sender = TmSender()
    for tc in pings[1:]:
        sender.push(TmPacket(0x020, accepted.service, accepted.subtype,
                             D.encode_report("acceptance_success", {"request_id": tc.request_id}), time=5.0))
    Ingest(D, archive=archive).feed(sender.output() + downlink([1.0]))
    archive.close()
    reader = ArchiveReader(path, D)
    sent = list(reader.commands_sent(2))
    assert [(t, name, decoded) for _, t, name, _, decoded in sent] == [
        (t0 + 2, "ping", {"command": "ping", "args": {}}), (t0 + 1, "ping", {"command": "ping", "args": {}})]
    assert [decode_tc(packet).request_id for _, _, _, packet, _ in sent] == [pings[2].request_id, pings[1].request_id]
    received = list(reader.received_since(sent[-1][0], ["acceptance_success", "anneal_started"]))
    assert [(name, fields) for _, name, fields in received] == [
        ("acceptance_success", {"request_id": pings[1].request_id}),
        ("acceptance_success", {"request_id": pings[2].request_id}),
        ("anneal_started", {"target": 4000, "hold": 60})]
    assert list(reader.received_since(10**9, ["acceptance_success"])) == []


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
    """A packet stamped years later (a clock jump, a damaged row) must not hold the replay."""
    record = Record("report", "ping_reply", {}, TmPacket(0x010, 17, 2), 0.0)
    slept = []
    state = TelemetryState(D)
    assert replay(None, state, speed=1.0, sleep=slept.append,
                  records=[(t, record) for t in (0.0, 1.0, 1e12)]) == 3
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


def test_what_arrived_is_stored_once_no_idle_fill_no_frames(tmp_path):
    """An image's octets once, in its segments; nothing of the frames' idle fill."""
    path = tmp_path / "s.sqlite"
    archive = Archive(path, D)
    sender = TmSender()
    for segment in range(20):
        sender.push(TmPacket(0x020, 130, 130, bytes([segment]) * 500, time=757_000_000))
    stream = sender.output()
    Ingest(D, archive=archive).feed(stream)
    archive.close()
    stored = sqlite3.connect(path).execute("SELECT SUM(LENGTH(data)) FROM packets").fetchone()[0]
    assert stored == 20 * 500 < len(stream)
    tables = {name for (name,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"meta", "packets"}


def test_one_continuous_archive_takes_several_sessions_in_turn(tmp_path):
    path = tmp_path / "scid61.sqlite"
    for temperatures in ([1.0], [2.0, 3.0]):
        archive = Archive(path, D)
        Ingest(D, archive=archive).feed(downlink(temperatures))
        archive.close()
    assert [v for _, v in ArchiveReader(path, D).parameter("cam_temp")] == [1.0, 2.0, 3.0]


def test_retention_drops_the_oldest_rows_first(tmp_path):
    path = tmp_path / "s.sqlite"
    archive = Archive(path, D, retention=Retention(days=1.0, megabytes=1e9))
    ingest = Ingest(D, archive=archive)
    ingest.feed(downlink([1.0, 2.0]), now=time.time() - 3 * 86400)      # three days ago
    ingest.feed(downlink([3.0]), now=time.time())
    archive.flush(wait=True)                  # the writer applies the policy as it writes
    archive.close()
    assert [v for _, v in ArchiveReader(path, D).parameter("cam_temp")] == [3.0]


def test_retention_keeps_the_file_under_its_size(tmp_path):
    path = tmp_path / "s.sqlite"
    archive = Archive(path, D, retention=Retention(days=1e6, megabytes=0.2))
    ingest = Ingest(D, archive=archive)
    for _ in range(40):
        ingest.feed(downlink([1.0] * 50))
    archive.flush(wait=True)
    archive.apply_retention()
    archive.close()
    assert path.stat().st_size < 0.35e6
    assert ArchiveReader(path, D).parameter("cam_temp")          # the newest rows are still there


def test_an_archive_of_the_first_format_is_still_read(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE frames (id INTEGER PRIMARY KEY, t REAL NOT NULL, dir TEXT NOT NULL, raw BLOB NOT NULL);
        CREATE TABLE packets (id INTEGER PRIMARY KEY, t REAL NOT NULL, obt REAL, dir TEXT NOT NULL,
            apid INTEGER, service INTEGER, subtype INTEGER, seq INTEGER, kind TEXT, name TEXT, data BLOB,
            decoded TEXT);
        INSERT INTO meta VALUES ('format', 'perijove-archive'), ('format_version', '1');
        INSERT INTO packets VALUES (1, 0.0, 757000000.0, 'down', 17, 3, 25, 0, 'housekeeping', 'sid20', x'14',
            '{"cam_temp": 2525}');
    """)
    db.commit()
    assert ArchiveReader(path, D).parameter("cam_temp") == [(757_000_000.0, 25.25)]


WIRE_FORMAT = {"u8": "B", "i8": "b", "u16": "H", "i16": "h", "u32": "I", "i32": "i", "f32": "f", "bool": "B",
               "enum": "B"}


def raw_values(parameter):
    """Raw values worth a look: the type's edges, zero, declared enum values and some no declaration
    allows (an undeclared enum value, a bool of 2, infinities and NaN)."""
    if parameter.type == "f32":
        return [0.0, -1.5, 3.25e10, 1e-45, -3.3e38, 3.39e38, float("inf"), float("nan")]
    if parameter.enum:
        return [n for _, n in parameter.enum] + [max(n for _, n in parameter.enum) + 1]
    if parameter.type == "bool":
        return [0, 1, 2]
    low, high = INTEGER_TYPES[parameter.type]
    return [low, low + 1, 0, 1, 12345 % (high + 1), high]


def test_a_query_decodes_each_parameter_as_the_whole_report_decode_does(tmp_path):
    """text() (SQL decodes the one parameter and writes the lines) and series() (Python decodes it
    from the report's layout) against the dictionary's decode of whole reports, for every
    housekeeping parameter and every raw value worth a look. A report the dictionary refuses (a
    value no declaration allows) is left out."""
    import struct

    from ground.subcommands._common import iso

    path = tmp_path / "s.sqlite"
    archive = Archive(path, D, retention=None)
    ingest = Ingest(D, archive=archive)
    sender = TmSender()
    cases = []                          # (structure id, on-board time, packet data)
    t = 757_000_000.0
    for sid, parameters in D.structures.items():
        base = D.encode_hk(sid, {p.name: (p.enum[0][0] if p.enum else 0) for p in parameters})
        offset = 1
        for parameter in parameters:
            fmt = ">" + WIRE_FORMAT[parameter.type]
            for raw in raw_values(parameter):
                data = base[:offset] + struct.pack(fmt, raw) + base[offset + struct.calcsize(fmt):]
                t += 1.25
                sender.push(TmPacket(0x011, 3, 25, data, time=t))
                cases.append((sid, t, data))
            offset += struct.calcsize(fmt)
    ingest.feed(sender.output(flush=True))
    archive.close()
    reader = ArchiveReader(path, D)
    checked = 0
    for parameter in D.parameters.values():
        expected = []
        for sid, when, data in cases:
            if sid != parameter.sid:
                continue
            try:
                fields = D.decode_tm(TmPacket(0x011, 3, 25, data, time=when))["fields"]
            except ValueError:
                continue                # the whole report refused: its value is not shown
            expected.append((when, D.calibrate(fields)[parameter.name]))
        series = [sample for times, _, values in reader.series(parameter.name) for sample in zip(times, values)]
        assert series == expected, parameter.name
        unit = parameter.unit
        lines = "".join(f"{iso(when)}  {value:>12.4g} {unit}\n" if isinstance(value, float)
                        else f"{iso(when)}  {value!s:>12} {unit}\n" for when, value in expected)
        assert "".join(reader.text(parameter.name)) == lines, parameter.name
        checked += len(expected)
    assert checked > 100
    reader.close()

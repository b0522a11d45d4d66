"""archive query, export csv, plot, replay: on an archive made by a real session."""

import csv
import io
import shutil
import sqlite3
import time

import pytest
from PIL import Image

from ground import exitcodes
from ground.procedures import connect


@pytest.fixture
def archive(fsw_port, tmp_path):
    path = tmp_path / "session.sqlite"
    with connect(fsw_port, archive=path) as gs:
        gs.send("cam_power", state="on")
        for _ in range(4):
            gs.request_hk(10)
            gs.request_hk(1)
            time.sleep(0.1)
    return path


def run(ground_main, capsys, *argv):
    status = ground_main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_query(ground_main, capsys, archive):
    status, out, err = run(ground_main, capsys, "archive", "query", "cam_power", "--archive", archive)
    assert status == 0, err
    assert out.splitlines()[-1].split()[1] == "on"
    status, out, _ = run(ground_main, capsys, "archive", "query", "uptime", "--archive", archive, "--json",
                         "--from", "2000-01-01T00:00:00", "--to", "2100-01-01")
    assert status == 0 and len(out.splitlines()) >= 4


def test_the_newest_archive_is_the_default(ground_main, capsys, fsw_port, perijove_home):
    with connect(fsw_port) as gs:
        gs.request_hk(1)
    status, out, err = run(ground_main, capsys, "archive", "query", "uptime")
    assert status == 0 and out, err


def test_export_csv(ground_main, capsys, archive, tmp_path):
    out_file = tmp_path / "hk.csv"
    status, _, err = run(ground_main, capsys, "export", "csv", "--archive", archive, "--out", out_file,
                         "uptime", "cam_state")
    assert status == 0, err
    rows = list(csv.DictReader(out_file.open()))
    assert {r["parameter"] for r in rows} == {"uptime", "cam_state"}
    assert [float(r["onboard_s"]) for r in rows] == sorted(float(r["onboard_s"]) for r in rows)
    status, out, _ = run(ground_main, capsys, "export", "csv", "--archive", archive, "--events")
    assert status == 0 and "time_utc" in next(csv.reader(io.StringIO(out)))


def test_plot_writes_a_png(ground_main, capsys, archive, tmp_path):
    out_file = tmp_path / "p.png"
    status, _, err = run(ground_main, capsys, "plot", "uptime", "cam_state", "--archive", archive, "--out", out_file)
    assert status == 0, err
    assert Image.open(out_file).size[0] > 500


def test_replay_through_the_monitor(ground_main, capsys, archive):
    status, out, err = run(ground_main, capsys, "replay", str(archive), "--speed", "1000", "--no-screen", "--exit")
    assert status == 0, err
    assert "cam_power" in out and "link" in out


@pytest.mark.parametrize("argv, message", [
    (["archive", "query", "cam_temp", "--archive", "{missing}"], "no such archive"),
    (["archive", "query", "cam_temp", "--archive", "{garbage}"], "not a Perijove archive"),
    (["archive", "query", "cam_temp", "--archive", "{foreign}"], "not a Perijove archive"),
    (["archive", "query", "warp", "--archive", "{empty}"], "unknown parameter 'warp'"),
    (["archive", "query", "uptime", "--archive", "{empty}", "--from", "yesterday"], "neither on-board seconds"),
    (["export", "csv", "--archive", "{garbage}"], "not a Perijove archive"),
    (["replay", "{missing}"], "no such archive"),
    (["plot", "uptime", "--archive", "{empty}", "--out", "x.jpg"], "name it *.png"),
    (["plot", "uptime", "--archive", "{empty}", "--out", "{tmp}/x.png"], "no samples of uptime"),
    (["archive", "query", "uptime"], "no archive given and none in"),
    (["export", "csv", "--events", "--archive", "{damaged}"], "damaged archive"),
    (["replay", "{damaged}", "--exit", "--no-screen"], "damaged archive (row 1: no octets)"),
    (["replay", "{no_time}", "--exit", "--no-screen"], "damaged archive (row 2: no time)"),
    (["replay", "{tables_missing}", "--exit", "--no-screen"], "no such table: packets"),
    (["replay", "{empty}", "--speed", "0"], "above 0"),
    (["export", "csv", "--archive", "{empty}", "--out", "{tmp}"], "Is a directory"),
    (["export", "csv", "--archive", "{empty}", "--out", "{tmp}/garbage.sqlite/x.csv"], "Not a directory"),
    (["image", "--port", "loop://", "1", "--out", "{tmp}/garbage.sqlite/images"], "garbage.sqlite/images: Not a directory"),
])
def test_archive_errors_are_one_line(ground_main, capsys, tmp_path, argv, message):
    from fsw.dictionary import load
    from fsw.protocol import TmPacket, TmSender
    from ground.archive import Archive
    from ground.ingest import Ingest
    (tmp_path / "garbage.sqlite").write_bytes(b"garbage" * 100)
    sqlite3.connect(tmp_path / "foreign.sqlite").execute("CREATE TABLE t (x)").connection.commit()
    Archive(tmp_path / "empty.sqlite", load()).close()
    # a real archive, then damaged: an event's octets turned to text; a row with text for a time
    damaged = Archive(tmp_path / "damaged.sqlite", load())
    sender = TmSender()
    sender.push(TmPacket(0x012, 5, *load().encode_event("cam_ready", {})))
    Ingest(load(), archive=damaged).feed(sender.output())
    damaged.close()
    shutil.copy(tmp_path / "damaged.sqlite", tmp_path / "no_time.sqlite")
    db = sqlite3.connect(tmp_path / "damaged.sqlite")
    db.execute("UPDATE packets SET data = 'not octets'")
    db.commit()
    db.close()
    db = sqlite3.connect(tmp_path / "no_time.sqlite")
    db.execute("INSERT INTO packets (t, obt, dir, apid, service, subtype, seq, counter, kind, name, data) "
               "VALUES ('noon', 0, 'down', 18, 5, 1, 0, 0, 'event', 'cam_ready', X'0000')")
    db.commit()
    db.close()
    shutil.copy(tmp_path / "damaged.sqlite", tmp_path / "tables_missing.sqlite")
    sqlite3.connect(tmp_path / "tables_missing.sqlite").execute("DROP TABLE packets").connection.commit()
    names = {"missing": tmp_path / "missing.sqlite", "garbage": tmp_path / "garbage.sqlite",
             "foreign": tmp_path / "foreign.sqlite", "empty": tmp_path / "empty.sqlite", "tmp": tmp_path,
             "damaged": tmp_path / "damaged.sqlite", "tables_missing": tmp_path / "tables_missing.sqlite",
             "no_time": tmp_path / "no_time.sqlite"}
    status, _, err = run(ground_main, capsys, *[a.format(**names) for a in argv])
    assert status == exitcodes.USAGE
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err

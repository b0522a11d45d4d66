import json

import pytest

from ground import exitcodes


def run(ground_main, capsys, *argv):
    status = ground_main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_tlm_once_text_and_json(ground_main, capsys, fsw_port):
    status, out, err = run(ground_main, capsys, "tlm", "--port", fsw_port, "--once", "--sid", "3", "--sid", "20")
    assert status == 0, err
    assert "== modes (sid 3)" in out and "cam_temp" in out and "degC" in out
    status, out, _ = run(ground_main, capsys, "tlm", "--port", fsw_port, "--once", "--json", "--sid", "1")
    report = json.loads(out)
    assert status == 0 and report["sid"] == 1 and "dictionary_version" in report["values"]


def test_run_a_procedure_file(ground_main, capsys, fsw_port, tmp_path):
    script = tmp_path / "check.py"
    script.write_text(
        "gs.send('ping')\n"
        "hk = gs.request_hk(3)\n"
        "assert hk['mode'] == 'nominal'\n"
        "gs.expect_rejected('cam_delete', Reason.NOT_ARMED, image_id=1)\n"
        "print('procedure ok', hk['mode'])\n")
    status, out, err = run(ground_main, capsys, "run", "--port", fsw_port, script)
    assert status == exitcodes.OK, err
    assert "procedure ok nominal" in out


def test_a_failing_procedure_says_why(ground_main, capsys, fsw_port, tmp_path):
    script = tmp_path / "bad.py"
    script.write_text("assert gs.request_hk(3)['mode'] == 'safe', 'not in safe mode'\n")
    status, _, err = run(ground_main, capsys, "run", "--port", fsw_port, script)
    assert status == exitcodes.ERROR and "not in safe mode" in err
    script.write_text("gs.send('cam_capture')\n")
    status, _, err = run(ground_main, capsys, "run", "--port", fsw_port, script)
    assert status == exitcodes.FAILED and "execution_failed" in err


def test_image_command_writes_png_and_sidecar(ground_main, capsys, fsw_factory, tmp_path):
    from ground.procedures import connect
    port = fsw_factory(1000)
    with connect(port, archive=False) as gs:
        gs.send("cam_power", state="on")
        gs.await_event("cam_ready", timeout=20)
        gs.send("cam_capture", framelets=2)
        image_id = gs.await_event("image_captured", timeout=10).fields["image_id"]
    status, out, err = run(ground_main, capsys, "image", "--port", port, image_id, "--out", tmp_path)
    assert status == 0, err
    assert (tmp_path / f"image_{image_id:04d}.png").exists() and (tmp_path / f"image_{image_id:04d}.json").exists()
    status, _, err = run(ground_main, capsys, "image", "--port", port, 999, "--out", tmp_path)
    assert status == exitcodes.FAILED and "no_such_item" in err


def test_monitor_runs_for_a_while_and_leaves(ground_main, capsys, fsw_port):
    status, out, err = run(ground_main, capsys, "monitor", "--port", fsw_port, "--duration", "1.5")
    assert status == 0, err
    assert "housekeeping" in out and "mode nominal" in out and "cam_temp" in out   # first in sight at 80x25


@pytest.mark.parametrize("text, shown", [
    ("x = 1\n\ndef f():\n    return 1 / 0\n\nf()\n", "bad.py:4: ZeroDivisionError: division by zero"),
    ("x = 1\nif x\n    pass\n", "bad.py:2: SyntaxError"),
    ("assert 1 == 2\n", "bad.py:1: AssertionError"),
    ("import sys\nsys.exit('giving up')\n", "bad.py: giving up"),
])
def test_a_procedure_that_raises_is_one_line_with_its_line(ground, tmp_path, text, shown):
    script = tmp_path / "bad.py"
    script.write_text(text)
    result = ground("run", "--port", "loop://", "--no-archive", str(script))
    assert result.returncode == exitcodes.ERROR
    assert ground.error_line(result).startswith(f"ground run: {shown}")


@pytest.mark.parametrize("command", [["monitor", "--no-screen", "--duration", "20"], ["tlm"]])
def test_monitor_and_tlm_say_when_the_link_is_lost(ground_main, capsys, command):
    import os
    import threading
    master, slave = os.openpty()
    threading.Timer(1.0, os.close, [master]).start()
    status, _, err = run(ground_main, capsys, *command, "--port", os.ttyname(slave), "--no-archive")
    os.close(slave)
    assert status == exitcodes.USAGE
    assert "link lost" in err and len(err.strip().splitlines()) == 1, err


def test_run_takes_its_options_after_the_script_and_gives_the_rest_to_it(ground, fsw_port, tmp_path):
    script = tmp_path / "args.py"
    script.write_text("import sys\ngs.send('ping')\nprint('args', sys.argv[1:])\n")
    result = ground("run", str(script), "--port", fsw_port, "--no-archive", "a", "b", "--out", "x")
    assert result.returncode == exitcodes.OK, result.stderr
    assert "args ['a', 'b', '--out', 'x']" in result.stdout.decode()


@pytest.mark.parametrize("wait", ["gs.await_event('cam_ready', timeout=60)", "gs.send('ping', timeout=60)",
                                  "gs.await_telemetry('cam_state', lambda s: s == 'ready', timeout=60)"])
def test_run_says_the_link_was_lost_not_that_it_timed_out(ground, tmp_path, wait):
    from fsw import launch
    fsw = launch.start("--clock", "sim", "--speed", "100", state=tmp_path / "fsw-state", timeout=20)
    script = tmp_path / "lost.py"
    script.write_text("import os, signal, sys, time\ngs.send('ping')\nos.kill(int(sys.argv[1]), signal.SIGKILL)\n"
                      f"time.sleep(0.5)\n{wait}\n")
    try:
        result = ground("run", str(script), "--port", fsw.port, "--no-archive", "--key-file", str(fsw.key_file),
                        str(fsw.process.pid))
    finally:
        fsw.stop(timeout=5)
    assert result.returncode == exitcodes.TIMEOUT and "Traceback" not in result.stderr.decode()
    line = result.stderr.decode().splitlines()[-1]     # after the warning said at the moment it was lost
    assert line.startswith("ground run: lost.py:5: ") and "link lost" in line, line
    assert "timed out" not in line and "within the timeout" not in line, line


def test_tlm_shows_reason_and_flag_names(ground_main, capsys, fsw_port):
    from ground.procedures import connect
    with connect(fsw_port, archive=False) as gs:
        gs.expect_failed("cam_capture", "execution_failed", framelets=2)     # the camera is off
    status, out, err = run(ground_main, capsys, "tlm", "--port", fsw_port, "--once", "--sid", "2", "--sid", "10")
    assert status == 0, err
    assert "execution_failed" in out and "red+green+blue" in out, out

import json

import pytest

from fsw.link import PtyLink
from ground import exitcodes


def run(ground_main, capsys, *argv):
    status = ground_main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_send_waits_for_completion(ground_main, capsys, fsw_port):
    status, out, err = run(ground_main, capsys, "send", "--port", fsw_port, "ping")
    assert status == exitcodes.OK, err
    assert "ping: accepted" in out and "ping: completed" in out


def test_send_json(ground_main, capsys, fsw_port):
    status, out, _ = run(ground_main, capsys, "send", "--port", fsw_port, "--json", "hk_oneshot", "sid=1")
    result = json.loads(out)
    assert status == 0 and result["outcome"] == "completed"
    assert [s["stage"] for s in result["stages"]][-1] == "completed"


def test_rejection_failure_and_timeout_have_their_own_exit_codes(ground_main, capsys, fsw_port):
    status, out, err = run(ground_main, capsys, "send", "--port", fsw_port, "--json", "cam_capture")
    assert status == exitcodes.FAILED and json.loads(out)["reason"] == "execution_failed"
    with PtyLink() as silent:
        status, _, err = run(ground_main, capsys, "send", "--port", silent.path, "--timeout", "0.3", "ping")
    assert status == exitcodes.TIMEOUT and "timed out" in err


def test_rejected_exit_code(ground_main, capsys, fsw_port):
    # in safe mode the camera may not be commanded: rejected at acceptance
    assert run(ground_main, capsys, "send", "--port", fsw_port, "mode_safe")[0] == exitcodes.OK
    status, out, err = run(ground_main, capsys, "send", "--port", fsw_port, "--json", "cam_power", "state=on")
    assert status == exitcodes.REJECTED
    assert json.loads(out)["reason"] == "not_allowed_in_mode"


@pytest.mark.parametrize("argv, message", [
    (["send", "--port", "/dev/no-such-port", "ping"], "no such port"),
    (["send", "--port", "/dev/null", "warp_drive"], "unknown command 'warp_drive'"),
    (["send", "--port", "/dev/null", "cam_configure", "exposure=0", "filters=1", "tdi=1"], "exposure=0 outside"),
    (["send", "--port", "/dev/null", "cam_configure", "exposure"], "not name=value"),
    (["send", "--port", "/dev/null", "anneal", "target=3000", "hold=10"], "hazardous: add --arm"),
    (["tlm", "--port", "/dev/null", "--sid", "99"], "no housekeeping structure 99"),
    (["run", "--port", "/dev/null", "no-such-script.py"], "no such procedure file"),
])
def test_bad_command_lines_get_one_line_and_exit_2(ground_main, capsys, argv, message):
    status, out, err = run(ground_main, capsys, *argv)
    assert status == exitcodes.USAGE
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err

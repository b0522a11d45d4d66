import json

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

"""`ground upload` and `ground image` with CFDP, against a real fsw through the embedded server."""

import os

from fsw.protocol.cfdp import MAX_UPLOAD_OCTETS


def test_a_file_goes_on_board_complete(ground_main, capsys, fsw_port, tmp_path):
    data = os.urandom(6000)
    source = tmp_path / "table.bin"
    source.write_bytes(data)
    assert ground_main(["upload", str(source), "--name", "gains.tbl", "--port", fsw_port, "--no-archive"]) == 0
    said = capsys.readouterr()
    assert said.out.strip() == "gains.tbl: stored on board, 6000 octets, checksum verified"
    assert "upload gains.tbl" in said.err and "6000/6000" in said.err      # its progress, beside the result
    stored = tmp_path / "fsw-state-0" / "files" / "received" / "gains.tbl"
    assert stored.read_bytes() == data


def test_a_file_too_large_is_refused_in_one_line_before_the_link(ground, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (MAX_UPLOAD_OCTETS + 1))
    result = ground("upload", str(big), "--port", "/dev/null/nothing")
    assert ground.error_line(result) == (f"ground upload: {big}: {MAX_UPLOAD_OCTETS + 1} octets, "
                                         f"the on-board limit is {MAX_UPLOAD_OCTETS}")
    assert result.returncode == 2


def test_a_missing_file_is_one_line(ground, tmp_path):
    result = ground("upload", str(tmp_path / "nothing"), "--port", "/dev/null/nothing")
    assert ground.error_line(result).endswith("nothing: no such file")


def test_a_name_that_is_no_plain_file_name_is_refused(ground_main, capsys, fsw_port, tmp_path):
    source = tmp_path / "x.bin"
    source.write_bytes(b"data")
    code = ground_main(["upload", str(source), "--name", "../etc/passwd", "--port", fsw_port, "--no-archive"])
    assert code == 4
    assert "is not a plain file name" in capsys.readouterr().err


def test_ground_image_brings_an_image_down_as_a_file(ground_main, capsys, fsw_port, tmp_path):
    from ground.procedures import connect

    with connect(fsw_port, archive=False, timeout=30) as gs:
        gs.send("cam_power", state="on")
        gs.await_event("cam_ready", timeout=60)
        gs.send("cam_configure", exposure=5, filters=7, tdi=1)
        gs.send("cam_capture", framelets=4)
        image_id = gs.await_event("image_captured", timeout=60).fields["image_id"]
    out = tmp_path / "out"
    assert ground_main(["image", str(image_id), "--port", fsw_port, "--out", str(out), "--no-archive"]) == 0
    written = capsys.readouterr().out.split()
    assert str(out / f"image_{image_id:04d}.png") in written or any(w.endswith(".png") for w in written)
    events = [line for line in (tmp_path / "fsw-state-0").rglob("*") if line.name.endswith(".pjim")]
    assert events == []          # flight keeps no staged copy once the file is down

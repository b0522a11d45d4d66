"""The key file on the flight side: made once, mode 600, and refused when others may read it."""

import os

import pytest

from fsw import cli
from fsw.security.keyfile import KEY_FILE_NAME, KeyFileError, provision, read_key_file


def test_the_first_start_provisions_keys_once(tmp_path):
    path, keyring, new = provision(tmp_path, 61)
    assert new and path == tmp_path / KEY_FILE_NAME and os.stat(path).st_mode & 0o777 == 0o600
    again_path, again, new = provision(tmp_path, 61)
    assert not new and again.keys == keyring.keys


def test_a_key_file_others_can_read_stops_fsw_with_one_line(tmp_path, capsys):
    path, _, _ = provision(tmp_path, 61)
    path.chmod(0o640)
    with pytest.raises(KeyFileError, match="readable by others"):
        read_key_file(path)
    assert cli.main(["--port", "loop://", "--state", str(tmp_path)]) == cli.EXIT_FAILURE
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "readable by others" in err and "Traceback" not in err


def test_insecure_uplink_makes_no_keys_and_secure_makes_them_before_the_port(tmp_path, capsys):
    assert cli.main(["--port", "/dev/does-not-exist", "--state", str(tmp_path), "--insecure-uplink"]) == cli.EXIT_FAILURE
    assert not (tmp_path / KEY_FILE_NAME).exists()
    assert cli.main(["--port", "/dev/does-not-exist", "--state", str(tmp_path)]) == cli.EXIT_FAILURE
    assert read_key_file(tmp_path / KEY_FILE_NAME).uplink_spi == 1
    assert "cannot open /dev/does-not-exist" in capsys.readouterr().err

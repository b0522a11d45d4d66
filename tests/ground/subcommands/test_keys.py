"""`ground keys` and --key-file: fingerprints never keys, files others can read refused, a
rotation on board against the real fsw."""

import json
import os

from fsw.security.keyfile import read_key_file
from ground import exitcodes


def run(ground_main, capsys, *argv):
    status = ground_main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_generate_then_show_prints_fingerprints_and_never_a_key(ground_main, capsys, tmp_path):
    path = tmp_path / "keys.json"
    status, out, _ = run(ground_main, capsys, "keys", "generate", str(path))
    assert status == 0 and os.stat(path).st_mode & 0o777 == 0o600
    keyring = read_key_file(path)
    status, out, _ = run(ground_main, capsys, "keys", "show", "--key-file", str(path))
    assert status == 0
    assert all(keyring.fingerprint(key_id) in out for key_id in keyring.keys)
    assert not any(key.hex()[:16] in out for key in keyring.keys.values())
    assert "SPI   1  encryption" in out and "SPI   2  authentication" in out
    status, _, err = run(ground_main, capsys, "keys", "generate", str(path))
    assert status == exitcodes.USAGE and "never overwritten" in err


def test_a_key_file_others_can_read_is_refused_with_one_line(ground, tmp_path):
    path = tmp_path / "keys.json"
    assert ground("keys", "generate", str(path)).returncode == 0
    path.chmod(0o644)
    for argv in (["keys", "show", "--key-file", str(path)],
                 ["send", "--port", "loop://", "--key-file", str(path), "ping"]):
        line = ground.error_line(ground(*argv))
        assert "readable by others" in line and str(path) in line


def test_rotate_moves_the_uplink_to_a_spare_key_on_board(ground_main, capsys, fsw_port):
    key_file = os.environ["PERIJOVE_KEY_FILE"]             # the keys the fsw fixture provisioned
    status, out, err = run(ground_main, capsys, "keys", "rotate", "--port", fsw_port)
    assert status == 0, err
    assert "uplink now on SPI 3, key 3" in out and "SPI 1 stopped, key 1 deactivated" in out
    keyring = read_key_file(key_file)
    assert keyring.uplink_spi == 3 and keyring.associations[3].key_id == 3
    status, out, err = run(ground_main, capsys, "send", "--port", fsw_port, "--json", "hk_oneshot", "sid=6")
    assert status == 0, err
    assert json.loads(out)["outcome"] == "completed"
    status, out, err = run(ground_main, capsys, "keys", "rotate", "--port", fsw_port)
    assert status == 0, err
    assert "uplink now on SPI 1, key 4" in out and "SPI 3 stopped, key 3 deactivated" in out

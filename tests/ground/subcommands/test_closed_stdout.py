"""`ground ... | head`: a reader that leaves ends the command quietly."""

import os
import subprocess
import sys

import pytest

from ground import exitcodes


def _read_a_few_lines_then_leave(argv: list[str]) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if k != "PERIJOVE_SERVER"}
    process = subprocess.Popen([sys.executable, "-m", "ground.cli", *argv], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=environment)
    for _ in range(3):
        assert process.stdout.readline(), process.stderr.read().decode()
    process.stdout.close()                               # what `head -3` does
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the command went on after its reader left")
    return process.returncode, err.decode()


def test_tlm_into_a_closed_pipe_ends_quietly(fsw_port):
    status, err = _read_a_few_lines_then_leave(["tlm", "--port", fsw_port, "--no-archive"])
    assert status in (exitcodes.OK, exitcodes.STDOUT_CLOSED)
    assert err == ""


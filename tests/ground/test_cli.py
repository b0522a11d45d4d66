"""`ground` itself: a command line a person got wrong is one line and exit status 2."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("argv, says", [
    (["send", "ping"], "ground send: the following arguments are required: --port"),
    (["bogus"], "ground: argument COMMAND: invalid choice: 'bogus'"),
    (["send", "--port", "loop://", "--timeout", "soon", "ping"], "invalid float value: 'soon'"),
    ([], "ground: the following arguments are required: COMMAND"),
])
def test_a_bad_command_line_is_one_line(argv, says):
    done = subprocess.run([sys.executable, "-m", "ground.cli", *argv], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and says in done.stderr and "usage:" not in done.stderr


def test_help_still_prints_the_usage():
    done = subprocess.run([sys.executable, "-m", "ground.cli", "send", "--help"], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.startswith("usage: ground send")

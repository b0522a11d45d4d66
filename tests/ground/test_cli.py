"""`ground` itself: a command line a person got wrong is one line and exit status 2."""

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("argv, says", [
    (["send", "ping"], "ground send: no spacecraft: give --server URL (or set PERIJOVE_SERVER) or --port URL"),
    (["bogus"], "ground: argument COMMAND: invalid choice: 'bogus'"),
    (["send", "--port", "loop://", "--timeout", "soon", "ping"], "'soon' is not a number"),
    (["send", "--port", "loop://", "--timeout", "-5", "ping"], "-5 is not a positive number of seconds"),
    (["send", "--port", "loop://", "--frame-len", "7", "ping"], "7 is outside 64..2048 octets"),
    (["send", "--port", "loop://", "--arm", "ping"], "ping is not hazardous: --arm is only for hazardous commands"),
    (["serve", "--port", "loop://", "--listen", "0.0.0.0:0"], "listening on 0.0.0.0 needs --tokens FILE"),
    (["serve", "--port", "loop://", "--listen", "nowhere"], "--listen 'nowhere': expected HOST:PORT"),
    ([], "ground: the following arguments are required: COMMAND"),
])
def test_a_bad_command_line_is_one_line(argv, says):
    environment = {k: v for k, v in os.environ.items() if k != "PERIJOVE_SERVER"}
    done = subprocess.run([sys.executable, "-m", "ground.cli", *argv], capture_output=True, text=True, timeout=30,
                          env=environment)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and says in done.stderr and "usage:" not in done.stderr


def test_help_still_prints_the_usage():
    done = subprocess.run([sys.executable, "-m", "ground.cli", "send", "--help"], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.startswith("usage: ground send")

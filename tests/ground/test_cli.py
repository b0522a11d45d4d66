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
    # the friction list: duplicated, misspelt and missing arguments, misspelt commands, times
    (["send", "--port", "loop://", "ping", "x=1", "x=2"], "ping has no argument 'x'"),
    (["send", "--port", "loop://", "cam_capture", "framelets=2", "framelets=3"], "framelets given twice"),
    (["send", "--port", "loop://", "cam_power", "stat=on"], "no argument 'stat' (did you mean state?)"),
    (["send", "--port", "loop://", "pnig"], "unknown command 'pnig' (did you mean ping?)"),
    (["send", "--port", "loop://", "cam_configure"], "missing arguments exposure, filters, tdi"),
    (["send", "--port", "loop://", "cam_power", "state=sideways"], "state='sideways' is not one of off, on"),
    (["send", "--port", "loop://", "time_set", "seconds=yesterday"], "neither on-board seconds nor an ISO"),
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


@pytest.mark.parametrize("words", [["cam_power", "state=ON"], ["cam_configure", "exposure=5", "filters=RED+Green", "tdi=2"],
                                   ["time_set", "seconds=2023-12-30T08:21:00"]])
def test_enum_names_in_any_case_and_iso_times_are_taken(words, tmp_path):
    """Refused before anything is sent if wrong; taken, they reach the link (loop:// has no
    flight, so the command times out: exit 5, not 2)."""
    done = subprocess.run([sys.executable, "-m", "ground.cli", "send", "--port", "loop://", "--no-archive",
                           "--timeout", "0.5", *words], capture_output=True, text=True, timeout=30)
    assert done.returncode == 5, done.stderr


def test_an_iso_time_is_the_on_board_seconds():
    from fsw.dictionary import load
    assert load().parse_args("time_set", ["seconds=2023-12-30T08:21:00"]) == {"seconds": 757239660}
    assert load().parse_args("time_set", ["seconds=2023-12-30T09:21:00+01:00"]) == {"seconds": 757239660}


def test_version_names_the_package_and_the_dictionary():
    from importlib.metadata import version

    from fsw.dictionary import load
    done = subprocess.run([sys.executable, "-m", "ground.cli", "--version"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout == f"ground {version('perijove')}, dictionary {load().version:08x}\n"

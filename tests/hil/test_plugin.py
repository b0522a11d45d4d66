"""The HIL plugin's own behaviour: targets, capabilities and skip reasons."""

import re
from pathlib import Path

import pytest

from fsw.dictionary import load
from hil.board import dispatched_commands
from hil.targets import TARGETS, make_target
from hil.targets.avr_sim import FIRMWARE_COMMANDS

ROOT = Path(__file__).resolve().parents[2]


def test_every_target_can_be_made():
    for name in TARGETS:
        assert make_target(name).name == name


def test_baud_is_a_serial_port_speed_and_paces_loop_and_pty_only_when_given():
    assert make_target("serial", port="/dev/null").baud == 115200
    assert make_target("pty").baud is None and make_target("loop").baud is None
    assert make_target("pty", baud=9600).baud == 9600 and make_target("loop", baud=9600).baud == 9600


def test_serial_without_a_port_says_how_to_give_one():
    target = make_target("serial", port=None)
    assert "--port" in target.skip_reason


def test_firmware_commands_are_dictionary_commands():
    assert FIRMWARE_COMMANDS <= set(load().commands)


def test_firmware_commands_are_the_dispatch_switch_and_the_header_agrees():
    # one list: the cases of pj_dispatch.cpp's switch; the generated header marks the same
    # commands on the board (the dispatcher rejects the others with not_implemented)
    header = (ROOT / "hil" / "arduino" / "perijove" / "pj_dictionary.h").read_text()
    rows = re.findall(r"^    X\((\w+), \d+, 0x[0-9A-F]+, \d+, \d+, \d+, \d+, \d+, (\d+)\) \\$", header, re.M)
    assert len(rows) == len(load().commands)
    flag = int(re.search(r"^#define PJ_CMD_ON_BOARD (\d+)$", header, re.M).group(1))
    on_board = {name for name, flags in rows if int(flags) & flag}
    assert on_board == set(dispatched_commands())
    assert FIRMWARE_COMMANDS == {name.lower() for name in on_board}


def test_unknown_target_is_refused():
    with pytest.raises(ValueError):
        make_target("qemu")


def test_the_suite_reads_its_channel_option_a_bad_one_is_one_usage_line():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "pytest", "hil", "--target", "loop", "--channel", "noise=lots",
                           "--collect-only", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "--channel:" in done.stderr and "Traceback" not in done.stderr


def test_every_hook_and_fixture_of_the_plugin_reaches_pytest_through_the_conftest():
    import hil.conftest
    import hil.plugin

    hooks = {name for name in vars(hil.plugin) if name.startswith("pytest_")}
    fixtures = {name for name, value in vars(hil.plugin).items() if hasattr(value, "_pytestfixturefunction")
                or type(value).__name__ == "FixtureFunctionDefinition"}
    assert hooks and fixtures
    assert hooks | fixtures <= set(vars(hil.conftest))

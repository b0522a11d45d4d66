"""The HIL plugin's own behaviour: targets, capabilities and skip reasons."""

import pytest

from hil.targets import TARGETS, make_target
from hil.targets.avr_sim import FIRMWARE_COMMANDS
from fsw.dictionary import load


def test_every_target_can_be_made():
    for name in TARGETS:
        assert make_target(name).name == name


def test_serial_without_a_port_says_how_to_give_one():
    target = make_target("serial", port=None)
    assert "--port" in target.skip_reason


def test_firmware_commands_are_dictionary_commands():
    assert FIRMWARE_COMMANDS <= set(load().commands)


def test_unknown_target_is_refused():
    with pytest.raises(ValueError):
        make_target("qemu")

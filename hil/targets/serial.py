"""serial: a real board on a serial port: an Arduino with the firmware (an Uno, or a Mega whose
build authenticates its uplink with the keys of $PERIJOVE_KEY_FILE), a Pico with the MicroPython
program (hil/pico), or `fsw` on a Pi."""

from dataclasses import replace

from fsw.protocol import TM_FRAME_LEN

from .avr_sim import FIRMWARE_CAPABILITIES, MEGA_FIRMWARE_CAPABILITIES
from .base import ALL_COMMANDS, Capabilities, Target
from .mpy_sim import PICO_CAPABILITIES

# what each kind of real board can do: the Arduino firmware's or the Pico program's commands, or all of fsw's
BOARD_CAPABILITIES = {
    "arduino": Capabilities(**FIRMWARE_CAPABILITIES, simulated_thermal=False),
    "mega": Capabilities(**MEGA_FIRMWARE_CAPABILITIES, simulated_thermal=False),
    "pico": Capabilities(**PICO_CAPABILITIES, simulated_thermal=False),
    "fsw": Capabilities(TM_FRAME_LEN, ALL_COMMANDS, None, simulated_thermal=False),
}


class SerialTarget(Target):
    name = "serial"

    def __init__(self, port: str | None, baud: int, board: str):
        self.port = port
        self.baud = baud
        self.board = board
        self.capabilities = BOARD_CAPABILITIES[board]
        if board in ("fsw", "mega", "pico"):
            # fsw on a Pi: its keys copied here; a Mega: the keys its EEPROM was written from; a Pico:
            # the keys hil/pico/deploy.py put on it (deployed without keys, it takes clear frames).
            # Named by $PERIJOVE_KEY_FILE (docs/GROUND.md)
            from ground.uplink_security import find_key_file

            self.key_file = find_key_file()
            if board == "pico" and self.key_file is None:
                self.capabilities = replace(self.capabilities, features=self.capabilities.features - {"sdls"},
                                            no_sdls_reason="no key file: deploy the Pico with --key-file")
        if not port:
            self.skip_reason = "serial target needs a port: --port /dev/ttyUSB0 (or HIL_PORT)"

    def start(self) -> None:
        pass   # the board is already running; a real bench resets it by hand or by DTR

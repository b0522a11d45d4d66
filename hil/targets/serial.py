"""serial: a real board on a serial port: an Arduino with the firmware, or `fsw` on a Pi."""

from fsw.protocol import TM_FRAME_LEN

from .avr_sim import FIRMWARE_CAPABILITIES
from .base import ALL_COMMANDS, Capabilities, Target


class SerialTarget(Target):
    name = "serial"

    def __init__(self, port: str | None, baud: int, board: str):
        self.port = port
        self.baud = baud
        self.board = board
        if board == "arduino":
            self.capabilities = Capabilities(**FIRMWARE_CAPABILITIES, simulated_thermal=False)
        else:
            # fsw on a Pi: its keys copied here, named by $PERIJOVE_KEY_FILE (docs/GROUND.md)
            self.capabilities = Capabilities(TM_FRAME_LEN, ALL_COMMANDS, None, simulated_thermal=False, sdls=True)
            from ground.uplink_security import find_key_file

            self.key_file = find_key_file()
        if not port:
            self.skip_reason = "serial target needs a port: --port /dev/ttyUSB0 (or HIL_PORT)"

    def start(self) -> None:
        pass   # the board is already running; a real bench resets it by hand or by DTR

"""pty: the `fsw` program in its own process, on a pseudo-terminal, as a user would run it."""

import tempfile

from fsw import launch
from fsw.protocol import TM_FRAME_LEN

from .base import ALL_COMMANDS, Capabilities, Target

SPEED = 1000.0
# faults as the sim backend's options, given on fsw's command line
FAULT_OPTIONS = {"heater_stuck_on": ["heater=stuck_on"], "sensor_failed": ["sensor=failed"]}


class PtyTarget(Target):
    name = "pty"
    capabilities = Capabilities(TM_FRAME_LEN, ALL_COMMANDS, None,
                                frozenset(FAULT_OPTIONS), speed=SPEED, features=frozenset({"farm", "farm_reporting", "sdls", "reset"}))

    def __init__(self, baud: int | None = None):
        self.hw_options: list[str] = []
        self.baud = baud            # given: fsw --baud paces its downlink to it

    def start(self) -> None:
        self._state = tempfile.TemporaryDirectory(prefix="hil-pty-")
        self._launch()

    def _launch(self) -> None:
        options = ["--clock", "sim", "--speed", str(SPEED)] + (["--baud", str(self.baud)] if self.baud else [])
        for option in self.hw_options:
            options += ["--hw-option", option]
        self.fsw = launch.start(*options, state=self._state.name, timeout=30)
        self.port = self.fsw.port
        self.key_file = self.fsw.key_file

    def reset(self) -> None:
        """kill -9, then fsw again on the same state directory (on a new pty: `port` changes)."""
        self.fsw.process.kill()
        self.fsw.process.wait()
        self._launch()

    def stop(self) -> None:
        if getattr(self, "fsw", None) is not None:
            self.fsw.stop()
            self.fsw = None
        if hasattr(self, "_state"):
            self._state.cleanup()

    def inject(self, fault: str) -> None:
        """Restart fsw with the fault present from boot, as an operator would for a drill."""
        self.stop()
        self.hw_options = FAULT_OPTIONS[fault]
        self.start()

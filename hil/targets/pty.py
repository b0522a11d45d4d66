"""pty: the `fsw` program in its own process, on a pseudo-terminal, as a user would run it."""

import os
import subprocess
import sys
import tempfile

from fsw.protocol import TM_FRAME_LEN

from .base import ALL_COMMANDS, Capabilities, Target
from .process import read_line_with, stop_process

SPEED = 1000.0
# faults as the sim backend's options, given on fsw's command line
FAULT_OPTIONS = {"heater_stuck_on": ["heater=stuck_on"], "sensor_failed": ["sensor=failed"]}


class PtyTarget(Target):
    name = "pty"
    capabilities = Capabilities(TM_FRAME_LEN, ALL_COMMANDS, None,
                                frozenset(FAULT_OPTIONS), speed=SPEED)

    def __init__(self):
        self.hw_options: list[str] = []

    def start(self) -> None:
        self._state = tempfile.TemporaryDirectory(prefix="hil-pty-")
        command = [sys.executable, "-m", "fsw.cli", "--port", "pty", "--clock", "sim",
                   "--speed", str(SPEED), "--state", self._state.name]
        for option in self.hw_options:
            command += ["--hw-option", option]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        line = read_line_with(self.process, "listening on", timeout=30)
        self.port = line.rsplit(" ", 1)[1]

    def stop(self) -> None:
        stop_process(getattr(self, "process", None))
        if hasattr(self, "_state"):
            self._state.cleanup()

    def inject(self, fault: str) -> None:
        """Restart fsw with the fault present from boot, as an operator would for a drill."""
        self.stop()
        self.hw_options = FAULT_OPTIONS[fault]
        self.start()

"""What the emulated boards share: a board's program in an emulator process on this machine.

The emulator (simavr's harness for avr-sim, MicroPython's WebAssembly port for mpy-sim) couples
the heater and the temperature sensor to the host's thermal node, whose constants it takes on its
command line, and runs the node THERMAL_SPEED times faster than the board, so that hours of heating
take seconds. It reads control lines on its stdin (faults, "stats") and writes its statistics as
JSON to a file when asked.
"""

import json
import subprocess
import tempfile
import time
from pathlib import Path

from fsw.hw.sim import thermal as physics

from .base import Target
from .process import stop_process

THERMAL_SPEED = 500.0
FAULT_LINES = {
    "heater_stuck_on": "heater stuck_on",
    "sensor_failed": "sensor open",
    # a room at 25 C: the sink's -25 C plus 6 W over the node's conductance
    "warm_room": f"temp 25\nexternal {50 * physics.CONDUCTANCE_W_PER_K}",
}


class EmulatedBoard(Target):
    process: subprocess.Popen | None = None
    stats_path: Path | None = None

    def _new_run_dir(self, prefix: str) -> Path:
        self._dir = tempfile.TemporaryDirectory(prefix=prefix)
        self.stats_path = Path(self._dir.name) / "stats.json"
        return Path(self._dir.name)

    def _thermal_args(self) -> list[str]:
        return [
            "--capacity", str(physics.HEAT_CAPACITY_J_PER_K),
            "--conductance", str(physics.CONDUCTANCE_W_PER_K), "--sink", str(physics.SINK_C),
            "--power", str(physics.HEATER_POWER_W), "--initial", str(physics.SINK_C),
            "--thermal-speed", str(THERMAL_SPEED), "--stats", str(self.stats_path),
        ]

    def _stop_emulator(self) -> None:
        stop_process(self.process)     # SIGTERM: the harnesses write their stats as they go
        self.process = None

    def _control(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def inject(self, fault: str) -> None:
        self._control(FAULT_LINES[fault])

    def stats(self) -> dict:
        """The emulator's statistics now (each harness says which it keeps)."""
        self.stats_path.unlink(missing_ok=True)
        self._control("stats")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.stats_path.exists():
                try:
                    return json.loads(self.stats_path.read_text())
                except ValueError:
                    pass   # being written
            time.sleep(0.05)
        raise RuntimeError(f"the {self.name} emulator wrote no stats")

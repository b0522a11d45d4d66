"""avr-sim: the Arduino firmware's ELF running in simavr (hil/sim), its UART on a pty.

The harness wires the heater pin and the thermistor to the host's thermal node
(hil/targets/emulated.py); the AVR runs at real time. The harness can also set the Arduino
core's millisecond count (fault millis_wrap), so that the firmware meets millis()'s wrap after
2^32 ms in seconds rather than 49.7 days, and reset the AVR as a power cycle would (reset()).

The Uno build by default; AvrSimTarget(board="mega", key_file=...) runs the Mega build, which
authenticates its uplink (SDLS) with the key file's associations put in its EEPROM.
"""

import fcntl
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path

from fsw.dictionary import load
from fsw.security.keyfile import read_key_file

from ..board import board_commands, eeprom_keys
from .base import Capabilities
from .emulated import THERMAL_SPEED, EmulatedBoard
from .process import read_line_with

HIL = Path(__file__).resolve().parent.parent
FIRMWARE_DIR = HIL / "arduino"
SIM_DIR = HIL / "sim"
ELF = FIRMWARE_DIR / "build" / "uno" / "perijove.elf"
MCUS = {"uno": "atmega328p", "mega": "atmega2560"}
HARNESS = SIM_DIR / "build" / "perijove_sim"
MILLIS_SYMBOL = "timer0_millis"   # the Arduino core's millis() count (wiring.c)
WRAP_LEAD_MS = 3000               # millis_wrap: this long before millis() wraps
AVR_DATA = 0x800000               # where avr-gcc's ELF puts the data address space
AVR_PACKAGES = "gcc-avr avr-libc arduino-core-avr simavr libsimavr-dev libelf-dev"
INSTALL_HINT = f"apt-get install -y {AVR_PACKAGES} (or run scripts/lib/avr-setup.sh as root)"

# what the firmware implements: the cases of its dispatch switch (hil/board.py), the same list
# that marks them on the board in its generated header
FIRMWARE_COMMANDS = board_commands(load().commands)
FIRMWARE_CAPABILITIES = dict(
    frame_len=256, commands=FIRMWARE_COMMANDS, image_size=(64, 32), window=4,   # one 32-row framelet
    hk_sids=frozenset({1, 2, 3, 10, 20}), anneal_hold=2, hk_tick=0.1,
    features=frozenset({"farm", "farm_reporting", "farm_wait", "push_frame"}), cfdp_class=1,
    no_sdls_reason="the Uno build takes clear frames: AES-256-GCM would need 4,015 B of static RAM where "
    "the Uno has 2,048 B, and 20,016 B of flash against the 16 KB goal (docs/PERFORMANCE.md); the Mega "
    "build authenticates (tests/hil/test_firmware_sdls.py)",
)
# the Mega build besides: SDLS on its uplink and housekeeping structure 6 (security)
MEGA_FIRMWARE_CAPABILITIES = {**FIRMWARE_CAPABILITIES, "features": FIRMWARE_CAPABILITIES["features"] | {"sdls"},
                              "hk_sids": FIRMWARE_CAPABILITIES["hk_sids"] | {6}}


def missing_toolchain() -> str | None:
    """Why the firmware cannot be built and simulated here, or None."""
    missing = [tool for tool in ("avr-gcc", "make", "cc") if shutil.which(tool) is None]
    if not Path("/usr/include/simavr/sim_avr.h").exists():
        missing.append("simavr headers")
    if not Path("/usr/share/arduino/hardware/arduino/avr/cores/arduino/Arduino.h").exists():
        missing.append("the Arduino core")
    if missing:
        return f"AVR toolchain missing ({', '.join(missing)}): {INSTALL_HINT}"
    return None


def symbol_address(elf: Path, name: str) -> int:
    """The data address of a variable of the firmware, from the ELF's symbol table."""
    out = subprocess.run(["avr-nm", str(elf)], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2] == name:
            return int(fields[0], 16) - AVR_DATA
    raise RuntimeError(f"{elf.name} has no symbol {name}")


def build() -> None:
    """make is incremental: a no-op when the firmware and harness are up to date. One build at a
    time: the unit suite's workers and the labgrid farm's board may all start one in a clean clone,
    and two makes writing the same files can fail each other."""
    lock_path = FIRMWARE_DIR / "build" / ".lock"
    lock_path.parent.mkdir(exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for directory in (FIRMWARE_DIR, SIM_DIR):
            result = subprocess.run(["make", "-s", "-j4"], cwd=directory, capture_output=True, text=True)
            if result.returncode:
                raise RuntimeError(f"make in {directory.name} failed:\n{result.stderr[-2000:]}")


class AvrSimTarget(EmulatedBoard):
    name = "avr-sim"
    # the harness resets the AVR as a power cycle (reset()); a real board is reset by hand
    capabilities = replace(Capabilities(**FIRMWARE_CAPABILITIES, speed=THERMAL_SPEED, faults=frozenset(
        {"heater_stuck_on", "sensor_failed", "warm_room", "millis_wrap"})),
        features=FIRMWARE_CAPABILITIES["features"] | {"reset"})

    def __init__(self, extra_args: tuple[str, ...] = (), board: str = "uno", key_file=None):
        self.skip_reason = missing_toolchain()
        self.extra_args = extra_args
        self.board = board
        self.elf = FIRMWARE_DIR / "build" / board / "perijove.elf"
        if board == "mega":     # SDLS on board, with the keys of key_file (none: it refuses every frame)
            self.capabilities = MEGA_CAPABILITIES
            self.key_file = key_file

    def start(self) -> None:
        build()
        run_dir = self._new_run_dir("hil-avr-")
        command = [
            str(HARNESS), "--mcu", MCUS[self.board], *self._thermal_args(),
            "--millis-at", hex(symbol_address(self.elf, MILLIS_SYMBOL)),
            *self._eeprom_args(run_dir), *self.extra_args, str(self.elf),
        ]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        self.port = read_line_with(self.process, "PTY ", timeout=30).split()[1]

    def _eeprom_args(self, run_dir: Path) -> list[str]:
        if self.key_file is None:
            return []
        image = run_dir / "eeprom.bin"
        image.write_bytes(eeprom_keys(read_key_file(self.key_file)))
        return ["--eeprom", str(image)]

    def stop(self) -> None:
        self._stop_emulator()

    def reset(self) -> None:
        """A power cycle in the harness: the firmware boots again with its RAM lost (V(R) = 0);
        the pty, and so `port`, stay the same."""
        self._control("reset")

    def inject(self, fault: str) -> None:
        if fault == "millis_wrap":
            self._near_millis_wrap()
        else:
            super().inject(fault)

    def _near_millis_wrap(self) -> None:
        # in two jumps of less than 2^31 ms: the firmware's deadlines compare (int32_t)(now - due),
        # which one longer jump would turn backwards, stalling housekeeping until millis() wraps
        for value, settle in ((1 << 31, 0.5), ((1 << 32) - WRAP_LEAD_MS, 0.0)):
            self._control(f"millis {value}")
            time.sleep(settle)


MEGA_CAPABILITIES = replace(AvrSimTarget.capabilities, features=MEGA_FIRMWARE_CAPABILITIES["features"] | {"reset"},
                            hk_sids=MEGA_FIRMWARE_CAPABILITIES["hk_sids"])

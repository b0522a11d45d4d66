"""The DS18B20 1-Wire thermometer as Linux shows it: /sys/bus/w1/devices/28-*/w1_slave.

The file holds two lines, e.g.

    72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
    72 01 4b 46 7f ff 0e 10 57 t=23125

The first ends in YES when the scratchpad CRC matched; the second gives millidegrees C.
85000 is the power-on reset value, seen when a conversion never ran (brown-out, bad wiring),
so it is never trusted as a temperature.
"""

import glob
import os

from .base import SensorError, TemperatureSensor

DEFAULT_W1_ROOT = "/sys/bus/w1/devices"
POWER_ON_MILLI_C = 85000
GLITCH_REASONS = ("bad_crc", "power_on_value", "unreadable", "malformed", "out_of_range")
FAIL_AFTER = 3            # consecutive bad reads before the sensor is declared failed


class Glitch(Exception):
    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


def parse_w1_slave(text: str) -> float:
    """Degrees C from a w1_slave file's text, or Glitch(reason)."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 2 or "crc=" not in lines[0] or "t=" not in lines[1]:
        raise Glitch("malformed", repr(text[:80]))
    if not lines[0].endswith("YES"):
        raise Glitch("bad_crc", lines[0])
    try:
        milli = int(lines[1].rsplit("t=", 1)[1])
    except ValueError:
        raise Glitch("malformed", lines[1]) from None
    if milli == POWER_ON_MILLI_C:
        raise Glitch("power_on_value", "85.000 C is the power-on reset value")
    if not -55000 <= milli <= 125000:     # the part's rated range
        raise Glitch("out_of_range", f"{milli / 1000:.3f} C")
    return milli / 1000.0


def find_w1_slave(root: str = DEFAULT_W1_ROOT) -> str | None:
    """The first DS18B20 (family code 28) under a 1-Wire devices directory."""
    found = sorted(glob.glob(os.path.join(root, "28-*", "w1_slave")))
    return found[0] if found else None


class DS18B20(TemperatureSensor):
    """Reads one sensor; a bad read keeps the last good value, counted by reason, until
    FAIL_AFTER bad reads in a row make it a failure."""

    def __init__(self, path: str | None):
        self.path = path
        self.last_good: float | None = None
        self.bad_in_a_row = 0
        self.rejected = {reason: 0 for reason in GLITCH_REASONS}
        self.last_glitch: str | None = None

    def read(self) -> float:
        try:
            value = parse_w1_slave(self._read_text())
        except Glitch as glitch:
            self.rejected[glitch.reason] += 1
            self.last_glitch = glitch.reason
            self.bad_in_a_row += 1
            if self.last_good is None or self.bad_in_a_row >= FAIL_AFTER:
                raise SensorError(str(glitch)) from None
            return self.last_good
        self.bad_in_a_row = 0
        self.last_good = value
        return value

    def _read_text(self) -> str:
        if self.path is None:
            raise Glitch("unreadable", "no DS18B20 found on the 1-Wire bus")
        try:
            with open(self.path, encoding="ascii", errors="replace") as handle:
                return handle.read()
        except OSError as error:
            raise Glitch("unreadable", f"{self.path}: {error.strerror}") from None

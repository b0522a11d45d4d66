"""The on-board clock: real time, or simulated time that runs only when the executive steps it.

Two times matter. On-board time (`now()`, seconds since 2000-01-01T00:00:00, what TM packets
carry and the schedule releases on) can be set by command. Elapsed time (`elapsed()`, seconds
since boot) never jumps: arming windows, contact age and housekeeping periods use it.
"""

import math
import time
from datetime import UTC, datetime

from fsw.protocol.cuc import EPOCH_UNIX, datetime_to_cuc_seconds

# where simulated time starts on a first boot: the day before PJ57 (2023-12-30)
SIM_START = datetime_to_cuc_seconds(datetime(2023, 12, 29, tzinfo=UTC))
FAST_HZ = 10
SLOW_HZ = 1
# above this many fast cycles per real second Python cannot keep up, so at high speed-ups the
# simulated step grows instead (100x and below keep the nominal 0.1 s step)
MAX_CYCLES_PER_REAL_SECOND = 1000
MAX_SPEED = 100_000.0
# on-board time rolls over as the CUC's 4-octet coarse counter does (2136-02-07), so every
# time flight puts on the wire (TM headers, u32 times) fits it, even after time_set 0xFFFFFFFF
ONBOARD_WRAP = 1 << 32


class RealClock:
    kind = "real"
    speed = 1.0

    def __init__(self):
        self._boot = time.monotonic()
        self.offset = 0.0          # on-board time minus host UTC, set by time_set

    @property
    def fast_dt(self) -> float:
        return 1.0 / FAST_HZ

    def now(self) -> float:
        return (time.time() - EPOCH_UNIX + self.offset) % ONBOARD_WRAP

    def elapsed(self) -> float:
        return time.monotonic() - self._boot

    def set_onboard(self, seconds: float) -> None:
        self.offset = seconds - (time.time() - EPOCH_UNIX)

    def advance(self, dt: float) -> None:
        """Real time advances by itself."""

    def state(self) -> dict:
        return {"offset": self.offset}

    def restore(self, state: dict) -> None:
        self.offset = _finite(state.get("offset", 0.0))


class SimClock:
    """Simulated time, counted in integer microseconds so stepping is exact and deterministic."""

    kind = "sim"

    def __init__(self, speed: float = 1.0, start: float = SIM_START):
        if not 0 < speed <= MAX_SPEED:
            raise ValueError(f"speed must be in (0, {MAX_SPEED:g}]")
        self.speed = float(speed)
        self._elapsed_us = 0
        self._base = float(start)  # on-board time at elapsed 0

    @property
    def fast_dt(self) -> float:
        """Simulated seconds per fast cycle: 0.1 s, longer when real time could not keep up."""
        step = max(1.0 / FAST_HZ, self.speed / MAX_CYCLES_PER_REAL_SECOND)
        return round(step, 6)

    def now(self) -> float:
        return (self._base + self._elapsed_us / 1e6) % ONBOARD_WRAP

    def elapsed(self) -> float:
        return self._elapsed_us / 1e6

    def set_onboard(self, seconds: float) -> None:
        self._base = seconds - self._elapsed_us / 1e6

    def advance(self, dt: float) -> None:
        self._elapsed_us += round(dt * 1e6)

    def state(self) -> dict:
        return {"onboard": self.now()}

    def restore(self, state: dict) -> None:
        if "onboard" in state:
            self._base = _finite(state["onboard"]) - self._elapsed_us / 1e6


def _finite(value) -> float:
    """A saved time; NaN or infinity would make every TM header unencodable."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"saved time {value} is not a finite number")
    return value


Clock = RealClock | SimClock


def make_clock(kind: str, speed: float = 1.0, start: float | None = None):
    if kind == "real":
        if speed != 1.0:
            raise ValueError("--speed needs --clock sim")
        return RealClock()
    if kind == "sim":
        return SimClock(speed, SIM_START if start is None else start)
    raise ValueError(f"unknown clock {kind!r} (real or sim)")

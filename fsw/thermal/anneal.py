"""One anneal: ramp the camera to a target, hold it there, let it cool.

The heat does the healing (the detector's physics); this is the procedure that applies it,
with the image quality measured before it began so that the ground sees what it recovered.
"""

from dataclasses import asdict, dataclass

from .limits import (
    ANNEAL_COOL_END_C,
    ANNEAL_COOL_MARGIN_C,
    ANNEAL_COOL_TIMEOUT_S,
    ANNEAL_RAMP_MARGIN_C,
)

PHASES = ("ramp", "hold", "cool", "done")
HOLD_BAND_C = 1.0            # thermostat dead band while holding
RAMP_TIMEOUT_S = 6 * 3600.0  # a heater that cannot reach the target is a failure, not a wait


@dataclass
class AnnealRun:
    target_c: float
    hold_s: float
    start_c: float
    phase: str = "ramp"
    elapsed_in_phase: float = 0.0
    hot_pixels_before: int = 0
    heater_on: bool = True
    last_temp_c: float = 0.0

    @property
    def cool_end_c(self) -> float:
        """Cooling ends here: 15 C in space, back near the start temperature in a warm room."""
        return max(ANNEAL_COOL_END_C, self.start_c + ANNEAL_COOL_MARGIN_C)

    @property
    def timed_out(self) -> bool:
        return self.phase == "ramp" and self.elapsed_in_phase > RAMP_TIMEOUT_S

    def step(self, temp_c: float, dt: float) -> bool:
        """Advance by dt at this temperature; True when the phase changed."""
        self.last_temp_c = temp_c
        self.elapsed_in_phase += dt
        before = self.phase
        if self.phase == "ramp":
            self.heater_on = True
            if temp_c >= self.target_c - ANNEAL_RAMP_MARGIN_C:
                self._enter("hold")
        if self.phase == "hold":
            if temp_c < self.target_c - HOLD_BAND_C / 2:
                self.heater_on = True
            elif temp_c > self.target_c + HOLD_BAND_C / 2:
                self.heater_on = False
            if self.elapsed_in_phase >= self.hold_s:
                self._enter("cool")
        if self.phase == "cool":
            self.heater_on = False
            if temp_c <= self.cool_end_c or self.elapsed_in_phase >= ANNEAL_COOL_TIMEOUT_S:
                self._enter("done")
        return self.phase != before

    def _enter(self, phase: str) -> None:
        self.phase = phase
        self.elapsed_in_phase = 0.0

    @property
    def percent(self) -> int:
        """Ramp 0-30 %, hold 30-90 %, cool 90-100 %."""
        temp = self.last_temp_c
        if self.phase == "ramp":
            span = max(1e-6, self.target_c - self.start_c)
            return int(30 * min(1.0, max(0.0, (temp - self.start_c) / span)))
        if self.phase == "hold":
            return 30 + int(60 * min(1.0, self.elapsed_in_phase / self.hold_s))
        if self.phase == "cool":
            span = max(1e-6, self.target_c - self.cool_end_c)
            return 90 + int(9 * min(1.0, max(0.0, (self.target_c - temp) / span)))
        return 100

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "AnnealRun":
        run = cls(**{k: values[k] for k in cls.__dataclass_fields__ if k in values})
        if run.phase not in PHASES:
            raise ValueError(f"unknown anneal phase {run.phase!r}")
        return run

"""The simulated camera head: a radiation-damaged detector looking at a scene.

The detector flies through every perijove of the mission by the world's own time (dose added as
each passes) and heals whenever it is warm enough, by the anneal law of fsw/hw/sim/thermal.py:
exposure accumulates while the detector is at or above ANNEAL_MIN_C, the warm spell counts as one
anneal once it cools below again, and shallow healing fades in the weeks after.
Flight never sees these numbers; it measures dark frames, as JunoCam's team did.
"""

from __future__ import annotations

import math

import numpy as np

from fsw import mission
from fsw.hw.base import CameraHead
from fsw.protocol.imagefile import STRIP_ROWS, strip_offset

from . import scene
from .detector import FILTERS, HEIGHT, REF_EXPOSURE_MS, WIDTH, Detector
from .radiation import Damage
from .thermal import ANNEAL_MIN_C, anneal_rate

SPIN_RAD_S = 2 * math.pi * 2 / 60                         # 2 rpm
ROW_TIME_S = scene.PIXEL_RAD / SPIN_RAD_S                 # the spin sweeps one row: 3.2 ms, as JunoCam's TDI
FRAMELET_INTERVAL_S = STRIP_ROWS * ROW_TIME_S           # one strip per framelet: 0.41 s (JunoCam: ~0.4)
UPSETS_PER_MBIT = 60.0          # bit flips in the compressor's memory per image, per Mbit, at perijove
BELT_HOURS = 3.0                 # the radiation belts: the flux falls off with time from perijove
SIGNAL_DN_FULL_SUN = 2800.0     # 12-bit DN of fully sunlit Io at the reference exposure
CONDITION_STEP = 0.01           # change of degradation that makes a new dark frame worth taking


def smear(plane: np.ndarray, rows: float) -> np.ndarray:
    """The sky moving `rows` rows (fractional) along axis 0 during one exposure: each pixel
    averages the rows it swept, the last one in part."""
    whole = int(rows)
    part = rows - whole
    padded = np.concatenate([plane, np.zeros((whole + 1, plane.shape[1]), plane.dtype)])
    total = np.zeros_like(plane, dtype=np.float32)
    for shift in range(whole):
        total += padded[shift:shift + len(plane)]
    if part:
        total += part * padded[whole:whole + len(plane)]
    return total / rows


class SyntheticIo:
    """What the camera sees: Io as the ephemeris places it."""

    def radiance(self, filters: tuple[str, ...], now: float, summing: int = 1) -> dict:
        return scene.render(mission.io_range_km(now), scene.view_at(now), filters, summing)


class SimCameraHead(CameraHead):
    width, height, filters = WIDTH, HEIGHT, FILTERS
    strip_rows, framelet_interval_s, row_time_s = STRIP_ROWS, FRAMELET_INTERVAL_S, ROW_TIME_S

    def __init__(self, rng: np.random.Generator, now: float | None = None, view=None,
                 damage: Damage | None = None, seed: int | None = None):
        self.rng = rng
        self.seed = int(rng.integers(0, 2**31)) if seed is None else seed   # which pixels go hot
        self.detector = Detector(self.seed)
        if damage is None:
            damage = Damage.after_passes(mission.perijove_count(now)) if now is not None else Damage()
        self.damage = damage
        self.view = view or SyntheticIo()
        self.now = now or 0.0
        self.anneal_exposure = 0.0      # of the warm spell under way
        self._condition = 0
        self._seen = self.damage.degradation   # degradation when the condition last changed
        self._image: tuple[tuple[str, ...], dict, float, int] | None = None

    # -- the world goes on --
    def step(self, dt: float, now: float, temp_c: float | None) -> None:
        self.now = now
        passed = mission.perijove_count(now)
        while self.damage.perijoves < passed:
            self.damage.add_pass()
            self._changed()
        self.damage.relax(dt)
        if temp_c is not None and temp_c >= ANNEAL_MIN_C:
            before, self.anneal_exposure = self.anneal_exposure, self.anneal_exposure + anneal_rate(temp_c) * dt
            self.damage.heal(before, self.anneal_exposure, temp_c)
        elif self.anneal_exposure > 0:
            self.anneal_exposure = 0.0
            self.damage.end_anneal()
            self._changed()
        if abs(self.damage.degradation - self._seen) >= CONDITION_STEP:
            self._changed()

    def _changed(self) -> None:
        self._condition += 1
        self._seen = self.damage.degradation

    # -- CameraHead --
    @property
    def condition(self) -> int:
        return self._condition

    @property
    def dose_krad(self) -> float:
        return self.damage.dose

    def begin_image(self, filters: tuple[str, ...], exposure_ms: int, tdi: int, summing: int = 1) -> None:
        """Each TDI stage integrates for the exposure while the spin moves the sky down the chip
        one row per row time, the charge following it row by row. An exposure up to one row
        time (of the readout's rows: n physical rows when it sums n x n) stays sharp; a longer
        one collects more light but smears it over exposure / row time rows along the spin."""
        radiance = self.view.radiance(filters, self.now, summing)
        rows = float(exposure_ms) / (ROW_TIME_S * 1000 * summing)
        if rows > 1:
            radiance = {name: smear(plane, rows) for name, plane in radiance.items()}
        self._image = (filters, radiance, float(exposure_ms) * tdi / REF_EXPOSURE_MS, summing)

    def read_framelet(self, index: int) -> np.ndarray:
        """Framelet `index` of the image begun: every chosen filter's strip at once; the strip of a
        filter starting `offset` rows down the chip sees the sky rows from index x strip - offset
        on (none, dark sky, outside the frame)."""
        if self._image is None:
            raise RuntimeError("read_framelet before begin_image")
        filters, radiance, integration, summing = self._image
        rows, width, height = STRIP_ROWS // summing, WIDTH // summing, HEIGHT // summing
        out = []
        for name in filters:
            start = index * rows - strip_offset(name, summing)
            first, last = max(start, 0), min(start + rows, height)
            signal = np.zeros((rows, width), np.float32)
            if first < last:
                signal[first - start:last - start] = SIGNAL_DN_FULL_SUN * integration * radiance[name][first:last]
            out.append(self.detector.read_out(signal, FILTERS.index(name), self.damage, integration, self.rng,
                                              summing))
        return np.stack(out)

    def memory_upsets(self, bits: int) -> list[int]:
        """Single-event upsets in the compressor's memory while it works on an image: Poisson, with a
        rate that peaks at perijove (deep in the belts) and falls off over a few hours."""
        hours = abs(self.now - mission.perijove_time(mission.nearest_perijove(self.now))) / 3600
        expected = UPSETS_PER_MBIT * bits / 1e6 * float(np.exp(-hours / BELT_HOURS))
        return sorted(int(b) for b in self.rng.integers(0, bits, self.rng.poisson(expected)))

    def dark_frame(self) -> np.ndarray:
        return self.detector.dark_frame(self.damage, self.rng)

    # -- across restarts of flight --
    def state(self) -> dict:
        return {"seed": self.seed, "damage": self.damage.to_dict(), "anneal_exposure": self.anneal_exposure}

    def restore(self, state: dict) -> None:
        if "seed" in state:
            self.seed = int(state["seed"])
            self.detector = Detector(self.seed)
        if "damage" in state:
            self.damage = Damage.from_dict(state["damage"])
        self.anneal_exposure = float(state.get("anneal_exposure", 0.0))
        self._changed()

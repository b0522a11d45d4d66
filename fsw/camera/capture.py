"""One image being taken: push-frame framelets read out one after another as the craft spins.

Each framelet exposes all the chosen filters' strips of the detector at once (they sit side by
side on the chip); stacking the strips of successive framelets builds each filter's image.
"""

import numpy as np

from fsw.world import scene
from fsw.world.detector import FILTERS, HEIGHT, REF_EXPOSURE_MS, WIDTH, Detector

SIGNAL_DN_FULL_SUN = 180.0      # DN of fully sunlit Io at the reference exposure
MIN_FRAMELET_INTERVAL_S = 0.25  # readout and spin step between framelets


def scene_planes(filters: tuple[str, ...], range_km: float, phase_deg: float, camera=None) -> dict:
    """Radiance per filter: from a real camera when the hardware has one, else synthetic Io."""
    if camera is None:
        return scene.render(range_km, phase_deg, filters)
    rgb = camera.capture(WIDTH, HEIGHT)
    bands = {"red": rgb[..., 0], "green": rgb[..., 1], "blue": rgb[..., 2], "methane": 0.6 * rgb[..., 0]}
    return {name: bands[name].astype(np.float32) for name in filters}


class CaptureJob:
    def __init__(self, detector: Detector, damage, filters: tuple[str, ...], exposure_ms: int, tdi: int,
                 framelets: int, radiance: dict, rng: np.random.Generator):
        self.detector = detector
        self.damage = damage
        self.filters = filters
        self.integration = exposure_ms * tdi / REF_EXPOSURE_MS
        self.interval = max(MIN_FRAMELET_INTERVAL_S, exposure_ms * tdi / 1000.0)
        self.rows = np.array_split(np.arange(HEIGHT), framelets)
        self.framelets = framelets
        self.radiance = radiance
        self.rng = rng
        self.planes = np.zeros((len(filters), HEIGHT, WIDTH), np.uint8)
        self.done_framelets = 0
        self._clock = 0.0

    @property
    def done(self) -> bool:
        return self.done_framelets >= self.framelets

    def advance(self, dt: float) -> int:
        """Take the framelets whose time has come; returns how many were taken now."""
        self._clock += dt
        taken = 0
        while not self.done and self._clock >= self.interval:
            self._clock -= self.interval
            self._take(self.done_framelets)
            self.done_framelets += 1
            taken += 1
        return taken

    def _take(self, index: int) -> None:
        rows = self.rows[index]
        strip = slice(int(rows[0]), int(rows[-1]) + 1)
        for plane, name in enumerate(self.filters):
            signal = SIGNAL_DN_FULL_SUN * self.integration * self.radiance[name][strip]
            region = FILTERS.index(name)
            self.planes[plane, strip] = self.detector.read_out(signal, region, strip, self.damage,
                                                               self.integration, self.rng)

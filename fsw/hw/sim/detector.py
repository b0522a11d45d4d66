"""The detector: reads a scene out through radiation damage, and measures itself from dark frames.

A scaled JunoCam: one 384x288 region per filter (red, green, blue, methane), 8-bit DN.
Damage is drawn from a seeded per-detector map, so the same pixels stay hot from image to
image (as on a real CCD): the first N pixels of a fixed random order are hot, each with its
own fixed strength, and a fixed dark-signal non-uniformity pattern scales the dark current.
Dark current and hot pixels scale with exposure x TDI relative to the reference (10 ms, 1).
"""

import numpy as np

from .radiation import Damage

WIDTH, HEIGHT = 384, 288
FILTERS = ("red", "green", "blue", "methane")
REF_EXPOSURE_MS = 10.0
BIAS_DN = 4.0
READ_NOISE_DN = 1.5
DSNU_FRACTION = 0.15           # pixel-to-pixel spread of dark current
HOT_MEDIAN_DN = 90.0           # typical hot pixel at the reference exposure
HOT_SPREAD = 0.8               # log-normal sigma of hot pixel strengths
FULL_SCALE = 255


class Detector:
    def __init__(self, seed: int):
        rng = np.random.default_rng(seed)
        pixels = len(FILTERS) * HEIGHT * WIDTH
        self._order = rng.permutation(pixels)
        self._strength = rng.lognormal(np.log(HOT_MEDIAN_DN), HOT_SPREAD, pixels).astype(np.float32)
        self._dsnu = (1 + DSNU_FRACTION * rng.standard_normal((len(FILTERS), HEIGHT, WIDTH))).astype(np.float32)
        self._hot_cache: tuple[int, np.ndarray] | None = None

    def _hot_map(self, count: int) -> np.ndarray:
        if self._hot_cache is None or self._hot_cache[0] != count:
            hot = np.zeros(len(FILTERS) * HEIGHT * WIDTH, np.float32)
            chosen = self._order[:count]
            hot[chosen] = self._strength[:count]
            self._hot_cache = (count, hot.reshape(len(FILTERS), HEIGHT, WIDTH))
        return self._hot_cache[1]

    def read_out(self, signal: np.ndarray, region: int, rows: slice, damage: Damage,
                 integration: float, rng: np.random.Generator) -> np.ndarray:
        """DN of one strip: `signal` (DN) on rows of a filter's region, through the damage.

        integration: exposure x TDI relative to the reference exposure.
        """
        dark = damage.dark_current * integration * self._dsnu[region, rows]
        hot = self._hot_map(int(round(damage.hot_pixels)))[region, rows] * integration
        noise_sigma = np.sqrt(READ_NOISE_DN**2 + dark + np.maximum(signal, 0) / 4)
        value = BIAS_DN + signal + dark + hot + noise_sigma * rng.standard_normal(signal.shape, np.float32)
        return np.clip(np.rint(value), 0, FULL_SCALE).astype(np.uint8)

    def dark_frame(self, damage: Damage, rng: np.random.Generator) -> np.ndarray:
        """All four regions, shutter closed, at the reference exposure."""
        zeros = np.zeros((HEIGHT, WIDTH), np.float32)
        return np.stack([
            self.read_out(zeros, region, slice(None), damage, 1.0, rng) for region in range(len(FILTERS))
        ])

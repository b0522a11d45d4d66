"""The detector: one CCD with four filter strips, read out through the damaged power supply.

JunoCam at its own scale: one chip read 1648 columns wide, four filter strips of 128 rows read
each, top to bottom methane (889 nm), blue, green, red, at their places on the chip
(fsw/protocol/imagefile.py: STRIP_ROWS, STRIP_OFFSET). Every readout (a framelet) reads all the
strips at once, 12-bit values (0-4095) as the CCD's converter gives them; companding them to 8
bits is flight's job. A readout may sum n x n pixels into one (imagefile.SUMMING): the charge of
the n x n pixels goes out as one value, their mean (its shot noise n times smaller), and the
electronics after the chip act on each value read, whatever the summing. The damage
is the voltage regulator's (fsw/hw/sim/radiation.py), one number d from 0 (as new) to 1, and shows
as JunoCam's did from PJ47:

- raised background: the offset rises by up to 700 DN;
- lost dynamic range: the gain sags by up to 30% and the output saturates up to 1,800 DN early;
- striping: every row of a readout gets its own offset (up to 120 DN rms), drawn afresh for each
  framelet, so stripes differ from framelet to framelet;
- noise: up to 40 DN rms more;
- dropouts (missing pixels, read as 0): up to 0.3% of the pixels;
- a small population of hot pixels (128 to 1,088 on the chip, up to ~0.1%), always the same pixels,
  which a push-frame image repeats once per framelet (summed, a hot pixel's charge is shared
  with its n x n - 1 neighbours: it fades into the sum).

The dark frame flight measures the damage from is a window of the chip at full scale: the middle
DARK_ROWS rows and DARK_COLUMNS columns of every strip (a sixteenth of the chip: a dark frame
costs what it did when the chip was modelled at quarter scale, and sees as many hot pixels).
"""

import numpy as np

from fsw.protocol.imagefile import STRIP_ROWS

from .radiation import Damage

WIDTH = 1648
IMAGE_STRIPS = 12                 # the scene's frame: 12 strips high (63 x 59 degrees)
HEIGHT = IMAGE_STRIPS * STRIP_ROWS
DARK_ROWS, DARK_COLUMNS = STRIP_ROWS // 4, WIDTH // 4
FILTERS = ("red", "green", "blue", "methane")
REF_EXPOSURE_MS = 10.0
FULL_SCALE = 4095
BIAS_DN = 40.0
READ_NOISE_DN = 4.0
ELECTRONS_PER_DN = 4.0         # shot noise: signal / this is the variance in DN^2
OFFSET_DN = 700.0              # at d = 1
GAIN_LOSS = 0.3
CEILING_LOSS_DN = 1800.0
STRIPE_DN = 120.0
NOISE_DN = 40.0
DROPOUT_FRACTION = 0.003
HOT_BASE, HOT_PER_DEGRADATION = 128, 960
HOT_MEDIAN_DN = 400.0          # typical hot pixel at the reference exposure
HOT_SPREAD = 0.6               # log-normal sigma of hot pixel strengths


class Detector:
    def __init__(self, seed: int):
        rng = np.random.default_rng(seed)
        pixels = len(FILTERS) * STRIP_ROWS * WIDTH
        self._order = rng.permutation(pixels)[:HOT_BASE + HOT_PER_DEGRADATION]
        self._strength = rng.lognormal(np.log(HOT_MEDIAN_DN), HOT_SPREAD, len(self._order)).astype(np.float32)
        self._hot_cache: dict[tuple[int, int], np.ndarray] = {}    # (count, summing) -> map

    def hot_count(self, damage: Damage) -> int:
        d = damage.degradation
        return int(round(HOT_BASE * min(1.0, 4 * d) + HOT_PER_DEGRADATION * d))

    def _hot_map(self, count: int, summing: int) -> np.ndarray:
        """Dark charge of the hot pixels (DN at the reference exposure), per strip, as a readout
        summing n x n pixels sees it: (strips, STRIP_ROWS / n, WIDTH / n)."""
        if (count, summing) not in self._hot_cache:
            self._hot_cache = {key: value for key, value in self._hot_cache.items() if key[0] == count}
            region, pixel = np.divmod(self._order[:count], STRIP_ROWS * WIDTH)
            row, column = np.divmod(pixel, WIDTH)
            hot = np.zeros((len(FILTERS), STRIP_ROWS // summing, WIDTH // summing), np.float32)
            np.add.at(hot, (region, row // summing, column // summing), self._strength[:count] / summing**2)
            self._hot_cache[count, summing] = hot
        return self._hot_cache[count, summing]

    def read_out(self, signal: np.ndarray, region: int, damage: Damage,
                 integration: float, rng: np.random.Generator, summing: int = 1,
                 window: tuple[slice, slice] | None = None) -> np.ndarray:
        """12-bit DN of one filter's strip in one readout: `signal` (DN, STRIP_ROWS / n x WIDTH / n,
        or the `window` (rows, columns) of it) through the damage. integration: exposure x TDI
        relative to the reference."""
        d = damage.degradation
        height = signal.shape[0]
        rows, columns = window or (slice(0, height), slice(None))
        hot = self._hot_map(self.hot_count(damage), summing)[region, rows, columns] * integration
        stripes = (STRIPE_DN * d * rng.standard_normal(height)).astype(np.float32)[:, None]
        light = signal * (1 - GAIN_LOSS * d)
        shot = np.maximum(light, 0) / (ELECTRONS_PER_DN * summing * summing)
        sigma = np.sqrt(READ_NOISE_DN**2 + (NOISE_DN * d) ** 2 + shot)
        value = (BIAS_DN + OFFSET_DN * d + stripes + light + hot
                 + sigma * rng.standard_normal(signal.shape, np.float32))
        ceiling = FULL_SCALE - CEILING_LOSS_DN * d
        value = np.clip(np.rint(value), 0, ceiling)
        if d > 0:
            value[rng.random(signal.shape) < DROPOUT_FRACTION * d] = 0
        return value.astype(np.uint16)

    def dark_frame(self, damage: Damage, rng: np.random.Generator) -> np.ndarray:
        """Shutter closed, reference exposure, full scale: the middle DARK_ROWS x DARK_COLUMNS of
        every strip, (4 strips, DARK_ROWS, DARK_COLUMNS) 12-bit, in filter-bit order (red, green,
        blue, methane)."""
        top, left = (STRIP_ROWS - DARK_ROWS) // 2, (WIDTH - DARK_COLUMNS) // 2
        window = (slice(top, top + DARK_ROWS), slice(left, left + DARK_COLUMNS))
        zeros = np.zeros((DARK_ROWS, DARK_COLUMNS), np.float32)
        return np.stack([self.read_out(zeros, region, damage, 1.0, rng, window=window)
                         for region in range(len(FILTERS))])

"""One image being taken: push-frame framelets read out one after another as the craft spins.

Each framelet exposes all the chosen filters' strips of the detector at once (they sit side by
side on the chip); stacking the strips of successive framelets builds each filter's image.
The camera head (fsw.hw) does the exposing; this paces it and compands each framelet's 12-bit
values to 8 bits with the square-root table as it comes (fsw/protocol/companding.py), as JunoCam does.
"""

import numpy as np

from fsw.protocol.companding import compand

MIN_FRAMELET_INTERVAL_S = 0.25  # readout and spin step between framelets


class CaptureJob:
    def __init__(self, head, filters: tuple[str, ...], exposure_ms: int, tdi: int, framelets: int):
        self.head = head
        self.filters = filters
        self.interval = max(MIN_FRAMELET_INTERVAL_S, exposure_ms * tdi / 1000.0)
        self.rows = np.array_split(np.arange(head.height), framelets)
        self.framelets = framelets
        self.planes = np.zeros((len(filters), head.height, head.width), np.uint8)
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
        self.planes[:, strip] = compand(self.head.read_rows(strip))

"""One image being taken: push-frame framelets read out one after another as the craft spins.

Each framelet exposes all the chosen filters' strips of the detector at once (they sit one above
the other on the chip), one framelet every spin step (the sky moving one strip down the chip);
the strips of successive framelets, stacked, are each filter's image as it is stored and sent
(the ground lines the filters up: fsw/protocol/imagefile.py reassemble).
The camera head (fsw.hw) does the exposing; this paces it and compands each framelet's 12-bit
values to 8 bits with the square-root table as it comes (fsw/protocol/companding.py), as JunoCam does.
"""

import numpy as np

from fsw.protocol.companding import compand


class CaptureJob:
    def __init__(self, head, filters: tuple[str, ...], framelets: int, summing: int = 1):
        self.head = head
        self.filters = filters
        self.interval = head.framelet_interval_s       # in step with the spin, whatever the summing
        self.rows = head.strip_rows // summing
        self.framelets = framelets
        self.planes = np.zeros((len(filters), framelets * self.rows, head.width // summing), np.uint8)
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
        strip = slice(index * self.rows, (index + 1) * self.rows)
        self.planes[:, strip] = compand(self.head.read_framelet(index))

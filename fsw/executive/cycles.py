"""Rate-group health: how long each cycle's work took, the longest one per report period, slips."""

from collections import deque

SAMPLES = 100_000   # recent cycle durations kept for percentiles (--stats, the benchmark)


class CycleStats:
    def __init__(self, hz: int):
        self.hz = hz
        self.period = 1.0 / hz          # real-time budget at 1x
        self.longest = 0.0              # since the last housekeeping report, seconds
        self.count = 0
        self.samples: deque[float] = deque(maxlen=SAMPLES)

    def record(self, duration: float) -> None:
        self.count += 1
        self.samples.append(duration)
        if duration > self.longest:
            self.longest = duration

    def take_longest(self) -> float:
        longest, self.longest = self.longest, 0.0
        return longest

    def percentile(self, fraction: float) -> float:
        if not self.samples:
            return 0.0
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def summary(self) -> dict:
        return {
            "cycles": self.count,
            "p50_ms": self.percentile(0.50) * 1e3,
            "p99_ms": self.percentile(0.99) * 1e3,
            "max_ms": max(self.samples, default=0.0) * 1e3,
        }

"""Fault detection on the temperature readings: a sensor whose reading does not move while the
heater keeps heating is stuck (the drivers only report what they read; flight decides).

With the heater on, the camera warms by at least ~1 C in two minutes anywhere below the
over-temperature limit (fsw/hw/sim/thermal.py), far more than one DS18B20 step (0.0625 C), so
`window` identical readings (read once a second) mean a frozen sensor. An idle sensor at
equilibrium legitimately repeats itself, so heater-off reads reset the count.
"""


class StuckDetector:
    def __init__(self, window: int = 120):
        self.window = window
        self._last: float | None = None
        self._repeats = 0

    def stuck(self, value: float, heater_on: bool) -> bool:
        """Feed one reading; True once the sensor is judged stuck."""
        if heater_on and value == self._last:
            self._repeats += 1
        else:
            self._repeats = 0
        self._last = value
        return self._repeats >= self.window

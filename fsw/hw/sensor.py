"""Temperature-sensor health shared by the backends: failure and stuck detection."""

SENSOR_STATES = ("ok", "stuck", "failed")


class SensorError(Exception):
    """The sensor gave no usable reading; state is "stuck" or "failed"."""

    def __init__(self, state: str, detail: str = ""):
        if state not in ("stuck", "failed"):
            raise ValueError(f"bad sensor error state {state!r}")
        self.state = state
        self.detail = detail
        super().__init__(f"sensor {state}: {detail}" if detail else f"sensor {state}")


class StuckDetector:
    """A reading that does not move while the heater keeps heating is stuck.

    With the heater on, the camera warms by at least ~1 C in two minutes anywhere below the
    over-temperature limit (see fsw/world/thermal.py), far more than one DS18B20 step
    (0.0625 C), so `window` identical readings (read once a second) mean a frozen sensor.
    An idle sensor at equilibrium legitimately repeats itself, so heater-off reads reset it.
    """

    def __init__(self, window: int = 120):
        self.window = window
        self._last: float | None = None
        self._repeats = 0

    def check(self, value: float, heater_on: bool) -> None:
        if heater_on and value == self._last:
            self._repeats += 1
        else:
            self._repeats = 0
        self._last = value
        if self._repeats >= self.window:
            raise SensorError("stuck", f"{value:.3f} C unchanged for {self._repeats + 1} reads with the heater on")

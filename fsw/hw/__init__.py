"""Device backends: what the camera and thermal components drive.

create_backend("sim") models the hardware (thermal node, heater, sensor faults) in software;
create_backend("raspberrypi") drives a heater on a GPIO pin and reads a DS18B20 over 1-Wire.
Every backend has .heater (set(on), is_on, power_w), .temperature (read() -> degrees C or
SensorError), .sink_c, .camera (None: synthesise images), step(dt) and close().
"""

from .sensor import SensorError, StuckDetector

BACKENDS = ("sim", "raspberrypi")

__all__ = ["BACKENDS", "SensorError", "StuckDetector", "create_backend"]


def create_backend(name: str = "sim", *, rng=None, options: dict | None = None):
    options = dict(options or {})
    if name == "sim":
        from .sim import SimBackend

        return SimBackend(rng=rng, options=options)
    if name == "raspberrypi":
        from .raspberrypi import RaspberryPiBackend

        return RaspberryPiBackend(rng=rng, options=options)
    raise ValueError(f"unknown hardware backend {name!r} (choose from {', '.join(BACKENDS)})")

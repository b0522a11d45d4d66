"""Hardware backends behind one interface (fsw/hw/base.py): what the camera and thermal
components command and measure through.

create_backend("sim") builds the hardware from the simulated world (thermal node, heater,
sensor faults, a damaged detector looking at Io); create_backend("raspberrypi") drives a heater
on a GPIO pin and reads a DS18B20 over 1-Wire, with a simulated detector looking through the
Pi camera when there is one.
"""

from .base import CameraHead, HardwareBackend, Heater, SensorError, TemperatureSensor

BACKENDS = ("sim", "raspberrypi")

__all__ = ["BACKENDS", "CameraHead", "HardwareBackend", "Heater", "SensorError", "TemperatureSensor",
           "create_backend"]


def create_backend(name: str = "sim", *, rng=None, options: dict | None = None,
                   now: float | None = None) -> HardwareBackend:
    """A backend by name; `now` (on-board time) tells the simulated detector how far the mission is."""
    options = dict(options or {})
    if name == "sim":
        from .sim.backend import SimBackend

        return SimBackend(rng=rng, options=options, now=now)
    if name == "raspberrypi":
        from .raspberrypi import RaspberryPiBackend

        return RaspberryPiBackend(rng=rng, options=options, now=now)
    raise ValueError(f"unknown hardware backend {name!r} (choose from {', '.join(BACKENDS)})")

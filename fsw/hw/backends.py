"""The hardware backends by name, for the composition root (fsw/app.py) and the CLI."""

from .base import HardwareBackend

BACKENDS = ("sim", "raspberrypi")



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

"""The hardware interface flight commands and measures through, as abstract classes.

A backend (python-can's BusABC and its interfaces are the model) bundles a heater, a temperature
sensor and a camera head. `sim` builds them from the simulated world (fsw/hw/sim); `raspberrypi`
drives a real heater and sensor. Flight decides (thermostat, FDIR, image quality); the hardware
only does and reports what it is told.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class SensorError(Exception):
    """The sensor gave no usable reading."""

    def __init__(self, detail: str = ""):
        self.state = "failed"
        self.detail = detail
        super().__init__(f"sensor failed: {detail}" if detail else "sensor failed")


class Heater(ABC):
    power_w: float                    # electrical power when on

    @abstractmethod
    def set(self, on: bool) -> None: ...

    @property
    @abstractmethod
    def is_on(self) -> bool:
        """What the heater really does (a welded relay stays on whatever it was told)."""


class TemperatureSensor(ABC):
    # reads rejected by the driver and passed over, by reason (flight reports them as glitches)
    rejected: dict[str, int] = {}
    last_glitch: str | None = None

    @abstractmethod
    def read(self) -> float:
        """Degrees C, or SensorError when the sensor has failed."""


class CameraHead(ABC):
    """Optics and detector: one image is begun, then read out a framelet at a time, in step with
    the spin; each framelet holds every chosen filter's strip of the chip."""

    width: int                        # columns of the chip (full scale)
    height: int                       # rows of the sky one image sweeps (full scale)
    filters: tuple[str, ...]          # the filter strips on the detector
    strip_rows: int                   # rows of each filter's strip (full scale)
    framelet_interval_s: float        # the spin moves the sky one strip down the chip in this time
    row_time_s: float                 # ... and one row in this: the longest TDI stage

    @abstractmethod
    def begin_image(self, filters: tuple[str, ...], exposure_ms: int, tdi: int, summing: int = 1) -> None:
        """Point and set up: the image shows what the camera sees now, read out summing n x n
        pixels into one (1: full scale)."""

    @abstractmethod
    def read_framelet(self, index: int) -> np.ndarray:
        """Framelet `index` of the image begun: (filters, strip_rows / n, width / n) 12-bit DN (uint16)."""

    @abstractmethod
    def dark_frame(self) -> np.ndarray:
        """Shutter closed, reference exposure, full scale: (all filters, strip_rows, columns) 12-bit
        DN, the columns a window of the chip's width."""

    def memory_upsets(self, bits: int) -> list[int]:
        """Bits of the camera's compression buffer (this many bits long) that radiation flips
        while an image is compressed; none on the ground."""
        return []

    @property
    @abstractmethod
    def condition(self) -> int:
        """Changes whenever the detector's condition may have (a new dark frame is worth taking)."""

    @property
    @abstractmethod
    def dose_krad(self) -> float:
        """Total ionising dose the camera's dosimeter has counted."""

    def state(self) -> dict:
        """What the head keeps across a restart of flight (a simulated detector: its damage)."""
        return {}

    def restore(self, state: dict) -> None:  # noqa: B027 (optional: a real head keeps nothing)
        """Inverse of state()."""


class HardwareBackend(ABC):
    name: str
    heater: Heater
    temperature: TemperatureSensor
    camera: CameraHead
    sink_c: float                     # the cold sink the camera radiates to (telemetry)
    conductance_w_per_k: float        # camera to sink, by its thermal design (open-loop heating)
    mission_time: float | None = None  # a simulated world's own time; None: real hardware, real time

    def fly_ahead(self, seconds: float) -> None:
        """A simulated world flies ahead at once; real hardware cannot."""
        raise NotImplementedError(f"{self.name}: time passes by itself")

    @abstractmethod
    def step(self, dt: float, now: float) -> None:
        """dt seconds passed; on-board time is now (real hardware runs by itself)."""

    def state(self) -> dict:
        """What the hardware keeps across a restart of flight (JSON-serialisable)."""
        return {"camera": self.camera.state()}

    def restore(self, state: dict) -> None:
        """Inverse of state()."""
        self.camera.restore(state.get("camera", {}))

    @abstractmethod
    def close(self) -> None:
        """Leave the hardware safe: heater off, devices released."""

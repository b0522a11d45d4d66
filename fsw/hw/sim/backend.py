"""The simulated hardware: the world's thermal node and camera head, a heater and a DS18B20-like
sensor, with faults to inject for tests and drills.

Options (all optional):
  sensor: "ok" | "stuck" | "failed"   sensor fault to inject
  sensor_fault_at: seconds            simulated time the fault begins (default 0)
  heater: "ok" | "stuck_on"           a welded heater relay (ignores off)
  sink_c, initial_c: float            cold sink and starting camera temperature
  sensor_noise_c: float               standard deviation of the reading noise (0.05)
"""

import numpy as np

from fsw import mission

from ..base import HardwareBackend, Heater, SensorError, TemperatureSensor
from .camera import SimCameraHead
from .thermal import CONDUCTANCE_W_PER_K, HEATER_POWER_W, SINK_C, ThermalNode

DS18B20_STEP_C = 0.0625


class SimHeater(Heater):
    def __init__(self, stuck_on: bool = False):
        self.power_w = HEATER_POWER_W
        self.commanded = False
        self.stuck_on = stuck_on

    def set(self, on: bool) -> None:
        self.commanded = bool(on)

    @property
    def is_on(self) -> bool:
        return self.commanded or self.stuck_on


class SimSensor(TemperatureSensor):
    def __init__(self, backend: "SimBackend", fault: str, fault_at: float, noise_c: float):
        if fault not in ("ok", "stuck", "failed"):
            raise ValueError(f"sensor option must be ok, stuck or failed, not {fault!r}")
        self._backend = backend
        self.fault = fault
        self.fault_at = fault_at
        self.noise_c = noise_c
        self._frozen: float | None = None

    def read(self) -> float:
        backend = self._backend
        faulty = self.fault != "ok" and backend.elapsed >= self.fault_at
        if faulty and self.fault == "failed":
            raise SensorError("no response on the 1-Wire bus")
        value = backend.node.temp_c + backend.rng.normal(0.0, self.noise_c)
        value = round(value / DS18B20_STEP_C) * DS18B20_STEP_C
        if faulty:   # stuck: the last conversion repeats forever
            if self._frozen is None:
                self._frozen = value
            value = self._frozen
        return value


FLY_AHEAD_STEP_S = 600.0     # the world's step while it flies ahead (the node's time constant is 5000 s)


class SimBackend(HardwareBackend):
    """The world keeps its own time, the mission it flies: it starts where flight's clock starts
    (no later than the mission's end) and runs on with every step, whatever the on-board clock is
    set to afterwards. Radiation and the scene follow the world's time; a restart keeps it."""

    name = "sim"

    def __init__(self, rng=None, options: dict | None = None, now: float | None = None):
        options = dict(options or {})
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.sink_c = float(options.pop("sink_c", SINK_C))
        self.conductance_w_per_k = CONDUCTANCE_W_PER_K
        self.node = ThermalNode(float(options.pop("initial_c", self.sink_c)), self.sink_c)
        heater = options.pop("heater", "ok")
        if heater not in ("ok", "stuck_on"):
            raise ValueError(f"heater option must be ok or stuck_on, not {heater!r}")
        self.heater = SimHeater(stuck_on=heater == "stuck_on")
        self.elapsed = 0.0
        self.temperature = SimSensor(
            self,
            fault=options.pop("sensor", "ok"),
            fault_at=float(options.pop("sensor_fault_at", 0.0)),
            noise_c=float(options.pop("sensor_noise_c", 0.05)),
        )
        if options:
            raise ValueError(f"unknown sim option(s): {', '.join(sorted(options))}")
        self.mission_time = min(float(now), mission.MISSION_END) if now is not None else None
        self.camera = SimCameraHead(self.rng, self.mission_time)

    def step(self, dt: float, now: float) -> None:
        """dt seconds passed in the world; `now` (the on-board clock) is not the world's time."""
        self.elapsed += dt
        if self.mission_time is None:
            self.mission_time = min(float(now), mission.MISSION_END)
        self.mission_time += dt
        self.node.step(dt, self.heater.power_w if self.heater.is_on else 0.0)
        self.camera.step(dt, self.mission_time, self.node.temp_c)

    def fly_ahead(self, seconds: float) -> None:
        """The world flies `seconds` ahead at once, in steps: perijoves pass in order, each adding its
        dose; the camera warms or cools as its heater is (flight does not run meanwhile)."""
        left = float(seconds)
        while left > 0:
            dt = min(FLY_AHEAD_STEP_S, left)
            left -= dt
            self.mission_time += dt
            self.node.step(dt, self.heater.power_w if self.heater.is_on else 0.0)
            self.camera.step(dt, self.mission_time, self.node.temp_c)

    def state(self) -> dict:
        return {**super().state(), "mission_time": self.mission_time}

    def restore(self, state: dict) -> None:
        super().restore(state)
        saved = state.get("mission_time")
        if isinstance(saved, int | float) and saved == saved:
            self.mission_time = min(float(saved), mission.MISSION_END)

    def close(self) -> None:
        self.heater.set(False)

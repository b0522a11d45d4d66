"""The thermal component: reads the camera's temperature, drives its heater (thermostat,
anneal, survival) and protects it (over-temperature cut-off, sensor failure)."""

from fsw.component import ExecutionError, FlightComponent
from fsw.hw.base import SensorError
from fsw.protocol.reasons import Reason

from . import limits
from .anneal import AnnealRun
from .dictionary import COMPONENT
from .fdir import StuckDetector

OVER_TEMP_CLEAR_C = limits.OVER_TEMP_C - 5.0     # the alarm re-arms once well below the limit
PHASE_STEP = {"ramp": 1, "hold": 2, "cool": 3, "done": 4}


def centi(value: float) -> int:
    return max(-0x8000, min(0x7FFF, round(value * 100)))


class Thermal(FlightComponent):
    COMPONENT = COMPONENT

    PORTS = ("camera",)

    def __init__(self, services):
        super().__init__(services)
        self.camera = None              # measures image quality before and after an anneal
        self.heater_mode = "off"
        self.setpoint_c = limits.DEFAULT_SETPOINT_C
        self.hysteresis_c = limits.DEFAULT_HYSTERESIS_C
        self.anneals = 0
        self.sensor_state = "ok"
        self.temp_c: float | None = None
        self.run: AnnealRun | None = None
        self._verify = None
        self._last_percent = 0
        self._over_temp = False
        self._control_clock = 0.0
        self._open_loop_clock = 0.0
        self._glitches_seen = 0
        self._stuck = StuckDetector()

    @property
    def hardware(self):
        return self.services.hardware

    @property
    def annealing(self) -> bool:
        return self.run is not None

    # -- state --
    def state(self) -> dict:
        return {
            "heater_mode": self.heater_mode, "setpoint_c": self.setpoint_c, "hysteresis_c": self.hysteresis_c,
            "anneals": self.anneals, "run": self.run.to_dict() if self.run else None,
        }

    def restore(self, state: dict) -> None:
        self.heater_mode = state.get("heater_mode", "off")
        if self.heater_mode not in ("off", "thermostat", "anneal", "survival"):
            self.heater_mode = "off"
        self.setpoint_c = float(state.get("setpoint_c", limits.DEFAULT_SETPOINT_C))
        self.hysteresis_c = float(state.get("hysteresis_c", limits.DEFAULT_HYSTERESIS_C))
        self.anneals = int(state.get("anneals", 0))
        # an anneal interrupted by a restart carries on, without its command's verification
        self.run = AnnealRun.from_dict(state["run"]) if state.get("run") else None
        if self.run is None and self.heater_mode == "anneal":
            self.heater_mode = "off"

    def housekeeping(self) -> dict:
        heater = self.hardware.heater
        temp = self.temp_c if self.temp_c is not None else self.hardware.sink_c
        return {
            "cam_temp": centi(temp),
            "sink_temp": centi(self.hardware.sink_c),
            "heater_state": "on" if heater.is_on else "off",
            "heater_mode": self.heater_mode,
            "heater_power": round(heater.power_w * 100) if heater.is_on else 0,
            "setpoint": centi(self.setpoint_c),
            "anneal_phase": self.run.phase if self.run and self.run.phase != "done" else "idle",
            "anneal_progress": self.run.percent if self.run else 0,
            "anneals": min(self.anneals, 0xFFFF),
            "sensor_state": self.sensor_state,
        }

    # -- commands --
    def on_heater_on(self, args: dict, verify) -> None:
        self._refuse_while_annealing()
        if self.sensor_state != "ok":
            raise ExecutionError(Reason.HARDWARE_FAULT, f"temperature sensor {self.sensor_state}")
        self.heater_mode = "thermostat"

    def on_heater_off(self, args: dict, verify) -> None:
        self._refuse_while_annealing()
        self.heater_mode = "off"
        self._switch(False)

    def on_heater_setpoint(self, args: dict, verify) -> None:
        self.setpoint_c = args["setpoint"] / 100.0
        self.hysteresis_c = args["hysteresis"] / 100.0

    def on_anneal(self, args: dict, verify) -> None:
        self._refuse_while_annealing()
        if self.sensor_state != "ok" or self.temp_c is None:
            raise ExecutionError(Reason.HARDWARE_FAULT, f"temperature sensor {self.sensor_state}")
        camera = self.camera
        if camera is not None and camera.camera_state == "capturing":
            raise ExecutionError(Reason.BUSY, "camera is capturing")
        self.run = AnnealRun(args["target"] / 100.0, float(args["hold"]), start_c=self.temp_c,
                             last_temp_c=self.temp_c, hot_pixels_before=self._hot_pixels())
        self.heater_mode = "anneal"
        self._verify, self._last_percent = verify, 0
        verify.defer()
        self.services.event("anneal_started", target=args["target"], hold=args["hold"])
        self.services.event("anneal_progress", phase="ramp", percent=0)

    def on_anneal_abort(self, args: dict, verify) -> None:
        if self.run is None:
            return
        self._end_anneal(Reason.EXECUTION_FAILED)
        self._switch(False)

    def _refuse_while_annealing(self) -> None:
        if self.run is not None:
            raise ExecutionError(Reason.BUSY, f"anneal in {self.run.phase} (anneal_abort stops it)")

    # -- control --
    def tick(self, dt: float) -> None:
        # control at most once per control period of on-board time
        self._control_clock += dt
        if self._control_clock + 1e-9 < limits.CONTROL_PERIOD_S:
            return
        elapsed, self._control_clock = self._control_clock, 0.0
        self._control(elapsed)

    def _control(self, dt: float) -> None:
        try:
            temp = self.hardware.temperature.read()
        except SensorError:
            self._sensor_fault("failed", dt)
            return
        self._report_glitches()
        if self._stuck.stuck(temp, self.hardware.heater.is_on):
            self._sensor_fault("stuck", dt)
            return
        if self.sensor_state != "ok":
            # latched until a restart: a stuck sensor reads "fine" whenever the heater is off
            self._sensor_fault(self.sensor_state, dt)
            return
        self.temp_c = temp
        if temp > limits.OVER_TEMP_C:
            self._over_temperature(temp)
            return
        if self._over_temp and temp < OVER_TEMP_CLEAR_C:
            self._over_temp = False
        if self.heater_mode == "thermostat":
            self._thermostat(temp, self.setpoint_c)
        elif self.heater_mode == "survival":
            self._thermostat(temp, limits.SURVIVAL_C)
        elif self.heater_mode == "anneal" and self.run is not None:
            self._anneal_step(temp, dt)
        else:
            self._switch(False)

    def _thermostat(self, temp: float, setpoint: float) -> None:
        if temp < setpoint - self.hysteresis_c / 2:
            self._switch(True)
        elif temp > setpoint + self.hysteresis_c / 2:
            self._switch(False)

    def _anneal_step(self, temp: float, dt: float) -> None:
        run = self.run
        changed = run.step(temp, dt)
        if run.timed_out:
            self._end_anneal(Reason.TIMEOUT)
            self._switch(False)
            return
        self._switch(run.heater_on)
        percent = run.percent
        if changed and run.phase != "done":
            self.services.event("anneal_progress", phase=run.phase, percent=percent)
        if (changed or percent >= self._last_percent + 10) and self._verify is not None and run.phase != "done":
            self._last_percent = percent
            self._verify.progress(PHASE_STEP[run.phase], percent)
        if run.phase == "done":
            self._complete_anneal()

    def _complete_anneal(self) -> None:
        self.anneals += 1
        self.services.event("anneal_complete", hot_pixels_before=self.run.hot_pixels_before,
                            hot_pixels_after=self._hot_pixels())
        verify, self._verify, self.run = self._verify, None, None
        self.heater_mode = "off"
        if verify is not None:
            verify.complete()

    def _hot_pixels(self) -> int:
        """The camera's measure of its damage, which an anneal is meant to bring down."""
        return self.camera.quality()["hot_pixels"] if self.camera is not None else 0

    def _end_anneal(self, reason: Reason) -> None:
        """Stop an anneal early: it is not counted (what it healed, the camera measures)."""
        verify, self._verify = self._verify, None
        step = PHASE_STEP[self.run.phase] if self.run else 0
        self.run = None
        if self.heater_mode == "anneal":
            self.heater_mode = "off"
        if verify is not None:
            verify.fail(reason, step)

    def _switch(self, on: bool) -> None:
        heater = self.hardware.heater
        was_on = heater.is_on
        heater.set(on)
        if heater.is_on != was_on:
            self.services.event("heater_switched", state="on" if heater.is_on else "off",
                                cam_temp=centi(self.temp_c if self.temp_c is not None else 0.0))

    # -- protection --
    def _over_temperature(self, temp: float) -> None:
        self.hardware.heater.set(False)
        if self.run is not None:
            self._end_anneal(Reason.HARDWARE_FAULT)
        if self._over_temp:
            return   # already alarmed and safed; keep the heater cut
        self._over_temp = True
        self.services.event("over_temperature", cam_temp=centi(temp))
        self.services.enter_safe_mode("over_temperature")

    def _sensor_fault(self, state: str, dt: float) -> None:
        self._report_glitches()
        if self.sensor_state == state:
            if self.heater_mode == "survival":
                self._open_loop_survival(dt)
            else:
                self.hardware.heater.set(False)
            return
        self.sensor_state = state
        self.hardware.heater.set(False)
        if self.run is not None:
            self._end_anneal(Reason.HARDWARE_FAULT)
        self.services.event("sensor_fault", state=state)
        self.services.enter_safe_mode("sensor_failure")

    def _open_loop_survival(self, dt: float) -> None:
        """No temperature to regulate on: hold survival with the duty cycle the design says."""
        hardware = self.hardware
        duty = limits.survival_duty(hardware.conductance_w_per_k, hardware.sink_c, hardware.heater.power_w)
        self._open_loop_clock = (self._open_loop_clock + dt) % limits.OPEN_LOOP_PERIOD_S
        hardware.heater.set(self._open_loop_clock < duty * limits.OPEN_LOOP_PERIOD_S)

    def _report_glitches(self) -> None:
        rejected = getattr(self.hardware.temperature, "rejected", None)
        if not rejected:
            return
        total = sum(rejected.values())
        if total > self._glitches_seen:
            self._glitches_seen = total
            reason = getattr(self.hardware.temperature, "last_glitch", None) or "unreadable"
            self.services.event("sensor_glitch", reason=reason, count=min(total, 0xFFFF))

    def enter_safe(self) -> None:
        if self.run is not None:
            self._end_anneal(Reason.NOT_ALLOWED_IN_MODE)
        self.heater_mode = "survival"
        if self.sensor_state == "ok" and not self._over_temp:
            return    # the thermostat holds survival from the next control step
        self.hardware.heater.set(False)

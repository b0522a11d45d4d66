"""Flight's thermal limits and procedures: what the thermal component holds the camera to.

The Arduino firmware gets the same numbers (scripts/firmware_header.py), so host and board agree.
"""

# -- thermostat and protection --
DEFAULT_SETPOINT_C = 0.0
DEFAULT_HYSTERESIS_C = 1.0       # dead band: on below setpoint - 0.5, off above setpoint + 0.5
SURVIVAL_C = -15.0               # safe mode holds this
OVER_TEMP_C = 65.0               # heater cut and safe mode above this
CONTROL_PERIOD_S = 1.0           # the thermostat reads the sensor once per on-board second
OPEN_LOOP_PERIOD_S = 600.0       # survival duty cycle period when the sensor is dead

# -- anneal procedure --
ANNEAL_COOL_END_C = 15.0         # cooling phase ends below this,
ANNEAL_COOL_MARGIN_C = 2.0       # or back within this of where the anneal started (a warm room),
ANNEAL_COOL_TIMEOUT_S = 3600.0   # or after this long cooling
ANNEAL_RAMP_MARGIN_C = 0.5       # ramp ends within this of the target


def survival_duty(conductance_w_per_k: float, sink_c: float, heater_w: float) -> float:
    """Open-loop heater duty cycle that holds SURVIVAL_C without a sensor, from the camera's
    thermal design (its conductance to the sink) and the heater's power."""
    needed = conductance_w_per_k * (SURVIVAL_C - sink_c)
    return min(1.0, max(0.0, needed / heater_w))

"""The camera heater: the sensor read-out, thermostat, anneal, and the over-temperature and sensor
fault protection. Temperatures in centi-degrees C, as the housekeeping sends them; the limits come
from the host's model through pj_dictionary (fsw/thermal/limits.py).
"""

import board
import core
import pj_dictionary as D
from micropython import const

PERIOD_MS = const(100)
RAMP_TIMEOUT_MS = const(3600000)   # a ramp that never reaches its target fails after an hour
COOL_TIMEOUT_MS = D.THERMAL_ANNEAL_COOL_TIMEOUT_S * 1000

temperature = D.THERMAL_SINK_CC    # until the first reading
sensor_state = D.SENSOR_STATE_OK
heater_mode = D.HEATER_MODE_OFF
heater_on = False
setpoint = D.THERMAL_DEFAULT_SETPOINT_CC
hysteresis = D.THERMAL_DEFAULT_HYSTERESIS_CC
phase = D.ANNEAL_PHASE_IDLE
progress = 0
anneals = 0
anneal_target = 0
cool_end = 0
hold_ms = 0
phase_started = 0
anneal_request = None
_last = 0
camera = None                      # the camera module, wired at boot (hot pixels for the anneal)


def switch(on):
    global heater_on
    if on == heater_on:
        return
    heater_on = on
    board.heater(on)
    core.event(D.EVENT_HEATER_SWITCHED, int(on), temperature)


def thermostat(target):
    if temperature < target - hysteresis // 2:
        switch(True)
    elif temperature > target + hysteresis // 2:
        switch(False)


def set_phase(value, percent):
    global phase, progress
    phase = value
    progress = percent
    core.progress(anneal_request, value, percent)
    core.event(D.EVENT_ANNEAL_PROGRESS, value, percent)


def stop_anneal(reason):
    global phase
    if phase == D.ANNEAL_PHASE_IDLE:
        return
    phase = D.ANNEAL_PHASE_IDLE
    core.complete(anneal_request, reason)


def recover(before):
    """Each anneal recovers less: 40 % of the hot pixels the first time, then 20 %, 13 %, ..."""
    return before - before * 2 // (5 * (anneals + 1))


def finish_anneal():
    global anneals, progress, heater_mode
    before = camera.hot_pixels
    after = recover(before)
    camera.hot_pixels = after
    anneals += 1
    progress = 100
    heater_mode = D.HEATER_MODE_OFF
    core.event(D.EVENT_ANNEAL_COMPLETE, before, after)
    stop_anneal(0)


def anneal_step(now):
    global phase_started, heater_mode, progress
    if phase == D.ANNEAL_PHASE_RAMP:
        switch(True)
        if temperature >= anneal_target - D.THERMAL_ANNEAL_RAMP_MARGIN_CC:
            phase_started = now
            set_phase(D.ANNEAL_PHASE_HOLD, 33)
        elif now - phase_started >= RAMP_TIMEOUT_MS:
            heater_mode = D.HEATER_MODE_OFF
            switch(False)
            stop_anneal(D.REASON_TIMEOUT)
    elif phase == D.ANNEAL_PHASE_HOLD:
        thermostat(anneal_target)
        progress = 33 + min(33, (now - phase_started) * 33 // max(1, hold_ms))
        if now - phase_started >= hold_ms:
            switch(False)
            phase_started = now
            set_phase(D.ANNEAL_PHASE_COOL, 66)
    elif phase == D.ANNEAL_PHASE_COOL:
        switch(False)
        if temperature < cool_end or now - phase_started >= COOL_TIMEOUT_MS:
            finish_anneal()


def tick():
    global _last, sensor_state, temperature, heater_mode
    now = board.ticks_ms()
    if now - _last < PERIOD_MS:
        return
    _last = now
    reading = board.temperature()
    if reading is None:
        if sensor_state != D.SENSOR_STATE_FAILED:
            sensor_state = D.SENSOR_STATE_FAILED
            core.event(D.EVENT_SENSOR_FAULT, sensor_state)
            heater_mode = D.HEATER_MODE_OFF
            stop_anneal(D.REASON_HARDWARE_FAULT)
            switch(False)
            core.enter_safe(D.SAFE_CAUSE_SENSOR_FAILURE)
        switch(False)
        return
    sensor_state = D.SENSOR_STATE_OK
    temperature = reading
    if temperature > D.THERMAL_OVER_TEMP_CC:
        # cut first, then tell: the heater must not wait for the downlink
        heater_mode = D.HEATER_MODE_OFF
        switch(False)
        stop_anneal(D.REASON_HARDWARE_FAULT)
        core.event(D.EVENT_OVER_TEMPERATURE, temperature)
        core.enter_safe(D.SAFE_CAUSE_OVER_TEMPERATURE)
        heater_mode = D.HEATER_MODE_OFF   # stays off until commanded, even in safe mode
        return
    if heater_mode == D.HEATER_MODE_OFF:
        switch(False)
    elif heater_mode == D.HEATER_MODE_THERMOSTAT:
        thermostat(setpoint)
    elif heater_mode == D.HEATER_MODE_SURVIVAL:
        thermostat(D.THERMAL_SURVIVAL_CC)
    elif heater_mode == D.HEATER_MODE_ANNEAL:
        anneal_step(now)


# -- commands: each returns 0, a reason, or core.DEFERRED --

def heater_on_command(args, request):
    global heater_mode
    if sensor_state != D.SENSOR_STATE_OK:
        return D.REASON_HARDWARE_FAULT
    if phase != D.ANNEAL_PHASE_IDLE:
        return D.REASON_BUSY
    heater_mode = D.HEATER_MODE_THERMOSTAT
    return 0


def heater_off_command(args, request):
    global heater_mode
    stop_anneal(D.REASON_EXECUTION_FAILED)
    heater_mode = D.HEATER_MODE_OFF
    switch(False)
    return 0


def setpoint_command(args, request):
    global setpoint, hysteresis
    setpoint, hysteresis = args
    return 0


def anneal_command(args, request):
    global anneal_target, hold_ms, anneal_request, cool_end, phase_started, heater_mode
    if sensor_state != D.SENSOR_STATE_OK:
        return D.REASON_HARDWARE_FAULT
    if phase != D.ANNEAL_PHASE_IDLE:
        return D.REASON_BUSY
    anneal_target, hold = args
    hold_ms = hold * 1000
    anneal_request = request
    # a board in a warm room never cools below the cool phase's end: it also ends back near the start
    cool_end = max(temperature + D.THERMAL_ANNEAL_COOL_MARGIN_CC, D.THERMAL_ANNEAL_COOL_END_CC)
    phase_started = board.ticks_ms()
    heater_mode = D.HEATER_MODE_ANNEAL
    core.event(D.EVENT_ANNEAL_STARTED, anneal_target, hold)
    set_phase(D.ANNEAL_PHASE_RAMP, 0)
    return core.DEFERRED


def anneal_abort_command(args, request):
    global heater_mode
    if phase != D.ANNEAL_PHASE_IDLE:
        stop_anneal(D.REASON_EXECUTION_FAILED)
        heater_mode = D.HEATER_MODE_OFF
        switch(False)
    return 0


def safe():
    global heater_mode
    stop_anneal(D.REASON_NOT_ALLOWED_IN_MODE)
    heater_mode = D.HEATER_MODE_SURVIVAL


def housekeeping():
    return {"cam_temp": temperature, "sink_temp": D.THERMAL_SINK_CC, "heater_state": int(heater_on),
            "heater_mode": heater_mode, "heater_power": D.THERMAL_HEATER_POWER_CW if heater_on else 0,
            "setpoint": setpoint, "anneal_phase": phase, "anneal_progress": progress, "anneals": anneals,
            "sensor_state": sensor_state}

// The camera heater: thermistor read-out, thermostat, anneal, and the over-temperature cut-off.
#include <Arduino.h>
#include <math.h>

#include "pj_app.h"
#include "pj_board.h"
#include "pj_wire.h"

#define PERIOD_MS 100
#define ADC_LOW 8       // below or above these the divider is open or shorted
#define ADC_HIGH 1015
// a board in a warm room never cools below PJ_THERMAL_ANNEAL_COOL_END_CC (15 C): the cool phase
// also ends back within PJ_THERMAL_ANNEAL_COOL_MARGIN_CC of where the anneal started (the room,
// for an idle camera), or after PJ_THERMAL_ANNEAL_COOL_TIMEOUT_S, as on the host; a ramp that
// never reaches its target fails after RAMP_TIMEOUT_MS
#define COOL_TIMEOUT_MS (PJ_THERMAL_ANNEAL_COOL_TIMEOUT_S * 1000UL)
#define RAMP_TIMEOUT_MS 3600000UL

static int16_t temperature = PJ_THERMAL_SINK_CC;   // centi-degrees C, until the first reading
static uint8_t sensor_state = PJ_SENSOR_STATE_OK;
static uint8_t heater_mode = PJ_HEATER_MODE_OFF;
static bool heater_on;
static int16_t setpoint = PJ_THERMAL_DEFAULT_SETPOINT_CC;
static uint16_t hysteresis = PJ_THERMAL_DEFAULT_HYSTERESIS_CC;
static uint8_t phase = PJ_ANNEAL_PHASE_IDLE;
static uint8_t progress;
static uint16_t anneals;
static int16_t anneal_target, cool_end;
static uint32_t anneal_hold_ms, phase_started_ms;
static PjRequest anneal_request;
static uint32_t last_ms;
static uint32_t hot_before;   // when the anneal started

static void switch_heater(bool on) {
  if (on == heater_on) return;
  heater_on = on;
  digitalWrite(PJ_HEATER_PIN, on ? HIGH : LOW);
  uint8_t event[PJ_EVENT_HEATER_SWITCHED_ARG_LEN];
  event[PJ_EVENT_HEATER_SWITCHED_ARG_STATE] = on;
  pj_put16(event + PJ_EVENT_HEATER_SWITCHED_ARG_CAM_TEMP, temperature);
  pj_event(PJ_EVENT_HEATER_SWITCHED_ID, PJ_EVENT_HEATER_SWITCHED_SEVERITY, event, sizeof event);
}

// NTC below a fixed resistor: beta equation from the divider ratio
static int16_t read_temperature(uint16_t adc) {
  float r = (float)PJ_NTC_FIXED_OHM * adc / (1023.0f - adc);
  float kelvin = 1.0f / (1.0f / (float)PJ_NTC_T0_K + logf(r / (float)PJ_NTC_R0_OHM) / (float)PJ_NTC_BETA_K);
  return (int16_t)lroundf((kelvin - 273.15f) * 100.0f);
}

static void thermostat(int16_t target) {
  if (temperature < target - (int16_t)(hysteresis / 2)) switch_heater(true);
  else if (temperature > target + (int16_t)(hysteresis / 2)) switch_heater(false);
}

static void set_phase(uint8_t next, uint8_t percent) {
  phase = next;
  progress = percent;
  pj_progress(anneal_request, next, percent);
  uint8_t event[PJ_EVENT_ANNEAL_PROGRESS_ARG_LEN];
  event[PJ_EVENT_ANNEAL_PROGRESS_ARG_PHASE] = next;
  event[PJ_EVENT_ANNEAL_PROGRESS_ARG_PERCENT] = percent;
  pj_event(PJ_EVENT_ANNEAL_PROGRESS_ID, PJ_EVENT_ANNEAL_PROGRESS_SEVERITY, event, sizeof event);
}

static void stop_anneal(uint8_t reason) {
  if (phase == PJ_ANNEAL_PHASE_IDLE) return;
  phase = PJ_ANNEAL_PHASE_IDLE;
  pj_complete(anneal_request, reason);
}

static void finish_anneal() {
  uint32_t after = pj_camera_hot_pixels();
  anneals++;
  progress = 100;
  heater_mode = PJ_HEATER_MODE_OFF;
  uint8_t event[PJ_EVENT_ANNEAL_COMPLETE_ARG_LEN];
  pj_put32(event + PJ_EVENT_ANNEAL_COMPLETE_ARG_HOT_PIXELS_BEFORE, hot_before);
  pj_put32(event + PJ_EVENT_ANNEAL_COMPLETE_ARG_HOT_PIXELS_AFTER, after);
  pj_event(PJ_EVENT_ANNEAL_COMPLETE_ID, PJ_EVENT_ANNEAL_COMPLETE_SEVERITY, event, sizeof event);
  stop_anneal(0);
}

// The anneal law of fsw/hw/sim/thermal.py: at 20 C or more the damage that can heal heals at a
// rate of 0.125 per day at 25 C, twice as fast per +10 C, so a spell of exposure X leaves
// exp(-X) of it (25 C for four days heals ~40%, 60 C for a week all of it). Reduced: the host's
// fading back of healing done cool is not kept here.
static void heal(float seconds) {
  if (temperature < 2000) return;
  float rate = 0.125f / 86400.0f * expf(0.0693147f * (temperature - 2500) / 100.0f);
  pj_camera_heal(expf(-rate * seconds));
}

static void anneal_step(uint32_t now) {
  switch (phase) {
    case PJ_ANNEAL_PHASE_RAMP:
      switch_heater(true);
      if (temperature >= anneal_target - PJ_THERMAL_ANNEAL_RAMP_MARGIN_CC) {
        phase_started_ms = now;
        set_phase(PJ_ANNEAL_PHASE_HOLD, 33);
      } else if (now - phase_started_ms >= RAMP_TIMEOUT_MS) {
        heater_mode = PJ_HEATER_MODE_OFF;
        switch_heater(false);
        stop_anneal(PJ_REASON_TIMEOUT);
      }
      break;
    case PJ_ANNEAL_PHASE_HOLD:
      thermostat(anneal_target);
      // in seconds: (now - start) * 33 in milliseconds overflows 32 bits after 36 h of a 7-day hold
      progress = 33 + (uint8_t)((now - phase_started_ms) / 1000 * 33 / (anneal_hold_ms / 1000));
      if (now - phase_started_ms >= anneal_hold_ms) {
        switch_heater(false);
        phase_started_ms = now;
        set_phase(PJ_ANNEAL_PHASE_COOL, 66);
      }
      break;
    case PJ_ANNEAL_PHASE_COOL:
      switch_heater(false);
      if (temperature < cool_end || now - phase_started_ms >= COOL_TIMEOUT_MS) finish_anneal();
      break;
  }
}

void pj_thermal_begin() {
  pinMode(PJ_HEATER_PIN, OUTPUT);
  digitalWrite(PJ_HEATER_PIN, LOW);
}

void pj_thermal_tick() {
  uint32_t now = millis();
  if (now - last_ms < PERIOD_MS) return;
  last_ms = now;
  uint16_t adc = analogRead(PJ_THERMISTOR_PIN);
  if (adc < ADC_LOW || adc > ADC_HIGH) {
    if (sensor_state != PJ_SENSOR_STATE_FAILED) {
      sensor_state = PJ_SENSOR_STATE_FAILED;
      uint8_t state = sensor_state;
      pj_event(PJ_EVENT_SENSOR_FAULT_ID, PJ_EVENT_SENSOR_FAULT_SEVERITY, &state, 1);
      heater_mode = PJ_HEATER_MODE_OFF;
      stop_anneal(PJ_REASON_HARDWARE_FAULT);
      switch_heater(false);
      pj_enter_safe(PJ_SAFE_CAUSE_SENSOR_FAILURE);
    }
    switch_heater(false);
    return;
  }
  sensor_state = PJ_SENSOR_STATE_OK;
  temperature = read_temperature(adc);
  heal(PERIOD_MS / 1000.0f);
  if (temperature > PJ_THERMAL_OVER_TEMP_CC) {
    // cut first, then tell: the heater must not wait for the downlink
    heater_mode = PJ_HEATER_MODE_OFF;
    switch_heater(false);
    stop_anneal(PJ_REASON_HARDWARE_FAULT);
    uint8_t event[PJ_EVENT_OVER_TEMPERATURE_ARG_LEN];
    pj_put16(event + PJ_EVENT_OVER_TEMPERATURE_ARG_CAM_TEMP, temperature);
    pj_event(PJ_EVENT_OVER_TEMPERATURE_ID, PJ_EVENT_OVER_TEMPERATURE_SEVERITY, event, sizeof event);
    pj_enter_safe(PJ_SAFE_CAUSE_OVER_TEMPERATURE);
    heater_mode = PJ_HEATER_MODE_OFF;   // stay off until commanded, even in safe mode
    return;
  }
  switch (heater_mode) {
    case PJ_HEATER_MODE_OFF: switch_heater(false); break;
    case PJ_HEATER_MODE_THERMOSTAT: thermostat(setpoint); break;
    case PJ_HEATER_MODE_SURVIVAL: thermostat(PJ_THERMAL_SURVIVAL_CC); break;
    case PJ_HEATER_MODE_ANNEAL: anneal_step(now); break;
  }
}

uint8_t pj_thermal_command(uint8_t index, const uint8_t *args, const PjRequest &request) {
  switch (index) {
    case PJ_CMD_HEATER_ON:
      if (sensor_state != PJ_SENSOR_STATE_OK) return PJ_REASON_HARDWARE_FAULT;
      if (phase != PJ_ANNEAL_PHASE_IDLE) return PJ_REASON_BUSY;
      heater_mode = PJ_HEATER_MODE_THERMOSTAT;
      return 0;
    case PJ_CMD_HEATER_OFF:
      stop_anneal(PJ_REASON_EXECUTION_FAILED);
      heater_mode = PJ_HEATER_MODE_OFF;
      switch_heater(false);
      return 0;
    case PJ_CMD_HEATER_SETPOINT:
      setpoint = (int16_t)pj_get16(args + PJ_ARG_HEATER_SETPOINT_SETPOINT);
      hysteresis = pj_get16(args + PJ_ARG_HEATER_SETPOINT_HYSTERESIS);
      return 0;
    case PJ_CMD_ANNEAL: {
      if (sensor_state != PJ_SENSOR_STATE_OK) return PJ_REASON_HARDWARE_FAULT;
      if (phase != PJ_ANNEAL_PHASE_IDLE) return PJ_REASON_BUSY;
      anneal_target = (int16_t)pj_get16(args + PJ_ARG_ANNEAL_TARGET);
      anneal_hold_ms = pj_get32(args + PJ_ARG_ANNEAL_HOLD) * 1000UL;
      anneal_request = request;
      cool_end = temperature + PJ_THERMAL_ANNEAL_COOL_MARGIN_CC;
      if (cool_end < PJ_THERMAL_ANNEAL_COOL_END_CC) cool_end = PJ_THERMAL_ANNEAL_COOL_END_CC;
      phase_started_ms = millis();
      hot_before = pj_camera_hot_pixels();
      heater_mode = PJ_HEATER_MODE_ANNEAL;
      uint8_t event[PJ_EVENT_ANNEAL_STARTED_ARG_LEN];
      pj_put16(event + PJ_EVENT_ANNEAL_STARTED_ARG_TARGET, anneal_target);
      pj_put32(event + PJ_EVENT_ANNEAL_STARTED_ARG_HOLD, pj_get32(args + PJ_ARG_ANNEAL_HOLD));
      pj_event(PJ_EVENT_ANNEAL_STARTED_ID, PJ_EVENT_ANNEAL_STARTED_SEVERITY, event, sizeof event);
      set_phase(PJ_ANNEAL_PHASE_RAMP, 0);
      return PJ_DEFERRED;
    }
    case PJ_CMD_ANNEAL_ABORT:
      if (phase != PJ_ANNEAL_PHASE_IDLE) {
        stop_anneal(PJ_REASON_EXECUTION_FAILED);
        heater_mode = PJ_HEATER_MODE_OFF;
        switch_heater(false);
      }
      return 0;
  }
  return PJ_REASON_EXECUTION_FAILED;
}

void pj_thermal_safe() {
  stop_anneal(PJ_REASON_NOT_ALLOWED_IN_MODE);
  heater_mode = PJ_HEATER_MODE_SURVIVAL;
}

uint8_t pj_thermal_hk(uint8_t *out) {
  pj_put16(out + PJ_HK_THERMAL_CAM_TEMP, temperature);
  pj_put16(out + PJ_HK_THERMAL_SINK_TEMP, PJ_THERMAL_SINK_CC);
  out[PJ_HK_THERMAL_HEATER_STATE] = heater_on;
  out[PJ_HK_THERMAL_HEATER_MODE] = heater_mode;
  pj_put16(out + PJ_HK_THERMAL_HEATER_POWER, heater_on ? PJ_THERMAL_HEATER_POWER_CW : 0);
  pj_put16(out + PJ_HK_THERMAL_SETPOINT, setpoint);
  out[PJ_HK_THERMAL_ANNEAL_PHASE] = phase;
  out[PJ_HK_THERMAL_ANNEAL_PROGRESS] = progress;
  pj_put16(out + PJ_HK_THERMAL_ANNEALS, anneals);
  out[PJ_HK_THERMAL_SENSOR_STATE] = sensor_state;
  return PJ_HK_THERMAL_LEN;
}

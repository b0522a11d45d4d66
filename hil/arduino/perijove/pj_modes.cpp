// Nominal and safe mode, and arming of hazardous commands (one at a time, for 60 s).
#include <Arduino.h>

#include "pj_app.h"
#include "pj_clock.h"
#include "pj_wire.h"

#define ARM_WINDOW_MS 60000UL

static uint8_t mode = PJ_MODE_NOMINAL;
static uint8_t safe_cause = PJ_SAFE_CAUSE_NONE;
static uint16_t safe_entries;
static uint32_t last_contact_ms;
static uint8_t armed_service, armed_subtype;
static bool armed;
static uint32_t armed_ms;

bool pj_safe_mode() { return mode == PJ_MODE_SAFE; }

void pj_enter_safe(uint8_t cause) {
  if (mode == PJ_MODE_SAFE) return;
  mode = PJ_MODE_SAFE;
  safe_cause = cause;
  safe_entries++;
  pj_camera_safe();
  pj_thermal_safe();
  uint8_t event[PJ_EVENT_SAFE_MODE_ENTERED_ARG_LEN];
  event[PJ_EVENT_SAFE_MODE_ENTERED_ARG_CAUSE] = cause;
  pj_event(PJ_EVENT_SAFE_MODE_ENTERED_ID, PJ_EVENT_SAFE_MODE_ENTERED_SEVERITY, event, sizeof event);
}

void pj_contact() { last_contact_ms = millis(); }

// is a hazardous command with this service and subtype declared? arm names one
static bool hazardous(uint8_t service, uint8_t subtype) {
#define PJ_HAZARD(name, index, apid, s, t, len, first, count, flags) \
  if ((flags & PJ_CMD_HAZARDOUS) && s == service && t == subtype) return true;
  PJ_COMMANDS(PJ_HAZARD)
  return false;
}

bool pj_take_arm(uint8_t service, uint8_t subtype) {
  bool ok = armed && armed_service == service && armed_subtype == subtype &&
            millis() - armed_ms < ARM_WINDOW_MS;
  armed = false;   // an arm is spent by the next hazardous command, matching or not
  return ok;
}

uint8_t pj_modes_command(uint8_t index, const uint8_t *args) {
  switch (index) {
    case PJ_CMD_MODE_SAFE:
      pj_enter_safe(PJ_SAFE_CAUSE_COMMAND);
      return 0;
    case PJ_CMD_MODE_NOMINAL:
      if (mode == PJ_MODE_SAFE) {
        mode = PJ_MODE_NOMINAL;
        safe_cause = PJ_SAFE_CAUSE_NONE;
        pj_event(PJ_EVENT_SAFE_MODE_EXITED_ID, PJ_EVENT_SAFE_MODE_EXITED_SEVERITY, 0, 0);
      }
      return 0;
    case PJ_CMD_ARM: {
      uint8_t service = args[PJ_ARG_ARM_SERVICE], subtype = args[PJ_ARG_ARM_SUBTYPE];
      if (!hazardous(service, subtype)) return PJ_REASON_ARG_OUT_OF_RANGE;
      armed = true;
      armed_service = service;
      armed_subtype = subtype;
      armed_ms = millis();
      uint8_t event[PJ_EVENT_ARMED_ARG_LEN];
      event[PJ_EVENT_ARMED_ARG_SERVICE] = service;
      event[PJ_EVENT_ARMED_ARG_SUBTYPE] = subtype;
      pj_event(PJ_EVENT_ARMED_ID, PJ_EVENT_ARMED_SEVERITY, event, sizeof event);
      return 0;
    }
  }
  return PJ_REASON_EXECUTION_FAILED;
}

uint8_t pj_modes_hk(uint8_t *out) {
  out[PJ_HK_MODES_MODE] = mode;
  out[PJ_HK_MODES_SAFE_CAUSE] = safe_cause;
  pj_put16(out + PJ_HK_MODES_SAFE_ENTRIES, safe_entries);
  pj_put32(out + PJ_HK_MODES_CONTACT_AGE, (millis() - last_contact_ms) / 1000);
  // contact_timeout stays zero (send() zeroes the structure): no loss-of-contact check here
  out[PJ_HK_MODES_ARMED] = armed && millis() - armed_ms < ARM_WINDOW_MS;
  return PJ_HK_MODES_LEN;
}

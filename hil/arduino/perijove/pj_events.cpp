// PUS-5 event reports, with a short list of disabled event ids (events_enable/disable).
#include <Arduino.h>

#include "pj_app.h"
#include "pj_downlink.h"
#include "pj_wire.h"

#define DISABLED_SLOTS 4
static uint16_t disabled[DISABLED_SLOTS];   // 0: free slot (no event has id 0)

void pj_event(uint16_t id, uint8_t severity, const uint8_t *args, uint8_t len) {
  for (uint8_t i = 0; i < DISABLED_SLOTS; i++)
    if (disabled[i] == id) return;
  pj_tm_begin(PJ_APID_EVENTS, 5, severity, 2 + len);
  pj_tm_put16(id);
  pj_tm_write(args, len);
  pj_tm_end();
}

uint8_t pj_events_command(uint8_t index, const uint8_t *args) {
  uint16_t id = pj_get16(args);
  bool disable = index == PJ_CMD_EVENTS_DISABLE;
  for (uint8_t i = 0; i < DISABLED_SLOTS; i++)
    if (disabled[i] == id) disabled[i] = 0;
  if (!disable) return 0;
  for (uint8_t i = 0; i < DISABLED_SLOTS; i++)
    if (!disabled[i]) {
      disabled[i] = id;
      return 0;
    }
  return PJ_REASON_STORE_FULL;
}

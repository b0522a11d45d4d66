// PUS-3 housekeeping: the structures this board keeps, each sent one-shot or periodically.
#include <Arduino.h>

#include "pj_app.h"
#include "pj_clock.h"
#include "pj_downlink.h"
#include "pj_sdls.h"
#include "pj_wire.h"

struct Structure {
  uint8_t sid;
  uint8_t (*fill)(uint8_t *out);
  bool enabled;
  uint16_t interval_ds;
  uint32_t due_ms;
};

// the cycle figures stay zero (send() zeroes the structure): the board has no rate groups
static uint8_t executive_hk(uint8_t *out) {
  pj_put32(out + PJ_HK_EXECUTIVE_UPTIME, pj_uptime());
  pj_put32(out + PJ_HK_EXECUTIVE_DICTIONARY_VERSION, PJ_DICTIONARY_VERSION);
  out[PJ_HK_EXECUTIVE_CLOCK_SPEED] = 0x3F;       // 1.0f (3F 80 00 00): the board runs in real time
  out[PJ_HK_EXECUTIVE_CLOCK_SPEED + 1] = 0x80;
  pj_put32(out + PJ_HK_EXECUTIVE_DOWNLINK_DROPPED, pj_tm_dropped());
  return PJ_HK_EXECUTIVE_LEN;
}

// every structure once a second from boot, like the host
static Structure structures[] = {
    {PJ_SID_EXECUTIVE, executive_hk, true, 10, 0},
    {PJ_SID_COMMANDING, pj_commanding_hk, true, 10, 0},
    {PJ_SID_MODES, pj_modes_hk, true, 10, 0},
    {PJ_SID_CAMERA, pj_camera_hk, true, 10, 0},
    {PJ_SID_THERMAL, pj_thermal_hk, true, 10, 0},
#ifdef PJ_SDLS
    {PJ_SID_SECURITY, pj_sdls_hk, true, 10, 0},
#endif
};
#define STRUCTURES (sizeof structures / sizeof structures[0])
#define LARGEST 48

static Structure *find(uint8_t sid) {
  for (uint8_t i = 0; i < STRUCTURES; i++)
    if (structures[i].sid == sid) return &structures[i];
  return 0;
}

static void send(Structure *s) {
  uint8_t data[LARGEST] = {0};   // a field this board does not keep reads as zero
  uint8_t len = s->fill(data);
  pj_tm_begin(PJ_APID_HOUSEKEEPING, 3, 25, 1 + len);
  pj_tm_put(s->sid);
  pj_tm_write(data, len);
  pj_tm_end();
}

uint8_t pj_hk_command(uint8_t index, const uint8_t *args) {
  Structure *s = find(args[0]);
  if (!s) return PJ_REASON_NO_SUCH_ITEM;   // declared in the dictionary, not kept here
  switch (index) {
    case PJ_CMD_HK_ENABLE:
      s->enabled = true;
      s->due_ms = millis();
      break;
    case PJ_CMD_HK_DISABLE:
      s->enabled = false;
      break;
    case PJ_CMD_HK_ONESHOT:
      send(s);
      break;
    case PJ_CMD_HK_INTERVAL:
      s->interval_ds = pj_get16(args + PJ_ARG_HK_INTERVAL_INTERVAL);
      s->due_ms = millis();
      break;
  }
  return 0;
}

void pj_hk_tick() {
  uint32_t now = millis();
  for (uint8_t i = 0; i < STRUCTURES; i++) {
    Structure &s = structures[i];
    if (!s.enabled || (int32_t)(now - s.due_ms) < 0) continue;
    if (!pj_tm_spare(1 + LARGEST)) return;   // late rather than lost, and after the commands
    send(&s);
    s.due_ms += s.interval_ds * 100UL;
    if ((int32_t)(now - s.due_ms) > 0) s.due_ms = now + s.interval_ds * 100UL;   // fell behind
  }
}

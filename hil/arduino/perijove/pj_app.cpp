// Boot and the main loop: uplink first (commands are never starved), then the periodic work.
#include <Arduino.h>

#include "pj_app.h"
#include "pj_board.h"
#include "pj_downlink.h"
#include "pj_farm.h"
#include "pj_sdls.h"
#include "pj_uart.h"
#include "pj_uplink.h"
#include "pj_wire.h"

void pj_setup() {
  pinMode(PJ_MARKER_PIN, OUTPUT);
  pj_thermal_begin();
  pj_sdls_begin();
  pj_uart_begin(PJ_BAUD);
  uint8_t event[PJ_EVENT_BOOT_ARG_LEN];
  pj_put32(event + PJ_EVENT_BOOT_ARG_DICTIONARY_VERSION, PJ_DICTIONARY_VERSION);
  pj_put16(event + PJ_EVENT_BOOT_ARG_RESTARTS, 0);
  pj_event(PJ_EVENT_BOOT_ID, PJ_EVENT_BOOT_SEVERITY, event, sizeof event);
}

void pj_loop() {
  pj_farm_poll();
  pj_uplink_poll();
  pj_thermal_tick();
  pj_camera_tick();
  pj_cfdp_tick();
  pj_hk_tick();
  pj_tm_poll();
}

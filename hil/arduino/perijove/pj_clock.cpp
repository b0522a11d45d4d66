#include <Arduino.h>

#include "pj_clock.h"

static uint32_t epoch_offset;   // on-board seconds at millis() == 0

void pj_clock_now(uint32_t *seconds, uint16_t *fraction) {
  uint32_t ms = millis();
  *seconds = epoch_offset + ms / 1000;
  *fraction = (uint16_t)(((uint32_t)(ms % 1000) << 16) / 1000);
}

uint32_t pj_clock_seconds() { return epoch_offset + millis() / 1000; }

void pj_clock_set(uint32_t seconds) { epoch_offset = seconds - millis() / 1000; }

uint32_t pj_uptime() { return millis() / 1000; }

#include <Arduino.h>

#include "pj_clock.h"

static uint32_t epoch_offset;   // on-board seconds at millis() == 0

// one 32-bit division per millisecond at most: a burst of packets shares the result
static uint32_t cached_ms = 0xFFFFFFFFUL, cached_seconds;
static uint16_t cached_fraction;

void pj_clock_now(uint32_t *seconds, uint16_t *fraction) {
  uint32_t ms = millis();
  if (ms != cached_ms) {
    cached_ms = ms;
    cached_seconds = ms / 1000;
    // milliseconds to 1/65536 s: x 65.536 as x 67109 / 1024 (at most 65470 for 999 ms)
    cached_fraction = (uint16_t)(((ms - cached_seconds * 1000) * 67109UL) >> 10);
  }
  *seconds = epoch_offset + cached_seconds;
  *fraction = cached_fraction;
}

uint32_t pj_clock_seconds() { return epoch_offset + millis() / 1000; }

void pj_clock_set(uint32_t seconds) { epoch_offset = seconds - millis() / 1000; }

uint32_t pj_uptime() { return millis() / 1000; }

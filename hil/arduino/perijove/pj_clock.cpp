#include <Arduino.h>

#include "pj_clock.h"

// millis() wraps after 2^32 ms, which is not a whole number of seconds: seconds are counted
// here and advanced by whole seconds of millis() - base_ms, which unsigned subtraction keeps
// right across the wrap as long as the clock is read at least every 49 days (housekeeping
// reads it every second).
static uint32_t base_ms;        // millis() at the start of the current second
static uint32_t seconds_now;    // on-board seconds at base_ms
static uint32_t uptime_now;     // seconds since boot at base_ms

// milliseconds into the current second; a division only when a second or more has passed
static uint16_t advance() {
  uint32_t elapsed = millis() - base_ms;
  if (elapsed >= 1000) {
    uint32_t whole = elapsed / 1000;
    base_ms += whole * 1000;
    seconds_now += whole;
    uptime_now += whole;
    elapsed -= whole * 1000;
  }
  return (uint16_t)elapsed;
}

void pj_clock_now(uint32_t *seconds, uint16_t *fraction) {
  uint16_t ms = advance();
  *seconds = seconds_now;
  // milliseconds to 1/65536 s: x 65.536 as x 67109 / 1024 (at most 65470 for 999 ms)
  *fraction = (uint16_t)((ms * 67109UL) >> 10);
}

uint32_t pj_clock_seconds() {
  advance();
  return seconds_now;
}

// the fraction runs on: time_set names the current second
void pj_clock_set(uint32_t seconds) {
  advance();
  seconds_now = seconds;
}

uint32_t pj_uptime() {
  advance();
  return uptime_now;
}

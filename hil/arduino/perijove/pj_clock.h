// On-board time: CUC seconds since 2000-01-01 (set by time_set), counted on with millis().
#ifndef PJ_CLOCK_H
#define PJ_CLOCK_H

#include <stdint.h>

void pj_clock_now(uint32_t *seconds, uint16_t *fraction);
uint32_t pj_clock_seconds();
void pj_clock_set(uint32_t seconds);
uint32_t pj_uptime();

#endif

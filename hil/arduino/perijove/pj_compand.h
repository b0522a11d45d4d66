#ifndef PJ_COMPAND_H
#define PJ_COMPAND_H

#include <stdint.h>

// compand(v) = round(255 * sqrt(v / 4095)) for v up to 4095 (0 for v <= 0): the 8-bit code of a
// 12-bit value, exactly as fsw/protocol/companding.py's table has it
uint8_t pj_compand(int16_t value);

#endif

// Square-root companding of 12-bit DN to 8-bit codes, as the host's table. Apart from the camera
// so that tests/hil/test_firmware_compand.py can build it for the host and check every value.
#include "pj_compand.h"

#if defined(__AVR__)
#include <avr/pgmspace.h>
#else
#define PROGMEM
#define pgm_read_byte(address) (*(const uint8_t *)(address))
#endif

// compand(v) = round(255 * sqrt(v / 4095)), the table of fsw/protocol/companding.py: code c
// starts where (c - 1/2)^2 * 4095 / 65025 <= v, that is (2c - 1)^2 * 4095 <= 260100 v, exactly,
// in integers. The table holds compand(128 b) for each 128-value bin b of the 12-bit range (and
// 255 past its end): the code of a value in bin b lies between two neighbours, a short binary
// search apart
static const uint8_t bin_code[33] PROGMEM = {
      0,  45,  64,  78,  90, 101, 110, 119, 128, 135, 143, 150, 156, 163, 169, 175, 180,
    186, 191, 197, 202, 207, 211, 216, 221, 225, 230, 234, 239, 243, 247, 251, 255};

uint8_t pj_compand(int16_t value) {
  if (value <= 0) return 0;
  uint8_t bin = (uint16_t)value >> 7;
  uint8_t low = pgm_read_byte(&bin_code[bin]), high = pgm_read_byte(&bin_code[bin + 1]);
  // (2c - 1)^2 * 4095 <= 260100 v holds where (2c - 1)^2 <= floor(260100 v / 4095), and that
  // floor is v * 260164 >> 12 for every 12-bit v (checked against the host's table by
  // tests/hil/test_firmware_compand.py): one product per step instead of two
  uint32_t limit = (uint32_t)(uint16_t)value * 260164UL >> 12;
  while (low < high) {   // the largest code whose threshold is at most value
    uint8_t mid = (low + high + 1) >> 1;
    uint16_t odd = 2 * mid - 1;
    if ((uint32_t)odd * odd <= limit) low = mid;
    else high = mid - 1;
  }
  return low;
}

// avr-libc's xmodem update is the 0x1021 polynomial without reflection; starting from 0xFFFF
// it gives CRC-16/CCITT-FALSE, in a few cycles per octet.
#include <util/crc16.h>

#include "pj_wire.h"

uint16_t pj_crc16(uint16_t crc, const uint8_t *data, uint16_t len) {
  while (len--) crc = _crc_xmodem_update(crc, *data++);
  return crc;
}

// avr-libc's xmodem update is the 0x1021 polynomial without reflection; starting from 0xFFFF
// it gives CRC-16/CCITT-FALSE, in a few cycles per octet.
#include <util/crc16.h>

#include "pj_wire.h"

uint16_t pj_crc16(uint16_t crc, const uint8_t *data, uint16_t len) {
  while (len--) crc = _crc_xmodem_update(crc, *data++);
  return crc;
}

// CRC-32 (zlib's, CFDP's checksum type 3), reflected, a bit at a time: no table
uint32_t pj_crc32_step(uint32_t crc, uint8_t octet) {
  crc ^= octet;
  for (uint8_t bit = 8; bit; bit--) crc = (crc >> 1) ^ (crc & 1 ? 0xEDB88320UL : 0);
  return crc;
}

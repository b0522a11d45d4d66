// avr-libc's xmodem update is the 0x1021 polynomial without reflection; starting from 0xFFFF
// it gives CRC-16/CCITT-FALSE, in a few cycles per octet.
#include <avr/pgmspace.h>
#include <util/crc16.h>

#include "pj_wire.h"

uint16_t pj_crc16(uint16_t crc, const uint8_t *data, uint16_t len) {
  while (len--) crc = _crc_xmodem_update(crc, *data++);
  return crc;
}

// CRC-32 (zlib's, CFDP's checksum type 3), four bits at a time from a 16-entry table
static const uint32_t crc_nibbles[16] PROGMEM = {
    0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
    0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C};

uint32_t pj_crc32_step(uint32_t crc, uint8_t octet) {
  crc ^= octet;
  crc = (crc >> 4) ^ pgm_read_dword(&crc_nibbles[crc & 15]);
  return (crc >> 4) ^ pgm_read_dword(&crc_nibbles[crc & 15]);
}

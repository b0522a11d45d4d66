// Big-endian field access, as every structure on the wire is big-endian.
#ifndef PJ_WIRE_H
#define PJ_WIRE_H

#include <stdint.h>

static inline uint16_t pj_get16(const uint8_t *p) { return ((uint16_t)p[0] << 8) | p[1]; }
static inline uint32_t pj_get32(const uint8_t *p) {
  return ((uint32_t)pj_get16(p) << 16) | pj_get16(p + 2);
}
static inline void pj_put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static inline void pj_put32(uint8_t *p, uint32_t v) { pj_put16(p, v >> 16); pj_put16(p + 2, v); }

// IEEE 754 single, as AVR keeps it (little-endian), sent big-endian like every field
static inline void pj_putf(uint8_t *p, float v) {
  uint32_t bits;
  __builtin_memcpy(&bits, &v, 4);
  pj_put32(p, bits);
}

// CRC-16/CCITT-FALSE: the packet error control and the frames' FECF.
uint16_t pj_crc16(uint16_t crc, const uint8_t *data, uint16_t len);
static inline uint16_t pj_crc16_start() { return 0xFFFF; }
// CRC-32 (zlib's): start from 0xFFFFFFFF, take the complement at the end.
uint32_t pj_crc32_step(uint32_t crc, uint8_t octet);

#endif

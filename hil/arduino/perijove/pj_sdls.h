// SDLS ProcessSecurity on the uplink (CCSDS 355.0-B-2, docs/ICD.md 2a), on the boards with the
// room for it (PJ_SDLS in pj_board.h: the Mega). Keys and the last sequence number accepted under
// each come from the EEPROM (docs/ICD.md, "SDLS on the Arduino Mega"); a board without keys there
// refuses every frame.
#ifndef PJ_SDLS_H
#define PJ_SDLS_H

#include <stdint.h>

#include "pj_board.h"

#ifdef PJ_SDLS
void pj_sdls_begin();
// A frame with a good FECF, version and spacecraft id: 0 when it passed, rewritten in place as a
// clear frame (header, data, room for the FECF) of *len octets; else the reason it was refused
// (counted and reported), before anything read its data.
uint8_t pj_sdls_process(uint8_t *frame, uint8_t *len);
uint8_t pj_sdls_hk(uint8_t *out);
#else
static inline void pj_sdls_begin() {}
static inline uint8_t pj_sdls_process(uint8_t *, uint8_t *) { return 0; }   // no SDLS: clear frames
#endif

#endif

// FARM-1 per the state table of CCSDS 232.1-B-2 (table 6-1). The state is kept as its three
// flags: Lockout (S3) whatever the others, else Wait (S2), else Open (S1). Frame sequence
// arithmetic is modulo 256, as the standard's note on N(S), V(R), PW and NW asks.
#include "pj_farm.h"

#include "pj_dictionary.h"
#include "pj_downlink.h"
#include "pj_wire.h"

#define PW 5   // positive window: N(S) = V(R) .. V(R) + PW - 1
#define NW 5   // negative window: N(S) = V(R) - NW .. V(R) - 1
#define SET_VR_OCTET 0x82

static uint8_t v_r;          // V(R): the N(S) expected next
static uint8_t farm_b;       // FARM-B counter: Type-BD and Type-BC frames accepted (2 bits reported)
static bool lockout, wait, retransmit;

static bool is_unlock(const uint8_t *d, uint8_t n) { return n == 1 && d[0] == 0; }
static bool is_set_vr(const uint8_t *d, uint8_t n) { return n == 3 && d[0] == SET_VR_OCTET && d[1] == 0; }

uint8_t pj_farm_check(const uint8_t *f, uint8_t len) {
  bool bypass = f[0] & 0x20, control = f[0] & 0x10;
  if (control && !bypass) return PJ_REASON_BAD_FRAME_HEADER;   // no frame type has these flags
  const uint8_t *d = f + PJ_TC_HEADER_LEN;
  uint8_t n = len - PJ_TC_HEADER_LEN - PJ_FECF_LEN;
  if (control && !is_unlock(d, n) && !is_set_vr(d, n)) return PJ_REASON_BAD_ARGUMENT;
  return 0;
}

// Type-AD: events E1-E5
static bool sequenced(uint8_t ns) {
  if (lockout) return false;                 // S3: every Type-AD frame is discarded
  uint8_t ahead = ns - v_r;
  if (ahead == 0) {
    if (wait) return false;                  // E1/E2 in S2: no buffer yet
    if (pj_tm_room() < PJ_TM_REPLY_ROOM) {   // E1 in S1: the board cannot take it now
      wait = retransmit = true;
      return false;
    }
    v_r++;                                   // E2 in S1: accept
    retransmit = false;
    return true;
  }
  if (ahead < PW) retransmit = true;         // E3: a frame was lost; ask for retransmission
  else if ((uint8_t)(v_r - ns) > NW) lockout = true;   // E5: outside both windows
  return false;                              // E4 (negative window): a duplicate, discarded
}

bool pj_farm_frame(const uint8_t *f, uint8_t len) {
  bool bypass = f[0] & 0x20, control = f[0] & 0x10;
  if (!bypass) return sequenced(f[4]);
  farm_b++;                                  // E6, E7, E8: in every state
  if (!control) return true;                 // E6: Type-BD, accepted
  const uint8_t *d = f + PJ_TC_HEADER_LEN;
  if (is_unlock(d, len - PJ_TC_HEADER_LEN - PJ_FECF_LEN)) {
    lockout = wait = retransmit = false;     // E7: back to Open
  } else if (!lockout) {                     // E8: Set V(R), refused (but counted) in Lockout
    v_r = d[2];
    wait = retransmit = false;
  }
  return false;
}

void pj_farm_poll() {
  if (wait && pj_tm_room() >= PJ_TM_REPLY_ROOM) wait = false;   // E10: buffer release
}

uint32_t pj_farm_clcw() {
  // control word type 0, version 0, status 0, COP-1 in effect, VC 0, RF and bit lock present
  return 0x01000000UL | ((uint16_t)lockout << 13) | ((uint16_t)wait << 12) |
         ((uint16_t)retransmit << 11) | ((uint16_t)(farm_b & 3) << 9) | v_r;
}

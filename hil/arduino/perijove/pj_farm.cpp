// FARM-1 per the state table of CCSDS 232.1-B-2 (table 6-1). The state is kept as its three
// flags: Lockout (S3) whatever the others, else Wait (S2), else Open (S1). Frame sequence
// arithmetic is modulo 256, as the standard's note on N(S), V(R), PW and NW asks.
#include "pj_farm.h"

#include "pj_app.h"
#include "pj_dictionary.h"
#include "pj_downlink.h"
#include "pj_wire.h"

#define PW 5   // positive window: N(S) = V(R) .. V(R) + PW - 1
#define NW 5   // negative window: N(S) = V(R) - NW .. V(R) - 1
#define SET_VR_OCTET 0x82

static uint8_t v_r;          // V(R): the N(S) expected next
static uint8_t farm_b;       // FARM-B counter: Type-BD and Type-BC frames accepted (2 bits reported)
static bool lockout, wait, retransmit;

// the counters of housekeeping structure 2, in its order (farm_accepted .. farm_invalid, u16 each),
// classified as the host's FARM does (fsw/protocol/cop1/farm.py, fsw/commanding/dispatcher.py)
enum { ACCEPTED, LOCKOUTS, RETRANSMIT, DUPLICATES, LOCKED_OUT, INVALID, COUNTERS };
static uint16_t counts[COUNTERS];

static bool discard(uint8_t why) {
  counts[why]++;
  return false;
}

// farm_lockout (vr, ns), farm_unlocked (vr) and farm_vr_set (vr): V(R) first in each
static void notice(uint16_t id, uint8_t severity, uint8_t len, uint8_t ns) {
  uint8_t args[PJ_EVENT_FARM_LOCKOUT_ARG_LEN] = {v_r, ns};
  pj_event(id, severity, args, len);
}

static bool is_unlock(const uint8_t *d, uint8_t n) { return n == 1 && d[0] == 0; }
static bool is_set_vr(const uint8_t *d, uint8_t n) { return n == 3 && d[0] == SET_VR_OCTET && d[1] == 0; }

uint8_t pj_farm_check(const uint8_t *f, uint8_t len) {
  bool bypass = f[0] & 0x20, control = f[0] & 0x10;
  uint8_t reason = 0;
  const uint8_t *d = f + PJ_TC_HEADER_LEN;
  uint8_t n = len - PJ_TC_HEADER_LEN - PJ_FECF_LEN;
  if (control && !bypass) reason = PJ_REASON_BAD_FRAME_HEADER;   // no frame type has these flags
  else if (control && !is_unlock(d, n) && !is_set_vr(d, n)) reason = PJ_REASON_BAD_ARGUMENT;
  if (reason) counts[INVALID]++;
  return reason;
}

// Type-AD: events E1-E5
static bool sequenced(uint8_t ns) {
  uint8_t ahead = ns - v_r;
  if (ahead == 0) {
    if (lockout) return discard(LOCKED_OUT);   // S3: every Type-AD frame is discarded
    if (wait) return discard(INVALID);         // E1/E2 in S2: no buffer yet
    if (pj_tm_room() < PJ_TM_REPLY_ROOM) {     // E1 in S1: the board cannot take it now
      wait = retransmit = true;
      return discard(INVALID);
    }
    v_r++;                                     // E2 in S1: accept
    retransmit = false;
    counts[ACCEPTED]++;
    return true;
  }
  if (ahead < PW) {                            // E3: a frame was lost; ask for retransmission
    if (!lockout) retransmit = true;
    return discard(RETRANSMIT);
  }
  if ((uint8_t)(v_r - ns) <= NW) return discard(DUPLICATES);   // E4: already accepted
  if (!lockout) {                              // E5: outside both windows
    lockout = true;
    counts[LOCKOUTS]++;
    notice(PJ_EVENT_FARM_LOCKOUT_ID, PJ_EVENT_FARM_LOCKOUT_SEVERITY, PJ_EVENT_FARM_LOCKOUT_ARG_LEN, ns);
  }
  return discard(LOCKED_OUT);
}

bool pj_farm_frame(const uint8_t *f, uint8_t len) {
  bool bypass = f[0] & 0x20, control = f[0] & 0x10;
  if (!bypass) return sequenced(f[4]);
  farm_b++;                                  // E6, E7, E8: in every state
  if (!control) return true;                 // E6: Type-BD, accepted
  const uint8_t *d = f + PJ_TC_HEADER_LEN;
  if (is_unlock(d, len - PJ_TC_HEADER_LEN - PJ_FECF_LEN)) {
    if (lockout) notice(PJ_EVENT_FARM_UNLOCKED_ID, PJ_EVENT_FARM_UNLOCKED_SEVERITY, PJ_EVENT_FARM_UNLOCKED_ARG_LEN, 0);
    lockout = wait = retransmit = false;     // E7: back to Open
  } else if (!lockout) {                     // E8: Set V(R), refused (but counted) in Lockout
    v_r = d[2];
    wait = retransmit = false;
    notice(PJ_EVENT_FARM_VR_SET_ID, PJ_EVENT_FARM_VR_SET_SEVERITY, PJ_EVENT_FARM_VR_SET_ARG_LEN, 0);
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

void pj_farm_hk(uint8_t *out) {
  out[PJ_HK_COMMANDING_FARM_VR] = v_r;
  out[PJ_HK_COMMANDING_FARM_STATE] = lockout ? PJ_HK_COMMANDING_FARM_STATE_LOCKOUT
                                     : wait  ? PJ_HK_COMMANDING_FARM_STATE_WAIT
                                             : PJ_HK_COMMANDING_FARM_STATE_OPEN;
  static_assert(PJ_HK_COMMANDING_FARM_INVALID == PJ_HK_COMMANDING_FARM_ACCEPTED + 2 * INVALID,
                "the FARM counters are consecutive u16 in housekeeping structure 2");
  for (uint8_t i = 0; i < COUNTERS; i++) pj_put16(out + PJ_HK_COMMANDING_FARM_ACCEPTED + 2 * i, counts[i]);
}

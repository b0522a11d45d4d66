// FARM-1, the receiving end of COP-1 (CCSDS 232.1-B-2 section 6), for TC virtual channel 0 with
// a fixed sliding window of W = 10 (positive and negative windows of 5). The board keeps no FARM
// state across a reset: it starts Open with V(R) = 0, and the ground recovers by Set V(R)/Unlock.
#ifndef PJ_FARM_H
#define PJ_FARM_H

#include <stdint.h>

// Why a frame that passed the FECF, version and spacecraft id checks is still invalid (0: it is
// valid): bypass 0 with control 1 is no frame type, and a Type-BC frame must hold a control command
uint8_t pj_farm_check(const uint8_t *frame, uint8_t len);
// A valid TC frame through the FARM-1 state table: true when its data field goes on to the packet
// layer (a Type-AD frame accepted in sequence, or a Type-BD frame); control commands end here.
bool pj_farm_frame(const uint8_t *frame, uint8_t len);
// the standard CLCW (CCSDS 232.0-B 4.2) of the FARM now, for the OCF of the next TM frame
uint32_t pj_farm_clcw();
// V(R), the state and the counters of housekeeping structure 2 (commanding)
void pj_farm_hk(uint8_t *out);
// the board can take frames again (the downlink has room for replies): leave the Wait state
void pj_farm_poll();

#endif

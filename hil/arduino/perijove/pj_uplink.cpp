#include <Arduino.h>
#include <string.h>

#include "pj_app.h"
#include "pj_board.h"
#include "pj_downlink.h"
#include "pj_uart.h"
#include "pj_uplink.h"
#include "pj_wire.h"

static const uint8_t asm_octets[PJ_ASM_LEN] = {
    (uint8_t)(PJ_ASM >> 24), (uint8_t)(PJ_ASM >> 16), (uint8_t)(PJ_ASM >> 8), (uint8_t)PJ_ASM};

static uint8_t buffer[PJ_ASM_LEN + PJ_TC_ACCEPT_LEN];
static uint8_t count;
// the rejected span being skipped: its reason and length, reported when sync returns
static uint8_t span_reason;
static uint16_t span_octets;

static void close_span() {
  if (span_reason) pj_frame_rejected(span_reason, span_octets);
  span_reason = 0;
  span_octets = 0;
}

// drop the first octet: junk, or the start of a candidate that failed with reason
static void skip_one(uint8_t reason) {
  if (reason) {
    close_span();
    span_reason = reason;
  } else if (!span_reason) {
    span_reason = PJ_REASON_JUNK;
  }
  span_octets++;
  memmove(buffer, buffer + 1, --count);
}

// returns true when buffer holds nothing more to decide on
static bool step() {
  uint8_t prefix = count < PJ_ASM_LEN ? count : PJ_ASM_LEN;
  if (memcmp(buffer, asm_octets, prefix) != 0) {
    skip_one(0);
    return count == 0;
  }
  if (count < PJ_ASM_LEN + PJ_TC_HEADER_LEN) return true;
  uint16_t length = (((uint16_t)(buffer[PJ_ASM_LEN + 2] & 0x03) << 8) | buffer[PJ_ASM_LEN + 3]) + 1;
  if (length < PJ_TC_MIN_FRAME_LEN || length > PJ_TC_ACCEPT_LEN) {
    skip_one(PJ_REASON_BAD_FRAME_LENGTH);
    return false;
  }
  if (count < PJ_ASM_LEN + length) return true;
  PJ_MARKER(true);
  if (pj_crc16(pj_crc16_start(), buffer + PJ_ASM_LEN, length)) {
    skip_one(PJ_REASON_BAD_FECF);
    PJ_MARKER(false);
    return false;
  }
  close_span();
  pj_uplink_frame(buffer + PJ_ASM_LEN, length);
  PJ_MARKER(false);
  count -= PJ_ASM_LEN + length;
  memmove(buffer, buffer + PJ_ASM_LEN + length, count);
  return count == 0;
}

// Octets wait in the receive ring while the downlink has no room for what they may bring, so
// replies are not dropped; once the ring is three quarters full they go on all the same, as
// uplink octets lost would be worse than telemetry dropped (and counted). That leaves 32 octets,
// 2.8 ms at 115200 baud, for one pass of the main loop: a pass that dispatches a command, takes a
// capture step and sends a frame stays under it. (File Data PDUs, longer, start only when the
// ring is empty.)
#define RING_PRESSED (PJ_RX_RING * 3 / 4)

static uint8_t overruns_seen;

void pj_uplink_poll() {
  // octets the ring had no room for: reported as a span of their own (before the span they fell
  // in, which is reported when it ends); the frames they belonged to are rejected in turn, and
  // COP-1 sends them again
  uint8_t lost = pj_uart_overruns() - overruns_seen;
  if (lost) {
    overruns_seen += lost;
    pj_frame_rejected(PJ_REASON_OCTETS_LOST, lost);
  }
  int16_t octet;
  while ((pj_tm_room() >= PJ_TM_REPLY_ROOM || pj_uart_available() >= RING_PRESSED) &&
         (octet = pj_uart_read()) >= 0) {
    buffer[count++] = octet;
    while (!step()) {
    }
    if (count == sizeof buffer) skip_one(0);   // cannot happen: lengths are bounded above
  }
}

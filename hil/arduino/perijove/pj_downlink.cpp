#include <Arduino.h>
#include <avr/pgmspace.h>
#include <string.h>
#include <util/crc16.h>

#include "pj_clock.h"
#include "pj_dictionary.h"
#include "pj_downlink.h"
#include "pj_farm.h"
#include "pj_uart.h"
#include "pj_wire.h"

#define ZONE_AT (PJ_ASM_LEN + PJ_TM_HEADER_LEN)
#define ZONE_LEN (PJ_TM_FRAME_LEN - PJ_TM_HEADER_LEN - PJ_OCF_LEN - PJ_FECF_LEN)
#define BUFFER_LEN (PJ_ASM_LEN + PJ_TM_FRAME_LEN)
#define OCF_AT (PJ_TM_HEADER_LEN + ZONE_LEN)
#define FLUSH_QUIET_MS 2      // uplink silent this long: nothing more to batch
#define FLUSH_MAX_AGE_MS 23   // one 260-octet frame at 115200 baud: no partial frame waits longer
#define IDLE_EVERY_MS 500     // the line silent this long: an idle frame for the CLCW

// a ring of frame buffers: the oldest full one goes out through the UART interrupt while the
// others fill, so the next frame is ready when the line frees and image data is computed while a
// frame is on the line. A full frame gets its OCF and FECF (a CRC over 254 octets, ~10,000
// cycles) and goes to the UART from the main loop, not inside the command dispatch that happened
// to fill it. Nothing here waits for the UART: a packet that does not fit in the room left is
// dropped whole and counted
#define BUFFERS 4
static uint8_t frames[BUFFERS][BUFFER_LEN];
static uint8_t head;                      // the oldest full frame: on the line, or next to go
static uint8_t queued;                    // full frames from head on (the one on the line included)
static bool on_line;                      // frames[head] is being sent
static uint8_t *zone = frames[0] + ZONE_AT;   // the packet zone of the frame filling now
static bool prepared;                     // prepared_crc: the CRC of the next frame's header and zone
static uint16_t prepared_crc;
static bool dropping;                     // the packet being put did not fit: its octets go nowhere
static uint32_t dropped;                  // octets of packets dropped
static uint8_t fill;                      // octets used in the current zone
static uint16_t first_header = PJ_FHP_NO_PACKET_START;
static uint8_t mc_count, vc_count, idle_count;   // idle frames count on their own channel
static uint32_t sent_clcw;                // the CLCW of the last frame sent, and when it went
static uint32_t sent_ms;
static uint32_t first_put_ms;
static bool bulk_coming;                  // bulk data asked for room since the last pj_tm_poll
static uint8_t bulk_len;                  // ... for a packet this long
static uint16_t packet_left;              // octets of the current packet still to put
static uint16_t packet_crc;

// sequence counts per APID and message type counters per (APID, service). Each APID the board
// sends from has its own slot; any other APID (failure reports to unknown APIDs) shares the
// last one, so a stream of unknown APIDs cannot take the slots of the board's own.
#define SLOTS 10
static uint16_t seq_counts[SLOTS];
static uint16_t msg_counts[SLOTS][2];     // service 1 (verification), and the APID's other one

static const uint16_t own_apids[SLOTS - 1] PROGMEM = {
    PJ_APID_EXECUTIVE, PJ_APID_HOUSEKEEPING, PJ_APID_EVENTS, PJ_APID_SCHEDULE,
    PJ_APID_MODES,     PJ_APID_CAMERA,       PJ_APID_THERMAL, PJ_APID_FILES, PJ_CFDP_APID};

static uint8_t slot(uint16_t apid) {
  uint8_t i = 0;
  while (i < SLOTS - 1 && pgm_read_word(&own_apids[i]) != apid) i++;
  return i;
}

static uint16_t next_sequence(uint16_t apid) { return seq_counts[slot(apid)]++; }

static uint16_t next_message(uint16_t apid, uint8_t service) {
  return msg_counts[slot(apid)][service != 1]++;
}

static uint8_t *current_frame() {
  uint8_t i = head + queued;
  return frames[i < BUFFERS ? i : i - BUFFERS];
}

// the frame on the line has gone: its buffer fills again
static void release() {
  if (!on_line || pj_uart_tx_busy()) return;
  on_line = false;
  head = head + 1 < BUFFERS ? head + 1 : 0;
  queued--;
}

static uint8_t *queued_frame(uint8_t k) {   // the k-th full frame from head
  uint8_t i = head + k;
  return frames[i < BUFFERS ? i : i - BUFFERS] + PJ_ASM_LEN;
}

// the oldest full frame: CLCW, FECF, and out. The FECF's CRC over the header and zone of the
// frame that goes next is computed while the one before it is on the line, so the line does not
// wait for it; only the OCF's four octets are added when the frame leaves
void pj_tm_service() {
  release();
  if (!on_line && queued) {
    uint8_t *h = queued_frame(0);
    uint16_t crc = prepared ? prepared_crc : pj_crc16(pj_crc16_start(), h, OCF_AT);
    // the FARM's CLCW as it is when the frame leaves, not when it was filled
    sent_clcw = pj_farm_clcw();
    sent_ms = millis();
    pj_put32(h + OCF_AT, sent_clcw);
    pj_put16(h + OCF_AT + PJ_OCF_LEN, pj_crc16(crc, h + OCF_AT, PJ_OCF_LEN));
    pj_uart_send(h - PJ_ASM_LEN, BUFFER_LEN);
    on_line = true;
    prepared = false;
  }
  if (!prepared && queued > 1) {
    prepared_crc = pj_crc16(pj_crc16_start(), queued_frame(1), OCF_AT);
    prepared = true;
  }
}

// the zone is full: the header now; it waits in the ring for pj_tm_poll to send it, and the
// next buffer (if one is free) fills
static void finish_frame(uint8_t vcid, uint8_t vc_frame_count, uint16_t fhp) {
  uint8_t *f = current_frame();
  f[0] = (uint8_t)(PJ_ASM >> 24);
  f[1] = (uint8_t)(PJ_ASM >> 16);
  f[2] = (uint8_t)(PJ_ASM >> 8);
  f[3] = (uint8_t)PJ_ASM;
  uint8_t *h = f + PJ_ASM_LEN;
  pj_put16(h, (PJ_SPACECRAFT_ID << 4) | (vcid << 1) | 1);   // OCF present
  h[2] = mc_count++;
  h[3] = vc_frame_count;
  pj_put16(h + 4, (0x3 << 11) | fhp);
  queued++;
  zone = current_frame() + ZONE_AT;   // frames[head + queued]: release() leaves it where it is
  fill = 0;
  first_header = PJ_FHP_NO_PACKET_START;
}

static void put_raw(uint8_t octet) {
  if (fill == 0 && first_header == PJ_FHP_NO_PACKET_START) first_put_ms = millis();
  zone[fill] = octet;
  if (++fill == ZONE_LEN) finish_frame(0, vc_count++, first_header);
}

static void mark_packet_start() {
  if (first_header == PJ_FHP_NO_PACKET_START) first_header = fill;
  if (fill == 0) first_put_ms = millis();
}

// a packet of len octets (its CRC included) starts, its primary header first; one that does not fit is dropped
// whole (its sequence count is spent all the same: the ground sees the gap)
static bool packet_start(uint16_t apid, uint16_t len, uint16_t flags) {
  uint16_t sequence = next_sequence(apid);
  dropping = len > pj_tm_room();
  if (dropping) {
    dropped += len;
    return false;
  }
  mark_packet_start();
  packet_crc = pj_crc16_start();
  packet_left = len - PJ_CRC_LEN;
  pj_tm_put16(flags | apid);
  pj_tm_put16(0xC000 | (sequence & 0x3FFF));
  pj_tm_put16(len - PJ_PRIMARY_HEADER_LEN - 1);
  return true;
}

void pj_tm_begin(uint16_t apid, uint8_t service, uint8_t subtype, uint16_t data_len) {
  uint16_t message = next_message(apid, service);   // spent too when the packet is dropped
  if (!packet_start(apid, PJ_TM_PACKET_LEN(data_len), 0x0800)) return;   // TM, secondary header
  pj_tm_put(PJ_PUS_VERSION << 4);
  pj_tm_put(service);
  pj_tm_put(subtype);
  pj_tm_put16(message);
  pj_tm_put16(0);          // destination id
  uint32_t seconds;
  uint16_t fraction;
  pj_clock_now(&seconds, &fraction);
  pj_tm_put32(seconds);
  pj_tm_put16(fraction);
}

void pj_tm_begin_raw(uint16_t apid, uint16_t data_len) {
  if (!packet_start(apid, PJ_PRIMARY_HEADER_LEN + data_len, 0)) return;
  packet_crc = pj_crc16_start();   // the CRC covers the data field alone
}

void pj_tm_put(uint8_t octet) {
  if (dropping) return;
  packet_crc = _crc_xmodem_update(packet_crc, octet);   // CRC-16/CCITT-FALSE step
  packet_left--;
  put_raw(octet);
}

void pj_tm_put16(uint16_t value) {
  pj_tm_put(value >> 8);
  pj_tm_put(value);
}

void pj_tm_put32(uint32_t value) {
  pj_tm_put16(value >> 16);
  pj_tm_put16(value);
}

void pj_tm_write(const uint8_t *data, uint16_t len) {
  while (len--) pj_tm_put(*data++);
}

void pj_tm_end() {
  if (dropping) {
    dropping = false;
    return;
  }
  // a short packet body (a bug) still ends as a well-formed packet, padded with zeros
  while (packet_left) pj_tm_put(0);
  uint16_t crc = packet_crc;
  put_raw(crc >> 8);
  put_raw(crc);
}

static void put_idle(uint16_t len) {
  mark_packet_start();
  put_raw(PJ_IDLE_APID >> 8);
  put_raw(PJ_IDLE_APID & 0xFF);
  put_raw(0xC0);
  put_raw(0x00);
  put_raw((len - PJ_PRIMARY_HEADER_LEN - 1) >> 8);
  put_raw(len - PJ_PRIMARY_HEADER_LEN - 1);
  for (uint16_t i = PJ_PRIMARY_HEADER_LEN; i < len; i++) put_raw(0x55);
}

static bool spare(uint16_t packet_len);

void pj_tm_poll() {
  release();
  // a partial frame waits while frames wait for the line: packets may still join it. Quiet
  // uplink (or one frame time) completes it, as soon as no bulk data could join it now: a
  // segment that fits goes in first (no idle fill while data waits), but a frame never waits
  // for bulk that cannot come, so a burst of commands finds the buffers drained for its replies
  if (fill && !queued) {
    uint32_t now = millis();
    bool quiet = !pj_uart_available() && now - pj_uart_last_rx_ms() >= FLUSH_QUIET_MS;
    bool joins = bulk_coming && spare(bulk_len);
    if (!joins && (quiet || now - first_put_ms >= FLUSH_MAX_AGE_MS)) {
      uint16_t gap = ZONE_LEN - fill;
      // a gap too small for an idle packet takes one that fills the next frame as well
      put_idle(gap >= PJ_MIN_PACKET_LEN ? gap : gap + ZONE_LEN);
    }
  }
  // nothing else to send: an idle frame carries a changed CLCW at once, and the same one each
  // IDLE_EVERY_MS, so the ground's FOP-1 hears the FARM at least once a second
  if (!fill && !queued && (millis() - sent_ms >= IDLE_EVERY_MS || pj_farm_clcw() != sent_clcw)) {
    memset(zone, 0x55, ZONE_LEN);
    finish_frame(PJ_VC_IDLE, idle_count++, PJ_FHP_IDLE_ONLY);
  }
  pj_tm_service();
  bulk_coming = false;   // the camera asks again on its next tick while it has more
}

uint16_t pj_tm_room() {
  release();
  if (queued == BUFFERS) return 0;
  return ZONE_LEN - fill + ZONE_LEN * (BUFFERS - 1 - queued);
}

// background telemetry also waits while the uplink is busy, not only while octets wait in the
// ring: a burst of commands then finds the frame buffers drained for its replies
static bool spare(uint16_t packet_len) {
  return !pj_uart_available() && millis() - pj_uart_last_rx_ms() >= FLUSH_QUIET_MS &&
         pj_tm_room() >= packet_len + PJ_TM_REPLY_ROOM;
}

bool pj_tm_spare(uint16_t data_len) { return spare(PJ_TM_PACKET_LEN(data_len)); }

bool pj_tm_bulk(uint16_t packet_len) {
  bulk_coming = true;
  bulk_len = packet_len;
  return spare(packet_len);
}

uint32_t pj_tm_dropped() { return dropped; }


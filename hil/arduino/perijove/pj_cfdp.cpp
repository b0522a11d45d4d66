// CFDP class 1 (unacknowledged, CCSDS 727.0-B-5) for the camera's image file: a Metadata PDU,
// File Data PDUs, an EOF PDU, each alone in a space packet on PJ_CFDP_APID with its CRC-16, sent
// as the line drains. The file is made octet by octet as it goes (pj_image_file_next) and its
// checksum with it: nothing of the file is held in RAM. The checksum is CFDP's modular one (type
// 0, the standard's default): a bitwise CRC-32 cost 200 cycles an octet, a third of the pixel's.
#include <Arduino.h>
#include <avr/pgmspace.h>

#include "pj_app.h"
#include "pj_downlink.h"
#include "pj_wire.h"

#define HEADER_LEN (4 + 3 * PJ_CFDP_ID_OCTETS)   // fixed part, source id, sequence, destination
// A File Data PDU is made in one pass of the main loop, about 800 cycles an octet (the pixel,
// its companding, the packet's CRC): 128 octets take 6.5 ms, well inside the 11 ms the 128-octet
// receive ring holds at 115200 baud. A PDU that filled a frame (222 octets, 15 ms with a CRC-32)
// overran it.
#define DATA_LEN 128
#define NAME_LEN 16                               // image_NNNNN.pjim
#define METADATA 0x07
#define EOF_PDU 0x04
#define CHECKSUM_MODULAR 0

enum { IDLE, SEND_METADATA, SEND_DATA, SEND_EOF };
static uint8_t step;
static uint16_t image, sequence;
static uint16_t size, offset;   // a file is at most 8 + its header + 4 planes of 4,096 pixels
static uint32_t file_sum;       // the modular checksum of the whole words so far
static uint32_t file_word;      // the word being filled, its octets shifted in
static PjRequest request;
// the PDU header, once the line has room for the whole PDU; data_len counts the data field
// with its CRC. Towards the receiver, unacknowledged, with CRC, small file
static bool begin(bool file_data, uint16_t data_len) {
  if (!pj_tm_bulk(PJ_PRIMARY_HEADER_LEN + HEADER_LEN + data_len)) return false;
  pj_tm_begin_raw(PJ_CFDP_APID, HEADER_LEN + data_len);   // pj_tm_end appends the PDU's CRC
  pj_tm_put(0x20 | (file_data ? 0x10 : 0) | 0x04 | 0x02);
  pj_tm_put16(data_len);
  pj_tm_put(((PJ_CFDP_ID_OCTETS - 1) << 4) | (PJ_CFDP_SEQUENCE_OCTETS - 1));
  pj_tm_put16(PJ_CFDP_FLIGHT_ENTITY);
  pj_tm_put16(sequence);
  pj_tm_put16(PJ_CFDP_GROUND_ENTITY);
  return true;
}

static void put_name() {   // as the host names it: image_00042.pjim
  static const char name[] PROGMEM = "image_#####.pjim";
  pj_tm_put(NAME_LEN);
  uint16_t power = 10000;
  for (const char *at = name; uint8_t c = pgm_read_byte(at); at++) {
    if (c == '#') {
      c = '0' + image / power % 10;
      power /= 10;
    }
    pj_tm_put(c);
  }
}

uint8_t pj_cfdp_command(const uint8_t *args, const PjRequest &r) {
  // class 2 (acknowledged) needs NAK handling the board has no room for
  if (args[PJ_ARG_FILE_DOWNLINK_CFDP_CLASS] != 1) return PJ_REASON_ARG_OUT_OF_RANGE;
  if (step != IDLE) return PJ_REASON_BUSY;
  image = pj_get16(args + PJ_ARG_FILE_DOWNLINK_IMAGE_ID);
  size = pj_image_file_open(image);
  if (!size) return PJ_REASON_NO_SUCH_ITEM;
  request = r;
  offset = 0;
  file_sum = 0;
  step = SEND_METADATA;
  return PJ_DEFERRED;
}

void pj_cfdp_tick() {
  if (step == SEND_METADATA && begin(false, 1 + 1 + 4 + 2 * (1 + NAME_LEN) + PJ_CRC_LEN)) {
    pj_tm_put(METADATA);
    pj_tm_put(CHECKSUM_MODULAR);   // closure not requested
    pj_tm_put16(0);
    pj_tm_put16(size);
    put_name();                  // source
    put_name();                  // destination
    pj_tm_end();
    step = SEND_DATA;
  } else if (step == SEND_DATA) {
    uint16_t len = min(DATA_LEN, size - offset);
    if (!begin(true, 4 + len + PJ_CRC_LEN)) return;
    pj_tm_put16(0);
    pj_tm_put16(offset);
    for (uint16_t k = 0; k < len; k++) {
      uint8_t octet = pj_image_file_next();
      file_word = file_word << 8 | octet;   // the file as big-endian 32-bit words from offset 0, summed
      if (((offset + k) & 3) == 3) file_sum += file_word;
      pj_tm_put(octet);
      if ((k & 3) == 3) pj_tm_service();   // the line never waits for the pixels
    }
    pj_tm_end();
    offset += len;
    if (offset == size) step = SEND_EOF;
  } else if (step == SEND_EOF && begin(false, 1 + 1 + 4 + 4 + PJ_CRC_LEN)) {
    pj_tm_put(EOF_PDU);
    pj_tm_put(0);                // no error
    // the last word, short of octets, is padded with zeros
    if (size & 3) file_sum += file_word << 8 * (4 - (size & 3));
    pj_tm_put32(file_sum);
    pj_tm_put16(0);
    pj_tm_put16(size);
    pj_tm_end();
    step = IDLE;
    pj_image_file_close();
    uint8_t event[PJ_EVENT_FILE_SENT_ARG_LEN];
    pj_put16(event + PJ_EVENT_FILE_SENT_ARG_SEQUENCE, sequence++);
    pj_put32(event + PJ_EVENT_FILE_SENT_ARG_OCTETS, size);
    pj_event(PJ_EVENT_FILE_SENT_ID, PJ_EVENT_FILE_SENT_SEVERITY, event, sizeof event);
    pj_complete(request, 0);
  }
}

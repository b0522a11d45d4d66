// Downlink: TM packets (PUS-C headers, CRC) packed into fixed-length TM frames with the CLCW
// in the OCF and a FECF. Packets may span frames; a partial frame is completed with an idle
// packet once the uplink goes quiet, so replies never wait for more traffic, unless bulk data
// waits to fill it (one frame time at most); idle frames (VC 7) carry the CLCW when the line
// would be silent. Nothing waits for the UART: a packet that does not fit in the frame buffers'
// room is dropped and counted.
#ifndef PJ_DOWNLINK_H
#define PJ_DOWNLINK_H

#include <stdint.h>

#include "pj_dictionary.h"

#define PJ_TM_PACKET_LEN(data_len) \
  (PJ_PRIMARY_HEADER_LEN + PJ_TM_SECONDARY_LEN + (data_len) + PJ_CRC_LEN)
// the most telemetry one uplink octet can bring: a rejected span's event, then a TC's acceptance,
// start and completion reports around its largest reply (hk_oneshot's 48-octet structure)
#define PJ_TM_REPLY_ROOM \
  (PJ_TM_PACKET_LEN(6) + 3 * PJ_TM_PACKET_LEN(4) + PJ_TM_PACKET_LEN(1 + 48))

void pj_tm_begin(uint16_t apid, uint8_t service, uint8_t subtype, uint16_t data_len);
// a packet with no secondary header, its data field (a CFDP PDU) data_len octets, the last two
// of them the CRC pj_tm_end appends, which covers the data field alone (the PDU's own CRC)
void pj_tm_begin_raw(uint16_t apid, uint16_t data_len);
void pj_tm_put(uint8_t octet);
void pj_tm_put16(uint16_t value);
void pj_tm_put32(uint32_t value);
void pj_tm_write(const uint8_t *data, uint16_t len);
void pj_tm_end();
void pj_tm_poll();          // hand full frames to the UART; complete a partial one when quiet
// the next full frame to the UART as soon as the line is free: for long work (a file's PDUs)
// that puts many octets between two turns of the main loop
void pj_tm_service();
uint16_t pj_tm_room();      // octets a packet may take now without being dropped
// a packet of data_len may go now and leave room for a TC's replies: for telemetry that can wait
bool pj_tm_spare(uint16_t data_len);
// the same for bulk data (a file's PDUs), a packet of packet_len octets in all: while it keeps
// asking, a partial frame waits for it (one frame time at most) instead of being completed with
// idle data
bool pj_tm_bulk(uint16_t packet_len);
uint32_t pj_tm_dropped();   // octets of telemetry dropped because the line did not keep up

#endif

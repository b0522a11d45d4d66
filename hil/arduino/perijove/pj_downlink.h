// Downlink: TM packets (PUS-C headers, CRC) packed into fixed-length TM frames with the CLCW
// in the OCF and a FECF. Packets may span frames; a partial frame is completed with an idle
// packet once the uplink goes quiet, so replies never wait for more traffic.
#ifndef PJ_DOWNLINK_H
#define PJ_DOWNLINK_H

#include <stdint.h>

void pj_tm_begin(uint16_t apid, uint8_t service, uint8_t subtype, uint16_t data_len);
void pj_tm_put(uint8_t octet);
void pj_tm_put16(uint16_t value);
void pj_tm_put32(uint32_t value);
void pj_tm_write(const uint8_t *data, uint16_t len);
void pj_tm_end();
void pj_tm_poll();          // send a partial frame when the line is quiet
bool pj_tm_can_queue();     // a packet can be written now without waiting for the UART
void pj_tm_set_clcw_report(uint8_t next_expected);

#endif

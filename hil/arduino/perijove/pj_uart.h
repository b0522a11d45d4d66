// UART0 with interrupt-driven receive into a ring and transmit of whole frames, so the board
// keeps listening while a 256-octet TM frame goes out (22 ms at 115200 baud).
#ifndef PJ_UART_H
#define PJ_UART_H

#include <stdint.h>

void pj_uart_begin(uint32_t baud);
int16_t pj_uart_read();            // next received octet, or -1
uint8_t pj_uart_available();
uint8_t pj_uart_overruns();        // octets lost because the ring was full, modulo 256
bool pj_uart_tx_busy();
void pj_uart_send(const uint8_t *data, uint16_t len);  // the caller keeps data until not busy
uint32_t pj_uart_last_rx_ms();     // millis() at the last received octet

#endif

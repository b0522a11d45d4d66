#include <Arduino.h>
#include <avr/interrupt.h>

#include "pj_board.h"
#include "pj_uart.h"

// the Mega names its first USART 0; the Uno's has no number
#if defined(USART0_RX_vect)
#define PJ_RX_VECT USART0_RX_vect
#define PJ_UDRE_VECT USART0_UDRE_vect
#else
#define PJ_RX_VECT USART_RX_vect
#define PJ_UDRE_VECT USART_UDRE_vect
#endif

static volatile uint8_t rx_ring[PJ_RX_RING];
static volatile uint8_t rx_head, rx_tail;
static volatile uint8_t rx_overruns;     // modulo 256: read every pass of the loop
static volatile uint32_t rx_last_ms;
static const uint8_t *volatile tx_data;
static volatile uint16_t tx_left;

void pj_uart_begin(uint32_t baud) {
  UCSR0A = _BV(U2X0);
  uint16_t ubrr = (F_CPU / 4 / baud - 1) / 2;
  UBRR0H = ubrr >> 8;
  UBRR0L = ubrr;
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);   // 8N1
  UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
}

ISR(PJ_RX_VECT) {
  // the status belongs to the octet in UDR0: read it first (after UDR0 it is the next one's)
  bool overrun = UCSR0A & _BV(DOR0);
  uint8_t octet = UDR0;
  if (overrun) rx_overruns++;
  uint8_t next = (rx_head + 1) & (PJ_RX_RING - 1);
  if (next == rx_tail) {
    rx_overruns++;
    return;
  }
  rx_ring[rx_head] = octet;
  rx_head = next;
  rx_last_ms = millis();
}

ISR(PJ_UDRE_VECT) {
  if (tx_left) {
    UDR0 = *tx_data;
    tx_data = tx_data + 1;
    tx_left = tx_left - 1;
  }
  if (!tx_left) UCSR0B &= ~_BV(UDRIE0);
}

int16_t pj_uart_read() {
  if (rx_head == rx_tail) return -1;
  uint8_t octet = rx_ring[rx_tail];
  rx_tail = (rx_tail + 1) & (PJ_RX_RING - 1);
  return octet;
}

uint8_t pj_uart_available() { return (rx_head - rx_tail) & (PJ_RX_RING - 1); }

uint8_t pj_uart_overruns() { return rx_overruns; }   // one octet: read at once

uint32_t pj_uart_last_rx_ms() {
  uint8_t sreg = SREG;
  cli();
  uint32_t t = rx_last_ms;
  SREG = sreg;
  return t;
}

// tx_left is 16 bits and the interrupt changes it between the two octets of a read (0x100 read
// as 0): the UDRE interrupt enable, one register the interrupt clears when done, says it exactly
bool pj_uart_tx_busy() { return UCSR0B & _BV(UDRIE0); }

void pj_uart_send(const uint8_t *data, uint16_t len) {
  while (pj_uart_tx_busy()) {
  }
  uint8_t sreg = SREG;
  cli();
  tx_data = data;
  tx_left = len;
  UCSR0B |= _BV(UDRIE0);
  SREG = sreg;
}

// Board wiring and sizes: the only place that knows pins and buffer budgets.
#ifndef PJ_BOARD_H
#define PJ_BOARD_H

#include <Arduino.h>

#define PJ_BAUD 115200UL
#define PJ_HEATER_PIN 8         // drives the MOSFET gate (or an LED stand-in)
#define PJ_MARKER_PIN 9         // high while one TC is decoded and dispatched (cycle counts)
// the marker written to its port directly: a digitalWrite costs 8 octets of flash a call and some
// 50 cycles, which the cycle count would include. Pin 9 is PB1 on the Uno, PH6 on the Mega
#if defined(__AVR_ATmega2560__)
#define PJ_MARKER(high) ((high) ? (PORTH |= _BV(PH6)) : (PORTH &= ~_BV(PH6)))
#else
#define PJ_MARKER(high) ((high) ? (PORTB |= _BV(PB1)) : (PORTB &= ~_BV(PB1)))
#endif
#define PJ_THERMISTOR_PIN A0    // NTC to GND, fixed resistor to 5 V

// the thermistor divider's values (PJ_NTC_*) are generated into pj_dictionary.h from
// hil/board.py, which the simavr harness reads too

// heater power, sink, setpoints and limits come from the host's thermal model through
// pj_dictionary.h (PJ_THERMAL_*); the board has no sink sensor and reports the model's sink

// SDLS (authenticated commanding, pj_sdls.h) where it fits: the Mega's 256 KB of flash and 8 KB
// of RAM; not the Uno's (docs/PERFORMANCE.md gives the numbers). PJ_SDLS_ON_UNO builds it for the
// Uno all the same, only to measure what it would take there (hil/arduino/measure.py).
#if defined(__AVR_ATmega2560__) || defined(PJ_SDLS_ON_UNO)
#define PJ_SDLS 1
#define PJ_SDLS_OVERHEAD 30     // security header (SPI, IV) and trailer (MAC) in every TC frame
#else
#define PJ_SDLS_OVERHEAD 0
#endif

// longest TC frame the board accepts (its commands are short; RAM is 2 KB on the Uno)
#define PJ_TC_ACCEPT_LEN (48 + PJ_SDLS_OVERHEAD)
#define PJ_RX_RING 128          // power of two

#endif

// Board wiring and sizes: the only place that knows pins and buffer budgets.
#ifndef PJ_BOARD_H
#define PJ_BOARD_H

#include <Arduino.h>

#define PJ_BAUD 115200UL
#define PJ_HEATER_PIN 8         // drives the MOSFET gate (or an LED stand-in)
#define PJ_MARKER_PIN 9         // high while one TC is decoded and dispatched (cycle counts)
#define PJ_THERMISTOR_PIN A0    // NTC to GND, fixed resistor to 5 V

// the thermistor divider's values (PJ_NTC_*) are generated into pj_dictionary.h from
// hil/board.py, which the simavr harness reads too

// heater power, sink, setpoints and limits come from the host's thermal model through
// pj_dictionary.h (PJ_THERMAL_*); the board has no sink sensor and reports the model's sink

// longest TC frame the board accepts (its commands are short; RAM is 2 KB)
#define PJ_TC_ACCEPT_LEN 48
#define PJ_RX_RING 128          // power of two

#endif

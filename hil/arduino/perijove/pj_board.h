// Board wiring and sizes: the only place that knows pins and buffer budgets.
#ifndef PJ_BOARD_H
#define PJ_BOARD_H

#include <Arduino.h>

#define PJ_BAUD 115200UL
#define PJ_HEATER_PIN 8         // drives the MOSFET gate (or an LED stand-in)
#define PJ_MARKER_PIN 9         // high while one TC is decoded and dispatched (cycle counts)
#define PJ_THERMISTOR_PIN A0    // NTC to GND, fixed resistor to 5 V

// thermistor divider: 10 k NTC (beta 3950 at 25 C) below a 10 k fixed resistor
#define PJ_NTC_R0 10000.0f
#define PJ_NTC_BETA 3950.0f
#define PJ_NTC_FIXED 10000.0f

// the heater's electrical power, reported in housekeeping (centiwatts)
#define PJ_HEATER_POWER_CW 2000
// the board has no sink sensor: the cold sink temperature the bench models (centi-degrees)
#define PJ_SINK_TEMP_CC (-2000)

// longest TC frame the board accepts (its commands are short; RAM is 2 KB)
// survival thermostat in safe mode (centi-degrees); anneals cool this far below their target
#define PJ_SURVIVAL_SETPOINT_CC (-1000)
#define PJ_ANNEAL_COOL_CC 1000

#define PJ_TC_ACCEPT_LEN 48
#define PJ_RX_RING 128          // power of two

#endif

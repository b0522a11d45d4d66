/*
 * The camera's thermal node and its thermistor, as the host simulation models them
 * (fsw/hw/sim/thermal.py): one heat capacity, one conductance to a cold sink, a heater.
 * Every constant comes from the firmware's generated header, so the harness drives the ADC
 * with the divider the firmware reads; the node's may be overridden on the command line.
 */
#ifndef PERIJOVE_THERMAL_H
#define PERIJOVE_THERMAL_H

#include <math.h>

#include "pj_dictionary.h"

typedef struct {
	double capacity;       /* J/K */
	double conductance;    /* W/K to the sink */
	double sink;           /* degC */
	double heater_power;   /* W when on */
	double external_power; /* W injected by a test (a stuck heater, sunlight) */
	double temperature;    /* degC */
} thermal_node_t;

/* NTC below a fixed resistor across 5 V, read on ADC0 (see docs/HARDWARE.md) */
typedef struct {
	double r0, beta, fixed, supply_mv;
} thermistor_t;

static inline void thermal_defaults(thermal_node_t *n) {
	n->capacity = PJ_NODE_HEAT_CAPACITY_J_PER_K;
	n->conductance = PJ_NODE_CONDUCTANCE_W_PER_K;
	n->sink = PJ_NODE_SINK_C;
	n->heater_power = PJ_NODE_HEATER_POWER_W;
	n->external_power = 0.0;
	n->temperature = PJ_NODE_SINK_C;
}

static inline void thermistor_defaults(thermistor_t *t) {
	t->r0 = PJ_NTC_R0_OHM;
	t->beta = PJ_NTC_BETA_K;
	t->fixed = PJ_NTC_FIXED_OHM;
	t->supply_mv = PJ_ADC_SUPPLY_MV;
}

/* exact exponential step towards the equilibrium, as ThermalNode.step: stable for any dt */
static inline void thermal_advance(thermal_node_t *n, int heater_on, double dt) {
	double power = (heater_on ? n->heater_power : 0.0) + n->external_power;
	double target = n->sink + power / n->conductance;
	n->temperature = target + (n->temperature - target) * exp(-dt * n->conductance / n->capacity);
}

static inline unsigned thermistor_millivolts(const thermistor_t *t, double celsius) {
	double r = t->r0 * exp(t->beta * (1.0 / (celsius + 273.15) - 1.0 / PJ_NTC_T0_K));
	return (unsigned)(t->supply_mv * r / (t->fixed + r) + 0.5);
}

#endif

/*
 * The camera's thermal node and its thermistor, as the host simulation models them
 * (fsw/world/thermal.py): one heat capacity, one conductance to a cold sink, a heater.
 * The defaults are overridden from the command line with the host's constants.
 */
#ifndef PERIJOVE_THERMAL_H
#define PERIJOVE_THERMAL_H

#include <math.h>

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
	/* fsw/world/thermal.py's values; the HIL suite passes them on the command line */
	n->capacity = 600.0;
	n->conductance = 0.12;
	n->sink = -25.0;
	n->heater_power = 12.0;
	n->external_power = 0.0;
	n->temperature = -25.0;
}

static inline void thermistor_defaults(thermistor_t *t) {
	t->r0 = 10000.0;
	t->beta = 3950.0;
	t->fixed = 10000.0;
	t->supply_mv = 5000.0;
}

/* exact exponential step towards the equilibrium, as ThermalNode.step: stable for any dt */
static inline void thermal_advance(thermal_node_t *n, int heater_on, double dt) {
	double power = (heater_on ? n->heater_power : 0.0) + n->external_power;
	double target = n->sink + power / n->conductance;
	n->temperature = target + (n->temperature - target) * exp(-dt * n->conductance / n->capacity);
}

static inline unsigned thermistor_millivolts(const thermistor_t *t, double celsius) {
	double r = t->r0 * exp(t->beta * (1.0 / (celsius + 273.15) - 1.0 / 298.15));
	return (unsigned)(t->supply_mv * r / (t->fixed + r) + 0.5);
}

#endif

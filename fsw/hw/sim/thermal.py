"""The camera's thermal node and the anneal law: the physics of the simulated world.

The Arduino firmware and the simavr harness model the same node with these numbers
(scripts generate its header from here), so sim and firmware agree. Flight's own limits and
procedures are in fsw/thermal/limits.py.

Thermal node (one lumped mass, conductance to a cold sink):

    C dT/dt = P_heater - G (T - T_sink)

  C = 600 J/K, G = 0.12 W/K (time constant C/G = 5000 s), T_sink = -25 C, P = 12 W.
  Heater always on: T -> T_sink + P/G = 75 C, above flight's 65 C over-temperature limit, so
  a heater stuck on is a real hazard. From the sink, 50 C takes ~1.5 h.

Anneal law (recovery of the damaged voltage regulator; see fsw/hw/sim/radiation.py):

  Exposure X = integral over a warm spell of rate(T) dt, counted while T >= 20 C, where
  rate(T) = 0.125 per day * 2 ** ((T - 25 C) / 10 C)   (twice as fast per +10 C).
  The spell heals a fraction 1 - exp(-X) of the recoverable damage, building up over the hold.
  Healing done cool is shallow: a fraction shallow(T) = clip((50 C - T) / 30 C, 0, 1) of what
  heals at temperature T comes back over the following weeks (time constant 10 days).
  So, as in December 2023: 25 C for four days (X = 0.5) heals ~40%, most of which fades; the
  heater at maximum (60 C) for a week (X ~ 10) leaves the camera as good as new; a 50 C, 30 min
  anneal barely helps.
"""

import math

# -- node --
HEAT_CAPACITY_J_PER_K = 600.0
CONDUCTANCE_W_PER_K = 0.12
SINK_C = -25.0
HEATER_POWER_W = 12.0

# -- anneal law --
ANNEAL_MIN_C = 20.0
ANNEAL_RATE_PER_DAY = 0.125      # at the reference temperature
ANNEAL_T_REF_C = 25.0
ANNEAL_DOUBLING_C = 10.0
SHALLOW_FULL_C = 50.0            # healing at or above this lasts
SHALLOW_SPAN_C = 30.0
FADE_S = 10 * 86400.0            # shallow healing comes back with this time constant


def equilibrium_c(heater_w: float, sink_c: float = SINK_C) -> float:
    return sink_c + heater_w / CONDUCTANCE_W_PER_K


def anneal_rate(temp_c: float) -> float:
    """Anneal exposure gained per second at this temperature."""
    if temp_c < ANNEAL_MIN_C:
        return 0.0
    return ANNEAL_RATE_PER_DAY / 86400.0 * 2 ** ((temp_c - ANNEAL_T_REF_C) / ANNEAL_DOUBLING_C)


def anneal_recovery(exposure: float) -> float:
    """Fraction of the recoverable damage a warm spell of this exposure heals."""
    return 1 - math.exp(-exposure)


def shallow_fraction(temp_c: float) -> float:
    """Of what heals at this temperature, the part that comes back (fades) afterwards."""
    return min(1.0, max(0.0, (SHALLOW_FULL_C - temp_c) / SHALLOW_SPAN_C))


class ThermalNode:
    """The simulated camera mass. Exact exponential step, stable for any dt."""

    def __init__(self, temp_c: float = SINK_C, sink_c: float = SINK_C):
        self.temp_c = temp_c
        self.sink_c = sink_c

    def step(self, dt: float, heater_w: float) -> None:
        if dt <= 0:
            return
        target = equilibrium_c(heater_w, self.sink_c)
        tau = HEAT_CAPACITY_J_PER_K / CONDUCTANCE_W_PER_K
        self.temp_c = target + (self.temp_c - target) * math.exp(-dt / tau)

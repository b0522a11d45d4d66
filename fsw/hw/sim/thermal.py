"""The camera's thermal node and the anneal law: the physics of the simulated world.

The Arduino firmware and the simavr harness model the same node with these numbers
(scripts generate its header from here), so sim and firmware agree. Flight's own limits and
procedures are in fsw/thermal/limits.py.

Thermal node (one lumped mass, conductance to a cold sink):

    C dT/dt = P_heater - G (T - T_sink)

  C = 600 J/K, G = 0.12 W/K (time constant C/G = 5000 s), T_sink = -25 C, P = 12 W.
  Heater always on: T -> T_sink + P/G = 75 C, above flight's 65 C over-temperature limit, so
  a heater stuck on is a real hazard. From the sink, 50 C takes ~1.5 h.

Anneal law (damage recovery; see fsw/hw/sim/radiation.py for the damage itself):

  Exposure X = integral over the anneal of dt / tau(T), counted while T >= 20 C, where
  tau(T) = 3600 s * 2 ** ((50 C - T) / 10 C)   (defects heal twice as fast per +10 C).
  Anneal number n (0 for the first) recovers a fraction
      e_n = 0.9 * 0.6 ** n * (1 - exp(-X))
  of the *recoverable* damage (hot pixels and dark current alike). A quarter of all new
  damage is permanent and never anneals. So the first anneal (50 C, 2 h hold) removes about
  60% of the hot pixels, the next ones less and less.
"""

import math

# -- node --
HEAT_CAPACITY_J_PER_K = 600.0
CONDUCTANCE_W_PER_K = 0.12
SINK_C = -25.0
HEATER_POWER_W = 12.0

# -- anneal law --
ANNEAL_MIN_C = 20.0
ANNEAL_TAU_REF_S = 3600.0
ANNEAL_T_REF_C = 50.0
ANNEAL_DOUBLING_C = 10.0
ANNEAL_FIRST_RECOVERY = 0.9
ANNEAL_RECOVERY_DECAY = 0.6
PERMANENT_FRACTION = 0.25


def equilibrium_c(heater_w: float, sink_c: float = SINK_C) -> float:
    return sink_c + heater_w / CONDUCTANCE_W_PER_K


def anneal_rate(temp_c: float) -> float:
    """Anneal exposure gained per second at this temperature (1/tau)."""
    if temp_c < ANNEAL_MIN_C:
        return 0.0
    return 2 ** ((temp_c - ANNEAL_T_REF_C) / ANNEAL_DOUBLING_C) / ANNEAL_TAU_REF_S


def anneal_recovery(exposure: float, anneals_before: int) -> float:
    """Fraction of the recoverable damage this anneal heals."""
    return ANNEAL_FIRST_RECOVERY * ANNEAL_RECOVERY_DECAY**anneals_before * (1 - math.exp(-exposure))


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

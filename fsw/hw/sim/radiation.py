"""Radiation damage of the camera, as JunoCam's was: its power supply's voltage regulator.

Every perijove pass through Jupiter's belts adds dose; later orbits dipped deeper, so the dose per
pass grows: pass k adds 1 krad * (1 + (k / 20)^2) (PJ1..PJ56 total ~206 krad). Dose stresses the
regulator; 55% of the stress is permanent, the rest anneals (fsw/hw/sim/thermal.py). The one state
that matters is the regulator's degradation, 0 (as new) to 1:

    degradation = clip((stress - 133 krad) / 81 krad, 0, 1)

so the camera is clean until PJ46, damaged from PJ47 (the first striped images), nearly ruined
(0.9) by PJ56; a full anneal brings the stress down to its permanent part, below the onset, and the
damage comes back a few orbits after PJ58. What degradation does to the pixels (raised offset,
lost dynamic range, stripes, noise, dropouts, hot pixels) is fsw/hw/sim/detector.py; what the
camera reports is measured from dark frames, never read from here.
"""

import math
from dataclasses import asdict, dataclass

from .thermal import FADE_S, shallow_fraction

DOSE_PER_PASS_KRAD = 1.0
DOSE_GROWTH_PASSES = 20.0
PERMANENT_FRACTION = 0.55
ONSET_KRAD = 133.0
SPAN_KRAD = 81.0


def pass_dose_krad(number: int) -> float:
    return DOSE_PER_PASS_KRAD * (1 + (number / DOSE_GROWTH_PASSES) ** 2)


@dataclass
class Damage:
    perijoves: int = 0
    dose: float = 0.0             # krad
    permanent: float = 0.0        # regulator stress that never anneals (krad-equivalent)
    recoverable: float = 0.0      # stress an anneal can heal
    relapsing: float = 0.0        # healed shallowly: comes back over the next weeks
    anneals: int = 0

    @property
    def stress(self) -> float:
        return self.permanent + self.recoverable

    @property
    def degradation(self) -> float:
        return min(1.0, max(0.0, (self.stress - ONSET_KRAD) / SPAN_KRAD))

    def add_pass(self) -> float:
        """One more perijove: returns the dose it added."""
        self.perijoves += 1
        dose = pass_dose_krad(self.perijoves)
        self.dose += dose
        self.permanent += PERMANENT_FRACTION * dose
        self.recoverable += (1 - PERMANENT_FRACTION) * dose
        return dose

    def heal(self, exposure_before: float, exposure_after: float, temp_c: float) -> float:
        """Part of an anneal at temp_c: its exposure grew from before to after. Heals what the law
        adds for that growth (step by step ends where one step would); the shallow part of it will
        fade back. Returns the fraction of the recoverable stress healed now."""
        # (1 - recovery(after)) / (1 - recovery(before)), without dividing by ~0 after a long spell
        remaining = math.exp(exposure_before - exposure_after)
        healed = self.recoverable * (1 - remaining)
        self.recoverable -= healed
        self.relapsing += healed * shallow_fraction(temp_c)
        return 1 - remaining

    def relax(self, dt: float) -> None:
        """Shallow healing fading: part of it comes back as stress."""
        if self.relapsing > 0 and dt > 0:
            back = self.relapsing * (1 - math.exp(-dt / FADE_S))
            self.relapsing -= back
            self.recoverable += back

    def end_anneal(self) -> None:
        self.anneals += 1

    def anneal(self, exposure: float, temp_c: float = 60.0) -> float:
        """A whole anneal of this exposure at temp_c; returns the fraction of recoverable stress healed."""
        healed = self.heal(0.0, exposure, temp_c)
        self.end_anneal()
        return healed

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "Damage":
        known = {k: float(values[k]) if k not in ("perijoves", "anneals") else int(values[k])
                 for k in cls.__dataclass_fields__ if k in values}
        return cls(**known)

    @classmethod
    def after_passes(cls, count: int) -> "Damage":
        damage = cls()
        for _ in range(count):
            damage.add_pass()
        return damage

"""Radiation damage of the camera's detector, as a few numbers that grow per perijove.

Every perijove pass through Jupiter's belts adds dose; later orbits dipped deeper, so the
dose per pass grows: pass k adds 1 krad * (1 + (k / 20)^2) (PJ1..PJ56 total ~206 krad).
Dose makes hot pixels (200 per krad over the whole detector) and dark current
(0.25 DN per krad at the reference exposure). A quarter of each pass's damage is permanent;
the rest anneals by the law in fsw/hw/sim/thermal.py. These are the model's causes; what the
camera reports is measured from dark frames (fsw/hw/sim/detector.py), never read from here.
"""

from dataclasses import asdict, dataclass

from .thermal import PERMANENT_FRACTION, anneal_recovery

DOSE_PER_PASS_KRAD = 1.0
DOSE_GROWTH_PASSES = 20.0
HOT_PIXELS_PER_KRAD = 200.0
DARK_DN_PER_KRAD = 0.25


def pass_dose_krad(number: int) -> float:
    return DOSE_PER_PASS_KRAD * (1 + (number / DOSE_GROWTH_PASSES) ** 2)


@dataclass
class Damage:
    perijoves: int = 0
    dose: float = 0.0            # krad
    hot_permanent: float = 0.0   # hot pixels (model count)
    hot_recoverable: float = 0.0
    dark_permanent: float = 0.0  # DN of dark current at the reference exposure
    dark_recoverable: float = 0.0
    anneals: int = 0

    @property
    def hot_pixels(self) -> float:
        return self.hot_permanent + self.hot_recoverable

    @property
    def dark_current(self) -> float:
        return self.dark_permanent + self.dark_recoverable

    def add_pass(self) -> float:
        """One more perijove: returns the dose it added."""
        self.perijoves += 1
        dose = pass_dose_krad(self.perijoves)
        self.dose += dose
        hot, dark = HOT_PIXELS_PER_KRAD * dose, DARK_DN_PER_KRAD * dose
        self.hot_permanent += PERMANENT_FRACTION * hot
        self.hot_recoverable += (1 - PERMANENT_FRACTION) * hot
        self.dark_permanent += PERMANENT_FRACTION * dark
        self.dark_recoverable += (1 - PERMANENT_FRACTION) * dark
        return dose

    def heal(self, exposure_before: float, exposure_after: float) -> float:
        """Part of an anneal: its exposure grew from before to after. Heals what the law adds for
        that growth (so healing step by step ends where one step would); returns the fraction of
        the recoverable damage this step healed."""
        before = anneal_recovery(exposure_before, self.anneals)
        after = anneal_recovery(exposure_after, self.anneals)
        remaining = (1 - after) / (1 - before)
        self.hot_recoverable *= remaining
        self.dark_recoverable *= remaining
        return 1 - remaining

    def end_anneal(self) -> None:
        """The detector cooled below the anneal temperature: the next anneal heals less."""
        self.anneals += 1

    def anneal(self, exposure: float) -> float:
        """A whole anneal of this exposure; returns the fraction of recoverable damage healed."""
        healed = self.heal(0.0, exposure)
        self.end_anneal()
        return healed

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "Damage":
        known = {k: values[k] for k in cls.__dataclass_fields__ if k in values}
        return cls(**known)

    @classmethod
    def after_passes(cls, count: int) -> "Damage":
        damage = cls()
        for _ in range(count):
            damage.add_pass()
        return damage

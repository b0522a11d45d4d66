import pytest

from fsw.hw.sim.radiation import Damage, pass_dose_krad
from fsw.hw.sim.thermal import PERMANENT_FRACTION


def test_dose_per_pass_grows_with_the_orbit():
    assert pass_dose_krad(50) > pass_dose_krad(10) > pass_dose_krad(1) > 0


def test_damage_accumulates_per_pass():
    early, late = Damage.after_passes(10), Damage.after_passes(56)
    assert late.hot_pixels > 10 * early.hot_pixels / 2
    assert late.hot_permanent == pytest.approx(PERMANENT_FRACTION * late.hot_pixels)


def test_anneals_heal_less_each_time_and_never_the_permanent_part():
    damage = Damage.after_passes(56)
    permanent = damage.hot_permanent
    healed = [damage.anneal(exposure=5.0) for _ in range(5)]
    assert all(b < a for a, b in zip(healed, healed[1:]))
    assert damage.hot_permanent == permanent
    assert damage.hot_pixels > permanent


def test_short_anneals_heal_little():
    short, long = Damage.after_passes(56), Damage.after_passes(56)
    assert short.anneal(exposure=0.1) < long.anneal(exposure=3.0)


def test_round_trip():
    damage = Damage.after_passes(3)
    damage.anneal(1.0)
    assert Damage.from_dict(damage.to_dict()) == damage

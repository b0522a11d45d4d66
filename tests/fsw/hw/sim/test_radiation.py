import pytest

from fsw.hw.sim import thermal
from fsw.hw.sim.radiation import PERMANENT_FRACTION, Damage, pass_dose_krad


def test_dose_per_pass_grows_with_the_orbit():
    assert pass_dose_krad(50) > pass_dose_krad(10) > pass_dose_krad(1) > 0


def test_the_regulator_fails_from_orbit_47_and_is_nearly_ruined_by_56():
    assert Damage.after_passes(46).degradation == 0
    assert 0 < Damage.after_passes(47).degradation < 0.2
    assert Damage.after_passes(56).degradation > 0.85
    late = Damage.after_passes(56)
    assert late.permanent == pytest.approx(PERMANENT_FRACTION * late.dose)


def hold(damage, temp_c, days, step_s=600.0):
    """A warm spell at temp_c, healing step by step as the world does."""
    exposure = 0.0
    for _ in range(int(days * 86400 / step_s)):
        before, exposure = exposure, exposure + thermal.anneal_rate(temp_c) * step_s
        damage.heal(before, exposure, temp_c)
        damage.relax(step_s)
    damage.end_anneal()


def test_december_2023_a_cool_anneal_helps_a_little_and_fades_then_a_hot_one_restores():
    damage = Damage.after_passes(56)
    ruined = damage.degradation
    hold(damage, 25.0, days=4)
    partial = damage.degradation
    assert 0.2 * ruined < partial < 0.8 * ruined            # partial recovery
    damage.relax(14 * 86400)
    assert damage.degradation > partial + 0.1               # that faded
    hold(damage, 60.0, days=7)
    assert damage.degradation == 0                          # as good as new
    damage.add_pass()                                       # PJ57
    assert damage.degradation == 0
    for _ in range(4):                                      # PJ58..PJ61: the noise comes back
        damage.add_pass()
    assert damage.degradation > 0


def test_healing_builds_up_during_the_hold():
    short, long = Damage.after_passes(56), Damage.after_passes(56)
    hold(short, 60.0, days=0.2)
    hold(long, 60.0, days=2)
    assert Damage.after_passes(56).degradation > short.degradation > long.degradation


def test_a_short_half_hour_anneal_at_50_c_barely_helps():
    damage = Damage.after_passes(56)
    before = damage.degradation
    hold(damage, 50.0, days=1 / 48)
    assert damage.degradation > 0.95 * before


def test_round_trip():
    damage = Damage.after_passes(50)
    damage.anneal(1.0, temp_c=25.0)
    assert Damage.from_dict(damage.to_dict()) == damage

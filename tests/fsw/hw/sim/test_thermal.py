import pytest

from fsw.hw.sim import thermal as physics
from fsw.thermal import limits


def test_exact_step_matches_many_small_steps():
    big, small = physics.ThermalNode(), physics.ThermalNode()
    big.step(1000.0, physics.HEATER_POWER_W)
    for _ in range(10000):
        small.step(0.1, physics.HEATER_POWER_W)
    assert big.temp_c == pytest.approx(small.temp_c, abs=1e-6)


def test_a_welded_heater_would_exceed_flights_limit():
    assert physics.equilibrium_c(physics.HEATER_POWER_W) > limits.OVER_TEMP_C


def test_flights_survival_duty_holds_survival_on_average():
    duty = limits.survival_duty(physics.CONDUCTANCE_W_PER_K, physics.SINK_C, physics.HEATER_POWER_W)
    assert 0 < duty < 1
    assert physics.equilibrium_c(duty * physics.HEATER_POWER_W) == pytest.approx(limits.SURVIVAL_C)


def test_annealing_is_faster_when_hotter_and_nothing_below_the_threshold():
    assert physics.anneal_rate(60) == pytest.approx(2 * physics.anneal_rate(50))
    assert physics.anneal_rate(physics.ANNEAL_MIN_C - 0.1) == 0


def test_recovery_builds_up_with_exposure_and_cool_healing_is_shallow():
    assert 0 < physics.anneal_recovery(0.5) < physics.anneal_recovery(5.0) < 1
    assert physics.shallow_fraction(25.0) > 0.5 and physics.shallow_fraction(60.0) == 0

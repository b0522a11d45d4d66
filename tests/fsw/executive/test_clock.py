import time

import pytest

from fsw.executive.clock import SIM_START, RealClock, SimClock, make_clock


def test_sim_clock_moves_only_when_stepped_and_exactly():
    clock = SimClock(speed=10)
    assert clock.elapsed() == 0 and clock.now() == SIM_START
    for _ in range(10_000):
        clock.advance(0.1)
    assert clock.elapsed() == 1000.0           # integer microseconds: no drift
    assert clock.now() == SIM_START + 1000.0


def test_setting_onboard_time_leaves_elapsed_alone():
    clock = SimClock()
    clock.advance(5)
    clock.set_onboard(1_000_000)
    assert clock.now() == 1_000_000 and clock.elapsed() == 5
    clock.advance(1)
    assert clock.now() == 1_000_001


def test_step_is_nominal_up_to_100x_then_grows():
    assert SimClock(speed=1).fast_dt == 0.1
    assert SimClock(speed=100).fast_dt == 0.1
    assert SimClock(speed=10_000).fast_dt == 10.0   # 1,000 cycles per real second


def test_sim_clock_state_round_trips():
    clock = SimClock()
    clock.advance(42)
    later = SimClock()
    later.restore(clock.state())
    assert later.now() == clock.now() and later.elapsed() == 0


def test_real_clock_follows_the_host_and_can_be_offset():
    clock = RealClock()
    host = time.time() - 946684800
    assert abs(clock.now() - host) < 5
    clock.set_onboard(100.0)
    assert 100.0 <= clock.now() < 105.0


@pytest.mark.parametrize("kind, speed", [("real", 10.0), ("sundial", 1.0), ("sim", 0.0), ("sim", 1e9)])
def test_bad_clock_options_are_refused(kind, speed):
    with pytest.raises(ValueError):
        make_clock(kind, speed)


@pytest.mark.parametrize("clock", [SimClock(), RealClock()], ids=["sim", "real"])
def test_onboard_time_rolls_over_like_the_cuc_coarse_counter(clock):
    clock.set_onboard(0xFFFFFFFF + 0.995)
    clock.advance(0.02)
    time.sleep(0.02)
    assert 0 <= clock.now() < 1      # a TM header's 4 coarse octets hold it: no struct error

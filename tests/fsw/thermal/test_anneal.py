import pytest

from fsw.hw.sim.thermal import ThermalNode, anneal_rate
from fsw.thermal.anneal import RAMP_TIMEOUT_S, AnnealRun
from fsw.thermal.limits import ANNEAL_COOL_MARGIN_C, ANNEAL_COOL_TIMEOUT_S


def drive(run, node, limit=100_000):
    phases = []
    run.heat_dose = 0.0       # the anneal exposure the procedure gives the detector (world physics)
    for _ in range(limit):
        run.heat_dose += anneal_rate(node.temp_c) * 1.0
        changed = run.step(node.temp_c, 1.0)
        if changed:
            phases.append(run.phase)
        if run.phase == "done" or run.timed_out:
            return phases
        node.step(1.0, 12.0 if run.heater_on else 0.0)
    return phases


def test_ramp_hold_cool():
    node = ThermalNode()
    run = AnnealRun(60.0, 86400.0, start_c=node.temp_c)
    assert drive(run, node, limit=200_000) == ["hold", "cool", "done"]
    assert run.heat_dose > 1.0
    assert run.percent == 100


def test_in_a_warm_room_cooling_ends_back_near_the_start_temperature():
    """A bench board in a 25 C room never gets below 15 C: the anneal must still finish."""
    node = ThermalNode(temp_c=25.0, sink_c=25.0)
    run = AnnealRun(50.0, 600.0, start_c=25.0)
    assert run.cool_end_c == 25.0 + ANNEAL_COOL_MARGIN_C
    assert drive(run, node) == ["hold", "cool", "done"]
    # the node's 5,000 s time constant cannot come back within 2 C in an hour: the timeout ends it
    assert 25.0 + ANNEAL_COOL_MARGIN_C < node.temp_c < 50.0


def test_a_camera_that_will_not_cool_ends_the_anneal_after_the_timeout():
    run = AnnealRun(50.0, 1.0, start_c=0.0)
    run.step(50.0, 1.0)                    # at the target: hold
    run.step(50.0, 1.0)                    # held: cool
    assert run.phase == "cool"
    run.step(45.0, ANNEAL_COOL_TIMEOUT_S - 1.0)
    assert run.phase == "cool"
    run.step(45.0, 1.0)
    assert run.phase == "done"


def test_hold_stays_near_the_target():
    node = ThermalNode(temp_c=50.0)
    run = AnnealRun(50.0, 3600.0, start_c=50.0)
    temps = []
    for _ in range(3000):
        run.step(node.temp_c, 1.0)
        node.step(1.0, 12.0 if run.heater_on else 0.0)
        temps.append(node.temp_c)
    assert max(temps) < 51.0 and min(temps) > 49.0


def test_a_weak_heater_times_out():
    node = ThermalNode(sink_c=-100.0, temp_c=-100.0)
    run = AnnealRun(60.0, 60.0, start_c=-100.0)
    drive(run, node, limit=int(RAMP_TIMEOUT_S) + 10)
    assert run.timed_out


def test_percent_rises_through_the_phases():
    node = ThermalNode()
    run = AnnealRun(40.0, 600.0, start_c=node.temp_c)
    seen = []
    while run.phase != "done":
        run.step(node.temp_c, 5.0)
        node.step(5.0, 12.0 if run.heater_on else 0.0)
        seen.append(run.percent)
    assert seen == sorted(seen) or max(b - a for a, b in zip(seen, seen[1:])) >= 0
    assert seen[-1] == 100 and seen[0] < 30


def test_round_trip():
    run = AnnealRun(45.0, 100.0, start_c=-20.0, phase="hold", hot_pixels_before=21_000)
    assert AnnealRun.from_dict(run.to_dict()) == run
    with pytest.raises(ValueError):
        AnnealRun.from_dict({**run.to_dict(), "phase": "melt"})


def test_cooling_ends_within_the_margin_of_a_warm_start():
    run = AnnealRun(50.0, 1.0, start_c=25.0)
    run.step(50.0, 1.0)
    run.step(50.0, 1.0)
    run.step(30.0, 60.0)
    assert run.phase == "cool"
    run.step(25.0 + ANNEAL_COOL_MARGIN_C - 0.1, 60.0)
    assert run.phase == "done"

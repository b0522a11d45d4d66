import numpy as np
import pytest

from fsw import mission
from fsw.hw import SensorError
from fsw.hw.sim import thermal as physics
from fsw.hw.sim.backend import SimBackend
from fsw.mission import PJ57, PJ58


def backend(**options):
    return SimBackend(rng=np.random.default_rng(7), options=options)


def test_heater_warms_the_node_towards_its_equilibrium():
    sim = backend()
    start = sim.temperature.read()
    sim.heater.set(True)
    for _ in range(3600):
        sim.step(1.0, 0.0)
    warm = sim.node.temp_c
    assert warm > start + 30
    assert warm < physics.equilibrium_c(physics.HEATER_POWER_W)


def test_node_cools_back_to_the_sink_with_the_heater_off():
    sim = backend(initial_c=50.0)
    for _ in range(100):
        sim.step(600.0, 0.0)
    assert sim.node.temp_c == pytest.approx(physics.SINK_C, abs=0.01)


def test_readings_are_quantised_like_a_ds18b20():
    sim = backend(initial_c=20.0)
    value = sim.temperature.read()
    assert value / 0.0625 == pytest.approx(round(value / 0.0625))
    assert value == pytest.approx(20.0, abs=0.5)


def test_failed_sensor_raises_failed_after_its_fault_time():
    sim = backend(sensor="failed", sensor_fault_at=10.0)
    sim.temperature.read()
    sim.step(10.0, 0.0)
    with pytest.raises(SensorError) as error:
        sim.temperature.read()
    assert error.value.state == "failed"


def test_a_stuck_sensor_repeats_its_reading_while_the_heater_heats():
    sim = backend(sensor="stuck")
    sim.heater.set(True)
    readings = set()
    for _ in range(500):
        sim.step(1.0, 0.0)
        readings.add(sim.temperature.read())
    assert len(readings) == 1 and sim.node.temp_c > physics.SINK_C + 5


def test_the_detector_flies_the_mission_by_its_own_time_and_heals_when_warm():
    sim = SimBackend(rng=np.random.default_rng(0), options={"initial_c": 50.0}, now=PJ57 - 60)
    stress = sim.camera.damage.stress
    assert sim.camera.damage.perijoves == 56
    sim.step(120.0, 0.0)                       # the on-board clock says 2000: the world flies on
    assert sim.mission_time == PJ57 + 60
    assert sim.camera.damage.perijoves == 57 and sim.camera.dose_krad > 0
    assert sim.camera.anneal_exposure > 0
    condition = sim.camera.condition
    sim.node.temp_c = 0.0
    sim.step(1.0, 0.0)                         # cooled: that warm spell counts as one anneal
    assert sim.camera.damage.anneals == 1 and sim.camera.anneal_exposure == 0.0
    assert sim.camera.condition > condition and sim.camera.damage.stress > stress * 0.5


def test_the_world_flies_ahead_through_each_perijove_and_stops_at_the_mission_end():
    sim = SimBackend(rng=np.random.default_rng(0), now=PJ57 - 60)
    sim.fly_ahead(PJ58 - PJ57 + 3600)
    assert sim.camera.damage.perijoves == 58
    restored = SimBackend(rng=np.random.default_rng(0), now=mission.MISSION_END + 10**9)
    assert restored.mission_time == mission.MISSION_END
    restored.restore(sim.state())
    assert restored.mission_time == sim.mission_time and restored.camera.damage == sim.camera.damage


def test_welded_heater_stays_on():
    sim = backend(heater="stuck_on")
    sim.heater.set(False)
    assert sim.heater.is_on

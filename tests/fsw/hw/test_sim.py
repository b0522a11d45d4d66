import numpy as np
import pytest

from fsw.hw import SensorError
from fsw.hw.sim import SimBackend
from fsw.world import thermal as model


def backend(**options):
    return SimBackend(rng=np.random.default_rng(7), options=options)


def test_heater_warms_the_node_towards_its_equilibrium():
    sim = backend()
    start = sim.temperature.read()
    sim.heater.set(True)
    for _ in range(3600):
        sim.step(1.0)
    warm = sim.node.temp_c
    assert warm > start + 30
    assert warm < model.equilibrium_c(model.HEATER_POWER_W)


def test_node_cools_back_to_the_sink_with_the_heater_off():
    sim = backend(initial_c=50.0)
    for _ in range(100):
        sim.step(600.0)
    assert sim.node.temp_c == pytest.approx(model.SINK_C, abs=0.01)


def test_readings_are_quantised_like_a_ds18b20():
    sim = backend(initial_c=20.0)
    value = sim.temperature.read()
    assert value / 0.0625 == pytest.approx(round(value / 0.0625))
    assert value == pytest.approx(20.0, abs=0.5)


def test_failed_sensor_raises_failed_after_its_fault_time():
    sim = backend(sensor="failed", sensor_fault_at=10.0)
    sim.temperature.read()
    sim.step(10.0)
    with pytest.raises(SensorError) as error:
        sim.temperature.read()
    assert error.value.state == "failed"


def test_stuck_sensor_is_detected_while_the_heater_heats():
    sim = backend(sensor="stuck")
    sim.heater.set(True)
    with pytest.raises(SensorError) as error:
        for _ in range(500):
            sim.step(1.0)
            sim.temperature.read()
    assert error.value.state == "stuck"


def test_a_healthy_sensor_at_equilibrium_is_not_called_stuck():
    sim = backend(sensor_noise_c=0.0)
    for _ in range(500):
        sim.step(1.0)
        sim.temperature.read()


def test_welded_heater_stays_on():
    sim = backend(heater="stuck_on")
    sim.heater.set(False)
    assert sim.heater.is_on

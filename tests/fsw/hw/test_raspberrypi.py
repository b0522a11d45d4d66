import numpy as np
import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from fsw.hw.backends import create_backend
from fsw.hw.sim.camera import SimCameraHead
from fsw.mission import PJ57

GOOD = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t={milli}\n"


@pytest.fixture
def mock_pins():
    previous = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = previous


@pytest.fixture
def w1_root(tmp_path):
    device = tmp_path / "28-0316a2794aff"
    device.mkdir()
    (device / "w1_slave").write_text(GOOD.format(milli=21500))
    return tmp_path


def test_heater_drives_its_gpio_pin(mock_pins, w1_root):
    pi = create_backend("raspberrypi", rng=None, options={"heater_pin": 22, "w1_root": str(w1_root), "camera": "none"})
    pin = mock_pins.pin(22)
    assert pin.state == 0 and not pi.heater.is_on
    pi.heater.set(True)
    assert pin.state == 1 and pi.heater.is_on
    pi.heater.set(False)
    assert pin.state == 0
    pi.close()


def test_reads_the_ds18b20_from_sysfs(mock_pins, w1_root):
    pi = create_backend("raspberrypi", rng=None, options={"w1_root": str(w1_root), "camera": "none"})
    assert pi.temperature.read() == pytest.approx(21.5)
    pi.step(1.0, 0.0)               # the heater and sensor run by themselves
    pi.close()


def test_a_frozen_sensor_is_reported_as_read_flight_decides_it_is_stuck(mock_pins, w1_root):
    pi = create_backend("raspberrypi", rng=None, options={"w1_root": str(w1_root), "camera": "none"})
    pi.heater.set(True)
    assert [pi.temperature.read() for _ in range(200)] == [pytest.approx(21.5)] * 200
    pi.close()


def test_the_simulated_detector_warms_with_the_sensor(mock_pins, w1_root):
    pi = create_backend("raspberrypi", rng=np.random.default_rng(1), options={"w1_root": str(w1_root),
                                                                          "camera": "none"}, now=PJ57)
    pi.camera.restore({"anneal_exposure": 0.0})
    pi.temperature.read()           # 21.5 C: warm enough to anneal, slowly
    stress = pi.camera.damage.stress
    pi.step(3600.0, PJ57 + 3600)
    assert 0 < pi.camera.anneal_exposure and pi.camera.damage.stress < stress
    pi.close()


def test_without_picamera2_the_camera_is_synthetic(mock_pins, w1_root):
    pi = create_backend("raspberrypi", rng=None, options={"w1_root": str(w1_root)})
    try:
        import picamera2  # noqa: F401
    except ImportError:
        assert pi.photo is None and isinstance(pi.camera, SimCameraHead)
    pi.close()


def test_unknown_option_releases_the_pin(mock_pins, w1_root):
    with pytest.raises(ValueError, match="unknown raspberrypi option"):
        create_backend("raspberrypi", rng=None, options={"w1_root": str(w1_root), "colour": "red"})
    create_backend("raspberrypi", rng=None, options={"w1_root": str(w1_root), "camera": "none"}).close()

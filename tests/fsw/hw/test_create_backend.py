import numpy as np
import pytest

from fsw.hw import CameraHead, HardwareBackend
from fsw.hw.backends import create_backend


def test_sim_is_the_default_and_has_the_interface():
    backend = create_backend("sim", rng=np.random.default_rng(1), options={})
    assert isinstance(backend, HardwareBackend)
    backend.heater.set(True)
    assert backend.heater.is_on
    assert isinstance(backend.temperature.read(), float)
    backend.step(1.0, 0.0)
    assert isinstance(backend.camera, CameraHead)
    backend.close()
    assert not backend.heater.is_on


def test_unknown_backend_is_a_one_line_value_error():
    with pytest.raises(ValueError) as error:
        create_backend("beaglebone", rng=None, options={})
    assert "\n" not in str(error.value)
    assert "sim" in str(error.value) and "raspberrypi" in str(error.value)


def test_unknown_option_is_refused():
    with pytest.raises(ValueError, match="unknown sim option"):
        create_backend("sim", rng=None, options={"sensr": "stuck"})

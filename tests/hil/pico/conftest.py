"""One emulated Pico (the mpy-sim target) and a ground station on it, for the program's own tests."""

import pytest

from hil.plugin import open_station
from hil.targets.mpy_sim import MpySimTarget, missing_runtime


@pytest.fixture(scope="module")
def pico():
    if missing_runtime():
        pytest.skip(missing_runtime())
    target = MpySimTarget()
    target.start()
    station = open_station(target)
    yield station
    station.close()
    target.stop()

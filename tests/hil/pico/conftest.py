"""One emulated Pico (the mpy-sim target) and a ground station on it, for the program's own tests;
program_vm.py runs its modules in the VM alone (tests are not a package)."""

import sys
from pathlib import Path

import pytest

from hil.plugin import open_station
from hil.targets.mpy_sim import MpySimTarget, missing_runtime

sys.path.insert(0, str(Path(__file__).parent))


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

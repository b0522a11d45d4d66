import importlib.util
import sys
from pathlib import Path

import pytest


def load_bench():
    """The shared bench module (tests here are not a package)."""
    if "perijove_test_bench" not in sys.modules:
        spec = importlib.util.spec_from_file_location("perijove_test_bench", Path(__file__).parents[1] / "camera" / "bench.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["perijove_test_bench"]


@pytest.fixture
def bench_module():
    return load_bench()


QUIET_DAY = 10 * 86400    # far from any perijove: no new damage during long anneals


@pytest.fixture
def bench(tmp_path):
    from fsw import ephemeris

    return load_bench().Bench(tmp_path, start=ephemeris.PJ57 - QUIET_DAY)

import pytest

from fsw import mission

QUIET_DAY = 10 * 86400    # far from any perijove: no new damage during long anneals


@pytest.fixture
def bench(bench_module, tmp_path):
    return bench_module.Bench(tmp_path, start=mission.PJ57 - QUIET_DAY)

"""Ground test fixtures: an isolated PERIJOVE_HOME, an in-process fake flight, a real `fsw`."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_flight import FakeFlight  # noqa: E402

from fsw import launch  # noqa: E402
from fsw.link import link_pair  # noqa: E402


@pytest.fixture(autouse=True)
def perijove_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("PERIJOVE_HOME", str(home))
    monkeypatch.delenv("PERIJOVE_ARCHIVE_DIR", raising=False)
    return home


@pytest.fixture
def fake_link():
    """(fake flight, ground link end) over the in-process link."""
    flight_end, ground_end = link_pair()
    flight = FakeFlight(flight_end).start()
    yield flight, ground_end
    flight.stop()


@pytest.fixture
def fsw_factory(tmp_path, monkeypatch):
    """start(speed) -> slave path of a real `fsw` subprocess on a pty in simulated time (its
    uplink keys the ground's default, $PERIJOVE_KEY_FILE)."""
    running = []

    def start(speed=50):
        try:
            fsw = launch.start("--clock", "sim", "--speed", str(speed), "--seed", "1",
                               state=tmp_path / f"fsw-state-{len(running)}", timeout=20)
        except launch.LaunchError as error:
            pytest.fail(str(error))
        running.append(fsw)
        monkeypatch.setenv("PERIJOVE_KEY_FILE", str(fsw.key_file))
        return fsw.port

    yield start
    for fsw in running:
        fsw.stop(timeout=5)


@pytest.fixture
def fsw_port(fsw_factory):
    """A real `fsw` at 50x simulated time; yields the pty slave path."""
    return fsw_factory(50)

"""Ground test fixtures: an isolated PERIJOVE_HOME, an in-process fake flight, a real `fsw`."""

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_flight import FakeFlight  # noqa: E402

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


def fsw_available() -> bool:
    try:
        import fsw.cli  # noqa: F401
        import fsw.app  # noqa: F401
    except ImportError:
        return False
    return True


def _start_fsw(state_dir, speed):
    process = subprocess.Popen(
        [sys.executable, "-m", "fsw.cli", "--port", "pty", "--clock", "sim", "--speed", str(speed),
         "--state", str(state_dir), "--seed", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 20
    lines = []
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"listening on (\S+)", line)
        if match:
            # keep draining fsw's output so it never blocks on a full pipe
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, match.group(1)
    process.kill()
    pytest.fail("fsw did not start: " + "".join(lines))


def _stop(process):
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def fsw_factory(tmp_path):
    """start(speed) -> slave path of a real `fsw` subprocess on a pty in simulated time."""
    if not fsw_available():
        pytest.skip("fsw is not built yet")
    processes = []

    def start(speed=50):
        process, path = _start_fsw(tmp_path / f"fsw-state-{len(processes)}", speed)
        processes.append(process)
        return path

    yield start
    for process in processes:
        _stop(process)


@pytest.fixture
def fsw_port(fsw_factory):
    """A real `fsw` at 50x simulated time; yields the pty slave path."""
    return fsw_factory(50)

"""Server fixtures: `ground serve` processes in front of a real `fsw` on a pty."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from serving import ServeProcess  # noqa: E402


@pytest.fixture
def serve_factory():
    running = []

    def start(port, *extra):
        server = ServeProcess(port, *extra)
        running.append(server)
        return server

    yield start
    for server in running:
        if server.process.poll() is None:
            server.stop()

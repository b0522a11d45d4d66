"""pytest plugin of the HIL suite: --target, --port, --baud, --board, and the fixtures.

    pytest hil --target avr-sim
    pytest hil --target serial --port /dev/ttyACM0 [--board arduino|fsw] [--baud 115200]

Environment fallbacks: HIL_TARGET, HIL_PORT, HIL_BAUD, HIL_BOARD. Tests state what they need
with `needs(target, ...)`; a target that lacks it skips the test with the reason.
"""

import os

import pytest

from .targets import TARGETS, make_target


def pytest_addoption(parser):
    group = parser.getgroup("hil", "hardware-in-the-loop bench")
    group.addoption("--target", choices=TARGETS, default=os.environ.get("HIL_TARGET", "loop"),
                    help="where flight software runs (default loop; env HIL_TARGET)")
    group.addoption("--port", default=os.environ.get("HIL_PORT"),
                    help="serial port of a real board (env HIL_PORT)")
    group.addoption("--baud", type=int, default=int(os.environ["HIL_BAUD"]) if os.environ.get("HIL_BAUD") else None,
                    help="line speed: a serial port's (default 115200); on loop and pty, fsw's downlink "
                    "is paced to it when given (env HIL_BAUD)")
    group.addoption("--board", choices=("arduino", "fsw"), default=os.environ.get("HIL_BOARD", "arduino"),
                    help="what runs on --port: the Arduino firmware or fsw on a Pi (env HIL_BOARD)")
    group.addoption("--channel", default=os.environ.get("HIL_CHANNEL"), metavar="IMPAIRMENTS",
                    help="the ground sees the target through a bad line: ber=P,drop=P,... (env HIL_CHANNEL; "
                         "fsw/link/channel.py)")


# the channel every ground station of the run sees the target through (None: a clean line)
CHANNEL = {"impairments": None}


def pytest_configure(config):
    text = config.getoption("--channel", default=None)
    if text:
        from fsw.link.channel import Impairments

        try:
            CHANNEL["impairments"] = Impairments.parse(text)
        except ValueError as error:
            raise pytest.UsageError(f"--channel: {error}") from None


def pytest_report_header(config):
    channel = config.getoption("--channel", default=None)
    return f"hil target: {config.getoption('--target')}" + (f", through a channel: {channel}" if channel else "")


@pytest.fixture(scope="session")
def hil_target(request):
    option = request.config.getoption
    target = make_target(option("--target"), option("--port"), option("--baud"), option("--board"))
    if target.skip_reason:
        pytest.skip(target.skip_reason)
    target.start()
    yield target
    target.stop()


def open_station(target, timeout: float = 20.0):
    """A ground station on the target's link (or port), checked with a ping."""
    from fsw.link import ChannelLink, open_link
    from ground.procedures import CommandTimeout, connect

    link = target.link if target.link is not None else open_link(target.port, getattr(target, "baud", None) or 115200)
    if CHANNEL["impairments"] is not None:     # practise on a bad line: --channel
        link = ChannelLink(link, CHANNEL["impairments"])
    station = connect(link=link, frame_len=target.capabilities.frame_len, archive=False,
                      timeout=timeout, on_warning=lambda _message: None,
                      key_file=target.key_file if target.capabilities.sdls else None)
    # a board may still be booting (an Uno resets when its port opens): a few pings first
    for attempt in range(5):
        try:
            station.send("ping", timeout=5 if attempt < 4 else timeout)
            return station
        except CommandTimeout:
            continue
    station.close()
    raise RuntimeError(f"{target.name}: no answer to ping")


@pytest.fixture(scope="session")
def gs(hil_target):
    """The ground station every test of the run shares (one link, one session)."""
    station = open_station(hil_target)
    yield station
    station.close()


@pytest.fixture
def fresh_target(hil_target, request):
    """A second target of the same kind, started for one test (faults, restarts), and stopped."""
    target = make_target(hil_target.name, hil_target.port, getattr(hil_target, "baud", None),
                         request.config.getoption("--board"))
    target.start()
    yield target
    target.stop()


def needs(target, *, commands=(), faults=(), full_images=False, simulated_thermal=False, sdls=False):
    """Skip the calling test when the target lacks what it needs, saying what."""
    caps = target.capabilities
    if sdls and not caps.sdls:
        pytest.skip(f"{target.name} has no SDLS: {caps.no_sdls_reason}")
    missing = [c for c in commands if c not in caps.commands]
    if missing:
        pytest.skip(f"{target.name} does not implement {', '.join(missing)}")
    missing = [f for f in faults if f not in caps.faults]
    if missing:
        pytest.skip(f"{target.name} cannot inject {', '.join(missing)}")
    if full_images and caps.image_size is not None:
        pytest.skip(f"{target.name} has only a {caps.image_size[0]}x{caps.image_size[1]} test image")
    if simulated_thermal and not caps.simulated_thermal:
        pytest.skip(f"{target.name} has a real thermal mass: this test needs the simulated one")

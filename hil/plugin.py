"""pytest plugin of the HIL suite: --target, --port, --baud, --board, and the fixtures.

    pytest hil --target avr-sim
    pytest hil --target serial --port /dev/ttyACM0 [--board arduino|mega|fsw|pico] [--baud 115200]
    pytest hil --lg-env hil/labgrid/avr-sim.env.yaml [--lg-wait 600]     # a labgrid place (hil/labgrid)

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
    group.addoption("--board", choices=("arduino", "mega", "fsw", "pico"), default=os.environ.get("HIL_BOARD", "arduino"),
                    help="what runs on --port: the Arduino firmware (mega: the Mega build, which authenticates "
                         "with $PERIJOVE_KEY_FILE), fsw on a Pi or the Pico's MicroPython "
                         "program (env HIL_BOARD)")
    group.addoption("--channel", default=os.environ.get("HIL_CHANNEL"), metavar="IMPAIRMENTS",
                    help="the ground sees the target through a bad line: ber=P,drop=P,... (env HIL_CHANNEL; "
                         "fsw/link/channel.py)")
    group.addoption("--lg-wait", type=float, default=float(os.environ.get("HIL_LG_WAIT", 600)), metavar="SECONDS",
                    help="with --lg-env: how long to wait for a busy labgrid place (default 600; env HIL_LG_WAIT)")


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
    from .labgrid.target import labgrid_environment

    if labgrid_environment(config) is not None:
        return f"hil target: a labgrid place, from {labgrid_environment(config).config_file}"
    channel = config.getoption("--channel", default=None)
    return f"hil target: {config.getoption('--target')}" + (f", through a channel: {channel}" if channel else "")


@pytest.fixture(scope="session")
def hil_target(request):
    option = request.config.getoption
    from .labgrid.place import PlaceError
    from .labgrid.target import LabgridTarget, labgrid_environment, terminal_say

    try:
        if labgrid_environment(request.config) is not None:     # --lg-env: the place it names (hil/labgrid)
            target = LabgridTarget(labgrid_environment(request.config), option("--lg-wait"),
                                   terminal_say(request.config))
        else:
            target = make_target(option("--target"), option("--port"), option("--baud"), option("--board"))
        if target.skip_reason:
            pytest.skip(target.skip_reason)
        target.start()
    except PlaceError as error:       # a busy, unknown or unreachable place: one line, and the run ends
        pytest.exit(f"hil: {error}", returncode=4)
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
                      cop1="farm" in target.capabilities.features,
                      key_file=target.key_file if "sdls" in target.capabilities.features else None)
    try:
        station.await_board(last_timeout=timeout)
    except CommandTimeout:
        station.close()
        raise RuntimeError(f"{target.name}: no answer to ping") from None
    return station


@pytest.fixture(scope="session")
def gs(hil_target):
    """The ground station every test of the run shares (one link, one session)."""
    station = open_station(hil_target)
    yield station
    station.close()


def new_target(hil_target, request):
    """Another target of the run's kind, not started: a labgrid place's spare board, or a new one."""
    if hasattr(hil_target, "fresh"):
        return hil_target.fresh()
    return make_target(hil_target.name, hil_target.port, getattr(hil_target, "baud", None),
                       request.config.getoption("--board"))


@pytest.fixture
def fresh_target(hil_target, request):
    """A second target of the same kind, started for one test (faults, restarts), and stopped."""
    target = new_target(hil_target, request)
    target.start()
    yield target
    target.stop()


def needs(target, *features, commands=(), faults=(), full_images=False, simulated_thermal=False):
    """Skip the calling test when the target lacks what it needs, saying what. features: protocol
    features by name (Capabilities.features), e.g. needs(target, "farm")."""
    caps = target.capabilities
    missing = [f for f in features if f not in caps.features]
    if "sdls" in missing:
        pytest.skip(f"{target.name} has no SDLS: {caps.no_sdls_reason}")
    if missing:
        pytest.skip(f"{target.name} does not implement {', '.join(missing)}")
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

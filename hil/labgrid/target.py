"""The HIL suite on a labgrid place: `pytest hil --lg-env ENV.yaml`.

The environment names the place (a RemotePlace resource) and says what board is there with one
labgrid feature; the board's capabilities are those of the local target of the same kind, so a
test skips on a place for the same reason, naming what is missing, as it would on the desk:

    avr-sim   the Arduino firmware in simavr on the exporter host (hil/labgrid/avr_board.py):
              what --target avr-sim can do, faults and fresh boards through its control port
    arduino   a real Uno or Mega with the firmware (what --target serial --board arduino can do)
    fsw       a Raspberry Pi running fsw on its UART (--target serial --board fsw)

The run reserves and acquires the place (waiting at most --lg-wait seconds while another run
holds it), talks to the board over the exporter's RFC 2217 port "uart", flashes the firmware
first when the environment's options say `flash_firmware: uno` (or mega), installs this checkout
on a Pi first with `install_fsw: true`, and releases the place at the end: after a
failure, Ctrl-C or SIGTERM too.
"""

import atexit
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from ..targets.avr_sim import AvrSimTarget
from ..targets.base import Capabilities, Target
from ..targets.serial import BOARD_CAPABILITIES
from .place import PlaceError, PlaceLease, coordinator_address, parse_tags

BOARD_FEATURES = ("avr-sim", "arduino", "fsw")
WAIT_S = 600.0             # a run waits this long for a busy place by default (--lg-wait)
ROOT = Path(__file__).resolve().parents[2]
CONTROL_TIMEOUT_S = 60.0   # a fresh avr-sim board builds (make) and boots within this


def board_of(features: set[str]) -> str:
    boards = [name for name in BOARD_FEATURES if name in features]
    if len(boards) != 1:
        raise PlaceError(f"the labgrid environment's features must name one board ({', '.join(BOARD_FEATURES)}); "
                         f"they are: {', '.join(sorted(features)) or 'none'}")
    return boards[0]


def capabilities_of(board: str) -> Capabilities:
    return AvrSimTarget.capabilities if board == "avr-sim" else BOARD_CAPABILITIES[board]


class LabgridTarget(Target):
    name = "labgrid"

    def __init__(self, env=None, wait: float = WAIT_S, say: Callable[[str], None] | None = None):
        self.say = say or (lambda line: print(line, file=sys.stderr))
        self.wait = wait
        self.lease = None
        self.control = None
        self.capabilities = None
        if env is None:
            self.skip_reason = "the labgrid target needs an environment: pytest hil --lg-env ENV.yaml (hil/labgrid/)"
            return
        if isinstance(env, str):
            from labgrid import Environment

            env = Environment(config_file=env)
        self.env = env
        self.place = _remote_place(env)
        self.board = board_of(env.get_features() | env.get_target_features())
        self.capabilities = capabilities_of(self.board)
        self.name = f"labgrid place {self.place}"

    def start(self) -> None:
        _sigterm_interrupts()
        tags = parse_tags(self._option("reserve")) if self._option("reserve") else None
        self.lease = PlaceLease(self.place, coordinator_address(self.env), self.wait, self.say, tags)
        self.lease.acquire()
        self.place = self.lease.place          # with reserve: tags, the place the coordinator allocated
        self.name = f"labgrid place {self.place}"
        atexit.register(self._release)      # the backstop if teardown never runs
        waited = f" after waiting {self.lease.waited:.1f} s" if self.lease.told else ""
        self.say(f"hil: place {self.place} acquired{waited}")
        try:
            ports = self.lease.ports
            needed = ("uart", "control", "spare") if self.board == "avr-sim" else ("uart",)
            missing = [name for name in needed if name not in ports]
            if missing:
                raise PlaceError(f"place {self.place} exports no serial port {', '.join(missing)} "
                                 f"(it has: {', '.join(ports) or 'none'})")
            self._flash_if_configured()
            self._install_if_configured()
            self.port = ports["uart"]
            if self.board == "avr-sim":
                from fsw.link import open_link

                self.control = ControlLine(open_link(ports["control"]))
                self.spare_port = ports["spare"]
                self.stats = self._control_stats    # hil/tests look for stats(): the simavr harness's
        except BaseException:
            self.stop()
            raise

    def _option(self, name: str):
        return self.env.config.data.get("options", {}).get(name)

    def _client(self, what: str, *args: str) -> None:
        """labgrid-client on this place (the place is ours: acquired by this run)."""
        import subprocess

        result = subprocess.run([str(Path(sys.executable).parent / "labgrid-client"), "-x", self.lease.coordinator,
                                 "-p", self.place, *args], capture_output=True, text=True)
        if result.returncode:
            said = (result.stderr or result.stdout).strip().splitlines()
            raise PlaceError(f"place {self.place}: {what} failed: {said[-1] if said else 'no output'}")

    def _flash_if_configured(self) -> None:
        """options: flash_firmware: uno|mega in the environment: the firmware goes on first, through
        the place's USBFlashableDevice and labgrid's FlashScriptDriver (labgrid-client flashscript)."""
        board = self._option("flash_firmware")
        if board:
            import tempfile

            from .flash import flash_script

            self.say(f"hil: flashing the firmware for an Arduino {board} on place {self.place}")
            with tempfile.TemporaryDirectory(prefix="perijove-flash-") as directory:
                self._client("flashing", "flashscript", str(flash_script(board, Path(directory))), "{device.devnode}")

    def _install_if_configured(self) -> None:
        """options: install_fsw: true: this checkout onto the place's Pi (its NetworkService) and
        scripts/install-pi.sh run there, so the Pi flies the code under test."""
        if self._option("install_fsw"):
            self.say(f"hil: installing fsw from this checkout on place {self.place}")
            self._client("copying the checkout", "rsync", f"{ROOT}/", ":perijove/", "-a", "--delete",
                         "--exclude=.git", "--exclude=.venv", "--exclude=build", "--exclude=__pycache__")
            self._client("installing fsw", "ssh", "sudo perijove/scripts/install-pi.sh && "
                         "sudo systemctl restart perijove-fsw")

    def fresh(self) -> Target:
        """A board fresh from boot for one test: the avr-sim place's spare board, else the board itself."""
        if self.control is not None:
            return RemoteSpare(self)
        return SameBoard(self)

    def _control_stats(self) -> dict:
        import json

        return json.loads(self.control.command("stats"))

    def stop(self) -> None:
        if self.control is not None:
            self.control.close()
            self.control = None
        self._release()

    def _release(self) -> None:
        if self.lease is None or self.lease.token is None:
            return
        try:
            self.lease.release()
            self.say(f"hil: place {self.place} released")
        except PlaceError as error:
            self.say(f"hil: place {self.place} not released: {error}")


class ControlLine:
    """The avr-sim board's control port: one command line out, one answer line back."""

    def __init__(self, link):
        self.link = link

    def command(self, line: str) -> str:
        import time

        self.link.write(line.encode() + b"\n")
        answer = b""
        deadline = time.monotonic() + CONTROL_TIMEOUT_S
        while not answer.endswith(b"\n"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"avr-sim board: no answer to {line!r}")
            answer += self.link.read(4096, 0.1)
        text = answer.decode(errors="replace").strip()
        if not text.startswith("ok"):
            raise RuntimeError(f"avr-sim board: {line!r}: {text}")
        return text[2:].strip()

    def close(self) -> None:
        self.link.close()


class RemoteSpare(Target):
    """The avr-sim place's second board, started fresh (and its fault injected) through the control port."""

    def __init__(self, place: LabgridTarget):
        self.name = place.name
        self.capabilities = place.capabilities
        self.control = place.control
        self.port = place.spare_port

    def start(self) -> None:
        self.control.command("fresh")

    def inject(self, fault: str) -> None:
        if fault not in self.capabilities.faults:
            raise NotImplementedError(f"{self.name} cannot inject {fault}")
        self.control.command(f"inject {fault}")

    def reset(self) -> None:
        self.control.command("reset")

    def stop(self) -> None:
        self.control.command("stop")


class SameBoard(Target):
    """A real board has no spare: the fresh target is the place's board (as --target serial does)."""

    def __init__(self, place: LabgridTarget):
        self.name = place.name
        self.capabilities = place.capabilities
        self.port = place.port

    def start(self) -> None:
        pass


def _remote_place(env) -> str:
    """The place named by the environment's RemotePlace."""
    from labgrid.factory import target_factory

    for config in env.config.get_targets().values():
        resources, _drivers = target_factory.normalize_config(config)
        for name in resources.get("RemotePlace", {}):
            return name
    raise PlaceError(f"{env.config_file}: no target has a RemotePlace resource (the place to run on)")


def _sigterm_interrupts() -> None:
    """A CI job stopped with SIGTERM tears down like Ctrl-C, so the place is released."""
    def interrupt(_signum, _frame):
        raise KeyboardInterrupt
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, interrupt)
    except ValueError:
        pass     # not the main thread: leave signals alone


def labgrid_environment(config):
    """The environment of --lg-env (or LG_ENV), or None: labgrid's pytest plugin loads it."""
    try:
        from labgrid.pytestplugin.hooks import LABGRID_ENV_KEY
    except ImportError:
        return None
    return config.stash.get(LABGRID_ENV_KEY, None)


def terminal_say(config) -> Callable[[str], None]:
    """A line on the terminal now, past pytest's output capture (a waiting run says so while it waits)."""
    capture = config.pluginmanager.getplugin("capturemanager")
    reporter = config.pluginmanager.getplugin("terminalreporter")

    def say(line: str) -> None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
    return say

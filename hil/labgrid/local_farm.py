"""A whole labgrid farm on this machine: coordinator, the avr-sim board, its exporter, the place.

    python -m hil.labgrid.local_farm -- pytest hil --lg-env hil/labgrid/avr-sim.env.yaml -q

runs the command with LG_COORDINATOR set to the farm's coordinator, then stops everything, also
when the command fails or is interrupted; its exit status is the command's, or 77 when this
machine lacks ser2net, labgrid or the AVR toolchain (it says which). ./scripts/test, the
tests of the farm and `./scripts/bench labgrid` start it the same way (LocalFarm).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fsw import launch

HERE = Path(__file__).resolve().parent
EXPORTER_CONFIG = HERE / "avr-sim.exporter.yaml"
ENV_CONFIG = HERE / "avr-sim.env.yaml"
PLACE = "avr-sim"
EXPORTER = "perijove-local"
BIN = Path(sys.executable).parent          # labgrid's programs sit beside this Python
CANNOT_RUN = 77                            # the exit status when this machine lacks a part (a skip)
READY = r"READY uart=(\S+) spare=(\S+) control=(\S+)"


def missing() -> str | None:
    """Why the local farm cannot run here, or None."""
    from ..targets.avr_sim import missing_toolchain

    if shutil.which("ser2net") is None and not Path("/usr/sbin/ser2net").exists():
        return "ser2net missing: apt-get install -y ser2net (or run scripts/lib/avr-setup.sh as root)"
    if not (BIN / "labgrid-coordinator").exists():
        return "labgrid missing: pip install -e '.[test]'"
    return missing_toolchain()


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def wait_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s") from None
            time.sleep(0.1)


class LocalFarm:
    """with LocalFarm() as farm: farm.coordinator is "127.0.0.1:PORT", place avr-sim is ready."""

    def __init__(self):
        self.processes: list[subprocess.Popen] = []
        self.coordinator = f"127.0.0.1:{free_port()}"
        self.uart = None

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc):
        self.stop()

    def _spawn(self, *command, log: str, env=None) -> subprocess.Popen:
        out = open(Path(self.dir.name) / log, "w")      # noqa: SIM115 - closed with the directory
        process = subprocess.Popen(command, cwd=self.dir.name, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env)
        self.processes.append(process)
        return process

    def _start(self) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="perijove-farm-")
        self._spawn(str(BIN / "labgrid-coordinator"), "-l", self.coordinator, log="coordinator.log")
        # its errors on stdout too: a board that cannot start says why in the LaunchError
        board = subprocess.Popen([sys.executable, "-m", "hil.labgrid.avr_board"], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                 cwd=HERE.parent.parent)
        self.processes.append(board)
        self.uart, spare, control = launch.wait_for_line(board, READY, timeout=60).groups()
        wait_listening(int(self.coordinator.rsplit(":", 1)[1]))
        env = dict(os.environ, PERIJOVE_AVR_SIM_UART=self.uart, PERIJOVE_AVR_SIM_SPARE=spare,
                   PERIJOVE_AVR_SIM_CONTROL=control, PATH=f"{HERE / 'bin'}:{os.environ.get('PATH', '')}")
        self._spawn(str(BIN / "labgrid-exporter"), "-c", self.coordinator, "--name", EXPORTER,
                    "--hostname", "127.0.0.1", str(EXPORTER_CONFIG), log="exporter.log", env=env)
        self.client("-p", PLACE, "create")
        self.client("-p", PLACE, "add-match", f"{EXPORTER}/{PLACE}/*")
        deadline = time.monotonic() + 30
        while self.client("resources").count(f"{EXPORTER}/{PLACE}/") < 3:   # the exporter has reported in
            if time.monotonic() > deadline:
                raise RuntimeError(f"the exporter published no resources: {self.log('exporter.log')}")
            time.sleep(0.2)

    def client(self, *args: str) -> str:
        result = subprocess.run([str(BIN / "labgrid-client"), "-x", self.coordinator, *args],
                                capture_output=True, text=True, timeout=60)
        if result.returncode:
            raise RuntimeError(f"labgrid-client {' '.join(args)}: {(result.stderr or result.stdout).strip()}")
        return result.stdout

    def log(self, name: str) -> str:
        text = (Path(self.dir.name) / name).read_text(errors="replace")
        return " | ".join(text.strip().splitlines()[-5:])

    def env(self) -> dict:
        """The environment of a program that uses this farm."""
        return dict(os.environ, LG_COORDINATOR=self.coordinator)

    def stop(self) -> None:
        for process in reversed(self.processes):    # exporter (and its ser2net), board, coordinator
            launch.stop(process)
        self.processes.clear()
        if hasattr(self, "dir"):
            self.dir.cleanup()


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m hil.labgrid.local_farm -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    why = missing()
    if why:
        print(f"local labgrid farm: {why}", file=sys.stderr)
        return CANNOT_RUN
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        with LocalFarm() as farm:
            print(f"== local labgrid farm: coordinator {farm.coordinator}, place {PLACE} "
                  f"(the avr-sim board on {farm.uart}, exported through ser2net)", flush=True)
            return subprocess.run(argv, env=farm.env()).returncode
    except KeyboardInterrupt:
        return 130
    except (RuntimeError, launch.LaunchError) as error:
        print(f"local labgrid farm: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""Start `fsw` as a subprocess on a new pty, as a user would, and wait until it says where.

    with launch.start("--clock", "sim", "--speed", "100", state=tmp) as fsw:
        connect(fsw.port)          # the pty slave path from "fsw: listening on /dev/pts/N"

The demo, the tests, the HIL pty target and the benchmarks all start it this way.
"""

import collections
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

LISTENING = re.compile(r"listening on (\S+)")
STDERR_KEPT = 50     # lines of fsw's stderr kept for error messages


class LaunchError(RuntimeError):
    """fsw (or another child) did not say where it listens; one line, with what it said."""


def wait_for_line(process: subprocess.Popen, pattern: str | re.Pattern, timeout: float,
                  on_line: Callable[[str], None] | None = None) -> re.Match:
    """The first stdout line matching pattern. Stdout keeps being drained afterwards (to
    on_line, if given) so the child never blocks on a full pipe. On a timeout or an early
    exit the child is killed and LaunchError says what it printed."""
    pattern = re.compile(pattern)
    seen: list[str] = []
    found: list[re.Match] = []
    done = threading.Event()

    def drain():
        for line in process.stdout:
            if done.is_set():
                if on_line is not None:
                    on_line(line.rstrip("\n"))
                continue
            seen.append(line.strip())
            match = pattern.search(line)
            if match:
                found.append(match)
                done.set()
        done.set()       # end of output: the child has gone

    threading.Thread(target=drain, name="child-stdout", daemon=True).start()
    done.wait(timeout)
    if found:
        return found[0]
    process.kill()
    process.wait()
    said = " | ".join(seen[-5:]) or "no output"
    raise LaunchError(f"no '{pattern.pattern}' line from {Path(str(process.args[0])).name}: {said}")


def stop(process: subprocess.Popen, signum: int = signal.SIGTERM, timeout: float = 10.0) -> int:
    """Ask the child to stop (SIGTERM: fsw saves its state), kill it if it does not; its exit status."""
    if process.poll() is None:
        process.send_signal(signum)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


class Fsw:
    """A running fsw: `port` (the pty slave path) and `process`; stops when the block ends."""

    def __init__(self, process: subprocess.Popen, port: str, stderr: collections.deque, key_file: Path | None = None):
        self.process = process
        self.port = port
        self.key_file = key_file     # its uplink keys (None: --insecure-uplink, or a version without SDLS)
        self._stderr = stderr

    def stderr(self) -> str:
        """What fsw wrote to stderr so far (its last lines)."""
        return "\n".join(self._stderr)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        return stop(self.process, signum, timeout)

    def __enter__(self) -> "Fsw":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start(*options: str, state: str | Path | None = None, timeout: float = 30.0,
          on_stderr: Callable[[str], None] | None = None, cwd: str | Path | None = None) -> Fsw:
    """fsw --port pty [--state DIR] OPTIONS..., once it listens; LaunchError with its complaint if not."""
    command = [sys.executable, "-m", "fsw.cli", "--port", "pty", *options]
    if state is not None:
        command += ["--state", str(state)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    stderr: collections.deque = collections.deque(maxlen=STDERR_KEPT)
    stderr_done = threading.Event()

    def drain_stderr():
        for line in process.stderr:
            stderr.append(line.rstrip("\n"))
            if on_stderr is not None:
                on_stderr(line.rstrip("\n"))
        stderr_done.set()

    threading.Thread(target=drain_stderr, name="fsw-stderr", daemon=True).start()
    try:
        match = wait_for_line(process, LISTENING, timeout)
    except LaunchError as error:
        stderr_done.wait(2)      # the child is dead: its last words are on their way
        said = stderr[-1] if stderr else str(error)
        raise LaunchError(f"fsw did not start: {said}") from None
    key_file = None
    if "--insecure-uplink" not in options:
        from fsw.security.keyfile import KEY_FILE_NAME, default_state_dir

        key_file = Path(state if state is not None else default_state_dir()) / KEY_FILE_NAME
        if cwd is not None and not key_file.is_absolute():
            key_file = Path(cwd) / key_file
        if not key_file.exists():    # an fsw of a version without SDLS (a benchmark's baseline)
            key_file = None
    return Fsw(process, match.group(1), stderr, key_file)

"""A real `ground serve` process, and `ground` run as a person runs it (a command, or a console
on a terminal of its own)."""

import os
import re
import subprocess
import sys
import threading
import time

from fsw import launch


class ServeProcess:
    def __init__(self, port: str, *extra: str):
        archive = [] if any(option.startswith("--archive") for option in extra) else ["--no-archive"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ground.cli", "serve", "--port", port, *archive, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        match = launch.wait_for_line(self.process, r"served on (http://\S+)", timeout=30)
        self.url = match.group(1)

    def stop(self) -> int:
        return launch.stop(self.process, timeout=10)


def ground(*argv, timeout=60, env=None):
    """`ground ARGV...`: (exit status, stdout, stderr)."""
    done = subprocess.run([sys.executable, "-m", "ground.cli", *argv], capture_output=True, text=True,
                          timeout=timeout, env=env)
    return done.returncode, done.stdout, done.stderr


ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")


class Terminal:
    """`ground ARGV` on a pty of its own (80x24), its screen kept as text as it writes it."""

    def __init__(self, *argv: str):
        self.master, slave = os.openpty()
        os.set_blocking(self.master, True)
        env = {**os.environ, "TERM": "xterm", "COLUMNS": "80", "LINES": "24", "PROMPT_TOOLKIT_NO_CPR": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "ground.cli", *argv], stdin=slave, stdout=slave,
                                        stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.output = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:             # the process ended and its side of the terminal closed
                return
            if not data:
                return
            self.output += data

    @property
    def text(self) -> str:
        return ESCAPES.sub(b"", bytes(self.output)).decode(errors="replace")

    def type(self, text: str) -> None:
        for key in text:                 # a key at a time, as typed
            os.write(self.master, key.encode())
            time.sleep(0.005)

    def wait_for(self, pattern: str, timeout: float = 20, after: int = 0) -> int:
        """Where pattern shows (a regular expression) in the text written after `after`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.text[after:])
            if found:
                return after + found.end()
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} never shown; screen:\n{self.text[after:][-3000:]}")

    def close(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            status = self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait(5)
        self.reader.join(5)
        os.close(self.master)
        return status

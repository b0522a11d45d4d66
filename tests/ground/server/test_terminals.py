"""Two consoles and a monitor on one `ground serve`, each a real process on a terminal of its own,
typed into as a person types: both command, each sees its own replies and their true outcomes."""

import os
import re
import subprocess
import sys
import threading
import time

import pytest

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


@pytest.mark.timeout(120)
def test_two_consoles_and_a_monitor_on_one_server(fsw_factory, serve_factory):
    server = serve_factory(fsw_factory(100))
    first = Terminal("console", "--server", server.url)
    second = Terminal("console", "--server", server.url)
    monitor = Terminal("monitor", "--server", server.url)
    try:
        for console in (first, second):
            console.wait_for(r"ground>")
        first.type("ping\r")
        second.type("cam_capture\r")            # the camera is off: the spacecraft says it failed
        first.wait_for(r"ping: completed")
        second.wait_for(r"cam_capture: .*FAILED \(execution_failed\)")
        second.type("cam_power state=on\r")
        first.type("schedule_list\r")
        second.wait_for(r"cam_power: completed")
        first.wait_for(r"schedule_list: completed")
        first.wait_for(r"\[reply\] schedule_report")
        first.wait_for(r"ping: completed, round trip \d+ ms")
        monitor.wait_for(r"cam_power\s+on")            # the monitor sees what the second console did
        time.sleep(0.5)                                  # anything misrouted would have shown by now
        assert not re.search(r"(cam_capture|cam_power): ", first.text)
        assert not re.search(r"(ping|schedule_list): ", second.text)
        assert "[reply]" not in second.text, second.text     # a reply goes to the console that asked
        for terminal in (first, second, monitor):
            assert "Traceback" not in terminal.text
        for console in (first, second):
            console.type("quit\r")
            assert console.process.wait(10) == 0
    finally:
        for terminal in (first, second, monitor):
            terminal.close()

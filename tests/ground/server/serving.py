"""A real `ground serve` process, and `ground` run as a person runs it."""

import subprocess
import sys

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

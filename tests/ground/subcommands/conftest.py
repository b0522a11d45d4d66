"""Shared fixtures for the `ground` subcommand tests."""

import subprocess
import sys

import pytest

import ground.cli


@pytest.fixture
def ground_main():
    """ground.cli.main, run in this process (capsys sees its output)."""
    return ground.cli.main


class Ground:
    """Run `ground` as a person would: a real subprocess, bytes in and out."""

    def __call__(self, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ground.cli", *args], input=stdin,
                              capture_output=True, timeout=30)

    @staticmethod
    def error_line(result: subprocess.CompletedProcess) -> str:
        """A failed run: exactly one line on stderr, no traceback, a non-zero status."""
        text = result.stderr.decode()
        assert result.returncode != 0
        assert "Traceback" not in text and text.count("\n") == 1, text
        return text.strip()


@pytest.fixture(scope="module", name="ground")
def ground_subprocess() -> Ground:
    return Ground()

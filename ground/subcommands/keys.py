"""`ground keys`: the SDLS uplink keys. show (fingerprints, never a key), generate, rotate.

rotate changes keys on board with keys already there (the SDLS-EP subset, docs/ICD.md): a spare
key is activated and given to the stopped association of the same service, that association is
started, the ground moves to it, then the old association is stopped and its key deactivated. The
key file follows each step that completed, so an interrupted rotation leaves it naming the
association that works.
"""

import sys

from ..cli import UsageError
from ._common import add_link_options, guard

# each service has two associations: one in service, the other stopped for the next rotation
PARTNER = {1: 3, 3: 1, 2: 4, 4: 2}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "keys", help="the SDLS uplink keys: show fingerprints, generate, rotate on board",
        description="The SDLS uplink keys (--key-file, default $PERIJOVE_KEY_FILE or the keys fsw "
        "provisioned on this computer). Key material is never printed.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="keys' fingerprints and the associations")
    show.add_argument("--key-file", metavar="FILE")
    show.set_defaults(run=run_show)
    generate = actions.add_parser("generate", help="a new key file (mode 600) for a spacecraft to be provisioned with")
    generate.add_argument("file", metavar="FILE", help="where to write it (never over an existing file); "
                          "give it to fsw as STATE_DIR/uplink-keys.json before its first start")
    generate.set_defaults(run=run_generate)
    rotate = actions.add_parser("rotate", help="put a spare key in service on board and move the uplink to it")
    add_link_options(rotate, required=True)
    rotate.add_argument("--timeout", type=float, default=10.0, metavar="S", help="per command (default 10)")
    rotate.set_defaults(run=guard(run_rotate))


def _key_file(given):
    from ..uplink_security import find_key_file

    path = find_key_file(given)
    if path is None:
        raise UsageError("no key file: give --key-file (or set PERIJOVE_KEY_FILE)")
    return path


def _read(path):
    from fsw.security.keyfile import KeyFileError, read_key_file

    try:
        return read_key_file(path)
    except KeyFileError as error:
        raise UsageError(str(error)) from None


def run_show(args) -> int:
    path = _key_file(args.key_file)
    keyring = _read(path)
    print(f"{path}: spacecraft {keyring.spacecraft}, uplink protected with SPI {keyring.uplink_spi}")
    bound = {sa.key_id: sa.spi for sa in keyring.associations.values() if sa.key_id is not None}
    for key_id in sorted(keyring.keys):
        use = f"SPI {bound[key_id]}" if key_id in bound else "spare"
        print(f"  key {key_id:3d}  {keyring.fingerprint(key_id)}  {use}")
    for sa in sorted(keyring.associations.values(), key=lambda sa: sa.spi):
        key = f"key {sa.key_id}" if sa.key_id is not None else "unkeyed"
        print(f"  SPI {sa.spi:3d}  {sa.service:14s}  VC {sa.vcid}  window {sa.window}  {key}")
    return 0


def run_generate(args) -> int:
    from fsw.protocol.constants import SPACECRAFT_ID
    from fsw.protocol.sdls import new_keyring
    from fsw.security.keyfile import write_key_file

    keyring = new_keyring(SPACECRAFT_ID)
    try:
        write_key_file(args.file, keyring, replace=False)
    except FileExistsError:
        raise UsageError(f"{args.file} exists: a key file is never overwritten") from None
    print(f"{args.file}: {len(keyring.keys)} keys, SPI 1 (encryption, key 1) and SPI 2 (authentication, key 2)")
    return 0


def next_spare(keyring) -> int | None:
    """The key after every key an association ever held (a key never goes back into service)."""
    used = max((sa.key_id for sa in keyring.associations.values() if sa.key_id is not None), default=0)
    spares = [key_id for key_id in keyring.keys if key_id > used]
    return min(spares) if spares else None


def run_rotate(args) -> int:
    from fsw.security.keyfile import write_key_file

    from ..procedures import connect

    if args.insecure_uplink:
        raise UsageError("rotate changes keys over an authenticated uplink: --insecure-uplink cannot")
    path = _key_file(args.key_file)
    keyring = _read(path)
    old_spi = keyring.uplink_spi
    old_key = keyring.associations[old_spi].key_id
    new_spi = PARTNER.get(old_spi)
    spare = next_spare(keyring)
    if new_spi not in keyring.associations:
        raise UsageError(f"SPI {old_spi} has no partner association to rotate to")
    if spare is None:
        raise UsageError(f"{path}: no spare key left: provision the spacecraft with new keys")
    with connect(args.port, frame_len=args.frame_len, archive=False, timeout=args.timeout, key_file=path,
                 on_warning=lambda message: print(f"ground keys: {message}", file=sys.stderr)) as gs:
        security = gs.session.security
        gs.send("key_activate", key=spare)
        gs.send("sa_rekey", spi=new_spi, key=spare)
        gs.send("sa_start", spi=new_spi)
        security.use(new_spi, key_id=spare)
        write_key_file(path, security.keyring)               # the file names what works, from now on
        print(f"uplink now on SPI {new_spi}, key {spare} {keyring.fingerprint(spare)}")
        gs.arm_and_send("sa_stop", spi=old_spi)
        gs.send("key_deactivate", key=old_key)
        print(f"SPI {old_spi} stopped, key {old_key} deactivated")
    return 0

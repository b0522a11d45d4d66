"""`ground keys`: the SDLS uplink keys. show (fingerprints, never a key), generate, rotate.

rotate asks the ground server that owns the link (POST /api/keys/rotate; given --port, one in this
process) to change keys on board with keys already there (the SDLS-EP subset, docs/ICD.md;
ground.uplink_security.rotate): the server's uplink moves to the new key from its next frame.
"""

import json
import sys
from contextlib import nullcontext

from .. import exitcodes
from ..cli import UsageError
from ._common import add_port_options, guard


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
    rotate = actions.add_parser("rotate", help="put a spare key in service on board and move the uplink to it",
                                description="Through the ground server that owns the link (--server, or one "
                                "of its own on --port): the next frame any client sends uses the new key.")
    add_port_options(rotate)
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


def run_rotate(args) -> int:
    from ..client import ServerError, request, server_url
    from ._common import embedded_server

    if args.insecure_uplink:
        raise UsageError("rotate changes keys over an authenticated uplink: --insecure-uplink cannot")
    server = server_url(args.server)
    if args.port is not None and args.server is not None:
        raise UsageError("give --port or --server, not both")
    if args.port is None and server is None:
        raise UsageError("no spacecraft: give --server URL (or set PERIJOVE_SERVER) or --port URL")
    if args.port is not None:
        _read(_key_file(args.key_file))               # one line about a missing or unusable file, first
    with embedded_server(args) if args.port is not None else nullcontext(server) as url:
        try:
            response = request(url, "POST", "/api/keys/rotate", {"timeout": args.timeout}, args.token,
                               timeout=6 * args.timeout + 10)
        except ServerError as error:
            print(f"ground keys: {error}", file=sys.stderr)
            return exitcodes.FAILED
        done = json.loads(response.read())
    print(f"uplink now on SPI {done['new_spi']}, key {done['new_key']} {done['fingerprint']}")
    print(f"SPI {done['old_spi']} stopped, key {done['old_key']} deactivated")
    return 0

"""`ground upload FILE [--name NAME] [--class 1|2]`: put a file in the on-board store with CFDP."""

import sys
from pathlib import Path

from fsw.protocol.cfdp import MAX_UPLOAD_OCTETS

from .. import exitcodes
from ..cli import UsageError
from ..remote_files import FileDeliveryError
from ._common import add_port_options, guard, open_station, progress_bar


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "upload", help="put a file on board (CFDP)",
        description=f"Put a file in the on-board store with CFDP (class 2 unless --class 1): at most "
        f"{MAX_UPLOAD_OCTETS} octets, stored on board only complete and its checksum verified.")
    add_port_options(parser)
    parser.add_argument("file", metavar="FILE", help="the file to send")
    parser.add_argument("--name", metavar="NAME", help="its name on board (default: the file's own)")
    parser.add_argument("--class", dest="cfdp_class", type=int, choices=(1, 2), default=2,
                        help="CFDP class: 2 acknowledged (default), 1 unacknowledged")
    parser.set_defaults(run=guard(run))


def run(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{args.file}: no such file")
    size = path.stat().st_size
    if size > MAX_UPLOAD_OCTETS:        # said before anything is opened: it could never be stored
        raise UsageError(f"{args.file}: {size} octets, the on-board limit is {MAX_UPLOAD_OCTETS}")
    with open_station(args) as gs:
        try:
            with progress_bar(f"upload {args.name or path.name}") as progress:
                transfer = gs.upload(path, args.name, args.cfdp_class, timeout=max(args.timeout, 30 + size / 4000),
                                     progress=progress)
        except FileDeliveryError as error:
            print(f"ground upload: {error}", file=sys.stderr)
            return exitcodes.FAILED
    if not transfer.ok:
        print(f"ground upload: {transfer.name}: not stored on board ({transfer.condition.replace('_', ' ')})",
              file=sys.stderr)
        return exitcodes.FAILED
    print(f"{transfer.name}: stored on board, {transfer.size} octets, checksum verified")
    return exitcodes.OK

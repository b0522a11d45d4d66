"""`ground encode NAME [arg=value ...]`: a command as TC packet bytes, checked against the dictionary."""

import difflib
import sys

from fsw.dictionary import load
from fsw.protocol.pus import encode_tc
from fsw.protocol.stack import TcSender

from ..cli import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "encode",
        help="encode a command as a TC packet (or framed bytes)",
        description="Encode a dictionary command as a PUS TC packet. Output is hex on a terminal "
        "(or with --hex), raw bytes when stdout is a pipe or file (or with --raw).",
    )
    parser.add_argument("name", metavar="NAME", help="command name (see `ground dict`)")
    parser.add_argument("args", nargs="*", metavar="ARG=VALUE", help="command arguments")
    parser.add_argument("--frame", action="store_true", help="ASM + TC frame + FECF, ready for the link")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--hex", action="store_true", help="write hex text")
    output.add_argument("--raw", action="store_true", help="write raw bytes")
    parser.add_argument("--seq-count", type=int, default=0, metavar="N", help="packet sequence count (default 0)")
    parser.set_defaults(run=run)


def run(args) -> int:
    dictionary = load()
    if args.name not in dictionary.commands:
        close = difflib.get_close_matches(args.name, dictionary.commands, n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; `ground dict` lists them"
        raise UsageError(f"unknown command {args.name!r}{hint}")
    if not 0 <= args.seq_count <= 0x3FFF:
        raise UsageError(f"--seq-count {args.seq_count} outside [0, 16383]")
    values = dictionary.parse_args(args.name, args.args)
    packet = encode_tc(dictionary.build_tc(args.name, values, seq_count=args.seq_count))
    data = TcSender().frame(packet) if args.frame else packet
    if args.hex or (not args.raw and sys.stdout.isatty()):
        print(data.hex())
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0

"""`ground`: the ground station's command line. Each subcommand lives in ground/subcommands/."""

import argparse
import importlib
import sys

from fsw.link import LinkError
from fsw.protocol.reasons import ProtocolError
from ground import exitcodes

# subcommand modules, in the order `ground --help` lists them
SUBCOMMANDS = (
    "ground.subcommands.encode",
    "ground.subcommands.decode",
    "ground.subcommands.dictionary",
    "ground.subcommands.serve",
    "ground.subcommands.send",
    "ground.subcommands.tlm",
    "ground.subcommands.run",
    "ground.subcommands.image",
    "ground.subcommands.console",
    "ground.subcommands.monitor",
    "ground.subcommands.archive",
    "ground.subcommands.export",
    "ground.subcommands.replay",
    "ground.subcommands.plot",
)


class UsageError(Exception):
    """A person's input was wrong: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse prints its usage and the error; a person gets the one line that matters."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ground", description="Perijove ground station.")
    subparsers = parser.add_subparsers(dest="subcommand", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as error:
        print(error, file=sys.stderr)
        return exitcodes.USAGE
    try:
        return args.run(args) or 0
    except (UsageError, ProtocolError, LinkError) as error:
        print(f"ground {args.subcommand}: {error}", file=sys.stderr)
        return exitcodes.USAGE
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED


if __name__ == "__main__":
    # `python -m ground.cli` runs this file as __main__; run the importable module instead, so
    # the UsageError that subcommands import from ground.cli is the one main() catches
    from ground.cli import main as _main

    sys.exit(_main())

"""`ground`: the ground station's command line. Each subcommand lives in ground/commands/."""

import argparse
import importlib
import sys

from fsw.link import LinkError
from fsw.protocol.reasons import ProtocolError

# subcommand modules, in the order `ground --help` lists them
SUBCOMMANDS = (
    "ground.commands.encode",
    "ground.commands.decode",
    "ground.commands.dictionary",
    "ground.commands.send",
    "ground.commands.tlm",
    "ground.commands.run",
    "ground.commands.image",
    "ground.commands.console",
    "ground.commands.monitor",
    "ground.commands.archive",
    "ground.commands.export",
    "ground.commands.replay",
    "ground.commands.plot",
)

EXIT_USAGE = 2


class UsageError(Exception):
    """A person's input was wrong: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse prints its usage and the error; a person gets the one line that matters."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ground", description="Perijove ground station.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.run(args) or 0
    except (UsageError, ProtocolError, LinkError) as error:
        print(f"ground {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    # `python -m ground.cli` runs this file as __main__; run the importable module instead, so
    # the UsageError that subcommands import from ground.cli is the one main() catches
    from ground.cli import main as _main

    sys.exit(_main())

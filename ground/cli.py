"""`ground`: the ground station's command line. Each subcommand lives in ground/subcommands/."""

import argparse
import importlib
import sys

from fsw.version import VersionAction
from ground import exitcodes

# subcommand modules, in the order `ground --help` lists them
SUBCOMMANDS = (
    "ground.subcommands.encode",
    "ground.subcommands.decode",
    "ground.subcommands.dictionary",
    "ground.subcommands.serve",
    "ground.subcommands.keys",
    "ground.subcommands.send",
    "ground.subcommands.cop1",
    "ground.subcommands.tlm",
    "ground.subcommands.run",
    "ground.subcommands.image",
    "ground.subcommands.upload",
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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with only, just that subcommand's (a command line names one: importing every
    subcommand, with numpy and Pillow behind some, would cost each run a fifth of a second)."""
    parser = _Parser(prog="ground", description="Perijove ground station.")
    parser.add_argument("--version", action=VersionAction)
    subparsers = parser.add_subparsers(dest="subcommand", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        if only is None or name.rpartition(".")[2] == only:
            importlib.import_module(name).register(subparsers)
    return parser


def _named_subcommand(argv: list[str]) -> str | None:
    """The subcommand a command line names, when it is a known one."""
    known = {name.rpartition(".")[2] for name in SUBCOMMANDS}
    first = next((word for word in argv if not word.startswith("-")), None)
    return first if first in known and argv and argv[0] == first else None


def _stdout_closed() -> int:
    """Whoever read our output has gone (`ground ... | head`): end quietly, as a program killed by
    SIGPIPE would (status 141), with stdout on /dev/null so that the exit's flush cannot complain."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return exitcodes.STDOUT_CLOSED


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_named_subcommand(argv))
    try:
        args, rest = parser.parse_known_args(argv)
        if rest and not hasattr(args, "script_args"):
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        if rest:
            # `ground run SCRIPT --port P a b`: ground's options are ground's wherever they
            # stand; every other word is the procedure's, in order
            args.script_args = [*args.script_args, *rest]
    except UsageError as error:
        print(error, file=sys.stderr)
        return exitcodes.USAGE
    try:
        return args.run(args) or 0
    except BrokenPipeError:
        return _stdout_closed()
    except UsageError as error:
        print(f"ground {args.subcommand}: {error}", file=sys.stderr)
        return exitcodes.USAGE
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED
    except Exception as error:
        from fsw.link import LinkError
        from fsw.protocol.reasons import ProtocolError
        from ground.client import ServerError

        if isinstance(error, (ProtocolError, LinkError, ServerError)):
            print(f"ground {args.subcommand}: {error}", file=sys.stderr)
            return exitcodes.USAGE
        if isinstance(error, OSError) and error.strerror:
            # a file or directory we cannot use (an archive directory under a file, a full disk)
            where = f"{error.filename}: " if error.filename is not None else ""
            print(f"ground {args.subcommand}: {where}{error.strerror}", file=sys.stderr)
            return exitcodes.USAGE
        raise


if __name__ == "__main__":
    # `python -m ground.cli` runs this file as __main__; run the importable module instead, so
    # the UsageError that subcommands import from ground.cli is the one main() catches
    from ground.cli import main as _main

    sys.exit(_main())

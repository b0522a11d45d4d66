"""`ground run SCRIPT.py --port URL`: run a procedure file; it gets `gs`, a GroundStation."""

import runpy
import sys
import traceback
from pathlib import Path

from .. import exitcodes
from ..cli import UsageError
from ..tracker import CommandError
from ._common import add_port_options, open_station


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="run a procedure file against the spacecraft",
        description="Run a Python procedure. The script's globals include `gs` (a connected "
        "ground.procedures.GroundStation) and `Reason`. Exit status: 0 when it ends, 1 when an "
        "assertion fails or it raises, 3/4/5 when a command is rejected/fails/times out.")
    add_port_options(parser)
    parser.add_argument("script", metavar="SCRIPT.py")
    parser.add_argument("script_args", nargs="*", metavar="ARG", help="given to the script as sys.argv[1:]")
    parser.set_defaults(run=run)


def _where(script: Path, error: BaseException) -> str:
    """script.py:LINE, the last line of the procedure the error passed through (or its syntax error)."""
    line = error.lineno if isinstance(error, SyntaxError) and error.filename == str(script) else None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == str(script):
            line = lineno
    return f"{script.name}:{line}" if line else script.name


def run(args) -> int:
    script = Path(args.script)
    if not script.is_file():
        raise UsageError(f"{script}: no such procedure file")
    from fsw.protocol.reasons import Reason

    from ..procedures import LinkLost
    with open_station(args) as gs:
        saved_argv = sys.argv
        sys.argv = [str(script), *args.script_args]
        try:
            runpy.run_path(str(script), init_globals={"gs": gs, "Reason": Reason}, run_name="__main__")
        except CommandError as error:
            print(f"ground run: {_where(script, error)}: {error}", file=sys.stderr)
            return exitcodes.for_error(error)
        except SystemExit as leaving:
            if leaving.code is None or isinstance(leaving.code, int):
                return leaving.code or exitcodes.OK
            print(f"ground run: {script.name}: {leaving.code}", file=sys.stderr)
            return exitcodes.ERROR
        except LinkLost as error:
            # not a timeout: nothing could come any more, and the person should know why
            print(f"ground run: {_where(script, error)}: {error}", file=sys.stderr)
            return exitcodes.TIMEOUT
        except Exception as error:
            # an assertion, a timeout or a bug in the procedure: one line, at its line in the file
            text = f"{type(error).__name__}: {error}".rstrip(": ").replace("\n", " ")
            print(f"ground run: {_where(script, error)}: {text}", file=sys.stderr)
            return exitcodes.ERROR
        finally:
            sys.argv = saved_argv
    return exitcodes.OK

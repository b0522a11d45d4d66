"""Options and helpers shared by the subcommands that talk to the spacecraft or read archives."""

import argparse
from datetime import UTC, datetime
from pathlib import Path

from fsw.protocol import TM_FRAME_LEN
from fsw.protocol.cuc import datetime_to_cuc_seconds

from .. import paths
from ..archive import ArchiveReader
from ..cli import UsageError


def add_port_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", required=True, metavar="URL",
                        help="serial device, pty path or pyserial URL (loop://, socket://host:port)")
    parser.add_argument("--frame-len", type=int, default=TM_FRAME_LEN, metavar="N",
                        help=f"TM frame length of the link (default {TM_FRAME_LEN}; 256 for the Arduino)")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S",
                        help="seconds to wait for a command's completion (default 10)")
    parser.add_argument("--archive-dir", metavar="DIR",
                        help="where the session archive goes (default $PERIJOVE_HOME/archive)")
    parser.add_argument("--no-archive", action="store_true", help="do not archive this session")


def open_station(args, **kwargs):
    """A GroundStation on args.port, archived as the options say."""
    from ..archive import session_path
    from ..procedures import connect

    if args.no_archive:
        archive = False
    elif args.archive_dir:
        archive = session_path(Path(args.archive_dir))
    else:
        archive = True
    if not str(args.port).strip():
        raise UsageError("--port is empty")
    return connect(args.port, frame_len=args.frame_len, timeout=args.timeout, archive=archive, **kwargs)


def guard(run):
    """Failures that are not a usage error still end in one line and a distinct exit status."""
    import functools
    import sys

    from .. import exitcodes
    from ..images import ImageError
    from ..tracker import CommandError

    @functools.wraps(run)
    def guarded(args):
        try:
            return run(args)
        except CommandError as error:
            print(f"ground {args.subcommand}: {error}", file=sys.stderr)
            return exitcodes.for_error(error)
        except TimeoutError as error:
            print(f"ground {args.subcommand}: {error}", file=sys.stderr)
            return exitcodes.TIMEOUT
        except ImageError as error:
            print(f"ground {args.subcommand}: {error}", file=sys.stderr)
            return exitcodes.ERROR
        except KeyError as error:
            raise UsageError(error.args[0] if error.args else str(error)) from None
        except OSError as error:
            # an OSError's first argument is its errno: say the file and why
            if error.filename is not None and error.strerror:
                raise UsageError(f"{error.filename}: {error.strerror}") from None
            raise UsageError(str(error)) from None
    return guarded


def latest_archive() -> Path:
    directory = paths.archive_dir()
    found = sorted(directory.glob("session-*.sqlite"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise UsageError(f"no archive given and none in {directory}")
    return found[-1]


def add_archive_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", metavar="FILE", help="archive file (default: the newest session archive)")


def open_archive(path: str | None) -> ArchiveReader:
    from fsw.dictionary import load
    return ArchiveReader(path or latest_archive(), load())


def parse_time(text: str | None) -> float | None:
    """On-board seconds since 2000-01-01, or an ISO date-time (UTC unless it says otherwise)."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text!r} is neither on-board seconds nor an ISO date-time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return datetime_to_cuc_seconds(when)


def iso(seconds: float) -> str:
    from fsw.protocol.cuc import cuc_to_datetime
    return cuc_to_datetime(seconds).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

"""Options and helpers shared by the subcommands that talk to the spacecraft or read archives."""

import argparse
import math
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from fsw.protocol.constants import MAX_FRAME_LEN, MIN_FRAME_LEN, TM_FRAME_LEN
from fsw.protocol.cuc import datetime_to_cuc_seconds

from .. import paths
from ..cli import UsageError


def _frame_len(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not MIN_FRAME_LEN <= value <= MAX_FRAME_LEN:
        raise argparse.ArgumentTypeError(f"{value} is outside {MIN_FRAME_LEN}..{MAX_FRAME_LEN} octets")
    return value


def _baud(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not a positive baud rate")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def add_link_options(parser: argparse.ArgumentParser, required: bool = False) -> None:
    """The link itself: a port, its baud rate and frame length, the archive."""
    parser.add_argument("--port", required=required, metavar="URL",
                        help="serial device, pty path or pyserial URL (loop://, socket://host:port)")
    parser.add_argument("--baud", type=_baud, metavar="N",
                        help="line rate: the uplink is paced to it (a serial device: its baud, default 115200; "
                        "a pty or a URL: paced only when given)")
    parser.add_argument("--frame-len", type=_frame_len, default=TM_FRAME_LEN, metavar="N",
                        help=f"TM frame length of the link (default {TM_FRAME_LEN}; 256 for the Arduino)")
    parser.add_argument("--channel", type=_impairments, metavar="IMPAIRMENTS",
                        help="see the port through a bad line: ber=P,drop=P,dup=P,octet_drop=P,burst=P,"
                        "burst_len=N,delay=S,seed=N")
    parser.add_argument("--no-cop1", action="store_true",
                        help="send every command as a Type-BD frame, without COP-1 (a board without FARM-1)")
    parser.add_argument("--archive-dir", metavar="DIR",
                        help="where the session archive goes (default $PERIJOVE_HOME/archive)")
    parser.add_argument("--no-archive", action="store_true", help="do not archive this session")
    parser.add_argument("--key-file", metavar="FILE",
                        help="SDLS uplink keys (default $PERIJOVE_KEY_FILE, else the keys fsw provisioned "
                        "in its default state directory on this computer)")
    parser.add_argument("--insecure-uplink", action="store_true",
                        help="send clear frames (a board without SDLS, or fsw --insecure-uplink)")


def uplink_security_option(args):
    """The UplinkSecurity that --key-file, --insecure-uplink or the default ask for (None: clear)."""
    from ..uplink_security import KeyFileError, find_key_file, load

    if args.insecure_uplink:
        if args.key_file:
            raise UsageError("give --key-file or --insecure-uplink, not both")
        return None
    path = find_key_file(args.key_file)
    if path is None:
        return None
    try:
        return load(path)
    except KeyFileError as error:
        raise UsageError(str(error)) from None


def _impairments(text: str):
    from fsw.link.channel import Impairments

    try:
        return Impairments.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_port_options(parser: argparse.ArgumentParser) -> None:
    """Where the spacecraft is: a ground server to attach to, or a port of our own."""
    add_link_options(parser)
    parser.add_argument("--server", metavar="URL",
                        help="a ground server to attach to (`ground serve`; default $PERIJOVE_SERVER)")
    parser.add_argument("--token", metavar="TOKEN", help="the server's token, when it needs one "
                        "(default $PERIJOVE_TOKEN)")
    parser.add_argument("--timeout", type=_positive, default=10.0, metavar="S",
                        help="seconds to wait for a command's completion (default 10)")


def archive_option_value(args):
    """--no-archive, --archive-dir or the default, as connect() and the server take them."""
    from ..archive import spacecraft_path

    if args.no_archive:
        return False
    if args.archive_dir:
        return spacecraft_path(Path(args.archive_dir))
    return True


@contextmanager
def open_station(args, **kwargs):
    """A GroundStation attached to the server (--server or $PERIJOVE_SERVER); given --port, to a
    server of its own in this process, so that every subcommand takes the one path."""
    from ..client import ServerError, server_url
    from ..procedures import connect

    server = server_url(getattr(args, "server", None))
    if args.port is not None and args.server is not None:
        raise UsageError("give --port or --server, not both")
    if args.port is None and server is None:
        raise UsageError("no spacecraft: give --server URL (or set PERIJOVE_SERVER) or --port URL")
    if args.port is None:
        try:
            station = connect(server=server, token=args.token, timeout=args.timeout, **kwargs)
        except ServerError as error:
            raise UsageError(str(error)) from None
        with station:
            yield station
        return
    if not str(args.port).strip():
        raise UsageError("--port is empty")
    with embedded_server(args) as url, connect(server=url, timeout=args.timeout, **kwargs) as station:
        yield station


@contextmanager
def progress_bar(label: str):
    """A progress bar on stderr for long work (stdout keeps the result, for scripts); yields
    update(done, total)."""
    from rich.console import Console  # here: only the long commands pay for rich
    from rich.progress import BarColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@contextmanager
def embedded_server(args):
    """`ground serve` for the length of one subcommand, on a loopback port: its URL."""
    from fsw.protocol.constants import SPACECRAFT_ID

    from ..counters import default_counters
    from ..server.run import EmbeddedServer
    from ..server.station import GroundServer

    server = GroundServer(args.port, counters=default_counters(SPACECRAFT_ID), baud=args.baud,
                          frame_len=args.frame_len, archive=archive_option_value(args), channel=args.channel,
                          cop1=not args.no_cop1, security=uplink_security_option(args))
    with EmbeddedServer(server) as embedded:
        yield embedded.url


def guard(run):
    """Failures that are not a usage error still end in one line and a distinct exit status."""
    import functools
    import sys

    from .. import exitcodes
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
        except ValueError as error:
            # an image that cannot be made; ground.images (numpy, Pillow) is looked up, not imported:
            # a subcommand that never loaded it cannot raise its error, and should not pay its import
            images = sys.modules.get("ground.images")
            if images is None or not isinstance(error, images.ImageError):
                raise
            print(f"ground {args.subcommand}: {error}", file=sys.stderr)
            return exitcodes.ERROR
        except KeyError as error:
            raise UsageError(error.args[0] if error.args else str(error)) from None
        except BrokenPipeError:
            raise                   # our reader left: main() ends quietly, not a usage error
        except OSError as error:
            # an OSError's first argument is its errno: say the file and why
            if error.filename is not None and error.strerror:
                raise UsageError(f"{error.filename}: {error.strerror}") from None
            raise UsageError(str(error)) from None
    return guarded


def default_archive() -> Path:
    """The spacecraft's continuous archive, else the newest archive in the directory."""
    from fsw.protocol.constants import SPACECRAFT_ID

    from ..archive import spacecraft_path

    directory = paths.archive_dir()
    continuous = spacecraft_path(directory, SPACECRAFT_ID)
    if continuous.is_file():
        return continuous
    found = sorted(directory.glob("*.sqlite"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise UsageError(f"no archive given and none in {directory}")
    return found[-1]


def add_archive_option(parser: argparse.ArgumentParser, file_option: bool = True) -> None:
    """Where an archive is read: a file, else a ground server's (through its API), else the
    spacecraft's archive in the archive directory."""
    if file_option:
        parser.add_argument("--archive", metavar="FILE",
                            help="archive file (default: the server's, with --server or $PERIJOVE_SERVER; "
                            "else the spacecraft's archive in $PERIJOVE_HOME/archive)")
    parser.add_argument("--server", metavar="URL", help="read a ground server's archive instead "
                        "(default $PERIJOVE_SERVER when no archive file is given)")
    parser.add_argument("--token", metavar="TOKEN", help="the server's token, when it needs one "
                        "(default $PERIJOVE_TOKEN)")


def open_archive(args):
    """The archive the options name: an ArchiveReader of a file, or a ServerArchive of a server's."""
    from fsw.dictionary import load

    from ..archive import ArchiveReader

    if not args.archive:
        from ..client import server_url  # http.client: imported only when a server may be asked

        url = server_url(args.server)
        if url is not None:
            from ..remote_archive import ServerArchive

            return ServerArchive(url, args.token, load())
    elif args.server:
        raise UsageError("give an archive file or --server, not both")
    return ArchiveReader(args.archive or default_archive(), load())


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
    """On-board time as an ISO date-time, to the millisecond (gmtime: a third of datetime's cost,
    which counts in an export of a million rows)."""
    import time

    from fsw.protocol.cuc import EPOCH_UNIX

    whole = math.floor(seconds)
    millis = min(999, round((seconds - whole) * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(EPOCH_UNIX + whole)) + f".{millis:03d}Z"

"""`ground replay [ARCHIVE | --server URL]`: an archive's downlink, packet by packet, through the monitor."""

import sys
import time

from ..cli import UsageError
from ._common import add_archive_option, guard, open_archive


def register(subparsers) -> None:
    parser = subparsers.add_parser("replay", help="replay an archive through the monitor",
                                   description="Feed an archive's received frames through the same ingest "
                                   "and monitor as a live session, at the pace they arrived (or faster).")
    parser.add_argument("archive", metavar="ARCHIVE", nargs="?",
                        help="archive file (default: the server's, with --server or $PERIJOVE_SERVER; else the "
                        "spacecraft's archive)")
    add_archive_option(parser, file_option=False)
    parser.add_argument("--speed", type=float, default=1.0, metavar="X", help="replay speed-up (default 1)")
    parser.add_argument("--no-screen", action="store_true", help="draw inline instead of full-screen")
    parser.add_argument("--exit", action="store_true", help="leave when the archive ends (default: stay until Ctrl-C)")
    parser.set_defaults(run=guard(run))


# a longer silence in the archive (a paused session, a clock jump) is replayed as this many seconds
MAX_GAP = 10.0


def replay(reader, state, speed: float = 1.0, sleep=time.sleep, stop=lambda: False, records=None) -> int:
    """Feed the archive's packets (or `records`, (ground time, Record) pairs) into state at their
    original pace / speed; returns packets fed."""
    records = reader.records() if records is None else records
    fed = 0
    last_t = None
    elapsed = 0.0
    start = time.time()
    for t, record in records:
        if stop():
            break
        if last_t is not None:
            elapsed += min(max((t - last_t) / speed, 0.0), MAX_GAP)
        last_t = t
        delay = elapsed - (time.time() - start)
        if delay > 0:
            sleep(delay)
        # ground times are shifted so "last contact" and staleness read as if live
        record.received = start + elapsed
        state.stats.last_contact = record.received
        state.apply([record])
        fed += 1
    return fed


def run(args) -> int:
    import itertools
    import threading

    from ..monitor import live
    from ..telemetry import TelemetryState
    if not args.speed > 0:
        raise UsageError(f"--speed {args.speed}: give a speed-up above 0")
    reader = open_archive(args)
    records = reader.records()
    first = next(records, None)             # a damaged archive is refused here, before the view
    state = TelemetryState(reader.dictionary)
    done = threading.Event()
    failed = []

    def feed():
        try:
            if first is not None:
                replay(None, state, args.speed, stop=done.is_set, records=itertools.chain([first], records))
        except UsageError as error:         # damage further in: said after the view closes
            failed.append(error)
        done.set()

    worker = threading.Thread(target=feed, daemon=True)
    worker.start()
    live(state, f"replay {args.archive or reader.path}", lambda: not (args.exit and done.is_set()),
         screen=not args.no_screen and sys.stdout.isatty())
    done.set()
    worker.join(2)
    reader.close()
    if failed:
        raise failed[0]
    return 0

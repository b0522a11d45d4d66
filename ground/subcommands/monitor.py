"""`ground monitor --port URL`: the live full-screen telemetry view (ground/monitor.py)."""

import sys
import time

from fsw.link import LinkError

from ._common import add_port_options, guard, open_station


def register(subparsers) -> None:
    parser = subparsers.add_parser("monitor", help="live full-screen housekeeping, link health and events",
                                   description="Housekeeping with units; yellow/red for limit violations, "
                                   "~ for values not updated lately; link statistics; the event log. Ctrl-C leaves.")
    add_port_options(parser)
    parser.add_argument("--duration", type=float, metavar="S", help="leave after this many seconds")
    parser.add_argument("--no-screen", action="store_true", help="draw inline instead of full-screen")
    parser.set_defaults(run=guard(run))


def run(args) -> int:
    from ..monitor import live
    with open_station(args) as gs:
        gs.session.on_warning = gs.state.warnings.append   # drawn in the view, not over it
        end = time.time() + args.duration if args.duration else float("inf")
        live(gs.state, args.port, lambda: time.time() < end and gs.session.connected,
             screen=not args.no_screen and sys.stdout.isatty())
        if gs.session.link_error is not None:
            raise LinkError(f"link lost: {gs.session.link_error}")
    return 0

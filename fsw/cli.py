"""`fsw`: run the flight software on a link until SIGINT or SIGTERM.

    fsw --port pty --clock sim --speed 100     # prints: fsw: listening on /dev/pts/N

A bad option or a port that cannot be opened gets one line on stderr and a non-zero exit.
"""

import argparse
import json
import logging
import signal
import sys
import warnings
from pathlib import Path

from fsw.executive.clock import MAX_SPEED
from fsw.hw.backends import BACKENDS
from fsw.link import DEFAULT_BAUD, Impairments, LinkError, line_rate, open_link
from fsw.protocol.constants import MAX_FRAME_LEN, MIN_FRAME_LEN, TM_FRAME_LEN
from fsw.security.keyfile import default_state_dir
from fsw.version import VersionAction

EXIT_FAILURE = 1
EXIT_USAGE = 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fsw", description="Perijove flight software: a Juno-like camera and heater.")
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("--port", required=True, metavar="URL|pty",
                        help="pyserial URL or device, or 'pty' for a new pseudo-terminal")
    parser.add_argument("--baud", type=int, default=None,
                        help="line speed: a serial port is opened at it (default 115200) and the "
                        "downlink is paced to it (baud/10 octets/s); a pty or a URL is paced only "
                        "when it is given")
    parser.add_argument("--channel", metavar="IMPAIRMENTS",
                        help="see the link through a bad line: ber=P,drop=P,dup=P,octet_drop=P,burst=P,"
                        "burst_len=N,delay=S,seed=N (fsw/link/channel.py)")
    parser.add_argument("--state", type=Path, default=None, metavar="DIR",
                        help="state directory (default $XDG_STATE_HOME/perijove/fsw)")
    parser.add_argument("--clock", choices=("real", "sim"), default="real")
    parser.add_argument("--speed", type=float, default=None, metavar="X",
                        help="simulated time runs X times faster than real time (--clock sim)")
    parser.add_argument("--start", default=None, metavar="DATE",
                        help="--clock sim: where simulated time and the simulated mission begin on a first "
                        "boot, an ISO date (2022-11-01T00:00Z) or PJn (a perijove, e.g. PJ46); default 2023-12-29")
    parser.add_argument("--hw", choices=BACKENDS, default="sim", help="hardware backend")
    parser.add_argument("--hw-option", action="append", default=[], metavar="KEY=VALUE",
                        help="hardware backend option, repeatable; sim: heater=stuck_on, "
                        "sensor=stuck|failed, sensor_fault_at=S, initial_c=C, sink_c=C; "
                        "raspberrypi: heater_pin=N, w1_root=DIR (the DS18B20's sysfs tree)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the simulation")
    parser.add_argument("--tm-frame-len", type=int, default=TM_FRAME_LEN, metavar="N",
                        help=f"TM frame length in octets (default {TM_FRAME_LEN})")
    parser.add_argument("--farm-window", type=int, default=10, metavar="W",
                        help="FARM-1 sliding window width W, even, 2..254 (default 10: 5 ahead, 5 behind V(R))")
    parser.add_argument("--save-interval", type=float, default=1.0, metavar="S",
                        help="seconds of real time between state saves (default 1)")
    parser.add_argument("--unsafe-ack", action="store_true",
                        help="report commands done before their effect is on disk: only to measure what "
                        "durable acknowledgement costs, never in operations")
    parser.add_argument("--stats", type=Path, default=None, metavar="FILE",
                        help="write cycle-time and command statistics as JSON on exit")
    parser.add_argument("--insecure-uplink", action="store_true",
                        help="accept clear (unauthenticated) TC frames: anyone on the line commands the "
                        "spacecraft; logged and counted. Default: SDLS, with keys provisioned in the state "
                        "directory on the first start")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every event on stderr")
    return parser


def parse_start(text: str) -> float:
    """On-board seconds of an ISO date or of perijove PJn; UsageError if neither or after the mission."""
    from datetime import UTC, datetime

    from fsw import mission
    from fsw.protocol.cuc import datetime_to_cuc_seconds

    if text.upper().startswith("PJ") and text[2:].isdigit() and int(text[2:]) >= 1:
        seconds = mission.perijove_time(int(text[2:]))
    else:
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"--start takes an ISO date or PJn, not {text!r}") from None
        seconds = datetime_to_cuc_seconds(when if when.tzinfo else when.replace(tzinfo=UTC))
    if not 0 <= seconds <= mission.MISSION_END:
        raise UsageError(f"--start {text} is outside the mission (2000 to {mission.MISSION_END:.0f} on board)")
    return float(seconds)


def check(args) -> None:
    if args.speed is not None:
        if args.clock != "sim":
            raise UsageError("--speed needs --clock sim")
        if not 0 < args.speed <= MAX_SPEED:
            raise UsageError(f"--speed must be in (0, {MAX_SPEED:g}]")
    args.start_time = None
    if args.start is not None:
        if args.clock != "sim":
            raise UsageError("--start needs --clock sim")
        args.start_time = parse_start(args.start)
    if not MIN_FRAME_LEN <= args.tm_frame_len <= MAX_FRAME_LEN:
        raise UsageError(f"--tm-frame-len must be in [{MIN_FRAME_LEN}, {MAX_FRAME_LEN}]")
    if args.baud is not None and args.baud <= 0:
        raise UsageError("--baud must be positive")
    if args.channel is not None:
        try:
            args.channel = Impairments.parse(args.channel)
        except ValueError as error:
            raise UsageError(f"--channel: {error}") from None
    if args.save_interval <= 0:
        raise UsageError("--save-interval must be positive")
    if args.farm_window % 2 or not 2 <= args.farm_window <= 254:
        raise UsageError("--farm-window must be even, 2..254")
    args.hw_options = {}
    for option in args.hw_option:
        key, sep, value = option.partition("=")
        if not sep or not key:
            raise UsageError(f"--hw-option takes KEY=VALUE, not {option!r}")
        args.hw_options[key] = value


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        check(args)
    except UsageError as error:
        print(f"fsw: {error}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="fsw: %(name)s: %(message)s", stream=sys.stderr)
    from fsw.app import FlightSoftware  # after parsing: --help stays fast

    state_dir = args.state or default_state_dir()
    keys = None
    if not args.insecure_uplink:
        from fsw.protocol.constants import SPACECRAFT_ID
        from fsw.security.keyfile import KeyFileError, provision

        try:
            key_file, keys, new = provision(state_dir, SPACECRAFT_ID)
        except KeyFileError as error:
            print(f"fsw: cannot start: {error}", file=sys.stderr)
            return EXIT_FAILURE
        except OSError as error:
            print(f"fsw: cannot start: {error.filename or state_dir}: {error.strerror}", file=sys.stderr)
            return EXIT_FAILURE
    try:
        link = open_link(args.port, args.baud or DEFAULT_BAUD, channel=args.channel)
    except (LinkError, OSError) as error:
        print(f"fsw: cannot open {args.port}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        with warnings.catch_warnings():   # GPIO libraries warn at length before they fail
            warnings.simplefilter("ignore")
            flight = FlightSoftware(
                link, state_dir=state_dir, clock=args.clock, uplink_keys=keys,
                speed=args.speed or 1.0, hw=args.hw, hw_options=args.hw_options, seed=args.seed,
                tm_frame_len=args.tm_frame_len, save_interval=args.save_interval, start_time=args.start_time,
                farm_window=args.farm_window, durable_ack=not args.unsafe_ack,
                line_rate=line_rate(args.port, args.baud),
            )
    except Exception as error:   # a hardware backend or state directory that cannot be used
        print(f"fsw: cannot start: {error}", file=sys.stderr)
        link.close()
        return EXIT_FAILURE
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: flight.request_stop())
    if keys is not None:
        print(f"fsw: uplink keys {'provisioned in' if new else 'from'} {key_file}", flush=True)
    print(f"fsw: listening on {getattr(link, 'path', args.port)}", flush=True)
    try:
        flight.run()
    finally:
        if args.stats:
            try:
                args.stats.write_text(json.dumps(flight.stats(), indent=1) + "\n")
            except OSError as error:
                print(f"fsw: cannot write {args.stats}: {error}", file=sys.stderr)
        link.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

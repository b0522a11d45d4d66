"""`ground serve --port URL`: the process that owns the link; every other tool attaches to it."""

import signal
import sys

from fsw.protocol import SPACECRAFT_ID

from ..cli import UsageError
from ._common import add_link_options, archive_option_value, uplink_security_option


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve", help="own the link and serve clients (the other subcommands, procedures) over HTTP",
        description="Own the link: uplink counters kept on disk (no request id repeats across clients or "
        "restarts), the command tracker, the archive, and an HTTP + WebSocket API for every client "
        "(ground SUBCOMMAND --server URL, or PERIJOVE_SERVER). Prints one line with the URL.")
    add_link_options(parser, required=True)
    parser.add_argument("--listen", default="127.0.0.1:0", metavar="HOST:PORT",
                        help="address for clients (default 127.0.0.1 on a free port; any other host needs --tokens)")
    parser.add_argument("--tokens", metavar="FILE",
                        help='JSON {"operators": [...], "viewers": [...]}, readable by its owner only')
    parser.add_argument("--keep-days", type=float, default=30.0, metavar="D",
                        help="the archive keeps this many days (default 30)")
    parser.add_argument("--keep-mb", type=float, default=1024.0, metavar="MB",
                        help="and at most this many megabytes, the oldest dropped first (default 1024)")
    parser.set_defaults(run=run)


def _listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"--listen {text!r}: expected HOST:PORT")
    return host.strip("[]") or "127.0.0.1", int(port)


def run(args) -> int:
    from ..archive import Retention
    from ..counters import CountersError, default_counters
    from ..server.access import Access, AccessError
    from ..server.run import bind, make_uvicorn, url_of
    from ..server.station import GroundServer

    host, port = _listen(args.listen)
    security = uplink_security_option(args)
    try:
        access = Access.for_listen(host, args.tokens)
    except AccessError as error:
        raise UsageError(str(error)) from None
    try:
        sock = bind(host, port)
    except OSError as error:
        raise UsageError(f"--listen {args.listen}: {error.strerror}") from None
    try:
        server = GroundServer(args.port, counters=default_counters(SPACECRAFT_ID), baud=args.baud, channel=args.channel,
                              frame_len=args.frame_len, retention=Retention(args.keep_days, args.keep_mb),
                              archive=archive_option_value(args), on_warning=_warn, cop1=not args.no_cop1,
                              security=security)
    except CountersError as error:
        sock.close()
        raise UsageError(str(error)) from None
    web = make_uvicorn(server, access)
    signal.signal(signal.SIGTERM, lambda *_: setattr(web, "should_exit", True))
    if security is None:
        _warn("uplink in clear text (no key file, or --insecure-uplink): only a board without SDLS or an "
              "fsw --insecure-uplink accepts it")
    print(f"ground serve: {args.port} served on {url_of(sock)}", flush=True)
    server.start()
    try:
        web.run(sockets=[sock])
    finally:
        server.close()
        sock.close()
    return 0


def _warn(message: str) -> None:
    print(f"ground serve: {message}", file=sys.stderr, flush=True)


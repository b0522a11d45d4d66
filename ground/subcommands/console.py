"""`ground console --port URL`: the interactive console (ground/console.py)."""

from ._common import add_port_options, guard, open_station


def register(subparsers) -> None:
    parser = subparsers.add_parser("console", help="interactive console with completion and history",
                                   description="Type commands as NAME arg=value; Tab completes names, "
                                   "arguments and enum values; `help NAME` describes; history is kept in "
                                   "$PERIJOVE_HOME/console_history.")
    add_port_options(parser)
    parser.set_defaults(run=guard(run))


def run(args) -> int:
    from ..console import Console
    with open_station(args) as gs:
        Console(gs).run()
    return 0

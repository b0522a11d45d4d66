"""`ground archive query PARAM --from T --to T`: a parameter's values from a session archive."""

import json

from ._common import add_archive_option, guard, iso, open_archive, parse_time


def register(subparsers) -> None:
    parser = subparsers.add_parser("archive", help="query a session archive")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    query = actions.add_parser("query", help="a parameter's values over time",
                               description="Times are on-board seconds since 2000-01-01 or ISO date-times (UTC).")
    query.add_argument("parameter", metavar="PARAM")
    add_archive_option(query)
    query.add_argument("--from", dest="start", metavar="T", help="from this on-board time")
    query.add_argument("--to", dest="end", metavar="T", help="up to this on-board time")
    query.add_argument("--json", action="store_true", help="JSON lines")
    query.set_defaults(run=guard(run_query))


def run_query(args) -> int:
    reader = open_archive(args.archive)
    rows = reader.parameter(args.parameter, parse_time(args.start), parse_time(args.end))
    unit = reader.dictionary.parameters[args.parameter].unit
    for t, value in rows:
        if args.json:
            print(json.dumps({"time": iso(t), "onboard": t, args.parameter: value}))
        else:
            print(f"{iso(t)}  {value:>12.4g} {unit}" if isinstance(value, float) else f"{iso(t)}  {value!s:>12} {unit}")
    reader.close()
    return 0

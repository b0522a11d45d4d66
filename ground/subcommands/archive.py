"""`ground archive list` and `ground archive query PARAM --from T --to T`: the archives, and a
parameter's values from one."""

import json

from ._common import add_archive_option, guard, iso, open_archive, parse_time


def register(subparsers) -> None:
    parser = subparsers.add_parser("archive", help="list the archives, query one")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the archives in the archive directory: span, packets, size")
    listing.add_argument("--json", action="store_true", help="JSON lines")
    listing.set_defaults(run=guard(run_list))
    query = actions.add_parser("query", help="a parameter's values over time",
                               description="Times are on-board seconds since 2000-01-01 or ISO date-times (UTC).")
    query.add_argument("parameter", metavar="PARAM")
    add_archive_option(query)
    query.add_argument("--from", dest="start", metavar="T", help="from this on-board time")
    query.add_argument("--to", dest="end", metavar="T", help="up to this on-board time")
    query.add_argument("--json", action="store_true", help="JSON lines")
    query.set_defaults(run=guard(run_query))


def run_list(args) -> int:
    from fsw.dictionary import load

    from .. import paths
    from ..archive import ArchiveError, ArchiveReader

    directory = paths.archive_dir()
    found = sorted(directory.glob("*.sqlite")) if directory.is_dir() else []
    if not found:
        print(f"no archives in {directory}")
        return 0
    dictionary = load()
    for path in found:
        try:
            reader = ArchiveReader(path, dictionary)
            summary = reader.summary()
            reader.close()
        except ArchiveError as error:
            summary = {"path": str(path), "error": str(error)}
        if args.json:
            print(json.dumps(summary))
        elif "error" in summary:
            print(f"{path.name}: {summary['error']}")
        else:
            span = (f"{iso(summary['first_onboard'])} .. {iso(summary['last_onboard'])}"
                    if summary["packets"] else "empty")
            print(f"{path.name}  {summary['packets']:>10,} packets  {summary['octets'] / 1e6:8.1f} MB  {span}")
    return 0


def run_query(args) -> int:
    import sys

    from ..archive import ArchiveReader

    reader = open_archive(args)
    start, end = parse_time(args.start), parse_time(args.end)
    if isinstance(reader, ArchiveReader) and not args.json:
        for lines in reader.text(args.parameter, start, end):      # streamed: memory stays flat
            sys.stdout.write(lines)
        reader.close()
        return 0
    if isinstance(reader, ArchiveReader):         # JSON lines: the one parameter decoded, a batch at a time
        samples = ((t, date, value) for batch in reader.series(args.parameter, start, end) for t, date, value in zip(*batch))
    else:
        samples = ((t, iso(t), value) for t, _, value in reader.samples([args.parameter], start, end))
    parameter = reader.dictionary.parameters.get(args.parameter)
    unit = parameter.unit if parameter is not None else ""
    for t, date, value in samples:
        if args.json:
            print(json.dumps({"time": date, "onboard": t, args.parameter: value}))
        else:
            print(f"{date}  {value:>12.4g} {unit}" if isinstance(value, float) else f"{date}  {value!s:>12} {unit}")
    reader.close()
    return 0

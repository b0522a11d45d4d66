"""`ground plot PARAM... [--archive FILE | --server URL] --out FILE.png`: parameters against on-board time."""

from ..cli import UsageError
from ._common import add_archive_option, guard, open_archive, parse_time


def register(subparsers) -> None:
    parser = subparsers.add_parser("plot", help="plot parameters from an archive to a PNG",
                                   description="e.g. ground plot cam_temp heater_power --archive A --out anneal.png")
    parser.add_argument("parameters", nargs="+", metavar="PARAM")
    add_archive_option(parser)
    parser.add_argument("--out", required=True, metavar="FILE.png")
    parser.add_argument("--from", dest="start", metavar="T")
    parser.add_argument("--to", dest="end", metavar="T")
    parser.add_argument("--title", default="")
    parser.set_defaults(run=guard(run))


def run(args) -> int:
    from ..plots import plot_series
    if not args.out.lower().endswith(".png"):
        raise UsageError(f"{args.out}: the output is a PNG; name it *.png")
    reader = open_archive(args)
    series = {name: reader.parameter(name, parse_time(args.start), parse_time(args.end)) for name in args.parameters}
    if not any(series.values()):
        raise UsageError(f"no samples of {', '.join(args.parameters)} in {reader.path}")
    print(plot_series(series, reader.dictionary, args.out, args.title))
    return 0

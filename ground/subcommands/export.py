"""`ground export csv`: a session archive's housekeeping (or events) as CSV."""

import csv
import json
import sys

from ._common import add_archive_option, guard, iso, open_archive


def register(subparsers) -> None:
    parser = subparsers.add_parser("export", help="export a session archive")
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    as_csv = formats.add_parser("csv", help="CSV: time, parameter, value (one row per sample)")
    add_archive_option(as_csv)
    as_csv.add_argument("parameters", nargs="*", metavar="PARAM", help="only these parameters")
    as_csv.add_argument("--events", action="store_true", help="export the events instead")
    as_csv.add_argument("--out", metavar="FILE", help="output file (default: standard output)")
    as_csv.set_defaults(run=guard(run_csv))


def run_csv(args) -> int:
    reader = open_archive(args)
    out = open(args.out, "w", newline="") if args.out else sys.stdout
    try:
        writer = csv.writer(out)
        if args.events:
            writer.writerow(["time_utc", "onboard_s", "event", "fields"])
            for t, name, fields in reader.events():
                writer.writerow([iso(t), f"{t:.3f}", name, json.dumps(fields)])
            return 0
        names = args.parameters or list(reader.dictionary.parameters)
        units = {name: reader.dictionary.parameters[name].unit for name in names if name in reader.dictionary.parameters}
        writer.writerow(["time_utc", "onboard_s", "parameter", "value", "unit"])
        # streamed in time order as the archive reads them: bounded memory, whatever the size
        last, stamp, onboard = None, "", ""
        for t, name, value in reader.samples(names):
            if t != last:                  # a report's samples share its time: format it once
                last, stamp, onboard = t, iso(t), f"{t:.3f}"
            writer.writerow((stamp, onboard, name, value, units[name]))
    finally:
        if args.out:
            out.close()
        reader.close()
    return 0

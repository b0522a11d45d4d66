"""The Perijove mission dictionary: every on-board application's declarations, in APID order.

Each component declares its commands, telemetry, events and reports beside its behaviour, in
fsw/<component>/dictionary.py (F' style); this module is the one place that assembles them.
Ground, the HIL bench, the firmware header generator and the exports all start from `load()`.
"""

from functools import lru_cache

from fsw.camera import dictionary as camera
from fsw.commanding import dictionary as commanding
from fsw.events import dictionary as events
from fsw.executive import dictionary as executive
from fsw.files import dictionary as files
from fsw.housekeeping import dictionary as housekeeping
from fsw.modes import dictionary as modes
from fsw.protocol.dictionary import Dictionary
from fsw.schedule import dictionary as schedule
from fsw.security import dictionary as security
from fsw.thermal import dictionary as thermal

COMPONENTS = (
    executive.COMPONENT,
    housekeeping.COMPONENT,
    events.COMPONENT,
    schedule.COMPONENT,
    modes.COMPONENT,
    security.COMPONENT,
    commanding.COMPONENT,
    camera.COMPONENT,
    thermal.COMPONENT,
    files.COMPONENT,
)


@lru_cache(maxsize=1)
def load() -> Dictionary:
    return Dictionary(list(COMPONENTS))


def main(argv: list[str] | None = None) -> int:
    """Print the dictionary's Markdown tables, or refresh or check them in a document."""
    import argparse
    import sys
    from pathlib import Path

    from fsw.protocol.dictionary.markdown import render, splice

    parser = argparse.ArgumentParser(prog="python -m fsw.dictionary",
                                     description="The mission dictionary as Markdown tables.")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", metavar="FILE", help="rewrite the tables between the markers in FILE")
    action.add_argument("--check", metavar="FILE", help="exit 1 if FILE's tables are not current")
    args = parser.parse_args(argv)
    tables = render(load())
    if not (args.write or args.check):
        sys.stdout.write(tables)
        return 0
    path = Path(args.write or args.check)
    try:
        document = path.read_text(encoding="utf-8")
        current = splice(document, tables)
    except (OSError, ValueError) as error:
        print(f"{path}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
        return 2
    if args.check:
        if current != document:
            print(f"{path}: dictionary tables are stale; run python -m fsw.dictionary --write {path}",
                  file=sys.stderr)
            return 1
        return 0
    if current != document:
        path.write_text(current, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`ground dict [--json | --xtce | --markdown]`: the mission dictionary, in the form asked for."""

import json
import sys

from fsw.dictionary import load
from fsw.protocol.dictionary.markdown import render
from fsw.protocol.dictionary.xtce import to_xml


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "dict",
        help="print the command and telemetry dictionary",
        description="Print the dictionary: a summary (default), JSON, XTCE 1.2 XML or the ICD's Markdown tables.",
    )
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", dest="form", action="store_const", const="json", help="every declaration as JSON")
    form.add_argument("--xtce", dest="form", action="store_const", const="xtce", help="XTCE 1.2 SpaceSystem XML")
    form.add_argument("--markdown", dest="form", action="store_const", const="markdown", help="the ICD's tables")
    parser.set_defaults(run=run, form="summary")


def run(args) -> int:
    dictionary = load()
    if args.form == "json":
        text = json.dumps(dictionary.to_json(), indent=1, default=str) + "\n"
    elif args.form == "xtce":
        text = to_xml(dictionary)
    elif args.form == "markdown":
        text = render(dictionary)
    else:
        text = summary(dictionary)
    sys.stdout.write(text)
    return 0


def summary(dictionary) -> str:
    lines = [f"dictionary version {dictionary.version:08x}"]
    for component in dictionary.components:
        apid = "" if component.apid is None else f" APID 0x{component.apid:03X}"
        lines.append(f"\n{component.name}{apid}")
        for command in component.commands:
            args = " ".join(f"{f.name}={f.type}" for f in command.args)
            lines.append(f"  {command.name:22} {command.service:3},{command.subtype:<3} {args}".rstrip())
        if component.parameters:
            lines.append(f"  housekeeping sid {component.sid}: {', '.join(p.name for p in component.parameters)}")
        if component.events:
            lines.append(f"  events: {', '.join(f'{e.id} {e.name}' for e in component.events)}")
    return "\n".join(lines) + "\n"

"""The dictionary as Markdown tables, for docs/ICD.md (between marker comments).

`python -m fsw.dictionary --write docs/ICD.md` refreshes the mission's tables (fsw/dictionary.py).
"""

from . import Dictionary
from .codec import FieldCodec
from .model import Field

BEGIN = "<!-- dictionary:begin -->"
END = "<!-- dictionary:end -->"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: list[tuple]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bits(field) -> str:
    return "bits " + ", ".join(f"{bit} {name}" for name, bit in field.flags)


def _type(field) -> str:
    """The wire type, with a bit mask's bits (reports and events list fields inline)."""
    return f"{field.type} ({_bits(field)})" if field.flags else field.type


def _values(field) -> str:
    """What a field accepts: enum values, else a mask's bits and its declared range."""
    if field.enum:
        return ", ".join(f"{number} {name}" for name, number in field.enum)
    if field.type == "list":
        return "u16 count, then items: " + ", ".join(f"{f.name} {_type(f)}" for f in field.items)
    if field.type == "bytes":
        return "the rest of the packet"
    parts = [f"{_bits(field)} (names join with +)"] if field.flags else []
    if field.min is not None or field.max is not None:
        low, high = field.bounds
        parts.append(f"{_number(low)} .. {_number(high)}")
    return "; ".join(parts)


def _field_rows(fields: tuple[Field, ...]) -> list[tuple]:
    return [
        (f"`{f.name}`", f.type, f.unit, _values(f), "" if f.default is None else f.default, f.description)
        for f in fields
    ]


def _fields_inline(fields: tuple[Field, ...]) -> str:
    return ", ".join(f"`{f.name}` {_type(f)}" + (f" [{f.unit}]" if f.unit else "") for f in fields) or "none"


def _limits(pair) -> str:
    return f"{_number(pair[0])} .. {_number(pair[1])}" if pair else ""


def render(dictionary: Dictionary) -> str:
    out = [
        f"Generated from the component declarations (fsw/*/dictionary.py) by "
        f"`python -m fsw.dictionary --write docs/ICD.md`; do not edit by hand. "
        f"Dictionary version `{dictionary.version:08x}`.",
        "",
        "#### Applications",
        "",
    ]
    out += _table(
        ("component", "APID", "HK sid", "description"),
        [
            (c.name, "" if c.apid is None else f"0x{c.apid:03X}", "" if c.sid is None else c.sid, c.description)
            for c in dictionary.components
        ],
    )
    out += ["", "#### Commands", ""]
    out += _table(
        ("command", "APID", "service, subtype", "arguments", "flags", "description"),
        [
            (
                f"`{c.name}`",
                f"0x{c.apid:03X}",
                f"{c.service}, {c.subtype}",
                _fields_inline(c.args),
                ", ".join(flag for flag, on in (("hazardous", c.hazardous), ("safe mode", c.safe)) if on),
                c.description,
            )
            for component in dictionary.components
            for c in component.commands
        ],
    )
    for component in dictionary.components:
        for command in component.commands:
            if command.args:
                out += ["", f"`{command.name}` arguments, in wire order:", ""]
                out += _table(("argument", "type", "unit", "values", "default", "description"), _field_rows(command.args))
    out += ["", "#### Housekeeping structures (report 3,25: sid octet, then the parameters)", ""]
    for sid, parameters in sorted(dictionary.structures.items()):
        codec = FieldCodec(tuple(p.as_field() for p in parameters))
        owner = next(c.name for c in dictionary.components if c.sid == sid)
        out += [f"sid {sid} ({owner}), {1 + codec.size} octets of data:", ""]
        rows, offset = [], 1
        for p in parameters:
            size = FieldCodec((p.as_field(),)).size
            calibration = " + ".join(
                f"{_number(c)}" + ("" if power == 0 else " x" if power == 1 else f" x^{power}")
                for power, c in enumerate(p.calibration)
            )
            rows.append((offset, f"`{p.name}`", p.type, p.unit, calibration, _values(p.as_field()),
                         _limits(p.yellow), _limits(p.red), p.description))
            offset += size
        out += _table(("offset", "parameter", "type", "unit", "calibration (raw x)", "values",
                       "yellow", "red", "description"), rows)
        out.append("")
    out += ["#### Events (service 5, subtype = severity: 1 info, 2 low, 3 medium, 4 high)", ""]
    out += _table(
        ("id", "event", "component", "severity", "arguments", "description"),
        [
            (e.id, f"`{e.name}`", e.component, e.severity.name.lower(), _fields_inline(e.args), e.description)
            for e in sorted(dictionary.events.values(), key=lambda e: e.id)
        ],
    )
    out += ["", "#### Reports", ""]
    out += _table(
        ("report", "service, subtype", "APID", "fields", "description"),
        [
            (f"`{r.name}`", f"{r.service}, {r.subtype}", "the TC's" if r.apid is None else f"0x{r.apid:03X}",
             _fields_inline(r.fields), r.description)
            for r in dictionary.reports.values()
        ],
    )
    return "\n".join(out) + "\n"


def splice(document: str, tables: str) -> str:
    """document with everything between the markers replaced by tables."""
    start = document.find(BEGIN)
    end = document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"no {BEGIN} ... {END} markers")
    return document[: start + len(BEGIN)] + "\n" + tables + document[end:]

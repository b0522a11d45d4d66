"""Field values as a person reads them: units, enum and flag names, reason names, on-board
times as UTC dates. One place, so the console, the monitor and the CLI say the same thing."""

from fsw.protocol.cuc import cuc_to_datetime
from fsw.protocol.dictionary.codec import is_time
from fsw.protocol.reasons import Reason

# fields that hold an on-board time (CUC seconds) in reports and events, by name: the dictionary
# marks command arguments (is_time), but not every report field
TIME_NAMES = {"time", "release", "old", "new"}
REASON_NAMES = {"reason", "last_reason"}


def _utc(seconds: float) -> str:
    return cuc_to_datetime(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def shown(field, value, with_unit: bool = True) -> str:
    """One value of a field (command argument, report or event field, or a parameter), with its
    unit unless the caller lays units out in a column of their own."""
    if value is None:
        return "-"
    if isinstance(value, list) and getattr(field, "items", ()):
        return "[" + "; ".join(shown_fields(field.items, item) for item in value) + "]"
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value)
        return text.decode() if text.isascii() and text.decode().isprintable() else text.hex()
    if isinstance(value, (str, bool)):
        return str(value).lower() if isinstance(value, bool) else value
    if field.name in REASON_NAMES and isinstance(value, int):
        if value == 0:
            return "none"                 # no rejection or failure yet
        try:
            return Reason(value).label
        except ValueError:
            return f"reason {value}"
    if getattr(field, "flags", ()) and isinstance(value, int):
        return "+".join(field.flag_names(value)) or "none"
    unit = getattr(field, "unit", "")
    if unit == "s" and isinstance(value, int) and (field.name in TIME_NAMES or is_time(field)):
        return _utc(value)
    number = f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{number} {unit}" if unit and with_unit else number


def shown_fields(fields, values: dict) -> str:
    """name=value pairs in the declared order, units and names included."""
    by_name = {f.name: f for f in fields}
    return " ".join(f"{name}={shown(by_name[name], value)}" if name in by_name else f"{name}={value}"
                    for name, value in values.items())

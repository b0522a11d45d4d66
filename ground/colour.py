"""Colour only for a person at a terminal: never into a file or a pipe, never with NO_COLOR set
(https://no-color.org: any non-empty value)."""

import os


def wanted(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):      # no isatty, or already closed
        return False


def paint(text: str, code: str, stream) -> str:
    return f"{code}{text}\033[0m" if code and wanted(stream) else text

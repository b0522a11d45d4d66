"""Where the ground station keeps its files: $PERIJOVE_HOME, else ~/.local/state/perijove."""

import os
from pathlib import Path


def home() -> Path:
    configured = os.environ.get("PERIJOVE_HOME")
    if configured:
        return Path(configured)
    return Path.home() / ".local" / "state" / "perijove"


def archive_dir() -> Path:
    """Default directory for session archives ($PERIJOVE_ARCHIVE_DIR overrides)."""
    configured = os.environ.get("PERIJOVE_ARCHIVE_DIR")
    return Path(configured) if configured else home() / "archive"


def history_file() -> Path:
    return home() / "console_history"

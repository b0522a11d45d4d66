"""The uplink counters on disk: the next frame sequence number and packet sequence counts.

Every ground process that radiates (a server, or a subcommand on a port of its own) takes the
counters from one file per spacecraft under an exclusive lock, numbers its frames, and writes the
counters back (flushed, then renamed into place) before anything is radiated. So two processes,
one after the other or side by side, and a process restarted after a crash, never send the same
request id (APID and sequence count) within the 14-bit count's cycle.
"""

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path


class CountersError(Exception):
    """The counters file exists but cannot be used: one line saying why."""


class UplinkCounters:
    def __init__(self, path: Path):
        self.path = Path(path)

    @contextmanager
    def held(self):
        """The saved counters ({} on a first start), this process alone holding them until the
        block ends; save() inside the block."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self.load()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def load(self) -> dict:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise CountersError(f"{self.path}: {error.strerror}") from None
        try:
            saved = json.loads(text)
            if not isinstance(saved, dict) or not isinstance(saved.get("packets", {}), dict):
                raise ValueError("not a counters document")
            int(saved.get("frame_sequence", 0))
            for count in saved.get("packets", {}).values():
                int(count)
        except (ValueError, TypeError) as error:
            # starting from zero would reuse request ids: a person must decide
            raise CountersError(f"{self.path}: unreadable uplink counters ({error}); move it away to "
                                "start the counts from zero") from None
        return saved

    def save(self, counters: dict) -> None:
        write_json_durably(self.path, counters)


def write_json_durably(path: Path, value) -> None:
    """JSON on disk before this returns, old or new whole after a crash at any point: a temporary
    file synced, renamed over the old one, and the directory synced."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(value, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def default_counters(scid: int) -> UplinkCounters:
    from . import paths

    return UplinkCounters(paths.home() / f"uplink-scid{scid}.json")

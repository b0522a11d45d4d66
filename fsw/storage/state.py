"""The flight state: counters, mode, schedule, clock, every component's state() and what the
hardware keeps (the simulated detector's damage).

Each save is one JSON document with a sequence number, appended to a journal (one fdatasync:
cheap enough to make every command's effect durable before its report goes down). When the
journal grows past JOURNAL_LIMIT, and at a clean stop, the newest document becomes the snapshot,
an AtomicStore file, and the journal starts again. Load takes the newest whole document of the two, so a kill -9 at
any moment leaves the last completed save. A corrupt snapshot is quarantined (the store's
callback raises an event) rather than loaded; what cannot be serialised is left out with a log
line instead of losing everything.
"""

import json
import logging

import numpy

from .atomic import AtomicStore
from .journal import Journal

log = logging.getLogger("fsw.storage")
STATE_NAME = "fsw-state.json"
JOURNAL_NAME = "fsw-state.journal"
JOURNAL_LIMIT = 256 * 1024     # octets of journal before its newest document becomes the snapshot
FORMAT = 1


def _plain(value):
    """numpy scalars and arrays, sets and bytes as JSON-friendly values."""
    if isinstance(value, numpy.generic):
        return value.item()
    if isinstance(value, numpy.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


class StateFile:
    def __init__(self, store: AtomicStore, name: str = STATE_NAME, journal_limit: int = JOURNAL_LIMIT):
        self.store = store
        self.name = name
        self.journal = Journal(store.root / JOURNAL_NAME, on_corrupt=store.on_corrupt)
        self.journal_limit = journal_limit
        self.sequence: int | None = None    # of the newest document saved or seen; None: not read yet

    def load(self) -> dict | None:
        """The newest whole document, from the snapshot or the journal; None when there is none."""
        snapshot = self._snapshot()
        newest = self.journal.newest()
        journalled = _document(newest[1]) if newest else None
        self.sequence = max(self.sequence or 0, newest[0] if newest else 0,
                            _sequence(snapshot) if snapshot else 0)
        if journalled is not None and (snapshot is None or newest[0] > _sequence(snapshot)):
            return journalled
        return snapshot

    def _snapshot(self) -> dict | None:
        payload = self.store.get(self.name)
        if payload is None:
            return None
        state = _document(payload)
        if state is None:
            self.store.quarantine_file(self.name, "not a flight state document")
        return state

    def save(self, clock: dict, components: dict, hardware: dict | None = None, snapshot: bool = False) -> None:
        """Durable when it returns. snapshot: as the snapshot file, emptying the journal (a clean stop)."""
        parts = {}
        for name, state in components.items():
            try:
                parts[name] = json.loads(json.dumps(state, default=_plain))
            except (TypeError, ValueError) as error:
                log.error("state of %s not saved: %s", name, error)
        if self.sequence is None:
            self.load()                  # a new document must be numbered after every stored one
        self.sequence += 1
        document = {"format": FORMAT, "sequence": self.sequence, "clock": clock, "components": parts}
        if hardware:
            document["hardware"] = json.loads(json.dumps(hardware, default=_plain))
        payload = json.dumps(document, sort_keys=True).encode()
        if snapshot or self.journal.size + len(payload) > self.journal_limit:
            self.store.put(self.name, payload)   # the snapshot holds it: the journal may go
            self.journal.clear()
        else:
            self.journal.append(self.sequence, payload)

    def close(self) -> None:
        self.journal.close()


def _sequence(document: dict) -> int:
    sequence = document.get("sequence", 0)
    return sequence if isinstance(sequence, int) else 0


def _document(payload: bytes) -> dict | None:
    try:
        state = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        return None
    return state

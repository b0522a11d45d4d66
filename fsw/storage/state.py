"""The flight state file: counters, mode, schedule, clock, every component's state() and what
the hardware keeps (the simulated detector's damage).

One JSON document in an AtomicStore, so a kill -9 at any moment leaves the previous or the new
version, and a corrupt one is quarantined (the store's callback raises an event) rather than
loaded. What cannot be serialised is left out with a log line instead of losing everything.
"""

import json
import logging

import numpy

from .atomic import AtomicStore

log = logging.getLogger("fsw.storage")
STATE_NAME = "fsw-state.json"
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
    def __init__(self, store: AtomicStore, name: str = STATE_NAME):
        self.store = store
        self.name = name

    def load(self) -> dict | None:
        payload = self.store.get(self.name)
        if payload is None:
            return None
        try:
            state = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError):
            state = None
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            self.store.quarantine_file(self.name, "not a flight state document")
            return None
        return state

    def save(self, clock: dict, components: dict, hardware: dict | None = None) -> None:
        parts = {}
        for name, state in components.items():
            try:
                parts[name] = json.loads(json.dumps(state, default=_plain))
            except (TypeError, ValueError) as error:
                log.error("state of %s not saved: %s", name, error)
        document = {"format": FORMAT, "clock": clock, "components": parts}
        if hardware:
            document["hardware"] = json.loads(json.dumps(hardware, default=_plain))
        self.store.put(self.name, json.dumps(document, sort_keys=True).encode())

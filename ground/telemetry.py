"""What ground knows about the spacecraft: decoded records, the latest values, events, link health.

A TelemetryState is fed Records (live from a Session, or from an archive in a replay) and is what
the monitor, `ground tlm` and the procedures read. Values are kept raw and calibrated on read:
ingest stays cheap, and the dictionary's calibration stays the only one.
"""

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from fsw.protocol import TmPacket
from fsw.protocol.dictionary import Dictionary
from fsw.protocol.reasons import Reason


@dataclass(slots=True)
class Record:
    """One TM packet as the dictionary reads it."""

    kind: str                 # housekeeping, event, report, undecodable
    name: str                 # sidN, event name, report name
    fields: dict
    packet: TmPacket
    received: float           # ground wall-clock time
    severity: str = ""        # events only
    error: str = ""           # undecodable only

    @property
    def time(self) -> float:
        """On-board time (CUC seconds since 2000-01-01)."""
        return self.packet.time


@dataclass(slots=True)
class Sample:
    raw: object
    time: float               # on-board time of the report
    received: float           # ground time it arrived


@dataclass
class LinkStats:
    """Link health for the monitor: frame rate, errors by kind, last contact."""

    frames: int = 0
    packets: int = 0
    bytes: int = 0
    last_contact: float | None = None
    counts: dict = field(default_factory=dict)    # Reason -> count (frames and packets)
    _recent: deque = field(default_factory=lambda: deque(maxlen=512), repr=False)

    def frame_seen(self, now: float) -> None:
        self.frames += 1
        self.last_contact = now
        self._recent.append(now)

    def frames_per_second(self, now: float | None = None, window: float = 5.0) -> float:
        now = time.time() if now is None else now
        recent = [t for t in self._recent if now - t <= window]
        if len(recent) < 2:
            return 0.0
        span = max(now - recent[0], 1e-3)
        return len(recent) / span

    def count(self, *reasons: Reason) -> int:
        return sum(self.counts.get(reason, 0) for reason in reasons)

    @property
    def fecf_errors(self) -> int:
        return self.count(Reason.BAD_FECF)

    @property
    def crc_errors(self) -> int:
        return self.count(Reason.BAD_CRC)

    @property
    def resyncs(self) -> int:
        """Times the deframer or demultiplexer lost sync and hunted for it again."""
        return self.count(Reason.JUNK, Reason.BAD_FRAME_LENGTH, Reason.TRUNCATED, Reason.FRAME_GAP)


class TelemetryState:
    """Latest housekeeping, recent events and link statistics; thread-safe readers and one writer."""

    def __init__(self, dictionary: Dictionary, event_log: int = 500, stale_after: float = 10.0):
        self.dictionary = dictionary
        self.latest: dict[str, Sample] = {}
        self.events: deque[Record] = deque(maxlen=event_log)
        self.stats = LinkStats()
        self.stale_after = stale_after
        self.changed = threading.Condition()
        self.onboard_time: float | None = None   # time stamp of the latest packet
        # for views that cannot print (the monitor draws the latest); bounded like the event log
        self.warnings: deque[str] = deque(maxlen=100)

    def apply(self, records: list[Record]) -> None:
        with self.changed:
            if records:
                self.onboard_time = records[-1].time
            for record in records:
                self.stats.packets += 1
                if record.kind == "housekeeping":
                    for name, raw in record.fields.items():
                        self.latest[name] = Sample(raw, record.time, record.received)
                elif record.kind == "event":
                    self.events.append(record)
            self.changed.notify_all()

    def value(self, name: str):
        """Calibrated engineering value of a parameter (enum names stay names), or None."""
        sample = self.latest.get(name)
        if sample is None:
            return None
        return self.engineering(name, sample.raw)

    def engineering(self, name: str, raw):
        if isinstance(raw, str):
            return raw
        return self.dictionary.parameters[name].calibrate(raw)

    def is_stale(self, name: str, now: float | None = None) -> bool:
        sample = self.latest.get(name)
        if sample is None:
            return True
        now = time.time() if now is None else now
        return now - sample.received > self.stale_after

    def limit_state(self, name: str) -> str:
        value = self.value(name)
        if value is None or isinstance(value, str):
            return "nominal"
        return self.dictionary.parameters[name].limit_state(value)

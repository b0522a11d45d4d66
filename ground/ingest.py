"""Downlink ingest: bytes -> frames -> packets -> dictionary records, the packets archived.

The one path every received byte takes, live (Session) or from an archive (replay), and the
path the ground benchmark times.
"""

import time

from fsw.protocol import TM_FRAME_LEN, TmPacket, TmReceiver
from fsw.protocol.dictionary import Dictionary
from fsw.protocol.reasons import ProtocolError

from .telemetry import LinkStats, Record


class Ingest:
    def __init__(self, dictionary: Dictionary, frame_len: int = TM_FRAME_LEN, archive=None,
                 stats: LinkStats | None = None, clock=time.time):
        self.dictionary = dictionary
        self.archive = archive
        self.stats = stats if stats is not None else LinkStats()
        self.clock = clock
        self.receiver = TmReceiver(frame_len)
        self.receiver.on_frame = self._on_frame
        self._now = 0.0

    def _on_frame(self, frame: bytes) -> None:
        self.stats.frame_seen(self._now)

    def feed(self, data: bytes, now: float | None = None) -> list[Record]:
        self._now = self.clock() if now is None else now
        self.stats.bytes += len(data)
        receiver = self.receiver
        before = sum(receiver.counts.values())
        packets = receiver.feed(data)
        if sum(receiver.counts.values()) != before:
            self.stats.counts = dict(receiver.counts)
        records = [self.decode(packet) for packet in packets]
        if self.archive is not None and records:
            self.archive.add_records(records)
        return records

    def decode(self, packet: TmPacket, now: float | None = None) -> Record:
        if now is not None:
            self._now = now
        try:
            decoded = self.dictionary.decode_tm(packet)
        except ProtocolError as error:
            counts = self.receiver.counts
            counts[error.reason] += 1
            self.stats.counts = dict(counts)
            return Record("undecodable", f"{packet.service},{packet.subtype}", {}, packet, self._now,
                          error=str(error))
        return Record(decoded["kind"], decoded["name"], decoded["fields"], packet, self._now,
                      decoded.get("severity", ""))

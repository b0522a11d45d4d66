"""A channel emulator that wraps any link: a bad line to practise on, and for tests.

    link = ChannelLink(open_link("/dev/pts/3"), Impairments.parse("ber=1e-4,drop=0.01,seed=7"))

Both directions pass through it, each with its own seeded random stream, so a run can be
repeated exactly. What it does to the octets, in this order:

  drop=P       a whole frame is lost (frames are found by their attached sync marker)
  dup=P        a frame arrives twice (the copy when the next frame begins)
  octet_drop=P one octet is lost (a UART overrun)
  ber=P        each bit flips with this probability
  burst=P      a burst of errors starts at an octet with this probability, lasting on average
  burst_len=N  N octets, in which each bit flips with probability 1/2 (Gilbert-Elliott)
  delay=S      every chunk arrives S seconds after it was sent
  seed=N       the random streams' seed

A frame is followed across reads and writes: a serial port hands over what has arrived, often
ten octets at a time, and a frame read in pieces is lost whole or not at all (when each piece
was a frame of its own, drop=0.05 lost two frames in three). An ASM's four octets inside a
frame's data would be taken as a frame start, and an ASM split between two reads is not seen
(its frame shares the fate of the one before). Neither matters to an emulator of a bad line.
"""

from __future__ import annotations

import heapq
import threading
import time
from dataclasses import dataclass, fields

from .base import Link

ASM = b"\x1a\xcf\xfc\x1d"      # the attached sync marker (CCSDS 131.0): fsw.protocol.framing's too


@dataclass(frozen=True)
class Impairments:
    ber: float = 0.0
    drop: float = 0.0
    dup: float = 0.0
    octet_drop: float = 0.0
    burst: float = 0.0
    burst_len: float = 8.0
    delay: float = 0.0
    seed: int = 0

    @classmethod
    def parse(cls, text: str) -> Impairments:
        """From `name=value,...`; ValueError saying which part is wrong and why."""
        known = {f.name: f for f in fields(cls)}
        values = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"{part!r} is not name=value")
            if name not in known:
                raise ValueError(f"unknown impairment {name!r} (known: {', '.join(known)})")
            try:
                values[name] = int(value) if name == "seed" else float(value)
            except ValueError:
                raise ValueError(f"{name}={value!r} is not a number") from None
        impairments = cls(**values)
        for name in ("ber", "drop", "dup", "octet_drop", "burst"):
            if not 0.0 <= getattr(impairments, name) <= 1.0:
                raise ValueError(f"{name}={getattr(impairments, name)} is outside [0, 1]")
        if impairments.burst_len < 1:
            raise ValueError(f"burst_len={impairments.burst_len} is below one octet")
        if not 0.0 <= impairments.delay <= 60.0:
            raise ValueError(f"delay={impairments.delay} is outside [0, 60] s")
        return impairments

    @property
    def clean(self) -> bool:
        return not (self.ber or self.drop or self.dup or self.octet_drop or self.burst or self.delay)


class Impairer:
    """One direction of the channel: octets in, impaired octets out, counted."""

    def __init__(self, impairments: Impairments, stream: int):
        import numpy as np  # here, not at import: every tool that opens a link would pay for it

        self.np = np
        self.impairments = impairments
        self.rng = np.random.default_rng([impairments.seed, stream])
        self.in_burst = 0            # octets left in the current burst
        self.dropping = False        # the frame coming through now is being lost
        self.copy: bytearray | None = None   # ... or kept, to arrive again when the next begins
        self.counts = {"frames_dropped": 0, "frames_duplicated": 0, "octets_dropped": 0, "bits_flipped": 0}

    def apply(self, data: bytes) -> bytes:
        if not data:
            return data
        spec = self.impairments
        if spec.drop or spec.dup:
            data = self._frames(data)
        np = self.np
        octets = np.frombuffer(data, np.uint8).copy()
        if spec.octet_drop and len(octets):
            keep = self.rng.random(len(octets)) >= spec.octet_drop
            self.counts["octets_dropped"] += int((~keep).sum())
            octets = octets[keep]
        if spec.ber and len(octets):
            octets = self._flip(octets, np.full(len(octets), spec.ber))
        if spec.burst and len(octets):
            octets = self._flip(octets, self._burst_mask(len(octets)) * 0.5)
        return octets.tobytes()

    def _frames(self, data: bytes) -> bytes:
        out = bytearray()
        position = 0
        for start in [*_asm_positions(data), len(data)]:
            self._pass(data[position:start], out)     # the rest of the frame coming through
            if start == len(data):
                break
            self._frame_begins(out)
            position = start
        return bytes(out)

    def _pass(self, piece: bytes, out: bytearray) -> None:
        if piece and not self.dropping:
            out += piece
            if self.copy is not None:
                self.copy += piece

    def _frame_begins(self, out: bytearray) -> None:
        """The frame before is whole: its copy goes now, if it has one; this one's fate is drawn."""
        spec = self.impairments
        if self.copy:
            out += self.copy
            self.counts["frames_duplicated"] += 1
        self.copy = None
        self.dropping = self.rng.random() < spec.drop
        if self.dropping:
            self.counts["frames_dropped"] += 1
        elif self.rng.random() < spec.dup:
            self.copy = bytearray()

    def _flip(self, octets, probability):
        """Flip each bit of octet i with probability[i]."""
        np = self.np
        bits = self.rng.random((len(octets), 8)) < probability[:, None]
        if bits.any():
            self.counts["bits_flipped"] += int(bits.sum())
            octets ^= np.packbits(bits, axis=1)[:, 0]
        return octets

    def _burst_mask(self, length: int):
        """1 for the octets inside a burst, 0 elsewhere."""
        spec = self.impairments
        mask = self.np.zeros(length)
        position = 0
        while position < length:
            if self.in_burst:
                take = min(self.in_burst, length - position)
                mask[position:position + take] = 1
                self.in_burst -= take
                position += take
                continue
            gap = int(self.rng.geometric(spec.burst)) - 1       # octets until the next burst starts
            position += gap
            if position < length:
                self.in_burst = int(self.rng.geometric(1 / spec.burst_len))
        return mask


def _asm_positions(data: bytes):
    start = data.find(ASM)
    while start >= 0:
        yield start
        start = data.find(ASM, start + 1)


class _DelayLine:
    """Chunks held back until their time comes, handed to deliver() from a thread of its own."""

    def __init__(self, delay: float, deliver, name: str):
        self.delay = delay
        self.deliver = deliver
        self._heap: list[tuple[float, int, bytes]] = []
        self._count = 0
        self._ready = threading.Condition()
        self._closed = False
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def put(self, data: bytes) -> None:
        with self._ready:
            self._count += 1
            heapq.heappush(self._heap, (time.monotonic() + self.delay, self._count, data))
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._closed and (not self._heap or self._heap[0][0] > time.monotonic()):
                    self._ready.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                if self._closed:
                    return
                _, _, data = heapq.heappop(self._heap)
            try:
                self.deliver(data)
            except OSError:
                return           # the link underneath is gone; reads will say so

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify()


class ChannelLink(Link):
    """Any link, seen through a bad line in both directions."""

    def __init__(self, inner: Link, impairments: Impairments):
        self.inner = inner
        self.impairments = impairments
        self.name = f"{inner.name} through a channel"
        if hasattr(inner, "path"):
            self.path = inner.path          # a pty's slave path, to tell the other end
        self.uplink = Impairer(impairments, 0)       # what this end writes
        self.downlink = Impairer(impairments, 1)     # what this end reads
        self._arrived = bytearray()
        self._arrived_ready = threading.Condition()
        self._error: OSError | None = None
        self._closed = False
        self._out = self._in = None
        if impairments.delay:
            # a pump reads the link underneath; the delay lines hand each chunk on when its time comes
            self._out = _DelayLine(impairments.delay, inner.write, "channel-out")
            self._in = _DelayLine(impairments.delay, self._arrive, "channel-in")
            threading.Thread(target=self._pump, name="channel-pump", daemon=True).start()

    @property
    def counts(self) -> dict:
        """What the channel did, by direction."""
        return {"written": dict(self.uplink.counts), "read": dict(self.downlink.counts)}

    def write(self, data: bytes) -> None:
        impaired = self.uplink.apply(data)
        if self._out is not None:
            self._out.put(impaired)
        elif impaired:
            self.inner.write(impaired)

    def read(self, max_bytes: int = 4096, timeout: float | None = 0.1) -> bytes:
        if self._in is None:
            return self.downlink.apply(self.inner.read(max_bytes, timeout))
        with self._arrived_ready:
            if not self._arrived and self._error is None:
                self._arrived_ready.wait(timeout)
            if not self._arrived and self._error is not None:
                raise self._error
            chunk = bytes(self._arrived[:max_bytes])
            del self._arrived[:max_bytes]
            return chunk

    def _pump(self) -> None:
        while not self._closed:
            try:
                data = self.inner.read(65536, 0.05)
            except OSError as error:
                with self._arrived_ready:
                    self._error = error
                    self._arrived_ready.notify_all()
                return
            if data:
                self._in.put(self.downlink.apply(data))

    def _arrive(self, data: bytes) -> None:
        with self._arrived_ready:
            self._arrived += data
            self._arrived_ready.notify_all()

    def close(self) -> None:
        self._closed = True
        for line in (self._out, self._in):
            if line is not None:
                line.close()
        self.inner.close()

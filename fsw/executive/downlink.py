"""Everything flight sends goes through here: packets onto virtual channels, frames to the link.

Which frame goes next (docs/ICD.md, "Virtual channels and pacing"):
- real time (VC 0: PUS-1 reports, events, replies) first, a partial frame as soon as the line
  can take it: a command's reports are all made in one dispatch, waiting would only delay them;
  but when they fit in VC 1's next frame behind what it already holds (or ahead of a frame's
  worth of bulk), they go there, and that frame goes at once: as soon, no report overtakes
  housekeeping sampled before it, and no frame of idle fill while data waits;
- then VC 1, housekeeping before bulk: periodic reports wait here newest-wins per structure until
  a frame is built (so beyond what the line carries they are thinned, and counted), bulk packets
  (image segments) fill the rest; producers ask room() first, so little bulk ever waits;
- a partial VC 1 frame waits at most one frame time for more packets, then is completed with
  idle data;
- an idle frame (VC 7) only when nothing went out for a second, or when the CLCW changed (or a
  TC frame arrived: a retransmitted one means the ground missed our CLCW) and nothing else will
  carry it.
A frame is made only when the line can take it (fsw/executive/pacing.py), so at most about two
frames are ever ahead of a reply.

The executive's thread writes directly only what the link takes without waiting (when nothing
is queued before it, so order holds); the rest goes to a writer thread that does the blocking
writes, so a peer that stops reading (a pty nobody opened, a stalled serial port) can never hang
flight. Past a backlog limit the newest frames are dropped and counted instead.
"""

import threading
import time
from collections import deque

from fsw.link import LinkError
from fsw.protocol.clcw import Clcw
from fsw.protocol.pus import MIN_TM_LEN, TmPacket
from fsw.protocol.stack import RawPacket, TmSender
from fsw.protocol.tmframe import VC_BULK, VC_REALTIME, zone_length

from .pacing import Line

BACKLOG_LIMIT = 1 << 20   # octets waiting for the link before frames are dropped
IDLE_INTERVAL = 1.0       # real seconds without a frame before an idle one carries the CLCW
BULK_AHEAD = 0.25         # seconds of line time of bulk packets kept ready (covers a 0.1 s tick)


class Downlink:
    def __init__(self, dictionary, clock, frame_len: int, clcw=lambda: Clcw(), writer=None,
                 line_rate: float | None = None):
        self.dictionary = dictionary
        self.clock = clock
        self.clcw = clcw                # () -> the FARM's Clcw now
        self.sender = TmSender(frame_len, clcw=self._clcw)
        self.writer = writer
        self.line = Line(writer, line_rate, frame_len + 4)
        self.packets = 0
        self.thinned = 0              # periodic reports replaced by a newer one before they went
        self._realtime: deque[TmPacket] = deque()
        self._periodic: dict = {}     # key -> newest TmPacket not yet framed
        self._bulk: deque[TmPacket | RawPacket] = deque()
        self._bulk_octets = 0
        self._vc1_in = 0              # octets pushed into VC 1 so far
        self._bulk_end = 0            # ... up to the end of the last bulk packet
        zone = zone_length(frame_len)
        self.bulk_window = max(2 * zone, int((line_rate or 0) * BULK_AHEAD))
        self._waiting_since: float | None = None   # when VC 1's partial frame began waiting
        self._last_frame = -IDLE_INTERVAL
        self._sent_clcw: int | None = None
        # acknowledged means durable: after a command's effect, commit() runs before any frame goes
        self.commit = None
        self._uncommitted = False
        self._clcw_wanted = False     # a TC frame arrived since the last frame went down

    def _clcw(self) -> int:
        return self.clcw().encode()

    def want_clcw(self) -> None:
        """A TC frame arrived: the next frame (an idle one if nothing else goes) carries the CLCW."""
        self._clcw_wanted = True

    # -- what components send --
    def packet(self, apid: int, service: int, subtype: int, data: bytes, vcid: int = VC_REALTIME) -> None:
        tm = TmPacket(apid, service, subtype, data, time=self.clock.now())
        if vcid == VC_BULK:
            self._bulk.append(tm)
            self._bulk_octets += len(data) + MIN_TM_LEN
        else:
            self._realtime.append(tm)
        self.packets += 1

    def raw(self, apid: int, data: bytes) -> None:
        """A packet without a PUS secondary header (a CFDP PDU), on the bulk channel."""
        self._bulk.append(RawPacket(apid, data))
        self._bulk_octets += _octets(self._bulk[-1])
        self.packets += 1

    def periodic(self, key, apid: int, service: int, subtype: int, data: bytes) -> None:
        """A periodic report: if the previous one of this key has not gone yet, this one replaces it."""
        if key in self._periodic:
            self.thinned += 1
        self._periodic[key] = TmPacket(apid, service, subtype, data, time=self.clock.now())
        self.packets += 1

    def report(self, name: str, values: dict, apid: int | None = None, vcid: int = VC_REALTIME) -> None:
        """A declared report; apid overrides only reports that answer a command (apid None)."""
        report = self.dictionary.report(name)
        source = report.apid if report.apid is not None else apid
        if source is None:
            raise ValueError(f"report {name} answers a command: give the command's APID")
        self.packet(source, report.service, report.subtype, self.dictionary.encode_report(name, values), vcid)

    def room(self) -> bool:
        """May a bulk producer add a packet? (keeps about BULK_AHEAD of line time ready, no more)"""
        return self._bulk_octets + self.sender.pending(VC_BULK) < self.bulk_window

    def bulk_sent(self) -> bool:
        """Every bulk packet offered so far is in a frame handed to the link."""
        return not self._bulk and self._vc1_in - self.sender.pending(VC_BULK) >= self._bulk_end

    def hold_until_committed(self) -> None:
        """Flight state changed in a way the ground will be told of: commit it before the next frame."""
        self._uncommitted = True

    def _commit(self) -> None:
        if self._uncommitted and self.commit is not None:
            self._uncommitted = False
            self.commit()

    # -- frames --
    def take(self) -> bytes:
        """Every frame, partial ones completed with idle data: nothing waits (tests, shutdown)."""
        self._commit()
        self._realtime_on(VC_REALTIME)
        self._fill(everything=True)
        return self.sender.output(flush=True)

    def flush(self) -> None:
        """Write everything now, in channel order, ignoring the line's pace (the stepped loop)."""
        frames = self.take()
        if frames:
            self.writer.write(frames)
            self._sent(time.monotonic())

    def service(self, now: float | None = None) -> None:
        """Write the frames the line can take now, in priority order."""
        now = time.monotonic() if now is None else now
        if self.line.ready(now):
            self._commit()
        while self.line.ready(now):
            frame = self._choose(now)
            if frame is None:
                return
            self.line.send(frame, now)
            self._sent(now)

    def next_due(self, now: float) -> float:
        """When service() may have something to do next, at the latest (real, monotonic)."""
        due = self._last_frame + IDLE_INTERVAL
        if self._clcw_wanted:
            due = min(due, self.line.next_ready(now))
        if self._waiting_since is not None:
            due = min(due, self._waiting_since + self.line.frame_time)
        if self._realtime or self._bulk or self._periodic:
            due = min(due, self.line.next_ready(now))
        return due

    def _sent(self, now: float) -> None:
        self._last_frame = now
        self._sent_clcw = self._clcw()
        self._clcw_wanted = False

    def _choose(self, now: float) -> bytes | None:
        urgent = False
        if self._realtime:
            self._commit_periodic()
            ahead = self.sender.pending(VC_BULK)
            end = ahead + sum(len(tm.data) + MIN_TM_LEN for tm in self._realtime)
            zone = self.sender.multiplexer.zone_len
            # behind what VC 1 holds (no report overtakes housekeeping sampled before it), or
            # ahead of a frame's worth of bulk: either way in the next frame, at no idle cost
            urgent = end <= zone and (ahead > 0 or end + self._bulk_octets >= zone)
            self._realtime_on(VC_BULK if urgent else VC_REALTIME)
        frame = self.sender.frame(VC_REALTIME, pad=True)
        if frame is not None:
            return frame
        self._fill()
        pending = self.sender.pending(VC_BULK)
        if pending and self._waiting_since is None:
            self._waiting_since = now
        held = urgent or self._waiting_since is not None and now - self._waiting_since >= self.line.frame_time
        frame = self.sender.frame(VC_BULK, pad=held)
        if frame is not None:
            self._waiting_since = now if self.sender.pending(VC_BULK) else None
            return frame
        if now - self._last_frame >= IDLE_INTERVAL or self._clcw_wanted or self._clcw() != self._sent_clcw:
            # the line would be silent: the CLCW goes now, with what VC 1 holds if it holds any
            if pending:
                self._waiting_since = None
                return self.sender.frame(VC_BULK, pad=True)
            return self.sender.idle_frame()
        return None

    def _realtime_on(self, vcid: int) -> None:
        for tm in self._realtime:
            if vcid == VC_BULK:
                self._push_vc1(tm)
            else:
                self.sender.push(tm, vcid)
        self._realtime.clear()

    def _commit_periodic(self) -> None:
        for tm in self._periodic.values():
            self._push_vc1(tm)
        self._periodic.clear()

    def _fill(self, everything: bool = False) -> None:
        """Move packets into VC 1: every periodic report waiting, then bulk up to a full frame."""
        self._commit_periodic()
        zone = self.sender.multiplexer.zone_len
        while self._bulk and (everything or self.sender.pending(VC_BULK) < zone):
            tm = self._bulk.popleft()
            self._bulk_octets -= _octets(tm)
            self._push_vc1(tm)
            self._bulk_end = self._vc1_in

    def _push_vc1(self, tm: TmPacket | RawPacket) -> None:
        before = self.sender.pending(VC_BULK)
        self.sender.push(tm, VC_BULK)
        self._vc1_in += self.sender.pending(VC_BULK) - before


def _octets(packet: TmPacket | RawPacket) -> int:
    return packet.octets if isinstance(packet, RawPacket) else len(packet.data) + MIN_TM_LEN


class LinkWriter:
    """Writes queued bytes to the link from its own thread; never blocks the caller."""

    def __init__(self, link, limit: int = BACKLOG_LIMIT):
        self.link = link
        self.limit = limit
        self.dropped = 0            # octets dropped because the link did not keep up
        self.errors = 0
        self._queue: deque[bytes] = deque()
        self._queued = 0
        self._busy = False
        self._closing = False
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="fsw-downlink", daemon=True)
        self._thread.start()

    def write(self, data: bytes) -> None:
        if not data:
            return
        with self._ready:
            if not self._queue and not self._busy:
                # the common case: an idle link takes the bytes at once, no thread hand-off
                try:
                    sent = self.link.try_write(data)
                except (LinkError, OSError):
                    sent = 0
                if sent == len(data):
                    return
                data = data[sent:]
            if self._queued + len(data) > self.limit:
                self.dropped += len(data)
                return
            self._queue.append(data)
            self._queued += len(data)
            self._ready.notify_all()

    @property
    def backlog(self) -> int:
        """Octets handed over that the link has not taken yet."""
        return self._queued + (1 if self._busy else 0)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued was written (or dropped); False on timeout."""
        with self._ready:
            return self._ready.wait_for(lambda: not self._queue and not self._busy, timeout)

    def close(self, timeout: float = 1.0) -> None:
        """Give queued bytes `timeout` to go out; a peer that is not reading does not hold
        shutdown longer (the thread is a daemon, and stays blocked only until the link closes)."""
        drained = self.drain(timeout)
        with self._ready:
            self._closing = True
            self._ready.notify_all()
        self._thread.join(timeout if drained else 0.1)

    def _run(self) -> None:
        while True:
            with self._ready:
                self._ready.wait_for(lambda: self._queue or self._closing)
                if not self._queue:
                    return
                chunk = b"".join(self._queue)
                self._queue.clear()
                self._queued = 0
                self._busy = True
            failed = False
            try:
                self.link.write(chunk)
            except (LinkError, OSError):
                failed = True
            with self._ready:       # write() counts drops under this lock too
                if failed:
                    self.errors += 1
                    self.dropped += len(chunk)
                self._busy = False
                self._ready.notify_all()

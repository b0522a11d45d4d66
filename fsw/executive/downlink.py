"""Everything flight sends goes through here: packets into the TmSender, frames out to the link.

The executive's thread writes directly only what the link takes without waiting (when nothing
is queued before it, so order holds); the rest goes to a writer thread that does the blocking
writes, so a peer that stops reading (a pty nobody opened, a stalled serial port) can never hang
flight. Past a backlog limit the newest frames are dropped and counted instead.
"""

import threading
from collections import deque

from fsw.link import LinkError
from fsw.protocol.clcw import Clcw
from fsw.protocol.pus import TmPacket
from fsw.protocol.stack import TmSender

BACKLOG_LIMIT = 1 << 20   # octets waiting for the link before frames are dropped


class Downlink:
    def __init__(self, dictionary, clock, frame_len: int, next_expected=lambda: 0):
        self.dictionary = dictionary
        self.clock = clock
        self.sender = TmSender(frame_len, clcw=lambda: Clcw(report_value=next_expected()).encode())
        self.packets = 0

    def packet(self, apid: int, service: int, subtype: int, data: bytes, vcid: int = 0) -> None:
        self.sender.push(TmPacket(apid, service, subtype, data, time=self.clock.now()), vcid)
        self.packets += 1

    def report(self, name: str, values: dict, apid: int | None = None, vcid: int = 0) -> None:
        """A declared report; apid overrides only reports that answer a command (apid None)."""
        report = self.dictionary.report(name)
        source = report.apid if report.apid is not None else apid
        if source is None:
            raise ValueError(f"report {name} answers a command: give the command's APID")
        self.packet(source, report.service, report.subtype, self.dictionary.encode_report(name, values), vcid)

    def take(self) -> bytes:
        """Every frame ready, partial ones completed with idle data: nothing waits."""
        return self.sender.output(flush=True)


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

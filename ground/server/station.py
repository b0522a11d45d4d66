"""The link owner: one Session on the port, its counters on disk, and the clients it feeds.

Every record that arrives goes to every attached client's bounded queue (oldest dropped first,
and counted, when a client does not keep up), so a client that stops reading never slows the
link, the archive or the other clients; so does the progress of every CFDP transfer.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque

from fsw.link import DEFAULT_BAUD, line_rate, open_link
from fsw.protocol import TM_FRAME_LEN, encode_tm
from fsw.protocol.cop1 import DirectiveRejected
from fsw.protocol.pus import ACK_ALL

from ..archive import Retention, open_for
from ..cop1 import CopRefused
from ..counters import UplinkCounters
from ..remote_files import transfer_json
from ..session import Session
from ..tracker import CommandError, TrackedCommand, raise_for
from ..uplink_security import KeyFileError, Rotation, rotate

CLIENT_QUEUE = 10_000          # packets a client may fall behind before the oldest are dropped
WARNINGS_KEPT = 100


class CommandRequestError(ValueError):
    """A command a client asked for that the server will not send: one line saying why."""


class Subscriber:
    """One client's view of the downlink: a bounded queue, filled from the reader thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int = CLIENT_QUEUE):
        self.loop = loop
        self.limit = limit
        self.items: deque = deque()
        self.dropped = 0
        self.ready = asyncio.Event()

    def offer(self, item) -> None:
        """From any thread; never blocks."""
        self.loop.call_soon_threadsafe(self._put, item)

    def _put(self, item) -> None:
        if len(self.items) >= self.limit:
            self.items.popleft()
            self.dropped += 1
        self.items.append(item)
        self.ready.set()

    def take(self) -> list:
        items = list(self.items)
        self.items.clear()
        self.ready.clear()
        return items


class GroundServer:
    def __init__(self, port: str, *, counters: UplinkCounters, baud: int | None = None, frame_len: int = TM_FRAME_LEN,
                 archive=None, on_warning=None, channel=None, retention=None, dictionary=None, cop1: bool = True,
                 fop_settings=None, security=None):
        self.port = port
        self.frame_len = frame_len
        self.counters = counters
        counters.load()                              # CountersError before the port is opened
        self.warnings: deque[str] = deque(maxlen=WARNINGS_KEPT)
        self._print_warning = on_warning
        self.subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._rotating = threading.Lock()             # one key rotation at a time
        link = open_link(port, baud or DEFAULT_BAUD, channel)
        self.session = Session(link, frame_len, dictionary, on_warning=self._warn, counters=counters,
                               reopen=lambda: open_link(port, baud or DEFAULT_BAUD, channel),  # a device back
                               line_rate=line_rate(port, baud),         # the uplink paced to the line
                               cop1=cop1, fop_settings=fop_settings, security=security)
        try:
            self.session.archive = self.session.ingest.archive = open_for(archive, self.session.dictionary,
                                                                          retention or Retention())
        except Exception:
            link.close()
            raise
        self.session.listeners.append(self._broadcast)
        self.session.files.listeners.append(self._file_moved)
        self.session.on_link = self._link_changed
        self.started = time.time()

    # -- life cycle --
    def start(self) -> GroundServer:
        self.session.start()
        return self

    def close(self) -> None:
        self.session.close()

    # -- commanding --
    def submit(self, name: str, args: dict, *, arm: bool = False, ack: int = ACK_ALL,
               release: float | None = None, person: bool = False, bypass: bool = False) -> list[TrackedCommand]:
        """Send a command (with its arm first, in the same write, when asked) or store it on board
        for release; the TrackedCommands of what was sent, in order. For a person (the command
        line), a hazardous command without its arm is refused here rather than on board. bypass:
        Type-BD frames (expedited, past COP-1's sequence control), for emergencies."""
        try:
            return self._submit(name, args, arm, ack, release, person, bypass)
        except CopRefused as refused:
            raise CommandRequestError(str(refused)) from None

    def cop1(self, directive: str | None = None, value=None) -> dict:
        """COP-1's status, after a directive when one is given (CommandRequestError: refused)."""
        gfop = self.session.cop1
        if gfop is None:
            raise CommandRequestError("this server runs without COP-1 (--no-cop1): every command is Type-BD")
        if directive is None:
            return gfop.status()
        try:
            return gfop.directive(directive, value)
        except DirectiveRejected as refused:
            raise CommandRequestError(f"{directive}: {refused}") from None

    def rotate_keys(self, timeout: float = 10.0) -> Rotation:
        """A spare key into service on board, and the uplink moved to it between two radiated
        frames (ground.uplink_security.rotate); each command waits at most `timeout` s.
        CommandRequestError: one line saying why it was not done, or where it stopped."""
        security = self.session.security
        if security is None:
            raise CommandRequestError("the uplink is clear (--insecure-uplink): there are no keys to rotate")
        if not self._rotating.acquire(blocking=False):
            raise CommandRequestError("a key rotation is already under way")

        def command(name: str, args: dict, arm: bool = False) -> None:
            sent = self.submit(name, args, arm=arm)
            for tracked in sent:
                tracked.done.wait(timeout)
                raise_for(tracked)

        try:
            return rotate(security, command, self.session._send_lock)
        except (KeyFileError, CommandError, OSError) as error:
            raise CommandRequestError(f"key rotation stopped: {error}") from None
        finally:
            self._rotating.release()

    def _submit(self, name, args, arm, ack, release, person, bypass) -> list[TrackedCommand]:
        dictionary = self.session.dictionary
        try:
            command = dictionary.command(name)
        except Exception as error:
            raise CommandRequestError(str(error)) from None
        if arm and not command.hazardous:
            raise CommandRequestError(f"{name} is not hazardous: --arm is only for hazardous commands")
        if person and command.hazardous and not arm and release is None:
            raise CommandRequestError(f"{name} is hazardous: add --arm to send `arm` for it first")
        dictionary.check_args(name, args)              # ProtocolError: the caller says why
        if release is not None:
            sent = list(self.session.submit_scheduled(release, name, args))
        elif arm:
            sent = self.session.submit_many([
                ("arm", {"service": command.service, "subtype": command.subtype}, ACK_ALL, None),
                (name, args, ack, None)], bypass=bypass)
        else:
            sent = [self.session.submit(name, args, ack, bypass=bypass)]
        self.session.archive_now()                     # in the archive before the client hears it went
        return sent

    # -- downlink to the clients --
    def attach(self, subscriber: Subscriber) -> None:
        with self._lock:
            self.subscribers.add(subscriber)

    def detach(self, subscriber: Subscriber) -> None:
        with self._lock:
            self.subscribers.discard(subscriber)

    def _broadcast(self, record) -> None:
        item = (record.received, encode_tm(record.packet))
        with self._lock:
            subscribers = list(self.subscribers)
        for subscriber in subscribers:
            subscriber.offer(item)

    def _link_changed(self, error) -> None:
        self._notify({"link": "lost", "error": str(error)} if error is not None else {"link": "back"})

    def _file_moved(self, transfer) -> None:
        self._notify({"file": transfer_json(transfer)})

    def _notify(self, notice: dict) -> None:
        with self._lock:
            subscribers = list(self.subscribers)
        for subscriber in subscribers:
            subscriber.offer(("notice", notice))

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if self._print_warning is not None:
            self._print_warning(message)
        self._notify({"warning": message})

    # -- what a client may ask --
    def status(self) -> dict:
        session = self.session
        stats = session.state.stats
        return {
            "port": self.port,
            "connected": session.connected,
            "link_error": str(session.link_error) if session.link_error else None,
            "dictionary_version": f"{session.dictionary.version:08x}",
            "flight_dictionary_version": (f"{session.flight_dictionary:08x}"
                                          if session.flight_dictionary is not None else None),
            "frame_len": self.frame_len,
            "frames": stats.frames, "packets": stats.packets, "last_contact": stats.last_contact,
            "clients": len(self.subscribers),
            "commands_pending": len(session.tracker),
            "uplink": session.sender.counters(),
            "cop1": session.cop1.status() if session.cop1 is not None else None,
            "uplink_security": session.security.describe() if session.security is not None else "clear",
            "warnings": list(self.warnings)[-10:],
            "up_since": self.started,
        }

    def telemetry(self) -> dict:
        state = self.session.state
        now = time.time()
        with state.changed:
            latest = dict(state.latest)
        return {
            name: {"value": state.engineering(name, sample.raw), "time": sample.time, "received": sample.received,
                   "stale": now - sample.received > state.stale_after, "limit": state.limit_state(name)}
            for name, sample in latest.items()
        }

"""A ground session: sends commands, reads the downlink on a thread, keeps state.

A Station is what every session knows (dictionary, TelemetryState, the CommandTracker of every
command sent, listeners). A Session owns a link (TcSender, Ingest, archive); a RemoteSession
(ground/remote.py) is attached to a ground server. The procedures API, the CLI subcommands, the
console and the monitor are built on either.
"""

import sqlite3
import sys
import threading
import time
from contextlib import contextmanager

from fsw.dictionary import load
from fsw.executive.pacing import Line
from fsw.link import Link, LinkError
from fsw.protocol import TM_FRAME_LEN, TcSender, encode_tc
from fsw.protocol.cfdp import CFDP_APID
from fsw.protocol.cop1 import FopSettings
from fsw.protocol.dictionary import Dictionary
from fsw.protocol.pus import ACK_ALL
from fsw.protocol.stack import RawPacket

from .archive import ArchiveError
from .colour import paint
from .cop1 import GroundFop
from .ingest import Ingest
from .telemetry import Record, TelemetryState
from .tracker import STAGES, CommandTracker, TrackedCommand

REOPEN_INTERVAL = 0.2    # seconds between tries to open a device that went away
# the uplink's pacing allowance: a frame is written when no more than half of this is still on the
# line (a command's frame is 24 octets and up), so the OS holds no more than a frame or two of ours
UPLINK_FRAME_OCTETS = 48
# what an archive write can fail with: ArchiveError (disk full, file gone), or the OS and sqlite
# errors of a call that reached the disk itself
ARCHIVE_ERRORS = (ArchiveError, OSError, sqlite3.Error)


def _warn_stderr(message: str) -> None:
    print(paint(f"WARNING: {message}", "\033[1;31m", sys.stderr), file=sys.stderr, flush=True)


class Station:
    """What every ground session knows, wherever its packets come from: the dictionary, the
    latest telemetry, the commands awaiting reports, and who listens to the records."""

    def __init__(self, dictionary: Dictionary | None = None, on_warning=_warn_stderr):
        self.dictionary = dictionary or load()
        self.state = TelemetryState(self.dictionary)
        self.on_warning = on_warning
        self.listeners: list = []               # callback(record), called on the reader thread
        self.link_error: Exception | None = None
        self.output_closed = False              # a listener's stdout was closed (`| head`)
        self.flight_dictionary: int | None = None
        self.tracker = CommandTracker(on_warning)
        self._stop = threading.Event()

    @contextmanager
    def listening(self, listener):
        """listener(record) is called on the reader thread for every record while the block runs."""
        self.listeners.append(listener)
        try:
            yield listener
        finally:
            self.listeners.remove(listener)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def _track(self, name: str, args: dict, request_id: int, on_stage) -> TrackedCommand:
        command = TrackedCommand(name, args, request_id, time.time())
        if on_stage is not None:
            command.listeners.append(on_stage)
        return self.tracker.track(command)

    def apply(self, records: list[Record]) -> None:
        """Records that arrived: commands' stages, the dictionary check, the state, the listeners."""
        if not records:
            return
        for record in records:
            if record.kind == "report" and record.name in STAGES:
                self.tracker.update(record.name, record.fields)
            elif record.name == "sid1" or record.name == "boot":
                self._check_dictionary(record.fields.get("dictionary_version"))
        self.state.apply(records)
        for record in records:
            for listener in list(self.listeners):
                try:
                    listener(record)
                except BrokenPipeError:
                    # the reader of our output left (`ground tlm | head`): no one to tell, stop
                    # printing and let the command end, not one warning per packet
                    self._output_closed(listener)
                except Exception as error:   # one bad listener must not stop the others
                    self.on_warning(f"listener {getattr(listener, '__name__', listener)} failed: {error}")

    def _output_closed(self, listener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)
        self.output_closed = True
        with self.state.changed:
            self.state.changed.notify_all()

    def _check_dictionary(self, flight: int | None) -> None:
        if flight is None or flight == self.flight_dictionary:
            return
        self.flight_dictionary = flight
        ground = self.dictionary.version
        if flight != ground:
            self.on_warning(
                f"flight dictionary {flight:08x} differs from ground's {ground:08x}: commands and "
                "telemetry may be misread; use the same Perijove version on both sides")

    @property
    def dictionary_mismatch(self) -> bool:
        return self.flight_dictionary is not None and self.flight_dictionary != self.dictionary.version

    @property
    def connected(self) -> bool:
        return self.link_error is None and not self._stop.is_set()


class _Uplink:
    """The uplink line's writer: the link the session holds now (a device reopened is a new one)."""

    backlog = 0                 # a link takes all it is given: nothing is held back here

    def __init__(self, session: "Session"):
        self.session = session

    def write(self, data: bytes) -> None:
        self.session.link.write(data)


class Session(Station):
    """A station that owns its link: frames and numbers the uplink, deframes the downlink."""

    def __init__(self, link: Link, frame_len: int = TM_FRAME_LEN, dictionary: Dictionary | None = None,
                 archive=None, on_warning=_warn_stderr, counters=None, reopen=None, line_rate: float | None = None,
                 cop1: bool = False, fop_settings: FopSettings | None = None, security=None):
        """cop1: commands go as Type-AD frames through FOP-1 (ground/cop1.py), initialised when the
        session starts; without it every command is a Type-BD frame (a board without FARM-1).
        security: UplinkSecurity (SDLS on every frame as it is radiated), or None: clear frames."""
        super().__init__(dictionary, on_warning)
        self.link = link
        # line_rate (octets/s, fsw.link.line_rate): the uplink is paced to it; None: written at once
        self.line = Line(_Uplink(self), line_rate, UPLINK_FRAME_OCTETS)
        self.reopen = reopen              # () -> Link: a device that went away is opened again
        self.on_link = None               # on_link(error or None): the link was lost, or is back
        self.archive = archive
        self.ingest = Ingest(self.dictionary, frame_len, archive, self.state.stats)
        self.security = security          # UplinkSecurity (SDLS on every frame radiated), or None: clear
        self.sender = TcSender(layout=security.layout) if security is not None else TcSender()
        self.counters = counters          # UplinkCounters shared with every ground process, or None
        from .files import GroundFiles  # cfdp-py loads with a session that owns a link, not with every client

        self.files = GroundFiles(self._radiate_pdus, on_warning=on_warning)   # CFDP: images down, files up
        self.ingest.receiver.raw_apids = frozenset({CFDP_APID})
        self.ingest.receiver.on_raw = self.files.packet
        self._send_lock = threading.RLock()
        self.cop1 = GroundFop(self, fop_settings) if cop1 else None
        self._thread = threading.Thread(target=self._read_loop, name="ground-reader", daemon=True)

    # -- life cycle --
    def start(self) -> "Session":
        if self.cop1 is not None:
            self.cop1.start()
        self._thread.start()
        return self

    def apply(self, records: list[Record]) -> None:
        super().apply(records)
        if any(record.name == "boot" for record in records):
            self.files.flight_restarted()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        if self.archive is not None:
            try:
                self.archive.close()
            except ARCHIVE_ERRORS as error:
                self._archive_failed(error)
        self.link.close()
        self.files.close()
        if self.security is not None:
            with self._send_lock:
                try:
                    self.security.release()     # the next process goes on from here, skipping nothing
                except Exception as error:      # an unreadable sequence file, a full disk: say it, close
                    self.on_warning(f"SDLS sequence numbers not given back (skipped, never reused): {error}")

    # -- uplink --
    def submit(self, name: str, args: dict | None = None, ack: int = ACK_ALL, on_stage=None,
               bypass: bool = False) -> TrackedCommand:
        """Check, encode and send one command; its TrackedCommand fills in as reports arrive."""
        return self.submit_many([(name, args, ack, on_stage)], bypass=bypass)[0]

    def submit_many(self, commands: list[tuple], bypass: bool = False) -> list[TrackedCommand]:
        """Several (name, args, ack, on_stage) commands sent in order: through FOP-1 as Type-AD
        frames (CopRefused, before anything is numbered, when COP-1 cannot take them), or with
        bypass (or without COP-1) as Type-BD frames written in one go (an arm and its hazardous
        command arrive together, whatever the speed on board)."""
        built = []
        for name, args, ack, on_stage in commands:
            args = dict(args or {})
            built.append((name, args, ack, on_stage, self.dictionary.build_tc(name, args, ack=ack)))  # checks
        cop1 = self.cop1
        with self._send_lock:
            if cop1 is not None and not bypass:
                cop1.check_ready()
            packets = []
            tracked = []
            with self._numbering():
                for name, args, ack, on_stage, tc in built:
                    packet = encode_tc(self.sender.number(tc))
                    command = self._track(name, args, tc.request_id, on_stage)
                    if self.archive is not None:
                        self.archive.add_command(time.time(), tc.apid, tc.service, tc.subtype, tc.seq_count, name,
                                                 packet)
                    if ack == 0:
                        command.outcome = "completed"   # nothing will be reported: sent is all we know
                        command.done.set()
                    packets.append(packet)
                    tracked.append(command)
                if cop1 is None:
                    self._radiate([self.sender.frame(packet) for packet in packets])
                elif bypass:
                    for packet, command in zip(packets, tracked, strict=True):
                        cop1.send_bd(packet, command)
            if cop1 is not None and not bypass:
                for packet, command in zip(packets, tracked, strict=True):
                    cop1.send_ad(packet, command)
        return tracked

    def submit_scheduled(self, release: float, name: str, args: dict | None = None, on_stage=None
                         ) -> tuple[TrackedCommand, TrackedCommand]:
        """Store a command on board (PUS-11) for release at an on-board time.

        Returns (the schedule_insert, the stored command, which fills in when it is released
        and runs)."""
        args = dict(args or {})
        inner = self.dictionary.build_tc(name, args)
        with self._send_lock, self._numbering():
            self.sender.number(inner)
            later = self._track(name, args, inner.request_id, on_stage)
        insert = self.submit("schedule_insert", {"release": int(release), "tc": encode_tc(inner)})
        return insert, later

    def send_raw(self, packet: bytes, request_id: int, name: str = "raw packet") -> TrackedCommand:
        """Frame and send packet bytes as they are (tests of what ground would never build),
        tracking the reports about request_id."""
        with self._send_lock:
            with self._numbering():
                command = self._track(name, {}, request_id, None)
                frame = self.sender.frame(packet)
            self._radiate([frame])
        return command

    @contextmanager
    def _numbering(self):
        """Number packets and frames from the counters every ground process shares, and save
        them before anything that used them is radiated."""
        if self.counters is None:
            yield
            return
        with self.counters.held() as saved:
            self.sender.resume(saved)
            yield
            self.counters.save(self.sender.counters())

    def _radiate_pdus(self, pdus: list[bytes]) -> None:
        """CFDP PDUs up, each in a space packet on CFDP_APID in a TC frame of its own."""
        with self._send_lock:
            with self._numbering():
                frames = [self.sender.send_raw_packet(RawPacket(CFDP_APID, pdu)) for pdu in pdus]
            try:
                self._radiate(frames)
            except LinkError as error:    # the reader finds the link lost; CFDP's timers recover the PDUs
                self.on_warning(f"CFDP PDUs not sent: {error}")

    def _radiate(self, frames: list[bytes]) -> None:
        """Write frames, each behind its ASM (the send lock held, the counters that numbered them
        saved). Security is applied here, as each frame goes out (a retransmission gets a fresh
        sequence number). Paced: each when the line has drained all but part of a frame, so the OS
        never holds more than a frame or two of ours and the next command goes out next, not behind
        a queue; an arm and its command still follow each other at once. Unpaced: in one write."""
        if self.security is not None:
            frames = self.security.protect(frames)
        line = self.line
        if line.rate is None:
            line.send(b"".join(frames), time.monotonic())
            return
        for frame in frames:
            while not line.ready(now := time.monotonic()):
                time.sleep(line.next_ready(now) - now)
            line.send(frame, time.monotonic())

    # -- downlink --
    def _read_loop(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.link.read(65536, 0.1)
            except LinkError as error:
                self.link_error = error
                self.on_warning(f"link lost: {error}")
                if self.on_link is not None:
                    self.on_link(error)
                with self.state.changed:
                    self.state.changed.notify_all()
                if self.reopen is None or not self._reopened():
                    break
                continue
            try:
                self.files.service()
            except Exception as error:   # as below: a bug in file delivery must not silence the link
                self.on_warning(f"file delivery failed: {type(error).__name__}: {error}")
            if self.cop1 is not None:
                self.cop1.tick()
            if data:
                try:
                    self.feed(data)
                except ARCHIVE_ERRORS as error:
                    self._archive_failed(error)
                except Exception as error:   # a bug must not silence the link: say it, read on
                    self.on_warning(f"downlink handling failed: {type(error).__name__}: {error}")
            if self.archive is not None:
                try:
                    self.archive.maybe_flush()
                except ARCHIVE_ERRORS as error:
                    self._archive_failed(error)
        with self.state.changed:
            self.state.changed.notify_all()

    def archive_now(self) -> None:
        """Commit what the archive holds (a server does, before it says a command went); a write
        that fails costs the archive, as on the reader thread."""
        if self.archive is None:
            return
        try:
            self.archive.flush(wait=True)
        except ARCHIVE_ERRORS as error:
            self._archive_failed(error)

    def _archive_failed(self, error: Exception) -> None:
        """A full disk (or a file that cannot be written) costs the archive, never the link: one
        line says so, and the session goes on without it."""
        if self.archive is None:
            return
        self.archive = self.ingest.archive = None
        self.on_warning(f"{error}; going on without the archive")

    def _reopened(self) -> bool:
        """Try the device again and again (until closed); True once it is back."""
        while not self._stop.wait(REOPEN_INTERVAL):
            try:
                link = self.reopen()
            except LinkError:
                continue
            with self._send_lock:
                old, self.link = self.link, link
            old.close()
            self.link_error = None
            self.on_warning("link back")
            if self.on_link is not None:
                self.on_link(None)
            return True
        return False

    def feed(self, data: bytes) -> list[Record]:
        receiver = self.ingest.receiver
        frames = receiver.frames_received
        records = self.ingest.feed(data)
        if self.cop1 is not None and receiver.frames_received != frames and receiver.last_clcw is not None:
            self.cop1.clcw(receiver.last_clcw)     # before the reports: acknowledged comes before accepted
        self.apply(records)
        return records

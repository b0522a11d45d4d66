"""A ground session over one link: sends commands, reads the downlink on a thread, keeps state.

The session owns the link, a reader thread, the TcSender and the Ingest (TmReceiver + dictionary
+ archive), the TelemetryState, and the CommandTracker of every command sent. The procedures API,
the CLI subcommands, the console and the monitor are all built on it.
"""

import sys
import threading
import time
from contextlib import contextmanager

from fsw.dictionary import load
from fsw.link import Link, LinkError
from fsw.protocol import TM_FRAME_LEN, TcSender, encode_tc
from fsw.protocol.dictionary import Dictionary
from fsw.protocol.pus import ACK_ALL

from .ingest import Ingest
from .telemetry import Record, TelemetryState
from .tracker import STAGES, CommandTracker, TrackedCommand


def _warn_stderr(message: str) -> None:
    print(f"\033[1;31mWARNING: {message}\033[0m", file=sys.stderr, flush=True)


class Session:
    def __init__(self, link: Link, frame_len: int = TM_FRAME_LEN, dictionary: Dictionary | None = None,
                 archive=None, on_warning=_warn_stderr):
        self.link = link
        self.dictionary = dictionary or load()
        self.archive = archive
        self.state = TelemetryState(self.dictionary)
        self.ingest = Ingest(self.dictionary, frame_len, archive, self.state.stats)
        self.sender = TcSender()
        self.on_warning = on_warning
        self.listeners: list = []               # callback(record), called on the reader thread
        self.link_error: LinkError | None = None
        self.flight_dictionary: int | None = None
        self.tracker = CommandTracker(on_warning)
        self._send_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read_loop, name="ground-reader", daemon=True)

    # -- life cycle --
    def start(self) -> "Session":
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        if self.archive is not None:
            self.archive.close()
        self.link.close()

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

    # -- uplink --
    def submit(self, name: str, args: dict | None = None, ack: int = ACK_ALL, on_stage=None) -> TrackedCommand:
        """Check, encode and send one command; its TrackedCommand fills in as reports arrive."""
        args = dict(args or {})
        tc = self.dictionary.build_tc(name, args, ack=ack)   # raises ProtocolError on bad args
        with self._send_lock:
            data = self.sender.send_bytes(tc)
            command = self._track(name, args, tc.request_id, on_stage)
            if self.archive is not None:
                now = time.time()
                self.archive.add_frame(now, "up", data[4:])
                self.archive.add_command(now, tc.apid, tc.service, tc.subtype, tc.seq_count, name, args,
                                         encode_tc(tc))
            if ack == 0:
                command.outcome = "completed"   # nothing will be reported: sent is all we know
                command.done.set()
            self.link.write(data)
        return command

    def submit_scheduled(self, release: float, name: str, args: dict | None = None, on_stage=None
                         ) -> tuple[TrackedCommand, TrackedCommand]:
        """Store a command on board (PUS-11) for release at an on-board time.

        Returns (the schedule_insert, the stored command, which fills in when it is released
        and runs)."""
        args = dict(args or {})
        inner = self.dictionary.build_tc(name, args)
        with self._send_lock:
            self.sender.number(inner)
            later = self._track(name, args, inner.request_id, on_stage)
        insert = self.submit("schedule_insert", {"release": int(release), "tc": encode_tc(inner)})
        return insert, later

    def send_raw(self, packet: bytes, request_id: int, name: str = "raw packet") -> TrackedCommand:
        """Frame and send packet bytes as they are (tests of what ground would never build),
        tracking the reports about request_id."""
        with self._send_lock:
            command = self._track(name, {}, request_id, None)
            self.link.write(self.sender.frame(packet))
        return command

    def _track(self, name: str, args: dict, request_id: int, on_stage) -> TrackedCommand:
        command = TrackedCommand(name, args, request_id, time.time())
        if on_stage is not None:
            command.listeners.append(on_stage)
        return self.tracker.track(command)

    # -- downlink --
    def _read_loop(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.link.read(65536, 0.1)
            except LinkError as error:
                self.link_error = error
                self.on_warning(f"link lost: {error}")
                break
            if data:
                try:
                    self.feed(data)
                except Exception as error:   # a bug must not silence the link: say it, read on
                    self.on_warning(f"downlink handling failed: {type(error).__name__}: {error}")
            if self.archive is not None:
                self.archive.maybe_flush()
        with self.state.changed:
            self.state.changed.notify_all()

    def feed(self, data: bytes) -> list[Record]:
        records = self.ingest.feed(data)
        if records:
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
                    except Exception as error:   # one bad listener must not stop the others
                        self.on_warning(f"listener {getattr(listener, '__name__', listener)} failed: {error}")
        return records

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

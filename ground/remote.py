"""A session attached to a ground server (`ground serve`): the same Station as a local Session,
with the server owning the link.

Commands go out through POST /api/commands (the server numbers, frames and radiates them, and
says which request ids they got); every TM packet comes back over the WebSocket /api/stream and
is decoded here with the dictionary, so telemetry, events and the commands' PUS-1 stages are
followed exactly as on a local link.
"""

from __future__ import annotations

import json
import os
import struct
import threading
from collections import deque
from urllib.parse import urlsplit

from fsw.protocol import decode_tm
from fsw.protocol.pus import ACK_ALL
from fsw.protocol.reasons import ProtocolError

from .client import ServerError, request
from .ingest import Ingest
from .remote_files import RemoteFiles
from .session import Station, _warn_stderr
from .telemetry import Record
from .tracker import STAGES, TrackedCommand

PACKET_HEADER = struct.Struct(">d")
RECENT_REPORTS = 1024      # PUS-1 reports kept for commands whose request id is not known yet


def _json_args(args: dict) -> dict:
    return {key: {"hex": value.hex()} if isinstance(value, (bytes, bytearray)) else value
            for key, value in args.items()}


class RemoteSession(Station):
    def __init__(self, url: str, token: str | None = None, dictionary=None, on_warning=_warn_stderr):
        super().__init__(dictionary, on_warning)
        self.url = url.rstrip("/")
        self.token = token
        self.ingest = Ingest(self.dictionary)
        self.files = RemoteFiles(self.url, token)      # the server's CFDP entity, over HTTP
        self._lock = threading.Lock()
        self._recent: deque[Record] = deque(maxlen=RECENT_REPORTS)
        self._socket = None
        self._thread = threading.Thread(target=self._read_loop, name="ground-client", daemon=True)

    # -- life cycle --
    def start(self) -> RemoteSession:
        from websockets.sync.client import connect

        status = json.loads(request(self.url, "GET", "/api/status", token=self.token).read())  # and lets us in
        if not status.get("connected"):
            self.link_error = ServerError(f"{self.url}: the server's link is down ({status.get('link_error')})")
        parts = urlsplit(self.url)
        token = self.token or os.environ.get("PERIJOVE_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            self._socket = connect(f"ws://{parts.netloc}/api/stream", additional_headers=headers,
                                   open_timeout=10, max_size=1 << 20).__enter__()   # closed in close()
        except Exception as error:
            raise ServerError(f"{self.url}: cannot attach ({error})") from None
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._socket is not None:
            self._socket.close()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    # -- uplink, through the server --
    def _post(self, body: dict) -> list[int]:
        response = request(self.url, "POST", "/api/commands", body, self.token)
        return [c["request_id"] for c in json.loads(response.read())["commands"]]

    def submit(self, name: str, args: dict | None = None, ack: int = ACK_ALL, on_stage=None,
               bypass: bool = False) -> TrackedCommand:
        args = dict(args or {})
        self.dictionary.check_args(name, args)
        (request_id,) = self._post({"name": name, "args": _json_args(args), "ack": ack, "bypass": bypass})
        command = self._track_known(name, args, request_id, on_stage)
        if ack == 0:
            command.outcome = "completed"
            command.done.set()
        return command

    def submit_many(self, commands: list[tuple], bypass: bool = False) -> list[TrackedCommand]:
        """An arm and its hazardous command: the server sends them in one write."""
        (arm, _, _, on_arm_stage), (name, args, ack, on_stage) = commands
        if arm != "arm":
            raise ValueError("a server sends several commands at once only as an arm and its command")
        args = dict(args or {})
        self.dictionary.check_args(name, args)
        arm_id, request_id = self._post({"name": name, "args": _json_args(args), "ack": ack, "arm": True,
                                         "bypass": bypass})
        arm_args = dict(commands[0][1] or {})
        return [self._track_known("arm", arm_args, arm_id, on_arm_stage),
                self._track_known(name, args, request_id, on_stage)]

    def submit_scheduled(self, release: float, name: str, args: dict | None = None, on_stage=None
                         ) -> tuple[TrackedCommand, TrackedCommand]:
        args = dict(args or {})
        self.dictionary.check_args(name, args)
        insert_id, later_id = self._post({"name": name, "args": _json_args(args), "release": release})
        return (self._track_known("schedule_insert", {}, insert_id, None),
                self._track_known(name, args, later_id, on_stage))

    def _track_known(self, name: str, args: dict, request_id: int, on_stage) -> TrackedCommand:
        """Track a command the server sent, with what was already reported about it."""
        with self._lock:
            command = self._track(name, args, request_id, on_stage)
            for record in [r for r in self._recent if r.fields.get("request_id") == request_id]:
                self.tracker.update(record.name, record.fields)
        return command

    def apply(self, records: list[Record]) -> None:
        with self._lock:
            self._recent.extend(r for r in records if r.kind == "report" and r.name in STAGES)
            super().apply(records)

    # -- downlink, from the server --
    def _read_loop(self) -> None:
        try:
            while True:
                message = self._socket.recv()
                if isinstance(message, bytes):
                    self.feed_packet(message)
                else:
                    self._notice(message)
        except Exception as error:
            if not self._stop.is_set():
                self.link_error = ServerError(f"{self.url}: connection lost ({error})")
        if not self._stop.is_set() and self.link_error is None:
            self.link_error = ServerError(f"{self.url}: the server closed the connection")
        if not self._stop.is_set():
            self.on_warning(str(self.link_error))
        with self.state.changed:
            self.state.changed.notify_all()

    def feed_packet(self, message: bytes) -> None:
        (received,) = PACKET_HEADER.unpack_from(message)
        try:
            packet = decode_tm(message[PACKET_HEADER.size:])
        except ProtocolError as error:
            self.on_warning(f"server sent a packet that does not decode: {error}")
            return
        self.apply([self.ingest.decode(packet, received)])

    def _notice(self, text: str) -> None:
        try:
            notice = json.loads(text)
        except ValueError:
            return
        if notice.get("link") == "lost":
            self.link_error = ServerError(f"{self.url}: link lost ({notice.get('error')})")
        elif notice.get("link") == "back":
            self.link_error = None
        elif "warning" in notice:
            self.on_warning(f"server: {notice['warning']}")
        elif "file" in notice:
            self.files.told(notice["file"])
            return
        elif "dropped" in notice:
            self.on_warning(f"{notice['dropped']} packets dropped: this client fell behind the server")
        with self.state.changed:
            self.state.changed.notify_all()

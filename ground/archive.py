"""Session archive: every frame sent or received and every packet, raw and decoded, in SQLite.

One file per session, WAL mode so a reader (replay, plot, query) can open it while it is being
written. Rows are buffered and written in batches (one transaction per batch) by a writer thread,
so SQLite's work (which runs without the GIL) overlaps decoding: ingest stays fast and a crash
loses at most the last fraction of a second. Housekeeping values are stored raw in
the packet's decoded JSON; queries calibrate them through the dictionary, the only calibration.
"""

import json
import math
import os
import queue
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from fsw.protocol.dictionary import Dictionary

from .cli import UsageError
from .telemetry import Record

FORMAT = "perijove-archive"
FORMAT_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS frames (
    id INTEGER PRIMARY KEY, t REAL NOT NULL, dir TEXT NOT NULL, raw BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS packets (
    id INTEGER PRIMARY KEY, t REAL NOT NULL, obt REAL, dir TEXT NOT NULL,
    apid INTEGER, service INTEGER, subtype INTEGER, seq INTEGER,
    kind TEXT, name TEXT, data BLOB, decoded TEXT);
"""
# built when the session closes: maintaining it per insert costs ingest a tenth of its speed
INDEX = "CREATE INDEX IF NOT EXISTS packets_by_name ON packets (name, obt)"


class ArchiveError(UsageError):
    """Not an archive, or a damaged one: one line for a person."""


def _json_default(value):
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} octets>"   # the raw octets are in the data column
    return str(value)


def session_path(directory: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(directory) / f"session-{stamp}-{os.getpid()}.sqlite"


def open_for(option, dictionary: Dictionary) -> "Archive | None":
    """The archive an option asks for: True for a new session file in the default directory
    (ground.paths.archive_dir()), a path for that file, False or None for none."""
    from . import paths

    if not option:
        return None
    return Archive(session_path(paths.archive_dir()) if option is True else Path(option), dictionary)


class Archive:
    """Writer. add_* buffer rows; flush() writes them in one transaction."""

    def __init__(self, path: str | os.PathLike, dictionary: Dictionary, batch: int = 5000,
                 flush_interval: float = 0.25):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: cannot write an archive here ({error})") from None
        self.db.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [("format", FORMAT), ("format_version", FORMAT_VERSION),
             ("dictionary_version", f"{dictionary.version:08x}"),
             ("created", datetime.now(UTC).isoformat())],
        )
        self.batch = batch
        self.flush_interval = flush_interval
        self._frames: list[tuple] = []
        self._packets: list[tuple] = []
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self.closed = False
        self._error: sqlite3.Error | None = None
        self._queue: queue.Queue = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name="archive-writer", daemon=True)
        self._writer.start()

    def add_frame(self, t: float, direction: str, raw: bytes) -> None:
        with self._lock:
            self._frames.append((t, direction, raw))

    def add_records(self, records: list[Record]) -> None:
        dumps = json.dumps
        rows = []
        for r in records:
            p = r.packet
            rows.append((r.received, p.time, "down", p.apid, p.service, p.subtype, p.seq_count,
                         r.kind, r.name, p.data,
                         dumps(r.fields, default=_json_default) if r.kind != "undecodable" else r.error))
        with self._lock:
            self._packets += rows
            full = len(self._packets) >= self.batch
        if full:
            self.flush()

    def add_command(self, t: float, apid: int, service: int, subtype: int, seq: int, name: str,
                    args: dict, packet: bytes) -> None:
        decoded = json.dumps({"command": name, "args": args}, default=_json_default)
        with self._lock:
            self._packets.append((t, None, "up", apid, service, subtype, seq, "command", name, packet, decoded))

    def maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= self.flush_interval:
            self.flush()

    def flush(self, wait: bool = False) -> None:
        """Hand the buffered rows to the writer; with wait, return once they are committed."""
        with self._lock:
            self._last_flush = time.monotonic()
            if self.closed:
                return
            if self._frames or self._packets:
                self._queue.put((self._frames, self._packets))
                self._frames, self._packets = [], []
            if wait:
                done = threading.Event()
                self._queue.put(done)
        if wait:
            done.wait()
        if self._error is not None:
            raise ArchiveError(f"{self.path}: archive write failed ({self._error})")

    def _write_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            frames, packets = item
            try:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT INTO frames (t, dir, raw) VALUES (?, ?, ?)", frames)
                self.db.executemany(
                    "INSERT INTO packets (t, obt, dir, apid, service, subtype, seq, kind, name, data, decoded) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", packets)
                self.db.execute("COMMIT")
            except sqlite3.Error as error:     # disk full, file removed: say so, keep the session up
                self._error = error
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")

    def close(self) -> None:
        if self.closed:
            return
        self.flush(wait=True)
        with self._lock:
            self.closed = True
            self._queue.put(None)
        self._writer.join()
        try:
            self.db.execute(INDEX)
        finally:
            self.db.close()


class ArchiveReader:
    """Read side: opening checks that the file really is an archive."""

    def __init__(self, path: str | os.PathLike, dictionary: Dictionary):
        self.path = Path(path)
        self.dictionary = dictionary
        if not self.path.is_file():
            raise ArchiveError(f"{self.path}: no such archive")
        try:
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            meta = dict(self.db.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: not a Perijove archive ({error})") from None
        if meta.get("format") != FORMAT:
            raise ArchiveError(f"{self.path}: not a Perijove archive")
        self.meta = meta

    def _query(self, sql: str, params=()):
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: damaged archive ({error})") from None

    def parameter(self, name: str, start: float | None = None, end: float | None = None) -> list[tuple[float, object]]:
        """(on-board time, engineering value) of a housekeeping parameter, in time order."""
        parameter = self.dictionary.parameters.get(name)
        if parameter is None:
            raise ArchiveError(f"unknown parameter {name!r}")
        rows = self._query(
            "SELECT obt, json_extract(decoded, ?) FROM packets WHERE name = ? AND dir = 'down' "
            "AND obt >= ? AND obt <= ? ORDER BY obt, id",
            (f"$.{name}", f"sid{parameter.sid}", -1e300 if start is None else start,
             1e300 if end is None else end),
        )
        return [(t, raw if isinstance(raw, str) else parameter.calibrate(raw)) for t, raw in rows if raw is not None]

    def events(self) -> list[tuple[float, str, dict]]:
        rows = self._query("SELECT obt, name, decoded FROM packets WHERE kind = 'event' ORDER BY id")
        try:
            return [(t, name, json.loads(decoded)) for t, name, decoded in rows]
        except (TypeError, ValueError) as error:
            raise ArchiveError(f"{self.path}: damaged archive (an event's fields are not JSON: {error})") from None

    def packets(self):
        """Every packet row as a dict, in arrival order."""
        columns = ("id", "t", "obt", "dir", "apid", "service", "subtype", "seq", "kind", "name", "decoded")
        rows = self._query(f"SELECT {', '.join(columns)} FROM packets ORDER BY id")
        return [dict(zip(columns, row)) for row in rows]

    def frames(self, direction: str = "down"):
        """(ground time, raw frame) in arrival order."""
        rows = self._query("SELECT id, t, raw FROM frames WHERE dir = ? ORDER BY id", (direction,))
        for row_id, t, raw in rows:
            if not isinstance(t, (int, float)) or not math.isfinite(t) or not isinstance(raw, bytes):
                raise ArchiveError(f"{self.path}: damaged archive (frame row {row_id}: no time or no octets)")
        return [(t, raw) for _, t, raw in rows]

    def close(self) -> None:
        self.db.close()



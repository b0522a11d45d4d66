"""The archive: every packet received and every command sent, once, in SQLite.

One continuous file per spacecraft (`scid61.sqlite` in the archive directory) that every ground
process appends to, or one file a caller names. A packet is stored as it came, in compact form:
its header fields as columns and its application data as octets, decoded with the dictionary on
read (the dictionary stays the only decoder and calibration). Idle fill is never stored, nor
frames: an image's octets are stored once, in its segments. WAL mode, so readers open a file
while it is written; rows are written in batches by a writer thread, so SQLite's work (which runs
without the GIL) overlaps decoding and a crash loses at most the last fraction of a second.

A retention policy (age and size) keeps a continuous archive bounded; the oldest rows go first.
Archives of the first format (one per session, decoded JSON beside frames) are still read.
"""

from __future__ import annotations

import json
import math
import os
import queue
import sqlite3
import struct
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fsw.protocol import SPACECRAFT_ID, TmPacket, decode_tc
from fsw.protocol.cuc import EPOCH_UNIX
from fsw.protocol.dictionary import Dictionary, HkLayout, did_you_mean
from fsw.protocol.reasons import ProtocolError

from .cli import UsageError
from .telemetry import Record

FORMAT = "perijove-archive"
FORMAT_VERSION = "2"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS packets (
    id INTEGER PRIMARY KEY, t REAL NOT NULL, obt REAL, dir TEXT NOT NULL,
    apid INTEGER, service INTEGER, subtype INTEGER, seq INTEGER, counter INTEGER,
    kind TEXT, name TEXT, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS packets_by_name ON packets (name, obt);
"""
COLUMNS = "id, t, obt, dir, apid, service, subtype, seq, counter, kind, name, data"
FETCH = 2000          # rows read at a time: a reader's memory stays bounded


def _date_sql(obt: str) -> str:
    """SQL for an on-board time as an ISO date-time to the millisecond: SQLite's formatter, in C,
    where a Python one costs a query of a million rows seconds."""
    return f"strftime('%Y-%m-%dT%H:%M:%fZ', {obt} + {EPOCH_UNIX!r}, 'unixepoch')"


_OCTETS = f"X'{bytes(range(256)).hex()}'"     # octet n at offset n: instr() finds an octet's value


def _raw_sql(layout: HkLayout) -> str | None:
    """SQL for a housekeeping parameter's raw value in a report's `data`, from the dictionary's
    layout (None where SQL cannot say it: then Python decodes). SQLite has no blob-to-number
    function; instr() in the table of the 256 octets gives each octet's value."""
    code = layout.number.format.lstrip("<>!=@")
    size = layout.number.size
    unsigned = " + ".join(f"(instr({_OCTETS}, substr(data, {layout.offset + 1 + k}, 1)) - 1) * {256 ** (size - 1 - k)}"
                          for k in range(size))
    if code in "BHI":
        return unsigned
    if code in "bhi":
        half = 1 << (8 * size - 1)
        return f"((({unsigned}) + {half}) % {2 * half} - {half})"
    return None


def _text_sql(layout: HkLayout) -> str | None:
    """SQL that writes `ground archive query`'s own lines for a parameter (date, value, unit), so
    that Python only passes them on; the same lines series() and a Python formatter would give."""
    raw = _raw_sql(layout)
    parameter = layout.parameter
    if raw is None:
        return None
    if parameter.enum or parameter.type == "bool":
        names = parameter.enum or (("False", 0), ("True", 1))
        value = "printf('%12s', CASE r " + " ".join(f"WHEN {n} THEN {_sql_text(name)}" for name, n in names) + " END)"
        check = f"r IN ({', '.join(str(n) for _, n in names)})"
    else:
        low, high = parameter.as_field().bounds
        check = f"r BETWEEN {low} AND {high}"
        if not parameter.calibration:
            value = "printf('%12d', r)"
        else:
            # lowest order first, each power whole before its coefficient: calibrate()'s sum, to the bit
            number = " + ".join(f"{c!r} * ({' * '.join(['r'] * power) or 1})" for power, c in enumerate(parameter.calibration))
            value = f"printf('{'%12.4g' if isinstance(parameter.calibrate(0), float) else '%12s'}', {number})"
    return (f"SELECT d || '  ' || {value} || {_sql_text(' ' + parameter.unit + chr(10))} FROM "
            f"(SELECT {_date_sql('obt')} AS d, {raw} AS r FROM packets "
            "WHERE name = ? AND dir = 'down' AND typeof(data) = 'blob' AND length(data) = ? "
            "AND obt >= ? AND obt <= ? ORDER BY obt, id LIMIT -1) "     # LIMIT: r is worked out once a row
            f"WHERE {check}")


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class ArchiveError(UsageError):
    """Not an archive, or a damaged one: one line for a person."""


@dataclass(frozen=True)
class Retention:
    """How much a continuous archive keeps: rows younger than days, a file under megabytes."""

    days: float = 30.0
    megabytes: float = 1024.0
    every: float = 600.0      # seconds between applications while writing


def session_path(directory: Path) -> Path:
    """A file of its own for one session (a caller that wants its session apart)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(directory) / f"session-{stamp}-{os.getpid()}.sqlite"


def spacecraft_path(directory: Path, scid: int = SPACECRAFT_ID) -> Path:
    return Path(directory) / f"scid{scid}.sqlite"


def open_for(option, dictionary: Dictionary, retention: Retention | None = Retention()) -> Archive | None:
    """The archive an option asks for: True for the spacecraft's continuous archive in the default
    directory (ground.paths.archive_dir()), a path for that file, False or None for none."""
    from . import paths

    if not option:
        return None
    path = spacecraft_path(paths.archive_dir()) if option is True else Path(option)
    return Archive(path, dictionary, retention=retention)


class Archive:
    """Writer. add_* buffer rows; flush() hands them to the writer thread, one transaction each."""

    def __init__(self, path: str | os.PathLike, dictionary: Dictionary, batch: int = 5000,
                 flush_interval: float = 0.25, retention: Retention | None = Retention()):
        self.path = Path(path)
        self.retention = retention
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ArchiveError(f"{error.filename or self.path.parent}: {error.strerror}") from None
        try:
            self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
            self.db.execute("PRAGMA auto_vacuum=INCREMENTAL")    # takes effect on a new file only
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            meta = self._existing_meta()
            self.db.executescript(SCHEMA)
            self.db.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", [
                ("format", FORMAT), ("format_version", FORMAT_VERSION), ("created", datetime.now(UTC).isoformat())])
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('dictionary_version', ?)", (f"{dictionary.version:08x}",))
        except (sqlite3.DatabaseError, OSError) as error:
            raise ArchiveError(f"{self.path}: cannot write an archive here ({error})") from None
        if meta and (meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION):
            self.db.close()
            raise ArchiveError(f"{self.path}: an archive of another format; name a new file")
        self.batch = batch
        self.flush_interval = flush_interval
        self._rows: list[tuple] = []
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._next_retention = 0.0
        self.closed = False
        self._error: Exception | None = None
        self._queue: queue.Queue = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name="archive-writer", daemon=True)
        self._writer.start()

    def _existing_meta(self) -> dict:
        try:
            return dict(self.db.execute("SELECT key, value FROM meta"))
        except sqlite3.OperationalError:
            return {}            # a new file

    def add_records(self, records: list[Record]) -> None:
        rows = [(r.received, r.packet.time, "down", r.packet.apid, r.packet.service, r.packet.subtype,
                 r.packet.seq_count, r.packet.message_counter, r.kind, r.name, r.packet.data) for r in records]
        with self._lock:
            self._rows += rows
            full = len(self._rows) >= self.batch
        if full:
            self.flush()

    def add_command(self, t: float, apid: int, service: int, subtype: int, seq: int, name: str, packet: bytes) -> None:
        """A command sent: the whole TC packet, decoded on read."""
        with self._lock:
            self._rows.append((t, None, "up", apid, service, subtype, seq, None, "command", name, packet))

    def maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= self.flush_interval:
            self.flush()

    def flush(self, wait: bool = False) -> None:
        """Hand the buffered rows to the writer; with wait, return once they are committed."""
        with self._lock:
            self._last_flush = time.monotonic()
            if self.closed:
                return
            if self._rows:
                self._queue.put(self._rows)
                self._rows = []
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
            try:
                self.db.execute("BEGIN")
                self.db.executemany(f"INSERT INTO packets ({COLUMNS[4:]}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                    item)
                self.db.execute("COMMIT")
                if self.retention is not None and time.monotonic() >= self._next_retention:
                    self._next_retention = time.monotonic() + self.retention.every
                    self.apply_retention()
            except sqlite3.Error as error:     # disk full, file removed: say so, keep the session up
                self._error = error
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")

    def apply_retention(self, now: float | None = None) -> int:
        """Drop rows older than the policy's days, then the oldest until the file fits its size;
        returns rows dropped."""
        policy = self.retention
        now = time.time() if now is None else now
        dropped = self.db.execute("DELETE FROM packets WHERE t < ?", (now - policy.days * 86400,)).rowcount
        limit = policy.megabytes * 1e6
        page_size = self.db.execute("PRAGMA page_size").fetchone()[0]
        while True:
            pages, free = (self.db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count"))
            if (pages - free) * page_size <= limit:
                break
            count = self.db.execute("SELECT COUNT(*) FROM packets").fetchone()[0]
            if count == 0:
                break
            chunk = max(1, count // 10)         # a tenth of what is there, the oldest
            dropped += self.db.execute("DELETE FROM packets WHERE id IN (SELECT id FROM packets ORDER BY id LIMIT ?)",
                                       (chunk,)).rowcount
        if dropped:
            self.db.execute("PRAGMA incremental_vacuum")
        return dropped

    def close(self) -> None:
        if self.closed:
            return
        try:
            self.flush(wait=True)
        finally:
            with self._lock:
                self.closed = True
                self._queue.put(None)
            self._writer.join()
            self.db.close()


class ArchiveReader:
    """Read side: opening checks that the file really is an archive; rows decode on read."""

    def __init__(self, path: str | os.PathLike, dictionary: Dictionary):
        self.path = Path(path)
        self.dictionary = dictionary
        if not self.path.is_file():
            raise ArchiveError(f"{self.path}: no such archive")
        try:
            # read-only, and readable from a thread other than the one that opened it (a replay)
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            meta = dict(self.db.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: not a Perijove archive ({error})") from None
        if meta.get("format") != FORMAT or meta.get("format_version") not in ("1", FORMAT_VERSION):
            raise ArchiveError(f"{self.path}: not a Perijove archive")
        self.meta = meta
        self.first_format = meta["format_version"] == "1"

    def _rows(self, sql: str, params=()):
        """Rows of a query, FETCH at a time; ArchiveError on a damaged file."""
        try:
            cursor = self.db.execute(sql, params)
            while rows := cursor.fetchmany(FETCH):
                yield from rows
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: damaged archive ({error})") from None

    def _where(self, clause: str, params: tuple, order: str = "id"):
        """(row, decoded fields or None) for the packets a clause selects, in order."""
        if self.first_format:
            sql = (f"SELECT id, t, obt, dir, apid, service, subtype, seq, 0, kind, name, data, decoded "
                   f"FROM packets WHERE {clause} ORDER BY {order}")
            for *row, decoded in self._rows(sql, params):
                try:
                    yield row, (json.loads(decoded) if row[9] != "undecodable" else None)
                except (TypeError, ValueError) as error:
                    raise ArchiveError(f"{self.path}: damaged archive (row {row[0]}: {error})") from None
            return
        for row in self._rows(f"SELECT {COLUMNS} FROM packets WHERE {clause} ORDER BY {order}", params):
            yield row, self._decode(row)

    def _decode(self, row) -> dict | None:
        row_id, _, obt, direction, apid, service, subtype, seq, counter, kind, name, data = row
        if not isinstance(data, bytes):
            raise ArchiveError(f"{self.path}: damaged archive (row {row_id}: no octets)")
        try:
            if direction == "up":
                tc = decode_tc(data)
                command = self.dictionary.command_for(tc.apid, tc.service, tc.subtype)
                return {"command": command.name, "args": self.dictionary.decode_args(command, tc.app_data)}
            if kind == "undecodable":
                return None
            return self.dictionary.decode_tm(TmPacket(apid, service, subtype, data, obt or 0.0, seq or 0,
                                                      counter or 0))["fields"]
        except (ProtocolError, TypeError, ValueError):
            return None       # another dictionary's packet: kept, shown undecoded

    def parameter(self, name: str, start: float | None = None, end: float | None = None) -> list[tuple[float, object]]:
        """(on-board time, engineering value) of a housekeeping parameter, in time order."""
        return [sample for times, _, values in self.series(name, start, end) for sample in zip(times, values)]

    def text_query(self, name: str, start: float | None = None, end: float | None = None) -> tuple[str, tuple] | None:
        """The SQL (and its parameters) text() runs, or None where SQL cannot decode the parameter."""
        layout = self.dictionary.hk_layout(name)
        sql = None if self.first_format else _text_sql(layout)
        return sql and (sql, (f"sid{layout.parameter.sid}", layout.size,
                              -1e300 if start is None else start, 1e300 if end is None else end))

    def text(self, name: str, start: float | None = None, end: float | None = None):
        """A parameter's samples as the text lines of `ground archive query` (date, value, unit), a
        batch of lines at a time. SQLite selects the reports, decodes the one parameter in each and
        writes the lines: a query runs at the speed of SQLite's own shell."""
        if name not in self.dictionary.parameters:
            raise ArchiveError(f"unknown parameter {name!r}{did_you_mean(name, self.dictionary.parameters)}")
        query = self.text_query(name, start, end)
        if query is None:           # a number SQL cannot decode (f32): Python decodes it
            unit = self.dictionary.parameters[name].unit
            for _, dates, values in self.series(name, start, end):
                number = "{:>12.4g}" if values and isinstance(values[0], float) else "{!s:>12}"
                yield "".join(map(f"{{}}  {number} {unit.replace('{', '{{').replace('}', '}}')}\n".format,
                                  dates, values))
            return
        try:
            cursor = self.db.execute(*query)
            while rows := cursor.fetchmany(FETCH):
                yield "".join([line for (line,) in rows])
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: damaged archive ({error})") from None

    def series(self, name: str, start: float | None = None, end: float | None = None):
        """Batches of (on-board times, ISO date-times, engineering values) of one housekeeping
        parameter, in time order. SQLite selects the reports, cuts the parameter's octets out of
        each and writes its date; only those octets are decoded, a batch at a time with the
        dictionary's layout: a query of one parameter never decodes whole reports."""
        if name not in self.dictionary.parameters:
            raise ArchiveError(f"unknown parameter {name!r}{did_you_mean(name, self.dictionary.parameters)}")
        if self.first_format:
            for t, _, value in self.samples([name], start, end):     # few and small: a row at a time
                yield [t], [self.db.execute(f"SELECT {_date_sql('?')}", (t,)).fetchone()[0]], [value]
            return
        layout = self.dictionary.hk_layout(name)
        code = layout.number.format.lstrip("<>!=@")
        sql = (f"SELECT obt, {_date_sql('obt')}, substr(data, ?, ?) FROM packets "
               "WHERE name = ? AND dir = 'down' AND typeof(data) = 'blob' AND length(data) = ? "
               "AND obt >= ? AND obt <= ? ORDER BY obt, id")
        params = (layout.offset + 1, layout.number.size, f"sid{layout.parameter.sid}", layout.size,
                  -1e300 if start is None else start, 1e300 if end is None else end)
        try:
            cursor = self.db.execute(sql, params)
            while rows := cursor.fetchmany(FETCH):
                times, dates, octets = zip(*rows)
                values = layout.engineering(struct.unpack(f">{len(octets)}{code}", b"".join(octets)))
                if None in values:          # values the declaration does not allow: left out, as decode_tm would
                    kept = [i for i, value in enumerate(values) if value is not None]
                    times, dates, values = ([column[i] for i in kept] for column in (times, dates, values))
                yield times, dates, values
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: damaged archive ({error})") from None

    def samples(self, names: list[str], start: float | None = None, end: float | None = None):
        """(on-board time, parameter, engineering value) of these parameters, in time order,
        read a batch at a time (an export of any size runs in bounded memory)."""
        unknown = [n for n in names if n not in self.dictionary.parameters]
        if unknown:
            raise ArchiveError(f"unknown parameter {unknown[0]!r}")
        by_sid: dict[str, list] = {}
        for name in names:
            by_sid.setdefault(f"sid{self.dictionary.parameters[name].sid}", []).append(self.dictionary.parameters[name])
        marks = ", ".join("?" * len(by_sid))
        clause = f"name IN ({marks}) AND dir = 'down' AND obt >= ? AND obt <= ?"
        params = (*by_sid, -1e300 if start is None else start, 1e300 if end is None else end)
        for row, fields in self._where(clause, params, order="obt, id"):
            if fields is None:
                continue
            for parameter in by_sid[row[10]]:
                raw = fields.get(parameter.name)
                if raw is not None:
                    yield row[2], parameter.name, raw if isinstance(raw, str) else parameter.calibrate(raw)

    def events(self) -> list[tuple[float, str, dict]]:
        return [(row[2], row[10], fields) for row, fields in self._where("kind = 'event'", ()) if fields is not None]

    def commands_sent(self, limit: int):
        """The last `limit` commands sent, newest first: (row id, ground time, command name, the TC
        packet's octets, {"command", "args"} decoded or None)."""
        for row, decoded in self._where("dir = 'up'", (), order=f"id DESC LIMIT {int(limit)}"):
            yield row[0], row[1], row[10], row[11], decoded

    def received_since(self, row_id: int, names):
        """(ground time, name, decoded fields or None) of the packets of these names received after
        row `row_id` (commands_sent gives rows), in arrival order."""
        names = tuple(names)
        marks = ", ".join("?" * len(names))
        for row, fields in self._where(f"id > ? AND dir = 'down' AND name IN ({marks})", (row_id, *names)):
            yield row[1], row[10], fields

    def packets(self) -> list[dict]:
        """Every packet row with its decoded fields, in arrival order."""
        keys = ("id", "t", "obt", "dir", "apid", "service", "subtype", "seq")
        return [dict(zip(keys, row[:8]), kind=row[9], name=row[10], decoded=fields)
                for row, fields in self._where("1", ())]

    def records(self):
        """(ground time, Record) of every packet received, in arrival order, decoded: for a replay."""
        for row, fields in self._where("dir = 'down'", ()):
            row_id, t, obt, _, apid, service, subtype, seq, counter, kind, name, data = row
            if not isinstance(t, (int, float)) or not math.isfinite(t):
                raise ArchiveError(f"{self.path}: damaged archive (row {row_id}: no time)")
            packet = TmPacket(apid, service, subtype, data if isinstance(data, bytes) else b"", obt or 0.0, seq or 0,
                              counter or 0)
            if fields is None:
                yield t, Record("undecodable", name or "", {}, packet, t, error="not decodable with this dictionary")
                continue
            severity = self.dictionary.events_by_name[name].severity.name.lower() if kind == "event" else ""
            yield t, Record(kind, name, fields, packet, t, severity)

    def summary(self) -> dict:
        """What `ground archive list` shows of it."""
        count, first, last, low, high = next(self._rows(
            "SELECT COUNT(*), MIN(t), MAX(t), MIN(obt), MAX(obt) FROM packets"))
        return {"path": str(self.path), "octets": self.path.stat().st_size, "packets": count,
                "first": first, "last": last, "first_onboard": low, "last_onboard": high,
                "format_version": self.meta.get("format_version"),
                "dictionary_version": self.meta.get("dictionary_version")}

    def close(self) -> None:
        self.db.close()

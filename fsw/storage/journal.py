"""An append-only journal of checksummed records: one write and one fdatasync per record.

Cheaper than an atomic file replace (write, fsync, rename, fsync of the directory), so flight
can make a command's effect durable before it reports the command done. A kill -9 can only
tear the last record; on open the journal keeps every whole record and moves anything after
the last good one to quarantine/ (reported through the store's callback), so appends always
follow a readable record.

Record: magic "PJR1" | CRC-32 of sequence and payload | payload length | sequence (u64) | payload.
"""

import os
import struct
import zlib
from pathlib import Path

from .atomic import CorruptFile, fsync_dir

_MAGIC = b"PJR1"
_HEADER = struct.Struct(">4sIIQ")


def _crc(sequence: int, payload: bytes) -> int:
    return zlib.crc32(payload, zlib.crc32(sequence.to_bytes(8, "big")))


class Journal:
    def __init__(self, path: str | os.PathLike, on_corrupt=None):
        self.path = Path(path)
        self.on_corrupt = on_corrupt        # callback(CorruptFile) after a torn tail was set aside
        self.records: list[tuple[int, bytes]] = []
        self._fd: int | None = None
        self._size: int | None = None      # None until the journal was read (at first use)

    @property
    def size(self) -> int:
        if self._size is None:
            self._size = self._recover()
        return self._size

    def _recover(self) -> int:
        """Read every whole record; set aside what follows the last one. The journal's size."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return 0
        offset = 0
        while offset + _HEADER.size <= len(data):
            magic, crc, length, sequence = _HEADER.unpack_from(data, offset)
            end = offset + _HEADER.size + length
            if magic != _MAGIC or end > len(data):
                break
            payload = data[offset + _HEADER.size : end]
            if _crc(sequence, payload) != crc:
                break
            self.records.append((sequence, payload))
            offset = end
        if offset < len(data):
            self._set_aside(data[offset:], offset)
        return offset

    def _set_aside(self, tail: bytes, offset: int) -> None:
        quarantine = self.path.parent / "quarantine"
        quarantine.mkdir(exist_ok=True)
        target = quarantine / f"{self.path.name}.tail-{offset}"
        target.write_bytes(tail)
        with open(self.path, "r+b") as handle:
            handle.truncate(offset)
            os.fsync(handle.fileno())
        fsync_dir(self.path.parent)
        if self.on_corrupt:
            self.on_corrupt(CorruptFile(self.path.name, f"{len(tail)} octets after the last whole record"))

    def newest(self) -> tuple[int, bytes] | None:
        self.size      # noqa: B018 - reads the journal at first use
        return self.records[-1] if self.records else None

    def append(self, sequence: int, payload: bytes) -> None:
        """The record is on disk when this returns."""
        if self._fd is None:
            empty = self.size == 0
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            if empty:
                fsync_dir(self.path.parent)     # the new file's name is durable too
        record = _HEADER.pack(_MAGIC, _crc(sequence, payload), len(payload), sequence) + payload
        os.write(self._fd, record)
        os.fdatasync(self._fd)
        self._size += len(record)
        self.records = [(sequence, payload)]     # only the newest is ever read back

    def clear(self) -> None:
        """Empty the journal (after its newest record went into a snapshot)."""
        self.close()
        with open(self.path, "wb") as handle:
            os.fsync(handle.fileno())
        self._size = 0
        self.records = []

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

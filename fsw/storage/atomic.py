"""A directory of named blobs, each written atomically and verified on read.

Write: temp file in the same directory, fsync, rename over the old one, fsync the directory:
a crash at any point leaves the old or the new file, never half of one. Every file starts with
a small header (magic, CRC-32 and length of the payload), checked on every read; a file that
fails is moved to quarantine/ and reported, never loaded and never crashes the caller.
"""

import os
import struct
import zlib
from pathlib import Path

_MAGIC = b"PJV1"
_HEADER = struct.Struct(">4sII")   # magic, crc32, payload length


class CorruptFile(Exception):
    def __init__(self, name: str, why: str):
        self.name = name
        self.why = why
        super().__init__(f"{name}: {why}")


class AtomicStore:
    def __init__(self, root: str | os.PathLike, on_corrupt=None):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.quarantine = self.root / "quarantine"
        self.on_corrupt = on_corrupt     # callback(CorruptFile) after a file was quarantined
        for leftover in self.root.glob("*.tmp"):
            leftover.unlink()            # a write that never reached its rename

    def _path(self, name: str) -> Path:
        if not name or "/" in name or name.startswith(".") or name.endswith(".tmp"):
            raise ValueError(f"bad store name {name!r}")
        return self.root / name

    def put(self, name: str, payload: bytes) -> None:
        path = self._path(name)
        temp = path.with_name(path.name + ".tmp")
        with open(temp, "wb") as handle:
            handle.write(_HEADER.pack(_MAGIC, zlib.crc32(payload), len(payload)))
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        fsync_dir(self.root)

    def get(self, name: str) -> bytes | None:
        """The payload, or None when absent or corrupt (corrupt files are quarantined)."""
        path = self._path(name)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        why = _check(data)
        if why:
            self._quarantine(name, why)
            return None
        return data[_HEADER.size :]

    def delete(self, name: str) -> bool:
        try:
            self._path(name).unlink()
        except FileNotFoundError:
            return False
        fsync_dir(self.root)
        return True

    def names(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_file() and not p.name.endswith(".tmp"))

    def quarantine_file(self, name: str, why: str) -> None:
        """Move a file whose contents the caller found unusable out of the way, and report it."""
        if self._path(name).exists():
            self._quarantine(name, why)

    def _quarantine(self, name: str, why: str) -> None:
        self.quarantine.mkdir(exist_ok=True)
        target = self.quarantine / name
        serial = 1
        while target.exists():
            target = self.quarantine / f"{name}.{serial}"
            serial += 1
        os.replace(self._path(name), target)
        fsync_dir(self.root)
        if self.on_corrupt:
            self.on_corrupt(CorruptFile(name, why))


def _check(data: bytes) -> str | None:
    if len(data) < _HEADER.size:
        return "shorter than its header"
    magic, crc, length = _HEADER.unpack_from(data)
    if magic != _MAGIC:
        return "not a store file"
    if len(data) - _HEADER.size != length:
        return f"payload is {len(data) - _HEADER.size} octets, header says {length}"
    if zlib.crc32(data[_HEADER.size :]) != crc:
        return "checksum mismatch"
    return None


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""Two connected in-process link ends (the virtual bus): fast, deterministic, no OS resources."""

import threading

from .base import Link, LinkError


class _Pipe:
    def __init__(self):
        self.data = bytearray()
        self.ready = threading.Condition()
        self.closed = False


class InProcessLink(Link):
    def __init__(self, incoming: _Pipe, outgoing: _Pipe, name: str):
        self._in = incoming
        self._out = outgoing
        self.name = name
        self._closed = False

    def read(self, max_bytes: int = 4096, timeout: float | None = 0.1) -> bytes:
        pipe = self._in
        with pipe.ready:
            if not pipe.data and not pipe.closed:
                pipe.ready.wait(timeout)
            chunk = bytes(pipe.data[:max_bytes])
            del pipe.data[:max_bytes]
            if not chunk and pipe.closed and not self._closed:
                # like a pty or a socket whose peer went away: say so, do not just go quiet
                raise LinkError(f"{self.name}: peer closed")
            return chunk

    def write(self, data: bytes) -> None:
        pipe = self._out
        with pipe.ready:
            if pipe.closed:
                raise LinkError(f"{self.name}: peer closed")
            pipe.data += data
            pipe.ready.notify_all()

    def try_write(self, data: bytes) -> int:
        self.write(data)       # an in-process pipe never blocks
        return len(data)

    def close(self) -> None:
        self._closed = True
        for pipe in (self._in, self._out):
            with pipe.ready:
                pipe.closed = True
                pipe.ready.notify_all()


def link_pair(name: str = "inproc") -> tuple[InProcessLink, InProcessLink]:
    """(flight end, ground end): what one writes, the other reads."""
    up, down = _Pipe(), _Pipe()
    return InProcessLink(up, down, f"{name}:flight"), InProcessLink(down, up, f"{name}:ground")

"""A link wrapper that loses whole TM frames on purpose, as a noisy radio link would."""

from fsw.link import Link
from fsw.protocol import ASM, tm_deframer


class FrameDroppingLink(Link):
    """Reads pass through frame by frame; frames for which drop(index) is true never arrive."""

    def __init__(self, inner: Link, drop, frame_len: int = 1024):
        self.inner = inner
        self.drop = drop
        self.deframer = tm_deframer(frame_len)
        self.index = 0
        self.dropped = 0
        self.name = f"lossy {inner.name}"

    def read(self, max_bytes: int = 4096, timeout: float | None = 0.1) -> bytes:
        out = bytearray()
        for frame in self.deframer.feed(self.inner.read(max_bytes, timeout)):
            if self.drop(self.index):
                self.dropped += 1
            else:
                out += ASM + frame
            self.index += 1
        return bytes(out)

    def write(self, data: bytes) -> None:
        self.inner.write(data)

    def close(self) -> None:
        self.inner.close()

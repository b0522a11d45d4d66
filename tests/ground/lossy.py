"""A link wrapper that loses whole TM frames on purpose, as a noisy radio link would."""

from fsw.link import Link
from fsw.protocol import ASM, tm_deframer
from fsw.protocol.pus import decode_tm
from fsw.protocol.tmframe import TmDemultiplexer


class FrameDroppingLink(Link):
    """Reads pass through frame by frame; frames for which drop(index, frame) is true never arrive
    (frame: the TM frame's octets after the ASM)."""

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
            if self.drop(self.index, frame):
                self.dropped += 1
            else:
                out += ASM + frame
            self.index += 1
        return bytes(out)

    def write(self, data: bytes) -> None:
        self.inner.write(data)

    def close(self) -> None:
        self.inner.close()


def vcid(frame: bytes) -> int:
    return (frame[1] >> 1) & 0x7


class LosesOnce:
    """drop(index, frame) for FrameDroppingLink: loses, once each, the frame that completes a
    packet for which want(packet) names a kind not lost yet (the frames are demultiplexed here
    on the side, so the decision sees what the ground would have got)."""

    def __init__(self, want, frame_len: int = 1024):
        self.want = want
        self.demultiplexer = TmDemultiplexer(frame_len)
        self.lost: list[str] = []

    def __call__(self, index: int, frame: bytes) -> bool:
        kinds = {self.want(decode_tm(raw)) for raw in self.demultiplexer.feed(frame).packets}
        fresh = {kind for kind in kinds if kind and kind not in self.lost}
        self.lost += sorted(fresh)
        return bool(fresh)

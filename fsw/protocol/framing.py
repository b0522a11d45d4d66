"""Byte-stream framing: the Attached Sync Marker before every frame, and a streaming deframer.

The deframer hunts for the ASM, reads the frame's length (from a TC header, or the link's fixed
TM length), waits for the whole frame and checks its FECF. A candidate that fails any check is
rejected and the hunt resumes at ASM+1, never past the claimed length, so a corrupted length or
a bit flip costs one frame at most. A candidate still waiting for its octets is given up as
truncated as soon as a complete, good frame starts inside its claimed span, so a corrupt length
never holds later frames back. Bytes can arrive split at any boundary. Every rejected span
is reported with its reason and counted.
"""

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from .crc import crc16
from .reasons import Reason
from .tcframe import TC_HEADER_LEN, TC_MAX_FRAME_LEN, TC_MIN_FRAME_LEN, tc_frame_length
from .tmframe import TM_FRAME_LEN, TM_HEADER_LEN

ASM = bytes.fromhex("1ACFFC1D")
_ASM_LEN = len(ASM)


def add_asm(frame: bytes) -> bytes:
    return ASM + frame


@dataclass(frozen=True, slots=True)
class Rejected:
    """A span of the stream that did not become a frame."""

    reason: Reason
    offset: int      # position in the whole stream since the deframer started
    length: int

    def __str__(self) -> str:
        return f"{self.reason.label}: {self.length} octet(s) at stream offset {self.offset}"


class Deframer:
    """Streaming ASM deframer. `feed(bytes)` returns the complete, FECF-checked frames.

    frame_length(buffer, offset) returns the total octets the frame header at offset claims,
    header_len is how many octets that needs. Rejected spans go to `rejected` (most recent
    ones) and `counts` (all of them, by reason).
    """

    def __init__(
        self,
        frame_length: Callable[[bytes, int], int],
        header_len: int,
        min_len: int,
        max_len: int,
        on_reject: Callable[[Rejected], None] | None = None,
    ):
        self._frame_length = frame_length
        self._header_len = header_len
        self._min_len = min_len
        self._max_len = max_len
        self._buffer = bytearray()
        self._base = 0              # stream offset of _buffer[0]
        self._span: list | None = None  # [reason, start, end] of the span being skipped
        self.on_reject = on_reject
        self.counts: Counter[Reason] = Counter()
        self.rejected: deque[Rejected] = deque(maxlen=100)
        self.frames = 0
        self.octets = 0

    def feed(self, data: bytes) -> list[bytes]:
        self.octets += len(data)
        buffer = self._buffer
        buffer += data
        frames = []
        pos = 0
        while True:
            start = buffer.find(ASM, pos)
            if start < 0:
                # keep a tail that may be the start of an ASM split across reads
                keep = max(pos, len(buffer) - (_ASM_LEN - 1))
                self._extend(pos, keep)
                pos = keep
                break
            self._extend(pos, start)
            pos = start
            header_at = start + _ASM_LEN
            if len(buffer) < header_at + self._header_len:
                break
            length = self._frame_length(buffer, header_at)
            if length < self._min_len or length > self._max_len:
                self._reject_candidate(start, Reason.BAD_FRAME_LENGTH)
                pos = start + 1
                continue
            end = header_at + length
            if len(buffer) < end:
                if not self._frame_starts_after(start + 1):
                    break
                # a whole, good frame starts inside this one's claimed span: this one was cut
                # short (or its length is corrupt); waiting for it would hold the good one back
                self._reject_candidate(start, Reason.TRUNCATED)
                pos = start + 1
                continue
            frame = bytes(buffer[header_at:end])
            if crc16(frame):
                self._reject_candidate(start, Reason.BAD_FECF)
                pos = start + 1
                continue
            self._close()
            frames.append(frame)
            self.frames += 1
            pos = end
        del buffer[:pos]
        self._base += pos
        return frames

    def flush(self) -> list[bytes]:
        """End of stream: a frame still waiting for octets is truncated; the hunt resumes after
        its ASM, so frames inside its claimed span are still found. Returns those frames."""
        frames = []
        while self._buffer.startswith(ASM):
            self._reject_candidate(0, Reason.TRUNCATED)
            del self._buffer[:1]
            self._base += 1
            frames += self.feed(b"")
        self._extend(0, len(self._buffer))
        self._close()
        self._base += len(self._buffer)
        self._buffer.clear()
        return frames

    def _frame_starts_after(self, pos: int) -> bool:
        """True when a complete frame with a good FECF follows an ASM at or after pos."""
        buffer = self._buffer
        at = buffer.find(ASM, pos)
        while at >= 0:
            header_at = at + _ASM_LEN
            if len(buffer) >= header_at + self._header_len:
                end = header_at + self._frame_length(buffer, header_at)
                if self._min_len <= end - header_at <= self._max_len and end <= len(buffer):
                    if not crc16(bytes(buffer[header_at:end])):
                        return True
            at = buffer.find(ASM, at + 1)
        return False

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def _extend(self, start: int, end: int) -> None:
        """Bytes [start, end) of the buffer are skipped: grow the open span, or open one."""
        if end > start:
            if self._span is None:
                self._span = [Reason.JUNK, self._base + start, self._base + end]
            else:
                self._span[2] = self._base + end

    def _reject_candidate(self, start: int, reason: Reason) -> None:
        """The frame at start failed: its span runs to wherever the hunt finds sync again."""
        self._close()
        self._span = [reason, self._base + start, self._base + start + 1]

    def _close(self) -> None:
        if self._span is not None:
            reason, start, end = self._span
            self._span = None
            rejected = Rejected(reason, start, end - start)
            self.counts[reason] += 1
            self.rejected.append(rejected)
            if self.on_reject:
                self.on_reject(rejected)


def tc_deframer(max_len: int = TC_MAX_FRAME_LEN, on_reject=None) -> Deframer:
    """Flight side: TC frames carry their own length."""
    return Deframer(tc_frame_length, TC_HEADER_LEN, TC_MIN_FRAME_LEN, max_len, on_reject)


def tm_deframer(frame_len: int = TM_FRAME_LEN, on_reject=None) -> Deframer:
    """Ground side: TM frames have the link's fixed length."""
    return Deframer(lambda _buf, _at: frame_len, TM_HEADER_LEN, frame_len, frame_len, on_reject)

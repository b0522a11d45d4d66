"""The line as the downlink sees it: may a frame be handed to the link now?

Paced (the line's rate is known: the baud of a serial port, or --baud on any link): a model of
the line's queue, so frames are handed over only when at most half a frame is still waiting to
leave. Flight's frames then never pile up in a UART, a pty or a radio buffer ahead of a reply.
Unpaced: a frame may go whenever the writer holds nothing back (the link took everything).
"""

NOMINAL_RATE = 11_520.0   # octets/s of 115200 baud 8N1: the unpaced line's "frame time"
SLACK = 0.5               # frames still on the line when the next one is handed over


class Line:
    def __init__(self, writer, rate: float | None, frame_octets: int):
        if rate is not None and rate <= 0:
            raise ValueError("the line rate must be positive")
        self.writer = writer
        self.rate = rate
        self.frame_time = frame_octets / (rate or NOMINAL_RATE)
        self._free_at = 0.0       # when the last octet handed over leaves the line (paced)

    def ready(self, now: float) -> bool:
        if self.writer is not None and self.writer.backlog:
            return False
        return self.rate is None or self._free_at - now <= SLACK * self.frame_time

    def next_ready(self, now: float) -> float:
        """When ready() may turn true, at the latest; an unpaced line is polled."""
        if self.rate is None:
            return now + self.frame_time
        return max(now, self._free_at - SLACK * self.frame_time)

    def send(self, data: bytes, now: float) -> None:
        self.writer.write(data)
        if self.rate is not None:
            self._free_at = max(self._free_at, now) + len(data) / self.rate

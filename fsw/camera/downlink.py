"""One image going down: image_meta first, then its segments as the line drains them, from any offset.

Segments go on the bulk virtual channel, which the downlink serves after real-time reports and
housekeeping; the job adds one only while the downlink has room for it (about a quarter second
of line time ready), so nothing queues ahead of a command reply.
"""

from fsw.protocol.imagefile import SEGMENT_OCTETS
from fsw.protocol.tmframe import VC_BULK

MAX_SEGMENTS_PER_TICK = 8   # bounds one tick's work when the line is fast or unpaced


class DownlinkJob:
    def __init__(self, image_id: int, payload: bytes, first_segment: int, verify):
        self.image_id = image_id
        self.payload = payload
        self.segments = max(1, -(-len(payload) // SEGMENT_OCTETS))
        self.first = first_segment
        self.next = first_segment
        self.verify = verify
        self._last_percent = -1
        self._steps = 0           # progress reports sent: PUS-1 step numbers, 1, 2, ...

    @property
    def done(self) -> bool:
        return self.next >= self.segments

    def segment(self, number: int) -> dict:
        data = self.payload[number * SEGMENT_OCTETS:(number + 1) * SEGMENT_OCTETS]
        return {"image_id": self.image_id, "segment": number, "segments": self.segments, "data": data}

    def send(self, report, room, count: int = MAX_SEGMENTS_PER_TICK) -> None:
        for _ in range(count):
            if self.done or not room():
                break
            report("image_segment", self.segment(self.next), vcid=VC_BULK)
            self.next += 1
        percent = 100 * (self.next - self.first) // max(1, self.segments - self.first)
        if percent // 10 > self._last_percent // 10 and not self.done:
            self._last_percent = percent
            self._steps += 1
            self.verify.progress(self._steps, percent)

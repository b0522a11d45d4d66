import threading

from fsw.dictionary import load
from fsw.executive.clock import SimClock
from fsw.executive.downlink import Downlink, LinkWriter
from fsw.link import Link, LinkError, link_pair
from fsw.protocol.cop1 import Farm
from fsw.protocol.stack import TmReceiver


class FakeLink(Link):
    def read(self, max_bytes=4096, timeout=0.1):
        return b""

    def close(self):
        pass


class StalledLink(FakeLink):
    """A peer that never reads: every write blocks until released."""

    def __init__(self):
        self.release = threading.Event()
        self.written = 0

    def write(self, data):
        self.release.wait(10)
        self.written += len(data)


def test_a_stalled_link_never_blocks_the_writer_and_the_excess_is_counted():
    link = StalledLink()
    writer = LinkWriter(link, limit=1000)
    for _ in range(20):
        writer.write(b"x" * 100)          # returns at once although the link is stuck
    assert writer.dropped >= 20 * 100 - 1000 - 100
    link.release.set()
    assert writer.drain()
    writer.close()
    assert link.written + writer.dropped == 2000


def test_a_broken_link_counts_errors():
    class Broken(FakeLink):
        def write(self, data):
            raise LinkError("gone")

    writer = LinkWriter(Broken())
    writer.write(b"abc")
    assert writer.drain()
    writer.close()
    assert writer.errors == 1 and writer.dropped == 3


def test_reports_are_framed_with_their_apid_and_time():
    dictionary = load()
    clock = SimClock()
    downlink = Downlink(dictionary, clock, 256)
    downlink.report("ping_reply", {})
    downlink.report("completion_success", {"request_id": 7}, apid=0x020)
    flight, ground = link_pair()
    flight.write(downlink.take())
    packets = TmReceiver(256).feed(ground.read(10_000))
    assert [(p.apid, p.service, p.subtype) for p in packets] == [(0x010, 17, 2), (0x020, 1, 7)]
    assert packets[0].time == clock.now()


def test_an_idle_link_that_takes_everything_is_written_without_the_thread():
    class Eager(FakeLink):
        def __init__(self):
            self.direct = b""

        def try_write(self, data):
            self.direct += data
            return len(data)

        def write(self, data):
            raise AssertionError("the writer thread should not have been needed")

    link = Eager()
    writer = LinkWriter(link)
    writer.write(b"abc")
    writer.write(b"def")
    writer.close()
    assert link.direct == b"abcdef" and writer.dropped == 0


def test_what_an_idle_link_does_not_take_goes_to_the_thread_in_order():
    class Partial(FakeLink):
        def __init__(self):
            self.received = b""

        def try_write(self, data):
            self.received += data[:2]
            return 2

        def write(self, data):
            self.received += data

    link = Partial()
    writer = LinkWriter(link)
    writer.write(b"abcdef")
    assert writer.drain()
    writer.close()
    assert link.received == b"abcdef"


# -- virtual channels and pacing (docs/ICD.md, "Virtual channels and pacing") --

from fsw.protocol.framing import tm_deframer  # noqa: E402
from fsw.protocol.pus import decode_tm  # noqa: E402
from fsw.protocol.spacepacket import IDLE_APID, packet_apid  # noqa: E402
from fsw.protocol.tmframe import (  # noqa: E402
    FHP_IDLE_ONLY,
    VC_BULK,
    VC_IDLE,
    TmDemultiplexer,
    decode_tm_frame,
    encode_tm_frame,
)

FRAME = 256
RATE = 11_520.0


class Collect:
    """A writer that takes everything at once and keeps it."""

    backlog = 0

    def __init__(self):
        self.data = bytearray()

    def write(self, data):
        self.data += data

    def frames(self):
        out = [decode_tm_frame(f, FRAME) for f in tm_deframer(FRAME).feed(bytes(self.data))]
        self.data.clear()
        return out


def make(line_rate=RATE):
    writer = Collect()
    downlink = Downlink(load(), SimClock(), FRAME, writer=writer, line_rate=line_rate)
    downlink.service(now=0.0)      # the boot idle frame: nothing went out for a second
    writer.data.clear()
    return downlink, writer


def packets(frames):
    demux = TmDemultiplexer(FRAME)
    out = []
    for frame in frames:
        out += [decode_tm(raw) for raw in demux.feed(encode_tm_frame(frame)).packets]
    return out


def segment(downlink, number):
    downlink.report("image_segment", {"image_id": 1, "segment": number, "segments": 99, "data": bytes(512)},
                    vcid=VC_BULK)


def idle_octets(frame) -> int:
    """Octets of idle packets that start in this frame's zone (the spilt tail case aside)."""
    if frame.first_header_pointer == FHP_IDLE_ONLY:
        return len(frame.zone)
    offset, idle = frame.first_header_pointer, 0
    while offset + 6 <= len(frame.zone):
        length = int.from_bytes(frame.zone[offset + 4:offset + 6], "big") + 7
        if packet_apid(frame.zone, offset) == IDLE_APID:
            idle += min(length, len(frame.zone) - offset)
        offset += length
    return idle


def test_a_reply_alone_goes_at_once_on_the_real_time_channel():
    downlink, writer = make()
    downlink.report("ping_reply", {})
    downlink.service(now=1.0)
    frames = writer.frames()
    assert [f.vcid for f in frames] == [0]
    assert [p.service for p in packets(frames)] == [17]


def test_a_reply_goes_at_once_behind_housekeeping_sampled_before_it():
    downlink, writer = make()
    downlink.periodic(1, 0x011, 3, 25, bytes(20))
    downlink.service(now=0.5)
    assert writer.frames() == []                   # housekeeping alone waits for more
    downlink.report("ping_reply", {})
    downlink.service(now=0.501)                    # the reply does not: one frame, in order
    frames = writer.frames()
    assert [f.vcid for f in frames] == [VC_BULK]
    assert [p.service for p in packets(frames)] == [3, 17]


def test_while_an_image_flows_a_reply_leads_the_next_frame_and_at_most_two_frames_are_ahead_of_it():
    downlink, writer = make()
    now = 1.0
    number = 0
    while downlink.room():
        segment(downlink, number)
        number += 1
    downlink.service(now=now)
    assert 1 <= len(writer.frames()) <= 2          # paced: the line holds at most about two frames
    downlink.report("ping_reply", {})
    frame_time = (FRAME + 4) / RATE
    sent = []
    while not any(p.service == 17 for p in packets(sent)):
        now += frame_time / 4
        before = len(sent)
        sent += writer.frames() if writer.data else []
        downlink.service(now=now)
        sent += writer.frames()
        assert len(sent) - before <= 1
    assert len(sent) <= 2                          # the reply went in the first or second frame after


def test_with_long_frames_a_reply_rides_in_the_next_image_frame_without_idle_fill():
    writer = Collect()
    downlink = Downlink(load(), SimClock(), 1024, writer=writer, line_rate=RATE)
    number = 0
    while downlink.room():
        segment(downlink, number)
        number += 1
    downlink.service(now=1.0)
    writer.data.clear()
    downlink.report("ping_reply", {})
    downlink.service(now=1.0 + 2 * 1028 / RATE)
    frames = [decode_tm_frame(f, 1024) for f in tm_deframer(1024).feed(bytes(writer.data))]
    first = frames[0]
    # the rest of a segment already begun, then the reply, then more segments: no idle data
    assert first.vcid == VC_BULK and 0 < first.first_header_pointer < 600
    assert packet_apid(first.zone, first.first_header_pointer) == 0x010
    assert idle_octets(first) == 0


def test_segments_fill_frames_without_idle_data_and_the_last_partial_frame_waits_one_frame_time():
    downlink, writer = make(line_rate=None)
    for number in range(3):
        segment(downlink, number)
    downlink.service(now=1.0)
    full = writer.frames()
    assert full and all(f.vcid == VC_BULK and idle_octets(f) == 0 for f in full)
    assert not downlink.bulk_sent()                # the rest waits for more packets...
    frame_time = (FRAME + 4) / 11_520
    downlink.service(now=1.0 + frame_time / 2)
    assert writer.frames() == []
    downlink.service(now=1.0 + frame_time * 1.01)  # ... one frame time at most
    last = writer.frames()
    assert len(last) == 1 and idle_octets(last[0]) > 0
    assert downlink.bulk_sent()
    assert [p.subtype for p in packets(full + last)].count(downlink.dictionary.report("image_segment").subtype) == 3


def test_periodic_housekeeping_not_yet_framed_is_thinned_newest_wins():
    downlink, writer = make(line_rate=None)
    for value in range(3):
        downlink.periodic(1, 0x011, 3, 25, bytes([1, value]))
    writer.write(downlink.take())
    hk = [p for p in TmReceiver(FRAME).feed(bytes(writer.data)) if p.service == 3]
    assert [p.data for p in hk] == [bytes([1, 2])] and downlink.thinned == 2


def test_idle_frames_only_when_the_line_would_be_silent_for_a_second():
    downlink, writer = make()
    downlink.service(now=0.5)
    assert writer.frames() == []
    downlink.service(now=1.0)
    (idle,) = writer.frames()
    assert idle.vcid == VC_IDLE and idle.first_header_pointer == FHP_IDLE_ONLY
    downlink.report("ping_reply", {})
    downlink.service(now=1.5)
    assert [f.vcid for f in writer.frames()] == [0]
    downlink.service(now=2.2)                      # a frame went 0.7 s ago: still nothing
    assert writer.frames() == []


def test_a_changed_clcw_goes_down_at_once():
    farm = Farm()
    writer = Collect()
    downlink = Downlink(load(), SimClock(), FRAME, clcw=farm.clcw, writer=writer)
    downlink.service(now=0.0)
    writer.frames()
    farm.receive(False, False, 0, b"")             # a TC frame was accepted, no report followed
    downlink.service(now=0.1)
    (frame,) = writer.frames()
    assert frame.vcid == VC_IDLE and frame.ocf & 0xFF == 1


def test_a_writer_that_holds_bytes_back_stops_the_frames():
    downlink, writer = make(line_rate=None)
    writer.backlog = 1
    downlink.report("ping_reply", {})
    downlink.service(now=1.0)
    assert writer.frames() == []
    writer.backlog = 0
    downlink.service(now=1.0)
    assert len(writer.frames()) == 1

import threading

from fsw.dictionary import load
from fsw.executive.clock import SimClock
from fsw.executive.downlink import Downlink, LinkWriter
from fsw.link import Link, LinkError, link_pair
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

"""Fuzzing behind the checksums: well-framed, well-checksummed nonsense must never hurt flight.

Random bytes almost never pass a FECF and a CRC, so these tests build valid frames around random
packets, valid packets with random headers, and valid packets addressed to every dictionary
command with random argument bytes. Whatever arrives, flight must: raise nothing and log no
error, keep ticking, answer every readable bad packet with an acceptance failure naming the
reason an independent reading of the ICD expects, keep its counters adding up, and still
complete a ping afterwards.
"""

import logging
import math
import struct
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsw.dictionary import load
from fsw.loopback import Loopback
from fsw.protocol.pus import TcPacket, encode_tc
from fsw.protocol.reasons import Reason

pytestmark = pytest.mark.timeout(60)
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
DICTIONARY = load()
COMMANDS = sorted(DICTIONARY.commands.values(), key=lambda c: c.name)
OK = ["acceptance_success", "start_success", "completion_success"]
WIDTH = {"u8": "B", "u16": "H", "u32": "I", "i8": "b", "i16": "h", "i32": "i", "f32": "f",
         "bool": "B", "enum": "B"}
NATURAL = {"u8": (0, 0xFF), "u16": (0, 0xFFFF), "u32": (0, 0xFFFFFFFF), "i8": (-0x80, 0x7F),
           "i16": (-0x8000, 0x7FFF), "i32": (-0x80000000, 0x7FFFFFFF), "bool": (0, 1), "enum": (0, 0xFF)}


# -- an independent reading of the ICD: what reason a packet must be rejected with --
def packet_reason(raw: bytes) -> Reason | None:
    """Why a TC packet fails its packet-level checks (ICD order), or None when it passes them."""
    if len(raw) < 13:
        return Reason.BAD_LENGTH
    packet_id, length = struct.unpack_from(">H2xH", raw)
    if packet_id >> 13:
        return Reason.BAD_VERSION
    if packet_id & 0x1800 != 0x1800:
        return Reason.BAD_TYPE
    if length + 7 != len(raw):
        return Reason.BAD_LENGTH
    if crc16(raw):
        return Reason.BAD_CRC
    if raw[6] >> 4 != 2:
        return Reason.BAD_VERSION
    return None


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE, bit by bit (not flight's table): 0 over a packet with its CRC."""
    crc = 0xFFFF
    for octet in data:
        crc ^= octet << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc


def opcode_reason(apid: int, service: int, subtype: int) -> Reason | None:
    known = {(c.apid, c.service, c.subtype) for c in COMMANDS}
    if (apid, service, subtype) in known:
        return None
    if apid not in {c.apid for c in COMMANDS}:
        return Reason.UNKNOWN_APID
    if (apid, service) not in {(c.apid, c.service) for c in COMMANDS}:
        return Reason.UNKNOWN_SERVICE
    return Reason.UNKNOWN_SUBTYPE


def argument_reason(command, data: bytes) -> Reason | None:
    fixed = [f for f in command.args if f.type != "bytes"]
    size = struct.calcsize(">" + "".join(WIDTH[f.type] for f in fixed))
    greedy = len(fixed) != len(command.args)
    if len(data) < size or (not greedy and len(data) != size):
        return Reason.BAD_LENGTH
    values = struct.unpack_from(">" + "".join(WIDTH[f.type] for f in fixed), data)
    for field, value in zip(fixed, values):
        if field.type == "f32" and not math.isfinite(value):
            return Reason.ARG_OUT_OF_RANGE
        low, high = NATURAL.get(field.type, (-3.4e38, 3.4e38))
        low = low if field.min is None else field.min
        high = high if field.max is None else field.max
        if not low <= value <= high:
            return Reason.ARG_OUT_OF_RANGE
        if field.type == "enum" and value not in {number for _, number in field.enum}:
            return Reason.ARG_OUT_OF_RANGE
    return None


# -- strategies --
def edge_values(field):
    """Values of one argument near and past its bounds, and anything its wire type can hold."""
    if field.type == "f32":
        return st.floats(width=32, allow_nan=True, allow_infinity=True)
    low, high = NATURAL[field.type]
    declared_low = low if field.min is None else int(field.min)
    declared_high = high if field.max is None else int(field.max)
    edges = {low, high, declared_low, declared_high, max(low, declared_low - 1), min(high, declared_high + 1), 0}
    return st.one_of(st.sampled_from(sorted(edges)), st.integers(low, high))


@st.composite
def argument_bytes(draw, command):
    """Well-sized arguments with edge values, or random octets of a nearby wrong length."""
    fixed = [f for f in command.args if f.type != "bytes"]
    fmt = ">" + "".join(WIDTH[f.type] for f in fixed)
    if draw(st.booleans()):
        data = struct.pack(fmt, *(draw(edge_values(f)) for f in fixed))
        if len(fixed) != len(command.args):
            data += draw(st.binary(max_size=40))
        return data
    size = struct.calcsize(fmt)
    return draw(st.binary(min_size=max(0, size - 3), max_size=size + 3))


# -- the bench --
class ErrorLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@contextmanager
def flight(**options):
    """A fresh loopback; flight may log no error while it is used (errors are bugs caught)."""
    errors = ErrorLog()
    logger = logging.getLogger("fsw")
    logger.addHandler(errors)
    try:
        with Loopback(seed=0, **options) as loop:
            yield loop
    finally:
        logger.removeHandler(errors)
    assert [r.getMessage() for r in errors.records] == []


def send_packet(loop, raw: bytes) -> None:
    loop.send_bytes(loop.sender.frame(raw))


def request_id(raw: bytes) -> int:
    return int.from_bytes(raw[0:4], "big")


def reports_about(loop, rid: int) -> list[dict]:
    return [r for r in loop.reports("report")
            if r["name"].startswith(("acceptance", "start", "progress", "completion"))
            and r["fields"]["request_id"] == rid]


def assert_still_flying(loop, packets: int, released: int = 0) -> None:
    """Ticks go on, counters add up (every frame and every scheduled release is one command
    accepted or rejected), and a good ping completes."""
    counters = loop.flight.dispatcher.counters
    assert counters["frames_received"] == packets
    packets += released
    assert counters["tc_accepted"] + counters["tc_rejected"] == packets
    cycles = loop.flight.cycles[10].count
    ping = loop.send("ping")
    loop.advance(0.5)
    assert loop.flight.cycles[10].count == cycles + 5
    assert loop.verification(ping) == OK
    assert counters["tc_accepted"] + counters["tc_rejected"] == packets + 1


# -- the tests --
@FUZZ
@given(raw=st.one_of(st.binary(min_size=1, max_size=80),
                     st.binary(min_size=6, max_size=80).map(lambda b: b"\x18\x10" + b[2:])))
def test_random_packet_bytes_in_a_valid_frame(raw):
    with flight() as loop:
        send_packet(loop, raw)
        loop.advance(0.2)
        reason = packet_reason(raw)
        if reason is None:      # a real packet by chance: that is the other tests' business
            return
        counters = loop.flight.dispatcher.counters
        assert counters["tc_rejected"] == 1 and counters["last_reason"] == reason
        if len(raw) >= 6:
            assert [(r["name"], r["fields"]["reason"]) for r in reports_about(loop, request_id(raw))] == [
                ("acceptance_failure", reason)]
        assert loop.events("tc_rejected")[0]["fields"]["reason"] == reason
        assert_still_flying(loop, 1)


@FUZZ
@given(
    apid=st.one_of(st.sampled_from(sorted({c.apid for c in COMMANDS})), st.integers(0, 0x7FE)),
    opcode=st.one_of(st.sampled_from(sorted({(c.service, c.subtype) for c in COMMANDS})),
                     st.tuples(st.integers(0, 255), st.integers(0, 255))),
    ack=st.integers(0, 15),
    app_data=st.binary(max_size=24),
    pus_version=st.sampled_from([2, 2, 2, 0, 1, 15]),
)
def test_valid_packets_with_random_headers(apid, opcode, ack, app_data, pus_version):
    service, subtype = opcode
    with flight() as loop:
        tc = loop.sender.number(TcPacket(apid, service, subtype, app_data, ack=ack))
        raw = bytearray(encode_tc(tc))
        raw[6] = (pus_version << 4) | ack
        raw[-2:] = crc16(bytes(raw[:-2])).to_bytes(2, "big")
        send_packet(loop, bytes(raw))
        loop.advance(0.2)
        reason = packet_reason(bytes(raw)) or opcode_reason(apid, service, subtype)
        command = DICTIONARY._by_opcode.get((apid, service, subtype))
        if reason is None:
            reason = argument_reason(command, app_data)
        if reason is None and command.hazardous:
            reason = Reason.NOT_ARMED
        reports = reports_about(loop, tc.request_id)
        if reason is not None:
            assert [(r["name"], r["fields"]["reason"]) for r in reports] == [("acceptance_failure", reason)]
            assert loop.flight.dispatcher.counters["tc_rejected"] == 1
        else:
            assert loop.flight.dispatcher.counters["tc_accepted"] == 1
            assert not any(r["name"] == "acceptance_failure" for r in reports)
        assert_still_flying(loop, 1)


def armed(loop, command) -> int:
    """Arm a hazardous command first, as operations would; returns the packets sent."""
    if not command.hazardous:
        return 0
    loop.send("arm", {"service": command.service, "subtype": command.subtype})
    return 1


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_with_random_arguments(command):
    @settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(safe=st.booleans(), tries=st.lists(st.tuples(argument_bytes(command), st.integers(0, 15)),
                                              min_size=1, max_size=5))
    def run(safe, tries):
        with flight() as loop:
            sent = 0
            if safe:
                loop.send("mode_safe")
                sent += 1
            for data, ack in tries:
                sent += armed(loop, command)
                loop.advance(0.1)
                reason = argument_reason(command, data)
                if reason is None and loop.flight.mode == "safe" and not command.safe:
                    reason = Reason.NOT_ALLOWED_IN_MODE
                if reason is None and command.name in loop.flight.dispatcher.running:
                    reason = Reason.BUSY
                tc = loop.sender.number(TcPacket(command.apid, command.service, command.subtype, data, ack=ack))
                send_packet(loop, encode_tc(tc))
                sent += 1
                loop.advance(0.5)
                reports = reports_about(loop, tc.request_id)
                if reason is not None:
                    assert [(r["name"], r["fields"]["reason"]) for r in reports] == [("acceptance_failure", reason)]
                else:
                    assert "acceptance_failure" not in [r["name"] for r in reports]
            # nothing stays running for ever: what is still going on can be stopped
            loop.send("anneal_abort")
            loop.send("cam_power", {"state": "off"})
            loop.send("clock_speed", {"speed": 1.0})    # the speed the flight was started at
            loop.advance(1)
            assert_still_flying(loop, sent + 3)
            assert loop.flight.dispatcher.running == {}

    run()


@FUZZ
@given(packets=st.lists(
    st.tuples(st.sampled_from(COMMANDS), st.binary(max_size=12), st.integers(0, 15)), min_size=1, max_size=12))
def test_a_stream_of_random_commands(packets):
    """Commands one after the other, each in whatever state the last ones left."""
    with flight() as loop:
        for command, data, ack in packets:
            tc = loop.sender.number(TcPacket(command.apid, command.service, command.subtype, data, ack=ack))
            send_packet(loop, encode_tc(tc))
            loop.advance(0.3)
        loop.send("clock_speed", {"speed": 1.0})    # whatever speed a random one set: the start's again
        loop.advance(5)
        assert_still_flying(loop, len(packets) + 1)


@pytest.mark.parametrize("seconds", [0, 1, 0x7FFFFFFF, 0xFFFFFFFE, 0xFFFFFFFF])
def test_time_set_to_extremes(seconds):
    with flight() as loop:
        loop.send("time_set", {"seconds": seconds})
        loop.advance(3)
        assert loop.flight.now() >= 0
        loop.send("hk_oneshot", {"sid": 10})
        loop.send("cam_list")
        loop.advance(1)
        assert_still_flying(loop, 3)


def test_time_set_to_the_end_of_time_does_not_stop_the_executive_thread():
    with flight(start=True, speed=10) as loop:
        loop.send("time_set", {"seconds": 0xFFFFFFFF})
        loop.advance(3)
        assert loop.flight._thread.is_alive()
        tc = loop.send("ping")
        loop.advance(1)
        loop.collect(wait=0.5)
        assert loop.verification(tc) == OK


@FUZZ
@given(
    opcode=st.one_of(st.sampled_from(sorted((c.apid, c.service, c.subtype) for c in COMMANDS)),
                     st.tuples(st.integers(0, 0x7FF), st.integers(0, 255), st.integers(0, 255))),
    app_data=st.binary(max_size=16),
    ack=st.integers(0, 15),
    mangle=st.sampled_from(["none", "none", "crc", "truncate"]),
    delay=st.sampled_from([0, 1, 2]),
)
def test_schedule_insert_with_a_random_embedded_tc(opcode, app_data, ack, mangle, delay):
    apid, service, subtype = opcode
    with flight() as loop:
        inner = loop.sender.number(TcPacket(apid, service, subtype, app_data, ack=ack))
        raw = encode_tc(inner)
        if mangle == "crc":
            raw = raw[:-1] + bytes([raw[-1] ^ 1])
        elif mangle == "truncate":
            raw = raw[:-3]
        insert = loop.send("schedule_insert", {"release": int(loop.flight.now()) + delay, "tc": raw})
        loop.advance(3)
        storable = packet_reason(raw) is None and opcode_reason(apid, service, subtype) is None
        outcome = loop.verification(insert)
        if delay == 0:
            assert loop.failure_reason(insert) in (Reason.ARG_OUT_OF_RANGE, Reason.BAD_ARGUMENT)
        elif not storable:
            assert outcome[-1] == "start_failure" and loop.failure_reason(insert) == Reason.BAD_ARGUMENT
        else:
            assert outcome[-1] == "completion_success"
            assert loop.flight.components["schedule"].released == 1
            reason = argument_reason(DICTIONARY._by_opcode[(apid, service, subtype)], app_data)
            if reason is not None:
                assert loop.failure_reason(inner) == reason
        assert_still_flying(loop, 1, released=loop.flight.components["schedule"].released)
        assert loop.flight.components["schedule"].entries == {}


@pytest.fixture(scope="module")
def imaged():
    """A flight with one image in its store (ids from 1)."""
    with Loopback(seed=0) as loop:
        loop.send("cam_power", {"state": "on"})
        loop.advance(181)
        loop.send("cam_capture", {"framelets": 1})
        loop.advance(3)
        yield loop


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(image_id=st.sampled_from([1, 1, 2, 0xFFFF]), back=st.integers(-4, 6),
       far=st.sampled_from([None, None, 0x8000, 0xFFFF]))
def test_cam_downlink_of_any_id_from_any_segment(imaged, image_id, back, far):
    """From the last few segments (a full image takes a while), past the end, and far out."""
    loop = imaged
    segments = loop.flight.components["camera"].images.index[1]["segments"]
    first = far if far is not None else max(0, segments - back)
    tc = loop.send("cam_downlink", {"image_id": image_id, "first_segment": first})
    loop.advance(0.2 + (segments - first) / 20 if image_id == 1 and first < segments else 0.2)
    outcome = loop.verification(tc)
    if image_id != 1:
        assert loop.failure_reason(tc) == Reason.NO_SUCH_ITEM
    elif first >= segments:
        assert loop.failure_reason(tc) == Reason.ARG_OUT_OF_RANGE
    else:
        assert outcome[-1] == "completion_success"
        sent = [r["fields"]["segment"] for r in loop.reports(name="image_segment")
                if r["time"] >= loop.reports(name="image_meta")[-1]["time"]]
        assert sent[-(segments - first):] == list(range(first, segments))
    assert loop.flight.dispatcher.running == {}
    loop.packets.clear()


@FUZZ
@given(flags_scid=st.one_of(st.integers(0, 0xFFFF), st.integers(0, 0x3F).map(lambda f: (f << 10) | 61)),
       vcid=st.integers(0, 0x3F), sequence=st.integers(0, 255))
def test_valid_fecf_around_random_frame_headers(flags_scid, vcid, sequence):
    with flight() as loop:
        packet = encode_tc(loop.sender.number(DICTIONARY.build_tc("ping")))
        body = struct.pack(">HHB", flags_scid, (vcid << 10) | (5 + len(packet) + 2 - 1), sequence) + packet
        loop.send_bytes(b"\x1a\xcf\xfc\x1d" + body + crc16(body).to_bytes(2, "big"))
        loop.advance(0.2)
        counters = loop.flight.dispatcher.counters
        bypass, control = bool(flags_scid & 0x2000), bool(flags_scid & 0x1000)
        if flags_scid >> 14 or flags_scid & 0x3FF != 61 or vcid != 0:
            assert counters["frames_rejected"] == 1 and counters["last_reason"] in (
                Reason.BAD_FRAME_HEADER, Reason.BAD_SCID)
            assert loop.reports("report") == []       # nothing answers another spacecraft's frame
            assert len(loop.events("frame_rejected")) == 1
            assert_still_flying(loop, 0)
        elif control or (not bypass and sequence != 0):
            # a control frame is never a command; a Type-AD frame out of sequence waits for its turn
            assert counters["frames_received"] == 1 and loop.reports("report") == []
            assert counters["tc_accepted"] + counters["tc_rejected"] == 0
            ping = loop.send("ping")
            loop.advance(0.5)
            assert loop.verification(ping) == OK
        else:
            assert counters["tc_accepted"] == 1
            assert_still_flying(loop, 1)

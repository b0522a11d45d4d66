"""TM Transfer Frame (CCSDS 132.0-B) and the packet multiplexer/demultiplexer over it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsw.protocol.crc import append_crc
from fsw.protocol.pus import TmPacket, decode_tm, encode_tm
from fsw.protocol.reasons import ProtocolError, Reason
from fsw.protocol.spacepacket import IDLE_APID, idle_packet, packet_apid, packet_length
from fsw.protocol.tmframe import (
    FHP_IDLE_ONLY,
    FHP_NO_PACKET_START,
    TM_FRAME_LEN,
    TmDemultiplexer,
    TmFrame,
    TmMultiplexer,
    decode_tm_frame,
    encode_tm_frame,
    zone_length,
)

# A 32-octet frame (zone 32 - 6 - 4 - 2 = 20) on VC 0, MC count 1, VC count 2, holding one
# 20-octet idle packet, with a CLCW reporting N(R) = 5:
#   version 00 | SCID 61 = 00 0011 1101 | VCID 000 | OCF flag 1 -> 0000 0011 1101 0001 = 03 D1
#   MC count 01, VC count 02
#   sec. header 0 | sync 0 | order 0 | segment length id 11 | FHP 000 0000 0000 -> 18 00
#   idle packet  07 FF | C0 00 | 00 0D (20 - 7) | 14 x 55
#   OCF = CLCW   0 00 000 01 | VCID 0 ... | N(R) 05                 -> 01 00 00 05
#   FECF over the 30 octets before it                                -> 66 8F
GOLDEN_FRAME = bytes.fromhex("03D1 01 02 1800 07FFC000000D" + "55" * 14 + "01000005 668F")
# VC 3, no OCF (flag 0: 03 D6), FHP 0x7FE "idle data only" (1 1111 1111 1110 -> 1F FE), a
# 24-octet idle packet (length 24 - 7 = 0x11) fills the 26 - 2 = 24 octets before the FECF.
GOLDEN_FRAME_NO_OCF = bytes.fromhex("03D6 01 02 1FFE 07FFC0000011" + "55" * 18 + "B50B")


def test_golden_tm_frame_with_clcw():
    frame = TmFrame(vcid=0, mc_count=1, vc_count=2, first_header_pointer=0, zone=idle_packet(20), ocf=0x01000005)
    assert encode_tm_frame(frame) == GOLDEN_FRAME
    assert decode_tm_frame(GOLDEN_FRAME, frame_len=32) == frame


def test_golden_tm_frame_without_ocf_idle_only():
    frame = TmFrame(vcid=3, mc_count=1, vc_count=2, first_header_pointer=FHP_IDLE_ONLY, zone=idle_packet(24), ocf=None)
    assert encode_tm_frame(frame) == GOLDEN_FRAME_NO_OCF
    assert decode_tm_frame(GOLDEN_FRAME_NO_OCF, frame_len=32) == frame


def test_zone_length_of_the_standard_frames():
    assert zone_length(TM_FRAME_LEN) == 1012
    assert zone_length(256) == 244


def _patched(raw: bytes, at: int, value: int) -> bytes:
    changed = bytearray(raw)
    changed[at] = value
    return append_crc(bytes(changed[:-2]))


@pytest.mark.parametrize(
    "raw, reason",
    [
        (GOLDEN_FRAME[:-1], Reason.BAD_FRAME_LENGTH),
        (GOLDEN_FRAME + b"\x00", Reason.BAD_FRAME_LENGTH),
        (_patched(GOLDEN_FRAME, 0, 0x43), Reason.BAD_FRAME_HEADER),   # version 01
        (GOLDEN_FRAME[:-1] + b"\x00", Reason.BAD_FECF),
        (_patched(GOLDEN_FRAME, 1, 0xE1), Reason.BAD_SCID),           # SCID 62
    ],
)
def test_malformed_frames_are_rejected_with_the_reason(raw, reason):
    with pytest.raises(ProtocolError) as caught:
        decode_tm_frame(raw, frame_len=32)
    assert caught.value.reason == reason


def test_frames_too_short_for_their_header_or_ocf_are_bad_length():
    for raw in (b"\x03\xd1\x00", append_crc(bytes.fromhex("03D1 0000 1800"))):
        with pytest.raises(ProtocolError) as caught:
            decode_tm_frame(raw, frame_len=len(raw))
        assert caught.value.reason == Reason.BAD_FRAME_LENGTH


@given(st.binary(max_size=20))
def test_short_random_frames_raise_nothing_but_protocol_error(data):
    try:
        decode_tm_frame(data, frame_len=len(data), scid=None)
    except ProtocolError:
        pass


@given(st.binary(min_size=30, max_size=30))
def test_random_frames_raise_nothing_but_protocol_error(body):
    for raw in (body + b"\x00\x00", append_crc(body)):
        try:
            decode_tm_frame(raw, frame_len=32, scid=None)
        except ProtocolError:
            pass


# -- multiplexing --

FRAME = 64            # zone of 52 octets: small, so packets span frames often
ZONE = zone_length(FRAME)


def tm(n: int, size: int, apid: int = 0x20) -> bytes:
    return encode_tm(TmPacket(apid, 3, 25, bytes([n & 0xFF]) * size, seq_count=n))


def mux_frames(packets, frame_len=FRAME, vcid=0):
    mux = TmMultiplexer(frame_len, clcw=lambda: 0x01000007)
    for packet in packets:
        mux.push(packet, vcid)
    return mux.frames(flush=True)


def demux_all(frames, frame_len=FRAME):
    demux = TmDemultiplexer(frame_len)
    packets, errors = [], []
    for raw in frames:
        result = demux.feed(raw)
        packets += result.packets
        errors += result.errors
    return packets, errors, demux


def test_a_packet_spanning_three_frames_comes_back_whole():
    big = tm(1, 120)                      # 141 octets over zones of 52
    frames = mux_frames([big])
    assert len(frames) == 3
    pointers = [decode_tm_frame(f, FRAME).first_header_pointer for f in frames]
    # first frame: the packet starts at 0; second: no packet starts; third: the flush idle
    # packet starts where the big packet ends, 141 - 104 = 37
    assert pointers == [0, FHP_NO_PACKET_START, 37]
    packets, errors, demux = demux_all(frames)
    assert packets == [big] and errors == []
    assert demux.last_clcw == 0x01000007


def test_first_header_pointer_points_at_the_first_packet_starting_in_the_frame():
    packets = [tm(i, size) for i, size in enumerate((10, 40, 3, 70, 0, 25))]
    frames = mux_frames(packets)
    starts, offset = [], 0
    for packet in packets:
        starts.append(offset)
        offset += len(packet)
    starts.append(offset)                     # the idle packet that completes the last frame
    assert len(frames) == -(-offset // ZONE)
    for index, raw in enumerate(frames):
        frame = decode_tm_frame(raw, FRAME)
        inside = [s - index * ZONE for s in starts if index * ZONE <= s < (index + 1) * ZONE]
        assert frame.first_header_pointer == (inside[0] if inside else FHP_NO_PACKET_START)
    last = decode_tm_frame(frames[-1], FRAME)
    assert packet_apid(last.zone[last.first_header_pointer:]) == IDLE_APID
    assert demux_all(frames)[0] == packets


def test_flush_fills_the_rest_of_a_frame_with_an_idle_packet():
    packet = tm(1, 10)                        # 31 octets: 21 left in the zone
    frames = mux_frames([packet])
    assert len(frames) == 1
    zone = decode_tm_frame(frames[0], FRAME).zone
    assert zone[:31] == packet
    assert zone[31:] == idle_packet(21)


def test_a_gap_too_small_for_an_idle_packet_spills_into_the_next_frame():
    mux = TmMultiplexer(FRAME)
    first = tm(1, 28)                         # 49 octets: 3 left, an idle packet needs 7
    mux.push(first)
    frames = mux.frames(flush=True)
    assert len(frames) == 1 and mux.pending() == 4
    second = tm(2, 5)
    mux.push(second)
    frames += mux.frames(flush=True)
    assert decode_tm_frame(frames[1], FRAME).first_header_pointer == 4
    assert demux_all(frames)[0] == [first, second]


def test_idle_frame_says_idle_only_and_yields_nothing():
    mux = TmMultiplexer(FRAME)
    raw = mux.idle_frame()
    frame = decode_tm_frame(raw, FRAME)
    assert frame.first_header_pointer == FHP_IDLE_ONLY
    assert frame.zone == idle_packet(ZONE)
    packets, errors, _ = demux_all([raw])
    assert packets == [] and errors == []


def test_counters_master_per_frame_virtual_per_channel():
    mux = TmMultiplexer(FRAME)
    mux.push(tm(1, 60), vcid=0)
    mux.push(tm(2, 10), vcid=1)
    frames = [decode_tm_frame(f, FRAME) for f in mux.frames(flush=True)]
    assert [(f.vcid, f.mc_count, f.vc_count) for f in frames] == [(0, 0, 0), (0, 1, 1), (1, 2, 0)]


def test_virtual_channels_are_reassembled_separately():
    mux = TmMultiplexer(FRAME)
    a, b = [tm(i, 45) for i in range(3)], [tm(10 + i, 30, apid=0x30) for i in range(3)]
    for x, y in zip(a, b):
        mux.push(x, 0)
        mux.push(y, 2)
    frames = mux.frames(flush=True)
    packets, errors, _ = demux_all(frames)
    assert errors == []
    assert [p for p in packets if packet_apid(p) == 0x20] == a
    assert [p for p in packets if packet_apid(p) == 0x30] == b


def test_counter_wraps_without_a_gap():
    packets = [tm(i, 31) for i in range(300)]          # 52-octet packets: one per frame
    frames = mux_frames(packets)
    assert len(frames) == 300
    received, errors, _ = demux_all(frames)
    assert errors == [] and received == packets


def test_a_lost_frame_drops_the_packet_in_progress_and_resyncs_at_the_next_pointer():
    packets = [tm(i, 30) for i in range(8)]            # 51 octets each
    frames = mux_frames(packets)
    received, errors, _ = demux_all(frames[:2] + frames[3:])
    assert [e.reason for e in errors] == [Reason.FRAME_GAP]
    assert "1 frame(s) lost" in str(errors[0])
    # frame 2 covers octets 104..155: packet 1 (51..101) was complete before it; packets 2
    # (102..152) and 3 (153..203) were cut; frame 3's pointer leads to packet 4 at 204
    assert received == packets[:2] + packets[4:]


def test_a_frame_with_a_bad_fecf_is_an_error_not_an_exception():
    frames = mux_frames([tm(1, 5)])
    result = TmDemultiplexer(FRAME).feed(frames[0][:-1] + b"\x00")
    assert result.packets == [] and result.frame is None
    assert [e.reason for e in result.errors] == [Reason.BAD_FECF]


def test_a_pointer_that_disagrees_with_the_packet_lengths_resyncs():
    mux = TmMultiplexer(FRAME)
    for i in range(3):
        mux.push(tm(i, 40))
    frames = mux.frames(flush=True)
    # rewrite frame 1's pointer (should be 61 - 52 = 9) to 20
    frame = decode_tm_frame(frames[1], FRAME)
    frame.first_header_pointer = 20
    frames[1] = encode_tm_frame(frame)
    received, errors, _ = demux_all(frames)
    # the pointer is what the frame's author wrote (its FECF is good), so it wins: the packet
    # in progress is dropped, and the next frame's pointer brings the stream back
    assert Reason.BAD_LENGTH in [e.reason for e in errors]
    assert tm(0, 40) not in received
    assert received[-1] == tm(2, 40)


@settings(max_examples=60)
@given(st.lists(st.integers(0, 150), min_size=1, max_size=12), st.data())
def test_any_lost_frame_loses_only_the_packets_it_touched(sizes, data):
    packets = [tm(i, size) for i, size in enumerate(sizes)]
    frames = mux_frames(packets)
    # where every packet (and the flush idle packet) starts and ends in the zone stream
    spans, offset = [], 0
    for packet in packets:
        spans.append((offset, offset + len(packet)))
        offset += len(packet)
    idle_start = offset
    lost = data.draw(st.integers(0, len(frames) - 1))
    received, errors, _ = demux_all(frames[:lost] + frames[lost + 1 :])
    if lost in (0, len(frames) - 1):
        assert errors == []   # no frame before it (or after it) to show the gap
    else:
        assert [e.reason for e in errors] == [Reason.FRAME_GAP]
    starts = [s for s, _ in spans] + [idle_start]
    resync = next((s for s in starts if s >= (lost + 1) * ZONE), None)
    expected = [
        p for p, (s, e) in zip(packets, spans)
        if e <= lost * ZONE or (resync is not None and s >= resync)
    ]
    assert received == expected


@settings(max_examples=40)
@given(st.lists(st.binary(min_size=FRAME - 2, max_size=FRAME - 2), max_size=6))
def test_demultiplexer_survives_any_well_checksummed_frames(bodies):
    demux = TmDemultiplexer(FRAME, scid=None)
    for body in bodies:
        result = demux.feed(append_crc(body))
        for packet in result.packets:
            assert len(packet) == packet_length(packet)
            try:
                decode_tm(packet)
            except ProtocolError:
                pass

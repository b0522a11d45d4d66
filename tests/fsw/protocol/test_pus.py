"""PUS-C TC and TM packets: golden vectors, spacepackets as an independent oracle, rejection."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacepackets.ecss import PusTc, PusTm

from fsw.protocol.crc import append_crc
from fsw.protocol.pus import (
    ACK_ACCEPTANCE,
    ACK_ALL,
    ACK_COMPLETION,
    TcPacket,
    TmPacket,
    decode_tc,
    decode_tm,
    encode_tc,
    encode_tm,
    is_tc,
)
from fsw.protocol.reasons import ProtocolError, Reason

# cam_capture framelets=8: APID 0x020, service 130, subtype 3, sequence count 5.
#   primary header  18 20 | C0 05 | 00 07     (see test_spacepacket.py)
#   TC sec. header  PUS version 0010 | ack 1111 (all four reports)      -> 2F
#                   service 130 = 0x82, subtype 3 = 0x03, source id 0   -> 82 03 00 00
#   app data        framelets = 8                                       -> 08
#   packet error control: CRC-16/CCITT-FALSE of the 12 octets above     -> 76 51
GOLDEN_TC = bytes.fromhex("1820C0050007 2F82030000 08 7651")

# ping_reply from the executive: APID 0x010, TM, service 17 subtype 2, sequence count 1,
# message counter 0x0102, destination 0, time PJ57 + 0.5 s (see test_cuc.py), no data.
#   primary header  version 000 | type 0 | sec. header 1 | APID 0x010  -> 08 10
#                   seq flags 11 | count 1                             -> C0 01
#                   length = 6 + 13 + 2 - 7 = 14                       -> 00 0E
#   TM sec. header  PUS version 0010 | time reference status 0000      -> 20
#                   service 17, subtype 2                              -> 11 02
#                   message type counter 0x0102, destination id 0      -> 01 02 00 00
#                   CUC 4+2                                            -> 2D 22 1A 00 80 00
#   CRC                                                                -> 5E B0
GOLDEN_TM = bytes.fromhex("0810C001000E 2011020102 0000 2D221A008000 5EB0")


def test_golden_tc_secondary_header_and_packet():
    tc = TcPacket(0x020, 130, 3, b"\x08", seq_count=5)
    assert encode_tc(tc) == GOLDEN_TC
    assert decode_tc(GOLDEN_TC) == tc


def test_golden_tm_secondary_header_and_packet():
    tm = TmPacket(0x010, 17, 2, b"", 757_209_600.5, seq_count=1, message_counter=0x0102)
    assert encode_tm(tm) == GOLDEN_TM
    assert decode_tm(GOLDEN_TM) == tm


def test_ack_flag_bits_follow_the_standard_order():
    # acceptance is the least significant of the four bits, completion the most
    assert encode_tc(TcPacket(1, 17, 1, ack=ACK_ACCEPTANCE))[6] == 0x21
    assert encode_tc(TcPacket(1, 17, 1, ack=ACK_COMPLETION))[6] == 0x28


def test_request_id_is_packet_id_and_sequence_control():
    assert TcPacket(0x020, 130, 3, seq_count=5).request_id == 0x1820C005


def test_is_tc_reads_the_type_bit():
    assert is_tc(GOLDEN_TC)
    assert not is_tc(GOLDEN_TM)
    assert not is_tc(b"")


# -- spacepackets as an oracle, both ways --

apids = st.integers(0, 0x7FE)
octet = st.integers(0, 255)
u16 = st.integers(0, 0xFFFF)
counts = st.integers(0, 0x3FFF)
payloads = st.binary(max_size=64)


@given(apids, octet, octet, payloads, counts, st.integers(0, 15), u16)
def test_our_tc_is_read_by_spacepackets(apid, service, subtype, data, count, ack, source):
    raw = encode_tc(TcPacket(apid, service, subtype, data, count, ack, source))
    theirs = PusTc.unpack(raw)
    assert (theirs.apid, theirs.service, theirs.message_subtype) == (apid, service, subtype)
    assert (theirs.app_data, theirs.seq_count, theirs.source_id) == (data, count, source)
    assert theirs.pack() == raw
    assert theirs.sp_header.data_len == len(raw) - 7


@given(apids, octet, octet, payloads, counts, st.integers(0, 15), u16)
def test_spacepackets_tc_is_read_by_us(apid, service, subtype, data, count, ack, source):
    raw = PusTc(service, subtype, apid=apid, app_data=data, seq_count=count, source_id=source, ack_flags=ack).pack()
    ours = decode_tc(bytes(raw))
    assert ours == TcPacket(apid, service, subtype, data, count, ack, source)


@given(apids, octet, octet, payloads, counts, u16, u16, st.integers(0, 0xFFFFFFFF), u16)
def test_our_tm_is_read_by_spacepackets(apid, service, subtype, data, count, counter, dest, coarse, fine):
    time = coarse + fine / 65536
    raw = encode_tm(TmPacket(apid, service, subtype, data, time, count, counter, dest))
    theirs = PusTm.unpack(raw, timestamp_len=6)
    assert (theirs.apid, theirs.service, theirs.message_subtype) == (apid, service, subtype)
    assert (theirs.source_data, theirs.seq_count) == (data, count)
    assert theirs.pus_tm_sec_header.message_counter == counter
    assert theirs.pus_tm_sec_header.dest_id == dest
    assert theirs.timestamp == coarse.to_bytes(4, "big") + fine.to_bytes(2, "big")
    assert theirs.pack() == raw


@given(apids, octet, octet, payloads, counts, u16, u16, st.binary(min_size=6, max_size=6))
def test_spacepackets_tm_is_read_by_us(apid, service, subtype, data, count, counter, dest, stamp):
    raw = bytes(
        PusTm(service, subtype, timestamp=stamp, source_data=data, apid=apid, seq_count=count,
              message_counter=counter, destination_id=dest).pack()
    )
    ours = decode_tm(raw)
    assert (ours.apid, ours.service, ours.subtype, ours.data) == (apid, service, subtype, data)
    assert (ours.seq_count, ours.message_counter, ours.destination_id) == (count, counter, dest)
    assert encode_tm(ours) == raw


# -- rejection: each check, its reason --

def _with(raw: bytes, at: int, value: int, fix_crc: bool = True) -> bytes:
    changed = bytearray(raw)
    changed[at] = value
    return append_crc(bytes(changed[:-2])) if fix_crc else bytes(changed)


@pytest.mark.parametrize(
    "decode, raw, reason",
    [
        (decode_tc, GOLDEN_TC[:12], Reason.BAD_LENGTH),                 # shorter than any TC
        (decode_tc, GOLDEN_TC + b"\x00", Reason.BAD_LENGTH),            # length field says 14
        (decode_tc, _with(GOLDEN_TC, 5, 8), Reason.BAD_LENGTH),         # length field says 15
        (decode_tc, _with(GOLDEN_TC, 0, 0x38), Reason.BAD_VERSION),     # CCSDS version 001
        (decode_tc, _with(GOLDEN_TC, 6, 0x1F), Reason.BAD_VERSION),     # PUS version 1
        (decode_tc, _with(GOLDEN_TC, 0, 0x08), Reason.BAD_TYPE),        # a TM header
        (decode_tc, _with(GOLDEN_TC, 0, 0x10), Reason.BAD_TYPE),        # no secondary header
        (decode_tc, _with(GOLDEN_TC, 11, 9, fix_crc=False), Reason.BAD_CRC),
        (decode_tc, GOLDEN_TM, Reason.BAD_TYPE),
        (decode_tm, GOLDEN_TM[:20], Reason.BAD_LENGTH),
        (decode_tm, _with(GOLDEN_TM, 0, 0x28), Reason.BAD_VERSION),
        (decode_tm, _with(GOLDEN_TM, 6, 0x10), Reason.BAD_VERSION),     # PUS version 1
        (decode_tm, _with(GOLDEN_TM, 0, 0x00), Reason.BAD_TYPE),
        (decode_tm, _with(GOLDEN_TM, 13, 0, fix_crc=False), Reason.BAD_CRC),
        (decode_tm, GOLDEN_TC + bytes(8), Reason.BAD_TYPE),
    ],
)
def test_malformed_packets_are_rejected_with_the_reason(decode, raw, reason):
    with pytest.raises(ProtocolError) as caught:
        decode(raw)
    assert caught.value.reason == reason


@given(st.binary(max_size=80))
def test_random_bytes_raise_nothing_but_protocol_error(data):
    for decode in (decode_tc, decode_tm):
        try:
            decode(data)
        except ProtocolError:
            pass


@given(st.data())
def test_any_bit_flip_in_a_packet_is_rejected(data):
    for raw, decode in ((GOLDEN_TC, decode_tc), (GOLDEN_TM, decode_tm)):
        bit = data.draw(st.integers(0, len(raw) * 8 - 1))
        flipped = bytearray(raw)
        flipped[bit // 8] ^= 0x80 >> (bit % 8)
        with pytest.raises(ProtocolError):
            decode(bytes(flipped))


def test_ack_all_is_the_default():
    assert decode_tc(encode_tc(TcPacket(1, 17, 1))).ack == ACK_ALL

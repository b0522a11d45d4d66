"""TC Transfer Frame (CCSDS 232.0-B): golden vector, layout, rejection."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsw.protocol.crc import append_crc
from fsw.protocol.reasons import ProtocolError, Reason
from fsw.protocol.tcframe import (
    SPACECRAFT_ID,
    TC_MAX_FRAME_LEN,
    TcFrame,
    TcLayout,
    decode_tc_frame,
    encode_tc_frame,
    tc_frame_length,
)

GOLDEN_TC = bytes.fromhex("1820C0050007 2F82030000 08 7651")   # test_pus.py
# The golden TC in a frame on VC 0, sequence number 0, 5 + 14 + 2 = 21 octets:
#   version 00 | bypass 1 | control 0 | spare 00 | SCID 61 = 00 0011 1101
#       -> 0010 0000 0011 1101 = 20 3D
#   VCID 000000 | frame length 21 - 1 = 20 = 00 0001 0100
#       -> 0000 0000 0001 0100 = 00 14
#   N(S) 0 -> 00; data field = the packet; FECF over the 19 octets before it -> 2F B0
GOLDEN_FRAME = bytes.fromhex("203D001400") + GOLDEN_TC + bytes.fromhex("2FB0")


def test_spacecraft_id_is_61():
    assert SPACECRAFT_ID == 61


def test_golden_tc_frame():
    frame = TcFrame(vcid=0, data=GOLDEN_TC, sequence=0)
    assert encode_tc_frame(frame) == GOLDEN_FRAME
    assert decode_tc_frame(GOLDEN_FRAME) == frame
    assert tc_frame_length(GOLDEN_FRAME) == 21


def test_header_fields_land_in_their_bits():
    raw = encode_tc_frame(TcFrame(vcid=0x3F, data=b"x", sequence=0xFE, scid=0x3FF, bypass=False, control=True))
    # 00 0 1 00 11 1111 1111 = 13 FF ; 111111 | length 7 = 00 0000 0111 -> FC 07 ; FE
    assert raw[:5] == bytes.fromhex("13FFFC07FE")
    decoded = decode_tc_frame(raw, scid=None)
    assert (decoded.vcid, decoded.sequence, decoded.scid, decoded.bypass, decoded.control) == (0x3F, 0xFE, 0x3FF, False, True)


def test_security_header_and_trailer_leave_room_around_the_data():
    layout = TcLayout(security_header_len=6, security_trailer_len=8)
    raw = encode_tc_frame(TcFrame(0, GOLDEN_TC), layout)
    assert len(raw) == 5 + 6 + len(GOLDEN_TC) + 8 + 2
    assert raw[5:11] == bytes(6)
    assert decode_tc_frame(raw, layout=layout).data == GOLDEN_TC


def test_maximum_frame_length_1024():
    largest = encode_tc_frame(TcFrame(0, bytes(TC_MAX_FRAME_LEN - 7)))
    assert len(largest) == TC_MAX_FRAME_LEN
    assert largest[2:4] == bytes.fromhex("03FF")   # length field all ones
    assert decode_tc_frame(largest).data == bytes(1017)
    with pytest.raises(ValueError):
        encode_tc_frame(TcFrame(0, bytes(TC_MAX_FRAME_LEN - 6)))


def _patched(raw: bytes, at: int, value: int) -> bytes:
    changed = bytearray(raw)
    changed[at] = value
    return append_crc(bytes(changed[:-2]))


@pytest.mark.parametrize(
    "raw, reason",
    [
        (GOLDEN_FRAME[:7], Reason.BAD_FRAME_LENGTH),                 # below the minimum
        (bytes(TC_MAX_FRAME_LEN + 1), Reason.BAD_FRAME_LENGTH),
        (GOLDEN_FRAME[:-1], Reason.BAD_FRAME_LENGTH),                # header says 21
        (_patched(GOLDEN_FRAME, 0, 0x60), Reason.BAD_FRAME_HEADER),  # version 01
        (GOLDEN_FRAME[:-1] + b"\x00", Reason.BAD_FECF),
        (_patched(GOLDEN_FRAME, 1, 0x3E), Reason.BAD_SCID),          # spacecraft 62
        (append_crc(bytes.fromhex("203D000600")), Reason.BAD_FRAME_LENGTH),  # 5+0+2: no data
    ],
)
def test_malformed_frames_are_rejected_with_the_reason(raw, reason):
    with pytest.raises(ProtocolError) as caught:
        decode_tc_frame(raw)
    assert caught.value.reason == reason


@given(st.binary(max_size=64))
def test_random_bytes_raise_nothing_but_protocol_error(data):
    try:
        decode_tc_frame(data)
    except ProtocolError:
        pass
    try:
        decode_tc_frame(append_crc(data), scid=None)
    except ProtocolError:
        pass

"""Space Packet primary header (CCSDS 133.0-B-2) and idle packets."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsw.protocol.reasons import ProtocolError, Reason
from fsw.protocol.spacepacket import (
    IDLE_APID,
    MIN_PACKET_LEN,
    PrimaryHeader,
    check_primary_header,
    idle_packet,
    packet_apid,
    packet_id,
    packet_length,
    sequence_control,
)

# A TC to the camera (APID 0x020), unsegmented, sequence count 5, 14 octets in all:
#   version 000 | type 1 | sec. header 1 | APID 000 0010 0000  -> 0001 1000 0010 0000 = 0x1820
#   seq flags 11 | count 00 0000 0000 0101                      -> 1100 0000 0000 0101 = 0xC005
#   data length = 14 - 6 - 1 = 7                                -> 0x0007
TC_HEADER = bytes.fromhex("1820 C005 0007")
# The idle packet of 10 octets: type 0, no sec. header, APID 111 1111 1111 -> 0x07FF,
# seq flags 11 count 0 -> 0xC000, length 10 - 7 = 3, then 4 octets of 0x55 fill.
IDLE_10 = bytes.fromhex("07FF C000 0003 55555555")


def test_golden_primary_header():
    header = PrimaryHeader.pack(packet_id(1, True, 0x020), sequence_control(0b11, 5), 7)
    assert header == TC_HEADER
    assert PrimaryHeader.parse(TC_HEADER) == {"packet_id": 0x1820, "sequence_control": 0xC005, "data_length": 7}


def test_length_and_apid_read_straight_from_the_header():
    assert packet_length(TC_HEADER) == 14
    assert packet_apid(TC_HEADER) == 0x020
    assert packet_apid(b"xx" + IDLE_10, 2) == IDLE_APID


def test_golden_idle_packet():
    assert idle_packet(10) == IDLE_10
    assert len(idle_packet(MIN_PACKET_LEN)) == 7


def test_idle_packet_shorter_than_a_header_plus_one_is_refused():
    with pytest.raises(ValueError):
        idle_packet(6)


def test_idle_packet_is_parsed_by_spacepackets():
    from spacepackets.ccsds.spacepacket import SpacePacketHeader

    header = SpacePacketHeader.unpack(IDLE_10)
    assert (header.apid, header.packet_len, header.sec_header_flag) == (IDLE_APID, 10, False)


def test_check_primary_header_accepts_a_consistent_packet():
    assert check_primary_header(IDLE_10)["data_length"] == 3


@pytest.mark.parametrize(
    "data, reason",
    [
        (IDLE_10[:6], Reason.BAD_LENGTH),                 # header only
        (IDLE_10[:-1], Reason.BAD_LENGTH),                # length says 10, got 9
        (IDLE_10 + b"\x55", Reason.BAD_LENGTH),           # got 11
        (bytes([0x20]) + IDLE_10[1:], Reason.BAD_VERSION),  # version 001
    ],
)
def test_check_primary_header_rejects_with_the_reason(data, reason):
    with pytest.raises(ProtocolError) as caught:
        check_primary_header(data)
    assert caught.value.reason == reason


@given(st.binary(max_size=40))
def test_random_bytes_raise_nothing_but_protocol_error(data):
    try:
        check_primary_header(data)
    except ProtocolError:
        pass

"""CCSDS Space Packet primary header (133.0-B-2) and idle packets.

Primary header, 6 octets, byte-aligned words so construct can compile it:
  packet_id         version(3)=000 | type(1) | secondary header flag(1) | APID(11)
  sequence_control  sequence flags(2) | sequence count(14)
  data_length       octets after the primary header minus 1
"""

from construct import Int16ub

from .compiled import Flat
from .reasons import ProtocolError, Reason

PRIMARY_HEADER_LEN = 6
IDLE_APID = 0x7FF
MIN_PACKET_LEN = PRIMARY_HEADER_LEN + 1

TYPE_TM = 0
TYPE_TC = 1
SEQ_UNSEGMENTED = 0b11

PrimaryHeader = Flat(
    "packet_id" / Int16ub,
    "sequence_control" / Int16ub,
    "data_length" / Int16ub,
)


def packet_id(packet_type: int, secondary_header: bool, apid: int) -> int:
    return (packet_type << 12) | (int(secondary_header) << 11) | (apid & 0x7FF)


def sequence_control(seq_flags: int, seq_count: int) -> int:
    return ((seq_flags & 0b11) << 14) | (seq_count & 0x3FFF)


def packet_length(data: bytes, offset: int = 0) -> int:
    """Total octets of the packet whose primary header starts at offset."""
    return ((data[offset + 4] << 8) | data[offset + 5]) + PRIMARY_HEADER_LEN + 1


def packet_apid(data: bytes, offset: int = 0) -> int:
    return ((data[offset] & 0x07) << 8) | data[offset + 1]


def check_primary_header(data: bytes) -> dict:
    """Parse and check a primary header against the bytes that follow it."""
    if len(data) < MIN_PACKET_LEN:
        raise ProtocolError(Reason.BAD_LENGTH, f"{len(data)} octets is shorter than a packet")
    header = PrimaryHeader.parse(data)
    if header["packet_id"] >> 13:
        raise ProtocolError(Reason.BAD_VERSION, f"packet version {header['packet_id'] >> 13}")
    if header["data_length"] + PRIMARY_HEADER_LEN + 1 != len(data):
        raise ProtocolError(
            Reason.BAD_LENGTH,
            f"length field says {header['data_length'] + 7} octets, got {len(data)}",
        )
    return header


def idle_packet(total_len: int, seq_count: int = 0) -> bytes:
    """An idle packet (APID 0x7FF, no secondary header, no CRC) of exactly total_len octets."""
    if total_len < MIN_PACKET_LEN:
        raise ValueError(f"an idle packet needs at least {MIN_PACKET_LEN} octets")
    header = PrimaryHeader.pack(
        packet_id(TYPE_TM, False, IDLE_APID),
        sequence_control(SEQ_UNSEGMENTED, seq_count),
        total_len - PRIMARY_HEADER_LEN - 1,
    )
    return header + b"\x55" * (total_len - PRIMARY_HEADER_LEN)


def encode_packet(packet_type: int, apid: int, seq_count: int, data: bytes) -> bytes:
    """A packet without a secondary header (CFDP PDUs travel so): the primary header, then data."""
    if not data:
        raise ValueError("a space packet carries at least one octet")
    header = PrimaryHeader.pack(
        packet_id(packet_type, False, apid),
        sequence_control(SEQ_UNSEGMENTED, seq_count),
        len(data) - 1,
    )
    return header + data

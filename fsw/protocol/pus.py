"""PUS-C-like telecommand and telemetry packets (ECSS-E-ST-70-41C secondary headers).

TC secondary header, 5 octets: PUS version(4)=2 | ack flags(4), service, subtype, source id(16).
TM secondary header, 13 octets: PUS version(4)=2 | time reference status(4), service, subtype,
message type counter(16), destination id(16), time as CUC 4+2.
Every packet ends with a CRC-16/CCITT-FALSE over all the octets before it.
"""

from dataclasses import dataclass

from construct import Int8ub, Int16ub, Int32ub

from .compiled import Flat
from .crc import crc16
from .reasons import ProtocolError, Reason
from .spacepacket import (
    PRIMARY_HEADER_LEN,
    SEQ_UNSEGMENTED,
    TYPE_TC,
    TYPE_TM,
    packet_id,
    sequence_control,
)

PUS_VERSION = 2
TC_SECONDARY_LEN = 5
TM_SECONDARY_LEN = 13
TC_HEADERS_LEN = PRIMARY_HEADER_LEN + TC_SECONDARY_LEN
TM_HEADERS_LEN = PRIMARY_HEADER_LEN + TM_SECONDARY_LEN
CRC_LEN = 2
MIN_TC_LEN = TC_HEADERS_LEN + CRC_LEN
MIN_TM_LEN = TM_HEADERS_LEN + CRC_LEN

# ack flags, as spacepackets and the standard's bit order have them
ACK_ACCEPTANCE = 0b0001
ACK_START = 0b0010
ACK_PROGRESS = 0b0100
ACK_COMPLETION = 0b1000
ACK_ALL = 0b1111

_PRIMARY = ("packet_id" / Int16ub, "sequence_control" / Int16ub, "data_length" / Int16ub)
TcHeaders = Flat(
    *_PRIMARY,
    "pus" / Int8ub,
    "service" / Int8ub,
    "subtype" / Int8ub,
    "source_id" / Int16ub,
)
TmHeaders = Flat(
    *_PRIMARY,
    "pus" / Int8ub,
    "service" / Int8ub,
    "subtype" / Int8ub,
    "message_counter" / Int16ub,
    "destination_id" / Int16ub,
    "coarse" / Int32ub,
    "fine" / Int16ub,
)


@dataclass(slots=True)
class TcPacket:
    apid: int
    service: int
    subtype: int
    app_data: bytes = b""
    seq_count: int = 0
    ack: int = ACK_ALL
    source_id: int = 0
    seq_flags: int = SEQ_UNSEGMENTED

    @property
    def request_id(self) -> int:
        """Packet id and sequence control, as PUS-1 reports echo them (32 bits)."""
        return (packet_id(TYPE_TC, True, self.apid) << 16) | sequence_control(
            self.seq_flags, self.seq_count
        )


@dataclass(slots=True)
class TmPacket:
    apid: int
    service: int
    subtype: int
    data: bytes = b""
    time: float = 0.0
    seq_count: int = 0
    message_counter: int = 0
    destination_id: int = 0
    time_ref: int = 0
    seq_flags: int = SEQ_UNSEGMENTED


_TC_TYPE_BITS = 0x1800   # packet type 1 (TC), secondary header present
_TM_TYPE_BITS = 0x0800   # packet type 0 (TM), secondary header present


def _check(data: bytes, pid: int, length: int, pus: int, type_bits: int, kind: str) -> None:
    """The checks every PUS packet passes, in the order that names the first real fault."""
    if pid >> 13:
        raise ProtocolError(Reason.BAD_VERSION, f"packet version {pid >> 13}")
    if pid & 0x1800 != type_bits:
        raise ProtocolError(Reason.BAD_TYPE, f"not a {kind} with a secondary header")
    if length + PRIMARY_HEADER_LEN + 1 != len(data):
        raise ProtocolError(Reason.BAD_LENGTH, f"length field says {length + 7} octets, got {len(data)}")
    if crc16(data):
        raise ProtocolError(Reason.BAD_CRC, "packet error control mismatch")
    if pus >> 4 != PUS_VERSION:
        raise ProtocolError(Reason.BAD_VERSION, f"PUS version {pus >> 4}")


def encode_tc(tc: TcPacket) -> bytes:
    body = TcHeaders.pack(
        packet_id(TYPE_TC, True, tc.apid),
        sequence_control(tc.seq_flags, tc.seq_count),
        TC_SECONDARY_LEN + len(tc.app_data) + CRC_LEN - 1,
        (PUS_VERSION << 4) | (tc.ack & 0xF),
        tc.service,
        tc.subtype,
        tc.source_id,
    ) + tc.app_data
    return body + crc16(body).to_bytes(2, "big")


def decode_tc(data: bytes) -> TcPacket:
    """Parse and check a TC packet; raise ProtocolError naming the first failed check."""
    n = len(data)
    if n < MIN_TC_LEN:
        raise ProtocolError(Reason.BAD_LENGTH, f"{n} octets is shorter than a TC ({MIN_TC_LEN})")
    pid, seq, length, pus, service, subtype, source_id = TcHeaders.unpack_from(data)
    _check(data, pid, length, pus, _TC_TYPE_BITS, "TC")
    return TcPacket(
        pid & 0x7FF,
        service,
        subtype,
        bytes(data[TC_HEADERS_LEN:-CRC_LEN]),
        seq & 0x3FFF,
        pus & 0xF,
        source_id,
        seq >> 14,
    )


def encode_tm(tm: TmPacket) -> bytes:
    coarse = int(tm.time)
    body = TmHeaders.pack(
        packet_id(TYPE_TM, True, tm.apid),
        sequence_control(tm.seq_flags, tm.seq_count),
        TM_SECONDARY_LEN + len(tm.data) + CRC_LEN - 1,
        (PUS_VERSION << 4) | (tm.time_ref & 0xF),
        tm.service,
        tm.subtype,
        tm.message_counter,
        tm.destination_id,
        coarse,
        int((tm.time - coarse) * 65536),
    ) + tm.data
    return body + crc16(body).to_bytes(2, "big")


def decode_tm(data: bytes) -> TmPacket:
    """Parse and check a TM packet; raise ProtocolError naming the first failed check."""
    n = len(data)
    if n < MIN_TM_LEN:
        raise ProtocolError(Reason.BAD_LENGTH, f"{n} octets is shorter than a TM ({MIN_TM_LEN})")
    (pid, seq, length, pus, service, subtype, counter, destination, coarse, fine) = (
        TmHeaders.unpack_from(data)
    )
    _check(data, pid, length, pus, _TM_TYPE_BITS, "TM")
    return TmPacket(
        pid & 0x7FF,
        service,
        subtype,
        bytes(data[TM_HEADERS_LEN:-CRC_LEN]),
        coarse + fine / 65536,
        seq & 0x3FFF,
        counter,
        destination,
        pus & 0xF,
        seq >> 14,
    )


def is_tc(data: bytes) -> bool:
    return len(data) >= 1 and bool(data[0] & 0x10)

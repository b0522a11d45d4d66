"""TC Transfer Frame (CCSDS 232.0-B), uplink.

Primary header, 5 octets:
  version(2)=00 | bypass(1) | control command(1) | spare(2) | spacecraft id(10)
  virtual channel id(6) | frame length(10) = total octets - 1
  frame sequence number N(S)(8)
then the data field, then the 2-octet FECF (CRC-16/CCITT-FALSE over everything before it).

The data field may one day start with an SDLS security header and end with a trailer; the
layout below keeps their lengths as parameters so nothing assumes the packet starts at octet 5.
"""

from dataclasses import dataclass

from construct import Int8ub, Int16ub

from .compiled import Flat
from .constants import SPACECRAFT_ID
from .crc import crc16
from .reasons import ProtocolError, Reason

TC_HEADER_LEN = 5
FECF_LEN = 2
TC_MAX_FRAME_LEN = 1024
TC_MIN_FRAME_LEN = TC_HEADER_LEN + 1 + FECF_LEN

TcFrameHeader = Flat(
    "flags_scid" / Int16ub,    # version(2) bypass(1) control(1) spare(2) scid(10)
    "vcid_length" / Int16ub,   # vcid(6) frame length - 1 (10)
    "sequence" / Int8ub,
)


@dataclass(frozen=True, slots=True)
class TcLayout:
    """Where the data field sits inside a TC frame (room for a future SDLS header/trailer)."""

    security_header_len: int = 0
    security_trailer_len: int = 0

    @property
    def overhead(self) -> int:
        return TC_HEADER_LEN + self.security_header_len + self.security_trailer_len + FECF_LEN


PLAIN = TcLayout()


@dataclass(slots=True)
class TcFrame:
    vcid: int
    data: bytes
    sequence: int = 0
    scid: int = SPACECRAFT_ID
    bypass: bool = True
    control: bool = False


def tc_frame_length(header: bytes, offset: int = 0) -> int:
    """Total octets claimed by the TC frame header at offset."""
    return (((header[offset + 2] & 0x03) << 8) | header[offset + 3]) + 1


def encode_tc_frame(frame: TcFrame, layout: TcLayout = PLAIN) -> bytes:
    total = len(frame.data) + layout.overhead
    if total > TC_MAX_FRAME_LEN:
        raise ValueError(f"TC frame of {total} octets exceeds {TC_MAX_FRAME_LEN}")
    header = TcFrameHeader.pack(
        (int(frame.bypass) << 13) | (int(frame.control) << 12) | (frame.scid & 0x3FF),
        ((frame.vcid & 0x3F) << 10) | (total - 1),
        frame.sequence & 0xFF,
    )
    body = (
        header
        + bytes(layout.security_header_len)
        + frame.data
        + bytes(layout.security_trailer_len)
    )
    return body + crc16(body).to_bytes(2, "big")


def decode_tc_frame(data: bytes, scid: int | None = SPACECRAFT_ID, layout: TcLayout = PLAIN,
                    fecf_checked: bool = False) -> TcFrame:
    """fecf_checked: the deframer already verified the FECF (no second CRC over the frame)."""
    n = len(data)
    if n < TC_MIN_FRAME_LEN or n > TC_MAX_FRAME_LEN:
        raise ProtocolError(Reason.BAD_FRAME_LENGTH, f"TC frame of {n} octets")
    flags_scid, vcid_length, sequence = TcFrameHeader.unpack_from(data)
    if flags_scid >> 14:
        raise ProtocolError(Reason.BAD_FRAME_HEADER, f"TC frame version {flags_scid >> 14}")
    if (vcid_length & 0x3FF) + 1 != n:
        raise ProtocolError(
            Reason.BAD_FRAME_LENGTH, f"header says {(vcid_length & 0x3FF) + 1} octets, got {n}"
        )
    if not fecf_checked and crc16(data):
        raise ProtocolError(Reason.BAD_FECF, "TC frame FECF mismatch")
    if scid is not None and flags_scid & 0x3FF != scid:
        raise ProtocolError(Reason.BAD_SCID, f"spacecraft id {flags_scid & 0x3FF}, expected {scid}")
    start = TC_HEADER_LEN + layout.security_header_len
    end = n - FECF_LEN - layout.security_trailer_len
    if end <= start:
        raise ProtocolError(Reason.BAD_FRAME_LENGTH, "TC frame has an empty data field")
    return TcFrame(
        vcid=vcid_length >> 10,
        data=bytes(data[start:end]),
        sequence=sequence,
        scid=flags_scid & 0x3FF,
        bypass=bool(flags_scid & 0x2000),
        control=bool(flags_scid & 0x1000),
    )

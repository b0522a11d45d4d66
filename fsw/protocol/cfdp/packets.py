"""PDUs on the wire, and what a received PDU must pass before a CFDP handler sees it.

A PDU travels alone in a space packet on CFDP_APID: no secondary header (it is no PUS packet)
and no packet error control (the PDU's own CRC, 727.0-B-5 4.1.3, carries it: every PDU we
send has its CRC flag set). cfdp-py parses and builds the PDUs; the checks here refuse, with a
reason, what a confused or hostile peer could send to make an entity hold unbounded memory,
write outside its file or act for another entity.
"""

import re

from spacepackets.cfdp import ConditionCode, CrcFlag, Direction, LargeFileFlag, PduType
from spacepackets.cfdp.pdu import EofPdu, FileDataPdu, MetadataPdu, NakPdu, PduFactory

from ..reasons import ProtocolError
from ..spacepacket import check_primary_header, encode_packet, packet_apid
from . import CFDP_APID, MAX_FILE_OCTETS, MAX_NAME_OCTETS, MAX_PDU_OCTETS

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class PduRefused(ValueError):
    """A received PDU no handler may see; `reason` is a short label (counted), the text says why."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def wrap(pdu: bytes, packet_type: int, seq_count: int) -> bytes:
    """A space packet carrying one PDU."""
    return encode_packet(packet_type, CFDP_APID, seq_count, pdu)


def unwrap(packet: bytes) -> bytes:
    """The PDU a CFDP space packet carries (PduRefused if the packet is not one)."""
    try:
        check_primary_header(packet)
    except ProtocolError as error:
        raise PduRefused("bad_packet", str(error)) from None
    if packet_apid(packet) != CFDP_APID:
        raise PduRefused("bad_packet", f"APID {packet_apid(packet):#05x} is not CFDP's")
    return packet[6:]


def plain_name(name: str | None) -> bool:
    return bool(name) and len(name) <= MAX_NAME_OCTETS and NAME.fullmatch(name) is not None


def condition_code(code: int) -> ConditionCode:
    """spacepackets 0.32 reads an EOF PDU's condition code without shifting it down from its
    place in the octet (0xA0 for check_limit_reached, 0xF0 for a cancel): taken back here."""
    return ConditionCode(code >> 4 if code > 0x0F else code)


def parse(pdu: bytes, local_id: int):
    """The parsed PDU, if it may go to this entity's handlers; else PduRefused."""
    if len(pdu) > MAX_PDU_OCTETS:
        raise PduRefused("too_long", f"{len(pdu)} octets, the limit is {MAX_PDU_OCTETS}")
    try:
        packet = PduFactory.from_raw(pdu)
    except Exception as error:      # the parser raises many kinds on hostile octets: each is a refusal
        raise PduRefused("malformed", f"{type(error).__name__}: {error}") from None
    if packet is None:
        raise PduRefused("malformed", "no PDU, or an unknown directive")
    header = packet.pdu_header
    if header.crc_flag != CrcFlag.WITH_CRC:
        raise PduRefused("no_crc", "every PDU must carry its CRC")
    ours = packet.dest_entity_id if header.direction == Direction.TOWARDS_RECEIVER else packet.source_entity_id
    if ours.value != local_id:
        raise PduRefused("wrong_entity", f"for entity {ours.value}, this is {local_id}")
    if header.file_flag == LargeFileFlag.LARGE:
        raise PduRefused("large_file", "large-file PDUs are not accepted")
    _check_limits(packet)
    if isinstance(packet, EofPdu):
        packet.condition_code = condition_code(packet.condition_code)
    return packet


def _check_limits(packet) -> None:
    if isinstance(packet, MetadataPdu):
        if packet.file_size > MAX_FILE_OCTETS:
            raise PduRefused("file_too_large", f"{packet.file_size} octets, the limit is {MAX_FILE_OCTETS}")
        if not plain_name(packet.dest_file_name):
            raise PduRefused("bad_name", f"destination {packet.dest_file_name!r} is not a plain file name")
    elif isinstance(packet, EofPdu):
        if packet.file_size > MAX_FILE_OCTETS:
            raise PduRefused("file_too_large", f"EOF says {packet.file_size} octets")
    elif packet.pdu_type == PduType.FILE_DATA:
        assert isinstance(packet, FileDataPdu)
        if packet.offset + len(packet.file_data) > MAX_FILE_OCTETS:
            raise PduRefused("beyond_file", f"data at {packet.offset} runs past any file")
    elif isinstance(packet, NakPdu):
        for start, end in [(packet.start_of_scope, packet.end_of_scope), *(packet.segment_requests or [])]:
            if not 0 <= start <= end <= MAX_FILE_OCTETS:
                raise PduRefused("bad_segment_request", f"segment {start}-{end}")

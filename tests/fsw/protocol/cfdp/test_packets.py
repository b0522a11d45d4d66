"""PDUs on the wire (727.0-B-5 and 133.0-B-2 worked by hand, spacepackets as an oracle) and the
checks that refuse hostile PDUs with a reason, before a handler sees them."""

import os
import random

import pytest
from spacepackets.ccsds.spacepacket import SpacePacketHeader
from spacepackets.cfdp import ChecksumType, CrcFlag, Direction, LargeFileFlag, TransmissionMode
from spacepackets.cfdp.conf import PduConfig
from spacepackets.cfdp.pdu import EofPdu, FileDataPdu, MetadataPdu, NakPdu
from spacepackets.cfdp.pdu.ack import TransactionStatus
from spacepackets.cfdp.pdu.file_data import FileDataParams
from spacepackets.cfdp.pdu.metadata import MetadataParams
from spacepackets.util import UnsignedByteField

from fsw.protocol.cfdp import CFDP_APID, FLIGHT_ENTITY, GROUND_ENTITY, MAX_FILE_OCTETS, MAX_PDU_OCTETS
from fsw.protocol.cfdp.entity import Entity, _eof_ack
from fsw.protocol.cfdp.packets import PduRefused, parse, unwrap, wrap
from fsw.protocol.crc import append_crc
from fsw.protocol.spacepacket import TYPE_TM


def conf(sequence=7, crc=CrcFlag.WITH_CRC, large=LargeFileFlag.NORMAL, dest=GROUND_ENTITY) -> PduConfig:
    return PduConfig(source_entity_id=UnsignedByteField(FLIGHT_ENTITY, 2), dest_entity_id=UnsignedByteField(dest, 2),
                     transaction_seq_num=UnsignedByteField(sequence, 2), trans_mode=TransmissionMode.ACKNOWLEDGED,
                     file_flag=large, crc_flag=crc, direction=Direction.TOWARDS_RECEIVER)


def metadata(size=1000, name="image_00001.pjim", **options) -> bytes:
    return MetadataPdu(conf(**options), MetadataParams(True, ChecksumType.CRC_32, size, "src", name)).pack()


def file_data(offset=0, data=b"x" * 100, **options) -> bytes:
    return FileDataPdu(conf(**options), FileDataParams(data, offset)).pack()


def test_a_pdu_travels_in_a_space_packet_without_a_secondary_header():
    packet = wrap(b"\x22\x00\x0c", TYPE_TM, 5)
    # by hand: version 000, type 0, no secondary header, APID 0x041; unsegmented, count 5; 3 - 1
    assert packet.hex() == "0041c0050002" + "22000c"
    header = SpacePacketHeader.unpack(packet)          # the oracle reads it the same way
    assert (header.apid, header.seq_count, header.sec_header_flag, header.data_len) == (CFDP_APID, 5, False, 2)
    assert unwrap(packet) == b"\x22\x00\x0c"


def test_the_eof_acknowledgement_we_build_is_the_standard_one_worked_by_hand():
    eof = EofPdu(conf(), b"\x00" * 4, 1000)
    # 727.0-B-5 5.1 / 5.2.4, by hand: version 001, directive, toward sender, acknowledged, CRC,
    # not large: 0x2A; data field 5 octets; 2-octet entity ids and sequence number: 0x11;
    # source 61, sequence 7, destination 1; ACK 0x06; EOF acked 0x4_, subtype 0; no error, active
    expected = append_crc(bytes.fromhex("2a0005" "11" "003d" "0007" "0001" "06" "40" "01"))
    assert _eof_ack(eof, TransactionStatus.ACTIVE) == expected


@pytest.mark.parametrize("pdu, reason", [
    (metadata(size=MAX_FILE_OCTETS + 1), "file_too_large"),
    (metadata(size=(1 << 32) - 1), "file_too_large"),
    (metadata(large=LargeFileFlag.LARGE), "large_file"),
    (metadata(name="../../etc/passwd"), "bad_name"),
    (metadata(name="a/b"), "bad_name"),
    (metadata(crc=CrcFlag.NO_CRC), "no_crc"),
    (metadata(dest=99), "wrong_entity"),
    (file_data(offset=MAX_FILE_OCTETS), "beyond_file"),
    (EofPdu(conf(), b"\0" * 4, (1 << 32) - 1).pack(), "file_too_large"),
    (NakPdu(conf(), 0, 10, [(5, MAX_FILE_OCTETS + 10)]).pack(), "bad_segment_request"),
    (b"\x20" * (MAX_PDU_OCTETS + 1), "too_long"),
    (b"", "malformed"),
])
def test_hostile_pdus_are_refused_with_their_reason(pdu, reason):
    toward_sender = bytes(pdu)[:1] and bytes(pdu)[0] & 0x08     # a NAK: the flight, its sender, reads it
    with pytest.raises(PduRefused) as refused:
        parse(bytes(pdu), FLIGHT_ENTITY if toward_sender and len(pdu) <= MAX_PDU_OCTETS else GROUND_ENTITY)
    assert refused.value.reason == reason


def test_fuzzed_pdus_are_refused_never_raised_and_hold_no_memory(tmp_path):
    ground = Entity(GROUND_ENTITY, FLIGHT_ENTITY, tmp_path, lambda: 0.0)
    rng = random.Random(3)
    valid = [metadata(), file_data(), EofPdu(conf(), b"\0" * 4, 100).pack()]
    for _ in range(2000):
        pdu = bytearray(rng.choice(valid))
        cut = rng.randrange(len(pdu) + 1)
        pdu = pdu[:cut] if rng.random() < 0.5 else pdu
        for _ in range(rng.randrange(4)):
            if pdu:
                pdu[rng.randrange(len(pdu))] = rng.randrange(256)
        ground.receive(bytes(pdu))              # never raises: refused and counted, or handled
        ground.poll()
    assert sum(ground.refused.values()) > 1000
    held = sum(f.stat().st_size for f in tmp_path.rglob("*") if f.is_file())
    assert held <= 2 * 1000                      # nothing beyond the files the metadata announced


def test_data_beyond_the_announced_file_is_refused_and_the_stored_file_kept(tmp_path):
    ground = Entity(GROUND_ENTITY, FLIGHT_ENTITY, tmp_path, lambda: 0.0)
    stored = ground.received / "image_00001.pjim"
    stored.write_bytes(b"the good one")
    assert ground.receive(metadata(size=100, sequence=1))
    assert not ground.receive(file_data(offset=90, data=b"y" * 20, sequence=1))
    assert ground.refused["beyond_file"] == 1
    assert ground.receive(file_data(offset=0, data=b"z" * 50, sequence=1))
    assert stored.read_bytes() == b"the good one"          # a partial file never replaces it
    assert ground.dest.file_size == 100


def test_a_pdu_of_another_transaction_while_receiving_is_refused(tmp_path):
    ground = Entity(GROUND_ENTITY, FLIGHT_ENTITY, tmp_path, lambda: 0.0)
    assert ground.receive(metadata(size=1000, sequence=1))
    assert not ground.receive(file_data(sequence=2))
    assert ground.refused["other_transaction"] == 1


def test_random_octets_in_a_packet_are_refused_by_reason(tmp_path):
    ground = Entity(GROUND_ENTITY, FLIGHT_ENTITY, tmp_path, lambda: 0.0)
    for _ in range(200):
        ground.receive(os.urandom(random.randrange(1, 600)))
    assert sum(ground.refused.values()) == 200
    assert set(ground.refused) <= {"malformed", "too_long", "no_crc", "wrong_entity", "large_file",
                                   "file_too_large", "bad_name", "beyond_file", "bad_segment_request", "ignored",
                                   "other_transaction", "ended_transaction"}

"""The Pico program's CFDP class 1 image downlink (hil/pico/perijove/cfdp.py) in the MicroPython VM:
its PDUs read by spacepackets (an independent CFDP implementation), the Metadata PDU against one
worked out by hand from CCSDS 727.0-B-5, the file they carry read by the host's imagefile, and
file_downlink's refusals."""

import zlib

import pytest
from program_vm import run
from spacepackets.cfdp import ChecksumType, CrcFlag, Direction, LargeFileFlag, TransmissionMode
from spacepackets.cfdp.pdu import EofPdu, FileDataPdu, MetadataPdu, PduFactory

from fsw.protocol.cfdp import CFDP_APID, FLIGHT_ENTITY, GROUND_ENTITY
from fsw.protocol.crc import crc16
from fsw.protocol.imagefile import decode, unpack_planes
from fsw.protocol.reasons import Reason
from hil.targets.mpy_sim import missing_runtime

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(missing_runtime() is not None, reason=missing_runtime() or "")]

# a file_downlink request (APID, packet id, acks, service, subtype) and a captured image of two
# filters; then each tick's bulk octets are taken off the channel, as the line would drain them
SENDS = """
import json, binascii, camera, cfdp, core, pj_dictionary as D
REQUEST = (0x040, 0x1234, 15, 150, 1)
camera.state = D.CAM_STATE_READY
camera.filters = 3
camera.capture_command(None, None)
print(json.dumps([cfdp.downlink_command((camera.image_id, 2), REQUEST),
                  cfdp.downlink_command((camera.image_id + 1, 1), REQUEST),
                  cfdp.downlink_command((camera.image_id, 1), REQUEST),
                  cfdp.downlink_command((camera.image_id, 1), REQUEST),
                  camera.capture_command(None, None), camera.delete_command((camera.image_id,), None)]))
bulk = core.downlink.bulk
sent = bytearray()
while cfdp.bulk_coming():
    cfdp.tick()
    sent += bulk.pending
    bulk.pending, bulk.starts = bytearray(), []
print(json.dumps([binascii.hexlify(sent).decode(), camera.sending, cfdp.sequence,
                  binascii.hexlify(core.downlink.realtime.pending).decode()]))
"""


def packets(stream: bytes):
    """(APID, data field) of each space packet in the stream."""
    while stream:
        length = int.from_bytes(stream[4:6], "big") + 7
        yield int.from_bytes(stream[0:2], "big") & 0x7FF, stream[6:length]
        stream = stream[length:]


@pytest.fixture(scope="module")
def downlink():
    refusals, (sent, sending, sequence, realtime) = run(SENDS)
    return refusals, bytes.fromhex(sent), sending, sequence, bytes.fromhex(realtime)


def test_file_downlink_refuses_class_2_other_images_and_a_second_file(downlink):
    refusals, _sent, sending, sequence, _realtime = downlink
    # class 2, an image it does not have, then started (deferred: 0xFF), busy; the image stays
    # as it is while its file goes down
    assert refusals == [Reason.ARG_OUT_OF_RANGE, Reason.NO_SUCH_ITEM, 0xFF, Reason.BUSY, Reason.BUSY, Reason.BUSY]
    assert (sending, sequence) == (False, 1)


def test_the_metadata_pdu_is_the_one_worked_out_by_hand(downlink):
    _refusals, sent, *_ = downlink
    (apid, metadata), *rest = packets(sent)
    size = sum(len(data) - 16 for _apid, data in rest[:-1])     # the File Data PDUs' file octets
    # version 1, file directive, towards the receiver, unacknowledged, with CRC, small file; data
    # field 42 octets; 2-octet entity ids and sequence number: source 61, transaction 0, destination 1
    header = bytes([0x26, 0x00, 42, 0x11, 0x00, 61, 0x00, 0x00, 0x00, 0x01])
    # Metadata directive 7, closure not requested, checksum type 3 (CRC-32); the file's size;
    # source and destination name, each a length octet then the name
    name = b"\x10image_00001.pjim"
    assert apid == CFDP_APID
    assert metadata[:-2] == header + bytes([0x07, 0x03]) + size.to_bytes(4, "big") + name + name
    assert crc16(metadata) == 0                                   # its CRC-16 (CCITT-FALSE) checks


def test_spacepackets_reads_a_complete_file_that_the_host_decodes(downlink):
    _refusals, sent, *_ = downlink
    pdus = [PduFactory.from_raw(data) for apid, data in packets(sent) if apid == CFDP_APID]
    metadata, data, eof = pdus[0], pdus[1:-1], pdus[-1]
    assert isinstance(metadata, MetadataPdu) and isinstance(eof, EofPdu)
    assert all(isinstance(pdu, FileDataPdu) for pdu in data)
    for pdu in pdus:
        conf = pdu.pdu_header
        assert (conf.transmission_mode, conf.crc_flag, conf.direction, conf.file_flag) == (
            TransmissionMode.UNACKNOWLEDGED, CrcFlag.WITH_CRC, Direction.TOWARDS_RECEIVER, LargeFileFlag.NORMAL)
        assert (pdu.source_entity_id.value, pdu.dest_entity_id.value, pdu.transaction_seq_num.value) == (
            FLIGHT_ENTITY, GROUND_ENTITY, 0)
    assert metadata.checksum_type == ChecksumType.CRC_32
    assert (metadata.source_file_name, metadata.dest_file_name) == ("image_00001.pjim", "image_00001.pjim")
    file = b""
    for pdu in data:
        assert pdu.offset == len(file)
        file += pdu.file_data
    assert len(file) == metadata.file_size == eof.file_size
    assert eof.file_checksum == zlib.crc32(file).to_bytes(4, "big")
    meta, payload = decode(file)
    assert (meta["width"], meta["height"], meta["filters"], meta["compression"], meta["companding"]) == (
        64, 64, 3, "none", "sqrt")
    assert meta["image_id"] == 1 and meta["framelets"] == 0
    assert unpack_planes(payload, 64, 64, 2, "none").shape == (2, 64, 64)


def test_it_completes_once_the_eof_went_with_a_file_sent_event(downlink):
    _refusals, sent, _sending, _sequence, realtime = downlink
    octets = sum(len(data) - 16 for apid, data in packets(sent) if apid == CFDP_APID and data[0] & 0x10)
    reports = list(packets(realtime))
    events = {int.from_bytes(data[13:15], "big"): data[15:] for apid, data in reports if apid == 0x012}
    assert events[800][:-2] == (0).to_bytes(2, "big") + octets.to_bytes(4, "big")    # file_sent: sequence, octets
    completions = [data for apid, data in reports if apid == 0x040 and data[1:3] == bytes([1, 7])]
    assert [data[13:17] for data in completions] == [(0x1234).to_bytes(4, "big")]

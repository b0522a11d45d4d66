"""CFDP class 1 (unacknowledged, CCSDS 727.0-B-5) for the camera's image file: a Metadata PDU, File
Data PDUs, an EOF PDU, each alone in a space packet on CFDP_APID with its CRC-16, one at a time as
the bulk channel drains. The file (camera.file_start(), then the pixels in flash) is read a PDU at a
time into one buffer, and its CRC-32 (checksum type 3) worked out as it goes: never whole in RAM.
The Arduino firmware's pj_cfdp.cpp sends the same PDUs; docs/ICD.md "File delivery".
"""

import struct

import camera
import core
import link
import pj_dictionary as D
from micropython import const

_HEADER_LEN = const(10)           # fixed part 4, source entity, sequence number, destination: 2 each
_DATA_LEN = const(222)            # file octets a File Data PDU carries: its packet fills a frame's zone
assert (D.PRIMARY_HEADER_LEN + _HEADER_LEN + 4 + _DATA_LEN + D.CRC_LEN == link.ZONE_LEN
        and D.CFDP_ID_OCTETS == 2 and D.CFDP_SEQUENCE_OCTETS == 2)
_PDU_MAX = const(238)             # the File Data PDU: header, offset, data, CRC
_METADATA = const(0x07)
_EOF = const(0x04)
_CHECKSUM_CRC32 = const(3)        # SANA checksum type 3: the CRC-32 of IEEE 802.3 (zlib's)

_IDLE = const(0)
_SEND_METADATA = const(1)
_SEND_DATA = const(2)
_SEND_EOF = const(3)

step = _IDLE
sequence = 0                      # the transaction sequence number: from 0 at each boot, as the Arduino's
_request = None
_start = b""                      # the file's prefix and JSON header; the pixels follow in flash
_size = 0
_offset = 0
_crc = 0
_name = b""
_pdu = bytearray(_PDU_MAX)        # the one PDU being made


def _begin(file_data, data_len):
    """The PDU header in _pdu; data_len counts the data field with its CRC. Towards the receiver,
    unacknowledged, with CRC, small file; 2-octet entity ids and sequence number."""
    struct.pack_into(">BHBHHH", _pdu, 0, 0x20 | (0x10 if file_data else 0) | 0x04 | 0x02, data_len,
                     ((D.CFDP_ID_OCTETS - 1) << 4) | (D.CFDP_SEQUENCE_OCTETS - 1),
                     D.CFDP_FLIGHT_ENTITY, sequence, D.CFDP_GROUND_ENTITY)
    return _HEADER_LEN


def _send(length):
    """The PDU's CRC-16 after its first `length` octets, then the PDU to the bulk channel."""
    struct.pack_into(">H", _pdu, length, link.crc16(memoryview(_pdu)[:length]))
    core.downlink.raw_packet(D.CFDP_APID, memoryview(_pdu)[:length + D.CRC_LEN])


def _read(view, offset):
    """The file's octets from offset into view: the start from RAM, the pixels from flash."""
    head = min(max(len(_start) - offset, 0), len(view))
    if head:
        view[:head] = _start[offset:offset + head]
    if head < len(view):
        with open(camera.IMAGE_FILE, "rb") as stored:
            stored.seek(offset + head - len(_start))
            stored.readinto(view[head:])


def downlink_command(args, request):
    global step, _request, _start, _size, _offset, _crc, _name
    ident, cfdp_class = args
    if cfdp_class != 1:           # class 2 needs NAKs answered and timers: not on this board
        return D.REASON_ARG_OUT_OF_RANGE
    if step != _IDLE:
        return D.REASON_BUSY
    start = camera.file_start(ident)
    if start is None:
        return D.REASON_NO_SUCH_ITEM
    _start, _size, _offset, _crc = start, len(start) + camera.image_len, 0, 0
    _name = f"image_{ident:05d}.pjim".encode()   # as the host names it
    _request = request
    camera.sending = True
    step = _SEND_METADATA
    return core.DEFERRED


def bulk_coming():
    return step != _IDLE


def tick():
    """One PDU, when the bulk channel has room for it and for housekeeping besides."""
    if step == _IDLE or core.downlink.room(bulk=True) < link.ZONE_LEN + link.HK_ROOM:
        return
    if step == _SEND_METADATA:
        _metadata()
    elif step == _SEND_DATA:
        _file_data()
    else:
        _eof()


def _metadata():
    global step
    names = 2 * (1 + len(_name))
    at = _begin(False, 1 + 1 + 4 + names + D.CRC_LEN)
    struct.pack_into(">BBI", _pdu, at, _METADATA, _CHECKSUM_CRC32, _size)   # closure not requested
    at += 6
    for _ in range(2):            # source and destination file names: the same
        _pdu[at] = len(_name)
        _pdu[at + 1:at + 1 + len(_name)] = _name
        at += 1 + len(_name)
    _send(at)
    step = _SEND_DATA


def _file_data():
    global step, _offset, _crc
    count = min(_DATA_LEN, _size - _offset)
    at = _begin(True, 4 + count + D.CRC_LEN)
    struct.pack_into(">I", _pdu, at, _offset)
    data = memoryview(_pdu)[at + 4:at + 4 + count]
    _read(data, _offset)
    _crc = camera.crc32(data, _crc)
    _send(at + 4 + count)
    _offset += count
    if _offset == _size:
        step = _SEND_EOF


def _eof():
    global step, sequence, _request, _start
    at = _begin(False, 1 + 1 + 4 + 4 + D.CRC_LEN)
    struct.pack_into(">BBII", _pdu, at, _EOF, 0, _crc & 0xFFFFFFFF, _size)   # no error
    _send(at + 10)
    step = _IDLE
    camera.sending = False
    core.event(D.EVENT_FILE_SENT, sequence, _size)
    sequence = (sequence + 1) & 0xFFFF
    request, _request, _start = _request, None, b""
    core.complete(request, 0)

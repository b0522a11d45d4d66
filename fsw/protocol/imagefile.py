"""The image payload, as flight stores it and ground rebuilds it (part of the interface).

Blob:    b"PJIM" | u32 header length | header (JSON, UTF-8) | payload
Payload: the filter planes in filter-bit order (red, green, blue, methane; only those taken),
         each height x width octets (8-bit DN), rows top to bottom; zlib-compressed when
         compression is "lossless", fixed-size blocks when "lossy"
         (fsw/protocol/lossy.py). A push-frame image (framelets > 0 in its metadata) holds each
         filter's framelets as they were read, one strip after another (height / framelets rows
         each: STRIP_ROWS at full scale, STRIP_ROWS / n when the readout sums n x n pixels): the
         strips sit at different places on the chip (STRIP_OFFSET rows below the methane strip),
         so a filter's framelet k saw the sky rows k x strip - offset onwards; reassemble() lines
         them up. The payload is what goes down in image_segment reports;
         image_meta carries its size and CRC-32 so ground can check and unpack it.
"""

import json
import math
import struct
import zlib

import numpy as np

from . import lossy

MAGIC = b"PJIM"
SEGMENT_OCTETS = 512      # an image_segment packet (~540 octets) fits a 1024-octet TM frame
_PREFIX = struct.Struct(">4sI")


# JunoCam's chip at its own scale (Hansen et al., Space Sci Rev 2014, doi:10.1007/s11214-014-0079-x:
# 1648 pixels read across, four filter strips of ~155 rows bonded to the CCD, ~128 rows read from
# each). Top to bottom methane, blue, green, red: as the spin sweeps the sky down the chip, the
# methane strip sees a row of sky first. Where each strip's 128 rows start, in rows below the
# methane strip's first row: from the optical centre each framelet's rows are measured from in the
# NAIF instrument kernel juno_junocam_v03.ti (cy: methane 315.48, blue 158.48, green 3.48,
# red -151.52), so 315.48 - cy.
STRIP_ROWS = 128
STRIP_OFFSET = {"methane": 0, "blue": 157, "green": 312, "red": 467}
# the readout modes: n x n pixels summed into one (1: full scale, 1648 x 128 a strip). JunoCam's own
# archive records a summing ("sampling") factor of 2 (816-pixel-wide images); 4 is this emulator's
# extension of it, for a downlink that keeps the demo under a minute.
SUMMING = (1, 2, 4)


def strip_offset(name: str, summing: int = 1) -> int:
    """Rows below the methane strip where a filter's strip begins, in rows of this readout."""
    return round(STRIP_OFFSET[name] / summing)


def image_rows(framelets: int, summing: int = 1) -> int:
    """Rows of sky that every filter saw in an image of this many framelets (0: none)."""
    lag = max(strip_offset(name, summing) for name in STRIP_OFFSET)
    return max(0, framelets * (STRIP_ROWS // summing) - lag)


def framelets_for(rows: int, summing: int = 1) -> int:
    """Framelets that give every filter this many rows of sky (image_rows' inverse)."""
    lag = max(strip_offset(name, summing) for name in STRIP_OFFSET)
    return math.ceil((rows + lag) / (STRIP_ROWS // summing))


def summing_of(height: int, framelets: int) -> int | None:
    """The readout's summing, from a push-frame image's height (framelets x rows a strip), or None
    when the height fits no readout mode."""
    for summing in SUMMING:
        if framelets and height == framelets * (STRIP_ROWS // summing):
            return summing
    return None


def reassemble(planes: dict, framelets: int) -> dict:
    """{filter: raw framelet rows} -> {filter: image}: each filter's strips lined up with the sky.
    The image is image_rows() high, where every filter saw every row; planes that fit no readout,
    or too few framelets for that, are left as they are."""
    if not planes:
        return {}
    summing = summing_of(next(iter(planes.values())).shape[0], framelets)
    rows = image_rows(framelets, summing) if summing else 0
    if rows == 0:
        return dict(planes)
    return {name: plane[strip_offset(name, summing):strip_offset(name, summing) + rows]
            for name, plane in planes.items()}


class ImageFileError(ValueError):
    pass


def encode(meta: dict, planes: np.ndarray, compression: str, upsets=None) -> tuple[bytes, dict]:
    """The blob and the completed metadata (size, checksum) for these planes. `upsets(nbits)`, if
    given, names the bits radiation flips in the lossy compressor's memory before the image is
    stored (so the checksum covers them: the image comes down intact, with blocks of noise)."""
    planes = np.ascontiguousarray(planes, dtype=np.uint8)
    if compression == "lossy":
        payload = bytearray(lossy.encode(planes))
        for bit in (upsets(len(payload) * 8) if upsets else ()):
            payload[bit // 8] ^= 1 << (bit % 8)
        payload = bytes(payload)
    elif compression == "lossless":
        payload = zlib.compress(planes.tobytes(), 6)
    else:
        payload = planes.tobytes()
    meta = dict(meta, compression=compression, size=len(payload), checksum=zlib.crc32(payload),
                segments=segment_count(len(payload)))
    header = json.dumps(meta, sort_keys=True).encode()
    return _PREFIX.pack(MAGIC, len(header)) + header + payload, meta


def segment_count(size: int) -> int:
    return max(1, math.ceil(size / SEGMENT_OCTETS))


def check_payload(meta: dict, payload: bytes) -> None:
    """The payload is the one the metadata describes (size, then CRC-32)."""
    if meta.get("size") != len(payload):
        raise ImageFileError(f"{len(payload)} octets, metadata says {meta.get('size')}")
    if meta.get("checksum") != zlib.crc32(payload):
        raise ImageFileError("checksum mismatch")


def decode(blob: bytes) -> tuple[dict, bytes]:
    """Metadata and payload, or ImageFileError saying what is wrong."""
    if len(blob) < _PREFIX.size:
        raise ImageFileError("shorter than its prefix")
    magic, length = _PREFIX.unpack_from(blob)
    if magic != MAGIC:
        raise ImageFileError("not an image blob")
    if _PREFIX.size + length > len(blob):
        raise ImageFileError("header runs past the end")
    try:
        meta = json.loads(blob[_PREFIX.size:_PREFIX.size + length])
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImageFileError(f"header is not JSON: {error}") from None
    if not isinstance(meta, dict):
        raise ImageFileError("header is not an object")
    payload = blob[_PREFIX.size + length:]
    try:
        check_payload(meta, payload)
    except ImageFileError as error:
        raise ImageFileError(f"payload does not match its header: {error}") from None
    return meta, payload


def unpack_planes(payload: bytes, width: int, height: int, planes: int, compression: str) -> np.ndarray:
    """(planes, height, width) uint8 from a payload. Never inflates more than the pixels need:
    a small stream from a confused or hostile sender can claim gigabytes."""
    count = width * height * planes
    if count <= 0:
        raise ImageFileError("empty image")
    raw = payload
    if compression == "lossy":
        if height % lossy.BLOCK or len(payload) != lossy.encoded_size(planes, height, width):
            raise ImageFileError(f"{len(payload)} octets is not a lossy {planes}x{height}x{width} image")
        return lossy.decode(payload, planes, height, width)
    if compression == "lossless":
        try:
            raw = zlib.decompressobj().decompress(payload, count + 1)
        except zlib.error as error:
            raise ImageFileError(f"payload does not decompress: {error}") from None
        if len(raw) > count:
            raise ImageFileError(f"decompresses to more than its {count} pixels")
    if len(raw) != count:
        raise ImageFileError(f"payload holds {len(raw)} octets, expected {count}")
    return np.frombuffer(raw, np.uint8).reshape(planes, height, width)

"""The image payload, as flight stores it and ground rebuilds it (part of the interface).

Blob:    b"PJIM" | u32 header length | header (JSON, UTF-8) | payload
Payload: the filter planes in filter-bit order (red, green, blue, methane; only those taken),
         each height x width octets (8-bit DN), rows top to bottom; zlib-compressed when
         compression is "lossless", fixed-size blocks when "lossy"
         (fsw/protocol/lossy.py). A push-frame image (framelets > 0 in its metadata) holds each
         filter's framelets as they were read, one STRIP_ROWS-row strip after another: the strips
         sit at different places on the chip (STRIP_LAG, in strips), so a filter's framelet k saw
         the sky rows of the image's strip k - lag; reassemble() lines them up. The payload is what goes down in image_segment reports;
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


# JunoCam's chip (scaled 1/4: 412 of 1648 columns, 32 of ~128 rows per filter strip), top to
# bottom methane, blue, green, red: as the spin sweeps the sky down the chip, the methane strip
# sees a row of sky first and the red one three strips later
STRIP_ROWS = 32
STRIP_LAG = {"methane": 0, "blue": 1, "green": 2, "red": 3}
MAX_LAG = max(STRIP_LAG.values())


def reassemble(planes: dict, framelets: int) -> dict:
    """{filter: raw framelet rows} -> {filter: image}: each filter's strips lined up with the sky.
    The image is (framelets - 3) strips high, where every filter saw every row; fewer framelets
    than that leave the raw strips as they are."""
    if framelets <= MAX_LAG:
        return dict(planes)
    rows = (framelets - MAX_LAG) * STRIP_ROWS
    return {name: plane[STRIP_LAG[name] * STRIP_ROWS:STRIP_LAG[name] * STRIP_ROWS + rows]
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

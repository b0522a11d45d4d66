"""The image payload format, shared by the flight store and ground."""

import zlib

import numpy as np
import pytest

from fsw.protocol import imagefile


def test_round_trip_of_the_container_without_any_dictionary():
    planes = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    blob, meta = imagefile.encode({"anything": 1}, planes, "lossless")
    decoded, payload = imagefile.decode(blob)
    assert decoded == meta and decoded["anything"] == 1
    assert (imagefile.unpack_planes(payload, 4, 3, 2, "lossless") == planes).all()


def test_check_payload_says_size_then_checksum():
    payload = bytes(8)
    imagefile.check_payload({"size": 8, "checksum": zlib.crc32(payload)}, payload)
    with pytest.raises(imagefile.ImageFileError, match="7 octets, metadata says 8"):
        imagefile.check_payload({"size": 8, "checksum": zlib.crc32(payload)}, payload[:7])
    with pytest.raises(imagefile.ImageFileError, match="checksum"):
        imagefile.check_payload({"size": 8, "checksum": 1}, payload)


def test_unpacking_never_inflates_more_than_the_pixels_need():
    bomb = zlib.compress(bytes(50_000_000), 9)
    with pytest.raises(imagefile.ImageFileError, match="more than its 8 pixels"):
        imagefile.unpack_planes(bomb, 4, 2, 1, "lossless")
    with pytest.raises(imagefile.ImageFileError, match="empty"):
        imagefile.unpack_planes(b"", 0, 2, 1, "none")

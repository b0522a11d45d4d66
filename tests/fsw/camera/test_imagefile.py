import numpy as np
import pytest

from fsw.camera import imagefile


def planes():
    return np.random.default_rng(0).integers(0, 255, (2, 12, 16), dtype=np.uint8)


@pytest.mark.parametrize("compression", ["none", "lossless"])
def test_round_trip(compression):
    blob, meta = imagefile.encode({"image_id": 3}, planes(), compression)
    decoded, payload = imagefile.decode(blob)
    assert decoded == meta and meta["segments"] == imagefile.segment_count(len(payload))
    assert (imagefile.unpack_planes(payload, 16, 12, 2, compression) == planes()).all()


@pytest.mark.parametrize("mangle", [
    lambda b: b[:3],
    lambda b: b"XXXX" + b[4:],
    lambda b: b[:-1],
    lambda b: b[:8] + b"\x00" + b[9:],
    lambda b: b[:4] + b"\xff\xff\xff\xff" + b[8:],
])
def test_corrupt_blobs_are_reported_not_raised(mangle):
    blob, _ = imagefile.encode({"image_id": 3}, planes(), "lossless")
    with pytest.raises(imagefile.ImageFileError):
        imagefile.decode(mangle(blob))


def test_bad_payloads_are_reported():
    with pytest.raises(imagefile.ImageFileError):
        imagefile.unpack_planes(b"not zlib", 16, 12, 2, "lossless")
    with pytest.raises(imagefile.ImageFileError):
        imagefile.unpack_planes(b"short", 16, 12, 2, "none")


def test_filter_names():
    assert imagefile.filter_names(15) == ("red", "green", "blue", "methane")
    assert imagefile.filter_names(10) == ("green", "methane")

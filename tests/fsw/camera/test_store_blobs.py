import numpy as np
import pytest

from fsw.camera.dictionary import FILTERS
from fsw.camera.store import checked_decode
from fsw.dictionary import load
from fsw.protocol import imagefile


def planes():
    return np.random.default_rng(0).integers(0, 255, (2, 12, 16), dtype=np.uint8)


def meta(**changes):
    """What the camera stores with an image (image_meta's fields but the id, which names the blob)."""
    return {"time": 757_000_000, "width": 16, "height": 12, "filters": 3, "exposure": 5, "tdi": 2,
            "io_range": 1500.0, "hot_pixels": 10, "dark_level": 1.5, "noise": 0.5, "dose": 0.0,
            "stripes": 0.2, "dropouts": 0, "companding": "sqrt",
            "framelets": 0} | changes


@pytest.mark.parametrize("compression", ["none", "lossless"])
def test_round_trip(compression):
    blob, stored = imagefile.encode(meta(), planes(), compression)
    decoded, payload = checked_decode(blob, load())
    assert decoded == stored and stored["segments"] == imagefile.segment_count(len(payload))
    assert (imagefile.unpack_planes(payload, 16, 12, 2, compression) == planes()).all()


@pytest.mark.parametrize("mangle", [
    lambda b: b[:3],
    lambda b: b"XXXX" + b[4:],
    lambda b: b[:-1],
    lambda b: b[:8] + b"\x00" + b[9:],
    lambda b: b[:4] + b"\xff\xff\xff\xff" + b[8:],
])
def test_corrupt_blobs_are_reported_not_raised(mangle):
    blob, _ = imagefile.encode(meta(), planes(), "lossless")
    with pytest.raises(imagefile.ImageFileError):
        checked_decode(mangle(blob), load())


@pytest.mark.parametrize("header", [
    {k: v for k, v in meta().items() if k != "time"},     # a key missing
    meta(width=-1),                                        # a value image_meta cannot carry
    meta(filters="red"),
])
def test_a_header_that_does_not_fit_image_meta_is_reported(header):
    blob, _ = imagefile.encode(header, planes(), "lossless")
    with pytest.raises(imagefile.ImageFileError, match="header"):
        checked_decode(blob, load())


def test_bad_payloads_are_reported():
    with pytest.raises(imagefile.ImageFileError):
        imagefile.unpack_planes(b"not zlib", 16, 12, 2, "lossless")
    with pytest.raises(imagefile.ImageFileError):
        imagefile.unpack_planes(b"short", 16, 12, 2, "none")


def test_filter_names():
    assert FILTERS.flag_names(15) == ("red", "green", "blue", "methane")
    assert FILTERS.flag_names(10) == ("green", "methane")

import json

import numpy as np
import pytest
from fake_flight import FakeFlight, synthetic_image
from PIL import Image

from fsw.link import link_pair
from ground.images import ImageAssembly, ImageError, assemble, damage_metrics, save
from ground.procedures import connect


def test_lost_segments_are_asked_for_again_and_the_image_is_exact():
    flight_end, ground_end = link_pair()
    pixels, meta, segments = synthetic_image()
    flight = FakeFlight(flight_end, drop_segments={1, 3, len(segments) - 1}).start()
    seen = []
    with connect(link=ground_end, archive=False, timeout=5) as gs:
        image = gs.downlink_image(1, progress=lambda got, total: seen.append((got, total)), quiet=0.5,
                                  via="segments")
    flight.stop()
    requests = [args for name, args in flight.received if name == "cam_downlink"]
    assert requests[0]["first_segment"] == 0 and requests[1]["first_segment"] == 1
    assert image.requests == 2
    assert np.array_equal(image.planes["red"], pixels[0])
    assert np.array_equal(image.planes["blue"], pixels[2])
    assert seen[-1] == (len(segments), len(segments))


def test_assembly_reports_missing_segments_and_refuses_a_bad_checksum():
    _, meta, segments = synthetic_image()
    assembly = ImageAssembly(1)
    assembly.add_meta(meta)
    for index in (0, 2):
        assembly.add_segment(dict(segment=index, segments=len(segments), data=segments[index]))
    assert assembly.missing()[:2] == [1, 3]
    with pytest.raises(ImageError, match="missing"):
        assembly.data()
    for index in range(len(segments)):
        assembly.add_segment(dict(segment=index, segments=len(segments), data=segments[index]))
    assert assembly.duplicates == 2 and assembly.complete
    assembly.meta["checksum"] ^= 1
    with pytest.raises(ImageError, match="checksum"):
        assembly.data()


def test_save_writes_a_colour_png_and_a_sidecar(tmp_path):
    pixels, meta, segments = synthetic_image()
    assembly = ImageAssembly(1)
    assembly.add_meta(meta)
    for index, data in enumerate(segments):
        assembly.add_segment(dict(segment=index, segments=len(segments), data=data))
    written = save(assemble(assembly), tmp_path)
    png = Image.open(tmp_path / "image_0001.png")
    assert png.mode == "RGB" and png.size == (meta["width"], meta["height"])
    side = json.loads((tmp_path / "image_0001.json").read_text())
    assert side["filters"] == ["red", "green", "blue"] and side["io_range_km"] == 1500.0
    assert side["time"].startswith("2023-")
    assert len(written) == 2


def test_damage_metrics_count_isolated_hot_pixels():
    plane = np.full((20, 40), 40, np.uint16)
    plane[5, 5] = plane[12, 20] = 2000
    assert damage_metrics({"red": plane})["hot_pixels_measured"] == 2


def test_damage_metrics_measure_background_stripes_and_dropouts_on_the_sky():
    rng = np.random.default_rng(1)
    rows = rng.normal(0, 60, (200, 1))                       # one offset per row: stripes
    plane = np.clip(700 + rows + rng.normal(0, 5, (200, 300)), 1, 4095)
    plane[:, 40:260] += 1500                                 # Io in the middle
    plane[rng.random(plane.shape) < 0.002] = 0               # dropouts
    metrics = damage_metrics({"red": plane.astype(np.uint16)})
    assert abs(metrics["background"] - 700) < 15
    assert 45 < metrics["stripes_measured"] < 75
    assert metrics["background_noise"] < 8
    assert 60 < metrics["dropouts_measured"] < 180
    assert 1400 < metrics["dynamic_range"] < 1800


def test_sidecar_states_companding_and_compression(tmp_path):
    from ground.images import DownlinkedImage
    codes = np.full((8, 30), 100, np.uint8)
    meta = {"time": 757_000_000, "width": 30, "height": 8, "exposure": 5, "tdi": 2, "io_range": 2500.0,
            "companding": "sqrt", "compression": "lossless", "hot_pixels": 0, "dark_level": 40.0, "noise": 4.0,
            "stripes": 0.1, "dropouts": 0, "dose": 1.0}
    image = DownlinkedImage(3, meta, {"methane": codes}, 1)
    assert image.dn["methane"][0, 0] == round(4095 * (100 / 255) ** 2)
    save(image, tmp_path)
    side = json.loads((tmp_path / "image_0003.json").read_text())
    assert (side["companding"], side["compression"], side["filters"]) == ("sqrt", "lossless", ["methane"])

import numpy as np

from fsw.hw.sim.detector import HEIGHT, WIDTH
from fsw.hw.sim.scene import disk_radius_px, render


def lit_pixels(range_km):
    return int((render(range_km, 60.0, ("red",))["red"] > 0.01).sum())


def test_disk_fills_the_frame_at_closest_approach_and_shrinks_with_range():
    assert disk_radius_px(1500) > HEIGHT / 2
    assert lit_pixels(1500) > 0.6 * WIDTH * HEIGHT
    assert lit_pixels(10_000) > lit_pixels(100_000) > lit_pixels(1_000_000) > 0
    assert lit_pixels(1_000_000) < 10


def test_terminator_and_jupitershine():
    planes = render(5000, 100.0, ("green",))["green"]
    row = planes[HEIGHT // 2 + 40]               # below the hotspots
    inside = row[row > 0]
    assert inside.max() > 0.3                     # the sunlit side
    assert 0 < np.percentile(inside, 5) < 0.05    # the night side, faint but not black


def test_hotspots_glow_red_on_the_night_side():
    planes = render(5000, 150.0, ("red", "blue"))
    red, blue = planes["red"], planes["blue"]
    brightest = np.unravel_index(np.argmax(red), red.shape)
    assert red[brightest] > 1.0 and red[brightest] > 2 * blue[brightest]


def test_far_io_keeps_its_brightness_when_tiny():
    total = render(1_000_000, 30.0, ("red",))["red"].sum()
    assert 0.1 < total < 5

"""The damage measured as flight measures it: from synthesised dark frames."""

import numpy as np
import pytest

from fsw.camera.quality import measure_dark
from fsw.hw.sim.detector import DARK_COLUMNS, DARK_ROWS, FULL_SCALE, WIDTH, Detector
from fsw.hw.sim.radiation import Damage
from fsw.protocol.imagefile import STRIP_ROWS

WINDOW = 4 * DARK_ROWS * DARK_COLUMNS     # the dark frame's pixels


def metrics(passes, seed=1):
    return measure_dark(Detector(seed).dark_frame(Damage.after_passes(passes), np.random.default_rng(0)))


def test_a_fresh_detector_is_clean():
    fresh = metrics(0)
    assert fresh["hot_pixels"] == 0 and fresh["dropouts"] == 0
    assert fresh["noise"] < 5 and fresh["stripes"] < 1 and fresh["dark_level"] < 50


def test_56_perijoves_raise_the_offset_stripe_the_rows_and_drop_pixels():
    fresh, damaged = metrics(0), metrics(56)
    assert damaged["dark_level"] > fresh["dark_level"] + 400        # raised background
    assert damaged["stripes"] > 50                                  # horizontal stripes
    assert damaged["noise"] > 25
    assert 0.001 * WINDOW < damaged["dropouts"] < 0.005 * WINDOW
    assert 20 < damaged["hot_pixels"] < 0.003 * WINDOW                # a small population, not 9% of the frame


def test_stripes_differ_from_framelet_to_framelet():
    detector, damage, rng = Detector(2), Damage.after_passes(56), np.random.default_rng(3)
    zeros = np.zeros((STRIP_ROWS, WIDTH), np.float32)
    first = np.median(detector.read_out(zeros, 0, damage, 1.0, rng), axis=1)
    second = np.median(detector.read_out(zeros, 0, damage, 1.0, rng), axis=1)
    assert np.corrcoef(first, second)[0, 1] < 0.3


def test_the_damaged_regulator_loses_dynamic_range():
    detector, rng = Detector(2), np.random.default_rng(3)
    bright = np.full((STRIP_ROWS, WIDTH), 5000.0, np.float32)
    fresh = detector.read_out(bright, 0, Damage(), 1.0, rng)
    damaged = detector.read_out(bright, 0, Damage.after_passes(56), 1.0, rng)
    assert fresh.max() == FULL_SCALE and damaged.max() < FULL_SCALE - 1000


def test_hot_pixels_stay_put_from_frame_to_frame():
    detector, damage = Detector(3), Damage.after_passes(56)
    def hot(frame):
        frame = frame.astype(float)
        return frame - np.median(frame, axis=2, keepdims=True) > 400

    first = hot(detector.dark_frame(damage, np.random.default_rng(1)))
    second = hot(detector.dark_frame(damage, np.random.default_rng(2)))
    assert first.sum() > 0 and (first & second).sum() > 0.8 * first.sum()


def test_a_summed_readout_keeps_the_electronics_damage_and_dilutes_hot_pixels():
    detector, damage, rng = Detector(3), Damage.after_passes(56), np.random.default_rng(4)
    zeros = np.zeros((STRIP_ROWS // 4, WIDTH // 4), np.float32)
    summed = measure_dark(np.stack([detector.read_out(zeros, r, damage, 1.0, rng, summing=4) for r in range(4)]))
    full = metrics(56, seed=3)
    # offset, stripes and noise come from the regulator, after the chip: the same in every readout
    assert summed["dark_level"] == pytest.approx(full["dark_level"], rel=0.1)
    assert summed["stripes"] == pytest.approx(full["stripes"], rel=0.3)
    assert summed["noise"] == pytest.approx(full["noise"], rel=0.1)
    # a hot pixel's charge shares a summed pixel with 15 others: far fainter
    assert summed["hot_pixels"] < 0.2 * full["hot_pixels"]

import numpy as np

from fsw.camera.quality import measure_dark
from fsw.hw.sim.detector import Detector
from fsw.hw.sim.radiation import Damage


def metrics(passes, seed=1):
    return measure_dark(Detector(seed).dark_frame(Damage.after_passes(passes), np.random.default_rng(0)))


def test_a_fresh_detector_has_no_hot_pixels():
    fresh = metrics(0)
    assert fresh["hot_pixels"] == 0 and fresh["noise"] < 2.5


def test_damage_is_measured_not_copied():
    damaged = metrics(56)
    model = Damage.after_passes(56).hot_pixels
    assert damaged["hot_pixels"] != round(model)
    assert 0.8 * model < damaged["hot_pixels"] < 1.05 * model


def test_56_perijoves_badly_impair_the_camera():
    damaged = metrics(56)
    assert damaged["hot_pixels"] > 20000          # the red limit
    assert damaged["dark_level"] > 20
    assert damaged["noise"] > 8


def test_hot_pixels_stay_put_from_frame_to_frame():
    detector, damage = Detector(3), Damage.after_passes(20)
    first = detector.dark_frame(damage, np.random.default_rng(1)) > 60
    second = detector.dark_frame(damage, np.random.default_rng(2)) > 60
    assert (first & second).sum() > 0.9 * first.sum()

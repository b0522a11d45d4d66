"""The camera head as JunoCam works: one chip, four strips at their places, framelets in step with the spin."""

import numpy as np
import pytest

from fsw import mission
from fsw.hw.sim import camera as head_module
from fsw.hw.sim.camera import SimCameraHead
from fsw.hw.sim.detector import HEIGHT, WIDTH
from fsw.hw.sim.radiation import Damage
from fsw.protocol.companding import compand, decompand
from fsw.protocol.imagefile import STRIP_ROWS, framelets_for, image_rows, reassemble, strip_offset

FILTERS = ("red", "green", "blue", "methane")
SUM = 4             # the demo's readout: 4 x 4 pixels summed (what is checked holds at any summing)


def image(head, summing=SUM, framelets=None):
    framelets = framelets or framelets_for(HEIGHT // summing, summing)
    head.begin_image(FILTERS, exposure_ms=5, tdi=2, summing=summing)
    raw = np.concatenate([compand(head.read_framelet(k)) for k in range(framelets)], axis=1)
    return raw, reassemble(dict(zip(FILTERS, raw)), framelets)


def test_framelets_come_every_spin_step_and_tdi_stages_last_a_row():
    assert head_module.ROW_TIME_S == pytest.approx(3.2e-3, rel=0.02)       # Hansen et al. 2014: 3.2 ms
    assert 0.38 < head_module.FRAMELET_INTERVAL_S < 0.45                  # ~400 ms at 2 rpm
    assert head_module.FRAMELET_INTERVAL_S == STRIP_ROWS * head_module.ROW_TIME_S


def test_the_strips_sit_at_their_places_and_reassemble_into_one_aligned_image():
    head = SimCameraHead(np.random.default_rng(1), now=mission.IO_57 - 111, damage=Damage(), seed=3)
    raw, planes = image(head)
    framelets = framelets_for(HEIGHT // SUM, SUM)
    assert raw.shape[1:] == (framelets * STRIP_ROWS // SUM, WIDTH // SUM)
    # red's first rows saw the sky above the frame (its strip starts 467 chip rows below methane's):
    # dark; methane's first framelet already the disk's top rows
    assert decompand(raw[0, :strip_offset("red", SUM)]).mean() < 60
    # reassembled, every filter shows the disk at the same rows
    assert all(plane.shape[0] == image_rows(framelets, SUM) >= HEIGHT // SUM for plane in planes.values())

    def profile(plane):           # the disk's width row by row: where it starts and ends
        lit = decompand(plane) > 200
        return lit.sum(axis=1).astype(float)

    red = profile(planes["red"])
    for name in ("green", "blue", "methane"):
        other = profile(planes[name])
        shifts = range(-STRIP_ROWS // SUM, STRIP_ROWS // SUM + 1)
        best = max(shifts, key=lambda s: float(np.dot(red, np.roll(other, s))))
        assert best == 0, (name, best)


def test_full_scale_is_junocams_chip_and_summing_sees_the_same_sky_through_larger_pixels():
    now = mission.IO_57 - 900                                   # Io ~16,000 km away: a small disk
    full = SimCameraHead(np.random.default_rng(1), now=now, damage=Damage(), seed=3)
    full.begin_image(("green",), exposure_ms=3, tdi=1)
    middle = framelets_for(HEIGHT, 1) // 2
    framelet = full.read_framelet(middle)
    assert framelet.shape == (1, STRIP_ROWS, WIDTH) == (1, 128, 1648)
    summed = SimCameraHead(np.random.default_rng(1), now=now, damage=Damage(), seed=3)
    summed.begin_image(("green",), exposure_ms=3, tdi=1, summing=SUM)
    assert summed.read_framelet(middle).shape == (1, STRIP_ROWS // SUM, WIDTH // SUM)

    def disk_width(head, summing):
        plane = head._image[1]["green"]
        return (plane[plane.shape[0] // 2] > 0.05).sum()

    assert disk_width(full, 1) == pytest.approx(SUM * disk_width(summed, SUM), rel=0.05)


def test_the_night_side_shows_after_companding():
    head = SimCameraHead(np.random.default_rng(1), now=mission.IO_57 - 111, damage=Damage(), seed=3)
    _, planes = image(head)
    green = planes["green"].astype(float)
    middle = green[HEIGHT // SUM // 2]
    sky, night = middle[:10].mean(), middle[int(0.7 * len(middle)):int(0.8 * len(middle))].mean()
    assert night > sky + 4          # several 8-bit codes above the sky: visible, not lost in one DN


def test_radiation_flips_bits_near_perijove_and_hardly_far_from_it():
    near = SimCameraHead(np.random.default_rng(1), now=mission.PJ57 - 111, damage=Damage(), seed=3)
    far = SimCameraHead(np.random.default_rng(1), now=mission.IO_57 - 20 * 86400, damage=Damage(), seed=3)
    assert len(near.memory_upsets(5_000_000)) > 30
    assert len(far.memory_upsets(5_000_000)) == 0


def test_an_exposure_longer_than_a_row_time_collects_more_light_and_smears_it_along_the_spin():
    step = np.zeros((40, 3), np.float32)
    step[20:] = 1.0                                    # a sharp edge across the spin direction
    sharp = head_module.smear(step, 1.0)
    assert np.array_equal(sharp, step)
    smeared = head_module.smear(step, 4.0)             # the sky moved four rows while exposed
    ramp = smeared[16:21, 0]
    assert np.allclose(ramp, [0, 0.25, 0.5, 0.75, 1.0])
    assert np.allclose(head_module.smear(step, 2.5)[18:21, 0], [0.2, 0.6, 1.0])   # the last row in part

    def steepest_step(exposure_ms):
        """Io's limb along the spin: the largest change from one row to the next, and the light."""
        head = SimCameraHead(np.random.default_rng(1), now=mission.IO_57 - 111, damage=Damage(), seed=3)
        head.begin_image(("green",), exposure_ms=exposure_ms, tdi=1, summing=SUM)
        plane = head._image[1]["green"]
        return float(np.abs(np.diff(plane, axis=0)).max()), head._image[2]

    row_ms = head_module.ROW_TIME_S * 1000 * SUM       # a summed row: SUM rows of the chip
    sharp_step, sharp_light = steepest_step(int(row_ms))
    long_step, long_light = steepest_step(int(6 * row_ms))
    assert long_light == pytest.approx(sharp_light * int(6 * row_ms) / int(row_ms))   # more light
    assert long_step < 0.4 * sharp_step                                    # ... and the limb spreads

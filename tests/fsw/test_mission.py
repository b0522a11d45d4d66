from datetime import UTC, datetime

import pytest

from fsw import mission as eph
from fsw.protocol.cuc import datetime_to_cuc_seconds


def t(*args):
    return datetime_to_cuc_seconds(datetime(*args, tzinfo=UTC))


def test_onboard_epoch():
    assert t(2000, 1, 1) == 0.0


def test_perijove_counts():
    assert eph.perijove_count(t(2016, 7, 4)) == 0
    assert eph.perijove_count(eph.PJ1) == 1
    assert eph.perijove_count(eph.IO_57) == 56           # Io first, four hours before the perijove
    assert eph.perijove_count(eph.PJ57 - 1) == 56
    assert eph.perijove_count(eph.PJ57) == 57
    assert eph.perijove_count(eph.PJ58) == 58
    assert eph.perijove_count(eph.PJ58 + 33 * eph.DAY) == 59


def test_perijove_times_are_inverse_of_counts():
    for number in range(1, 70):
        assert eph.perijove_count(eph.perijove_time(number)) == number
        assert eph.perijove_count(eph.perijove_time(number) - 1) == number - 1


def test_orbits_are_tens_of_days():
    assert 40 * eph.DAY < eph.EARLY_PERIOD < 55 * eph.DAY
    assert eph.perijove_time(60) - eph.perijove_time(59) == pytest.approx(33 * eph.DAY)


def test_pj57_io_flyby_is_at_1500_km():
    assert eph.io_range_km(eph.IO_57) == pytest.approx(1500.0)
    assert eph.io_range_km(eph.IO_58) == pytest.approx(1500.0)
    assert eph.io_flyby_time(57) == eph.IO_57 and eph.PJ57 - eph.IO_57 == 4 * 3600


def test_io_range_grows_smoothly_away_from_closest_approach():
    ranges = [eph.io_range_km(eph.IO_57 + minutes * 60) for minutes in range(0, 24 * 60, 10)]
    assert all(b > a for a, b in zip(ranges, ranges[1:]))
    assert 1e5 < eph.io_range_km(eph.IO_57 + 3 * 3600) < 1e6
    assert 1e6 < eph.io_range_km(eph.IO_57 + 10 * eph.DAY) < 3e6
    # smooth: no jump anywhere over a whole orbit
    previous = eph.io_range_km(eph.IO_57)
    for step in range(1, 40 * 24):
        now = eph.io_range_km(eph.IO_57 + step * 3600)
        assert abs(now - previous) < 70_000
        previous = now


def test_disk_is_big_near_closest_approach_and_tiny_far_away():
    assert eph.io_angular_diameter_deg(eph.IO_57) > 50
    assert eph.io_angular_diameter_deg(eph.IO_57 + 10 * eph.DAY) < 0.2


def test_phase_sweeps_from_day_to_night_through_the_pass():
    assert eph.io_phase_deg(eph.IO_57 - 3600) < 40
    assert eph.io_phase_deg(eph.IO_57 + 3600) > 110


def test_no_dose_between_the_images_of_an_io_flyby():
    """The dose of a perijove is taken at the perijove, hours after the Io images, not among them."""
    for flyby in (eph.IO_57, eph.IO_58):
        assert eph.perijove_count(flyby - 900) == eph.perijove_count(flyby + 900)

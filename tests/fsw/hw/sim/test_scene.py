import numpy as np

from fsw import mission
from fsw.hw.sim.detector import HEIGHT, WIDTH
from fsw.hw.sim.scene import HOTSPOTS, JUPITERSHINE, LOKI, View, disk_radius_px, project, render, view_at

SUM = 4      # rendered as the demo reads the chip, 4 x 4 pixels summed (the features are degrees wide)


def lit_pixels(range_km):
    return int((render(range_km, View(0.0, 300.0, 60.0, 1), ("red",), summing=SUM)["red"] > 0.01).sum())


def around(plane, point, inner=2, outer=12):
    """Mean inside a small box at a pixel and in the ring around it."""
    col, row = int(round(point[0])), int(round(point[1]))
    box = plane[row - outer:row + outer + 1, col - outer:col + outer + 1].copy()
    centre = box[outer - inner:outer + inner + 1, outer - inner:outer + inner + 1].mean()
    box[outer - inner:outer + inner + 1, outer - inner:outer + inner + 1] = np.nan
    return centre, np.nanmean(box)


def test_the_closest_image_from_2500_km_holds_the_whole_disk_with_sky_both_sides():
    assert 2 * disk_radius_px(2500) < min(WIDTH, HEIGHT)                 # at full scale
    plane = render(2500, view_at(mission.IO_57 - 111), ("red",), summing=SUM)["red"]
    assert (plane[:, :15] == 0).all() and (plane[:, -15:] == 0).all()
    assert disk_radius_px(1500) > HEIGHT / 2                       # at 1,500 km it would not fit
    assert lit_pixels(10_000) > lit_pixels(100_000) > lit_pixels(1_000_000) > 0


def test_pj57_sees_the_high_north_and_pj58_another_face():
    pj57, pj58 = view_at(mission.IO_57 - 111), view_at(mission.IO_58 + 111)
    assert pj57.lat > 40 and abs(pj58.lat) < 30 and pj57 != pj58


def test_the_night_side_is_lit_by_jupitershine():
    view = view_at(mission.IO_57)
    plane = render(2500, view, ("green",), summing=SUM)["green"]
    row = plane[HEIGHT // SUM // 2]
    night = row[int(WIDTH / SUM * 0.7):int(WIDTH / SUM * 0.8)]                   # right of the terminator
    assert 0.2 * JUPITERSHINE < night.mean() < JUPITERSHINE
    assert row[int(WIDTH / SUM * 0.25)] > 0.3                              # the day side


def test_loki_is_a_dark_lake_by_day_and_mirrors_the_sun_at_pj58():
    day = View(lat=10.0, lon=300.0, phase=60.0, sun_side=-1)         # Loki by day, away from the mirror point
    plane = render(5000, day, ("green",), summing=SUM)["green"]
    lake, land = around(plane, project(5000, day, *LOKI, summing=SUM))
    assert lake < 0.5 * land
    pj58 = view_at(mission.IO_58 + 111)
    plane = render(2500, pj58, ("green",), summing=SUM)["green"]
    glint, land = around(plane, project(2500, pj58, *LOKI, summing=SUM))
    assert glint > 1.2 * land


def test_hotspots_glow_faintly_at_their_places_only_on_the_night_side():
    night = View(lat=0.0, lon=250.0, phase=120.0, sun_side=+1)      # Pele and Pillan in the dark
    day = View(lat=0.0, lon=250.0, phase=0.0, sun_side=+1)
    for name in ("Pele", "Pillan"):
        lat, lon = next((h[1], h[2]) for h in HOTSPOTS if h[0] == name)
        point = project(3000, night, lat, lon, summing=SUM)
        red = render(3000, night, ("red", "blue"), summing=SUM)
        spot, ring = around(red["red"], point, inner=1, outer=6)
        assert spot > ring + 0.02 and spot < 0.3                    # faint, but there
        assert around(red["blue"], point, inner=1, outer=6)[0] < spot / 3
        lit = render(3000, day, ("red",), summing=SUM)["red"]
        spot, ring = around(lit, project(3000, day, lat, lon, summing=SUM), inner=1, outer=6)
        assert abs(spot - ring) < 0.1 * ring                        # drowned by day


def test_far_io_keeps_its_brightness_when_tiny():
    total = render(1_000_000, View(0.0, 300.0, 30.0, 1), ("red",), summing=SUM)["red"].sum()
    assert 0.1 < total < 5

"""A synthetic Io as the camera would see it: radiance per filter, before the detector.

A sphere in orthographic view, centred in the frame, its size from the range and JunoCam's pixel
(0.6727 mrad, Hansen et al. 2014: 1648 pixels span ~63 degrees; square pixels). A readout that
sums n x n pixels sees the same frame through n times larger pixels. Where it is seen from depends on the flyby
(`view`): PJ57 from high northern latitudes with the terminator across the disk, PJ58 from low
latitudes over Loki Patera with the Sun placed so that its lava lake mirrors it (the glint JunoCam
saw). Sunlit by Lambert's law; the night side lit by Jupitershine, ~1.4% of sunlight, on the
hemisphere facing Jupiter (Io is tidally locked: the sub-Jupiter point is 0 W). A sulfur-yellow
surface with dark paterae and darker poles; Loki Patera a dark lava lake ~200 km across with its
bright island. Hotspots at their published positions glow faintly in visible light, and only
where it is night (by day the Sun drowns them), most in red and the methane band.
Radiance is in units where the full sunlit surface at the reference exposure is ~1.
Longitudes are west, as Io's maps give them.
"""

import math
from dataclasses import dataclass

import numpy as np

from fsw import mission
from fsw.mission import IO_RADIUS_KM

from .detector import FILTERS, HEIGHT, WIDTH

PIXEL_RAD = 0.6727e-3                  # JunoCam's pixel, nadir (Hansen et al. 2014)
PIXEL_SCALE_DEG = math.degrees(PIXEL_RAD)
FOV_DEG = WIDTH * PIXEL_SCALE_DEG       # across the chip's 1648 columns
JUPITERSHINE = 0.014               # night side brightness relative to full sun
FILTER_ALBEDO = {"red": 0.85, "green": 0.72, "blue": 0.42, "methane": 0.55}
KM_PER_DEG = 2 * math.pi * IO_RADIUS_KM / 360

# (name, lat N, lon W, radius deg, glow per filter red/green/blue/methane): faint, night only
HOTSPOTS = (
    ("Loki Patera", 12.0, 310.0, 1.2, (0.10, 0.035, 0.01, 0.16)),
    ("Pele", -18.7, 255.3, 0.7, (0.08, 0.03, 0.008, 0.12)),
    ("Pillan", -12.3, 243.3, 0.6, (0.06, 0.02, 0.006, 0.09)),
    ("Amirani", 24.5, 114.7, 0.7, (0.05, 0.018, 0.005, 0.08)),
    ("Kanehekili", -17.7, 33.6, 0.6, (0.06, 0.02, 0.006, 0.09)),
)
LOKI = (12.0, 310.0)
LOKI_RADIUS_DEG = 100.0 / KM_PER_DEG       # the lake, ~200 km across
LOKI_ISLAND = (13.0, 308.5, 0.9)           # lat, lon W, radius deg
LAVA_ALBEDO = 0.12                         # dark, cooled lava crust
GLINT_WIDTH_DEG = 3.0                      # how far from the mirror direction the lake still shines
GLINT_PEAK = 1.2


@dataclass(frozen=True)
class View:
    lat: float          # sub-spacecraft latitude, N
    lon: float          # sub-spacecraft longitude, W
    phase: float        # Sun-Io-spacecraft angle, degrees
    sun_side: int       # +1: the Sun lights the image's right (west-to-east: lower W longitudes), -1: left


# the close flybys as JunoCam saw them; other perijoves: a distant, generic view
FLYBY_VIEWS = {
    57: View(lat=52.0, lon=60.0, phase=85.0, sun_side=-1),    # the high north, its night side facing Jupiter
    58: View(lat=12.0, lon=330.0, phase=40.0, sun_side=+1),   # low latitudes over Loki, the Sun mirrored
}


def view_at(t: float) -> View:
    """Where the camera sees Io from at the world's time t."""
    number = mission.nearest_io_flyby(t)
    return FLYBY_VIEWS.get(number, View(lat=5.0, lon=300.0, phase=mission.io_phase_deg(t), sun_side=-1))


def _paterae(count: int = 60):
    """Dark volcanic pits, fixed for all images (seeded)."""
    rng = np.random.default_rng(57)
    lat = np.degrees(np.arcsin(rng.uniform(-0.95, 0.95, count)))
    lon = rng.uniform(0, 360, count)
    radius = rng.uniform(1.0, 4.0, count)
    return lat, lon, radius


PATERAE = _paterae()


def disk_radius_px(range_km: float, summing: int = 1) -> float:
    """Io's apparent radius in pixels of a readout summing n x n pixels."""
    centre_km = range_km + IO_RADIUS_KM
    return math.degrees(math.asin(IO_RADIUS_KM / centre_km)) / (PIXEL_SCALE_DEG * summing)


def _unit_vectors(lat, lon_w):
    lat, lon = np.radians(lat), -np.radians(lon_w)     # east-positive angle
    return np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)


def _closeness(surface, lat, lon_w, radius_deg):
    """1 at a feature's centre, falling like a Gaussian of angular distance (small angles)."""
    fx, fy, fz = _unit_vectors(lat, lon_w)
    sx, sy, sz = surface
    chord2 = (sx - fx) ** 2 + (sy - fy) ** 2 + (sz - fz) ** 2   # ~ angle^2 for small angles
    return np.exp(-0.5 * chord2 / math.radians(radius_deg) ** 2)


def _inside(surface, lat, lon_w, radius_deg, edge_deg=0.4):
    """A disk-shaped feature with a soft edge: 1 inside, 0 outside."""
    fx, fy, fz = _unit_vectors(lat, lon_w)
    sx, sy, sz = surface
    angle = np.degrees(np.arccos(np.clip(sx * fx + sy * fy + sz * fz, -1, 1)))
    return np.clip((radius_deg - angle) / edge_deg + 0.5, 0, 1)


def render(range_km: float, view: View, filters: tuple[str, ...] = FILTERS,
           summing: int = 1) -> dict[str, np.ndarray]:
    """Radiance planes (HEIGHT / summing x WIDTH / summing float32) for each requested filter."""
    width, height = WIDTH // summing, HEIGHT // summing
    radius = disk_radius_px(range_km, summing)
    oversample = 1 if radius > 24 else 4        # a few-pixel Io is still the right brightness
    cx, cy = width / 2, height / 2
    x0, x1 = max(0, int(cx - radius - 1)), min(width, int(math.ceil(cx + radius + 1)))
    y0, y1 = max(0, int(cy - radius - 1)), min(height, int(math.ceil(cy + radius + 1)))
    planes = {name: np.zeros((height, width), np.float32) for name in filters}
    if x1 <= x0 or y1 <= y0:
        return planes
    step = 1.0 / oversample
    us = x0 + (np.arange((x1 - x0) * oversample) + 0.5) * step
    vs = y0 + (np.arange((y1 - y0) * oversample) + 0.5) * step
    u, v = np.meshgrid(us, vs)
    x, y = (u - cx) / radius, (cy - v) / radius
    r2 = x * x + y * y
    inside = r2 < 1
    z = np.sqrt(np.where(inside, 1 - r2, 0))

    # surface coordinates: the view frame turned to the sub-spacecraft point (x east, y north, z to us)
    tilt = math.radians(view.lat)
    y_body = y * math.cos(tilt) + z * math.sin(tilt)
    z_body = -y * math.sin(tilt) + z * math.cos(tilt)
    lat = np.degrees(np.arcsin(np.clip(y_body, -1, 1)))
    lon_w = (view.lon - np.degrees(np.arctan2(x, z_body))) % 360
    surface = _unit_vectors(lat, lon_w)

    phase = math.radians(view.phase)
    sun = (view.sun_side * math.sin(phase), 0.0, math.cos(phase))
    sunlit = np.clip(x * sun[0] + z * sun[2], 0, None)
    jx, jy, jz = _unit_vectors(0.0, 0.0)                       # the sub-Jupiter point
    jupiter = np.clip(surface[0] * jx + surface[1] * jy + surface[2] * jz, 0, None)
    light = sunlit + JUPITERSHINE * jupiter
    night = np.clip(1 - sunlit / 0.05, 0, 1)                  # where the Sun does not drown a glow

    albedo = 1 + 0.08 * np.sin(np.radians(3 * lon_w) + 1.3) * np.cos(np.radians(2 * lat))
    albedo *= 1 + 0.05 * np.sin(np.radians(7 * lon_w + 11 * lat))
    albedo *= 1 - 0.4 * (np.abs(lat) / 90) ** 2          # dark reddish poles
    for plat, plon, prad in zip(*PATERAE):
        albedo *= 1 - 0.5 * np.clip(1.6 * _closeness(surface, plat, plon, prad), 0, 1)
    lake = _inside(surface, *LOKI, LOKI_RADIUS_DEG) * (1 - _inside(surface, *LOKI_ISLAND))
    albedo = albedo * (1 - lake) + LAVA_ALBEDO * lake

    # the lake mirrors the Sun where its normal bisects the Sun and the spacecraft
    half = np.array([sun[0], sun[1], sun[2] + 1.0])
    half /= np.linalg.norm(half)
    off = np.degrees(np.arccos(np.clip(x * half[0] + y * half[1] + z * half[2], -1, 1)))
    glint = GLINT_PEAK * lake * np.exp(-0.5 * (off / GLINT_WIDTH_DEG) ** 2) * (sunlit > 0)

    glow = np.zeros((len(HOTSPOTS),) + lat.shape, np.float32)
    for index, (_, hlat, hlon, hrad, _) in enumerate(HOTSPOTS):
        glow[index] = _closeness(surface, hlat, hlon, hrad) * night

    for name in filters:
        band = FILTERS.index(name)
        radiance = FILTER_ALBEDO[name] * albedo * light + glint
        for index, spot in enumerate(HOTSPOTS):
            radiance = radiance + spot[4][band] * glow[index]
        radiance = np.where(inside, radiance, 0).astype(np.float32)
        if oversample > 1:
            h, w = radiance.shape
            radiance = radiance.reshape(h // oversample, oversample, w // oversample, oversample).mean(axis=(1, 3))
        planes[name][y0:y1, x0:x1] = radiance
    return planes


def project(range_km: float, view: View, lat: float, lon_w: float,
            summing: int = 1) -> tuple[float, float] | None:
    """Pixel (column, row) where a surface point appears, or None on the far side."""
    width, height = WIDTH // summing, HEIGHT // summing
    radius = disk_radius_px(range_km, summing)
    px, py, pz = _unit_vectors(lat, lon_w)
    cx_, cy_, cz_ = _unit_vectors(view.lat, view.lon)          # towards the spacecraft
    z = px * cx_ + py * cy_ + pz * cz_
    if z <= 0:
        return None
    north = np.array([0.0, 0.0, 1.0]) - cz_ * np.array([cx_, cy_, cz_])
    north /= np.linalg.norm(north)
    east = np.cross(north, [cx_, cy_, cz_])
    x = float(np.dot([px, py, pz], east))
    y = float(np.dot([px, py, pz], north))
    return width / 2 + x * radius, height / 2 - y * radius

"""A synthetic Io as the camera would see it: radiance per filter, before the detector.

A sphere in orthographic view, centred in the frame, its size from the range (a scaled
JunoCam: ~58 degrees across 384 pixels, 0.151 deg/px). Sunlit by Lambert's law with the
terminator where the phase angle puts it; the night side faintly lit by Jupitershine; a
sulfur-yellow surface with darker paterae and poles; volcanic hotspots (Loki Patera the
brightest) that glow on day and night side alike, mostly in red and the methane band.
Radiance is in units where full sunlit surface at the reference exposure is ~1.
"""

import math

import numpy as np

from fsw.mission import IO_RADIUS_KM

from .detector import FILTERS, HEIGHT, WIDTH

PIXEL_SCALE_DEG = 58.0 / WIDTH
SUB_SPACECRAFT_LON = 51.0          # degrees east: Loki Patera faces the camera
SUB_SPACECRAFT_LAT = 5.0
JUPITERSHINE = 0.02                # night side brightness relative to full sun
FILTER_ALBEDO = {"red": 0.85, "green": 0.72, "blue": 0.42, "methane": 0.55}

# (name, lat, lon east, radius deg, glow per filter red/green/blue/methane)
HOTSPOTS = (
    ("Loki Patera", 13.0, 51.0, 4.0, (1.6, 0.8, 0.25, 2.2)),
    ("Pele", -19.0, 105.0, 2.0, (1.0, 0.45, 0.15, 1.4)),
    ("Amirani", 24.0, 245.0, 2.0, (0.8, 0.4, 0.1, 1.1)),
    ("Marduk", -28.0, 150.0, 1.5, (0.7, 0.3, 0.1, 1.0)),
    ("Janus", -4.0, 40.0, 1.5, (0.9, 0.4, 0.1, 1.2)),
    ("Kanehekili", -17.0, 18.0, 1.5, (0.8, 0.35, 0.1, 1.1)),
)


def _paterae(count: int = 60):
    """Dark volcanic pits, fixed for all images (seeded)."""
    rng = np.random.default_rng(57)
    lat = np.degrees(np.arcsin(rng.uniform(-0.95, 0.95, count)))
    lon = rng.uniform(0, 360, count)
    radius = rng.uniform(1.0, 5.0, count)
    return lat, lon, radius


PATERAE = _paterae()


def disk_radius_px(range_km: float) -> float:
    centre_km = range_km + IO_RADIUS_KM
    return math.degrees(math.asin(IO_RADIUS_KM / centre_km)) / PIXEL_SCALE_DEG


def _unit_vectors(lat, lon):
    lat, lon = np.radians(lat), np.radians(lon)
    return np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)


def _closeness(surface, lat, lon, radius_deg):
    """1 at a feature's centre, falling like a Gaussian of angular distance (small angles)."""
    fx, fy, fz = _unit_vectors(lat, lon)
    sx, sy, sz = surface
    chord2 = (sx - fx) ** 2 + (sy - fy) ** 2 + (sz - fz) ** 2   # ~ angle^2 for small angles
    return np.exp(-0.5 * chord2 / math.radians(radius_deg) ** 2)


def render(range_km: float, phase_deg: float, filters: tuple[str, ...] = FILTERS,
           width: int = WIDTH, height: int = HEIGHT) -> dict[str, np.ndarray]:
    """Radiance planes (height x width float32) for each requested filter."""
    radius = disk_radius_px(range_km)
    # small disks are supersampled so a few-pixel Io is still the right brightness
    oversample = 1 if radius > 24 else 4
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

    # surface coordinates: rotate the view frame to the sub-spacecraft point
    tilt = math.radians(SUB_SPACECRAFT_LAT)
    y_body = y * math.cos(tilt) + z * math.sin(tilt)
    z_body = -y * math.sin(tilt) + z * math.cos(tilt)
    lat = np.degrees(np.arcsin(np.clip(y_body, -1, 1)))
    lon = (SUB_SPACECRAFT_LON + np.degrees(np.arctan2(x, z_body))) % 360

    phase = math.radians(phase_deg)
    sunlit = np.clip(x * math.sin(phase) + z * math.cos(phase), 0, None)
    # Jupiter lies roughly opposite the Sun from the night side seen near closest approach
    jupiter = np.clip(-x * 0.8 + z * 0.6, 0, None)
    light = sunlit + JUPITERSHINE * jupiter

    albedo = 1 + 0.08 * np.sin(np.radians(3 * lon) + 1.3) * np.cos(np.radians(2 * lat))
    albedo *= 1 + 0.05 * np.sin(np.radians(7 * lon + 11 * lat))
    albedo *= 1 - 0.4 * (np.abs(lat) / 90) ** 2          # dark reddish poles
    surface = _unit_vectors(lat, lon)
    for plat, plon, prad in zip(*PATERAE):
        # soft-edged dark floors: a flat-topped profile from a steep Gaussian
        albedo *= 1 - 0.6 * np.clip(1.6 * _closeness(surface, plat, plon, prad), 0, 1)

    glow = np.zeros((len(HOTSPOTS),) + lat.shape, np.float32)
    for index, (_, hlat, hlon, hrad, _) in enumerate(HOTSPOTS):
        glow[index] = _closeness(surface, hlat, hlon, hrad)

    for name in filters:
        band = FILTERS.index(name)
        radiance = FILTER_ALBEDO[name] * albedo * light
        for index, spot in enumerate(HOTSPOTS):
            radiance = radiance + spot[4][band] * glow[index]
        radiance = np.where(inside, radiance, 0).astype(np.float32)
        if oversample > 1:
            h, w = radiance.shape
            radiance = radiance.reshape(h // oversample, oversample, w // oversample, oversample).mean(axis=(1, 3))
        planes[name][y0:y1, x0:x1] = radiance
    return planes

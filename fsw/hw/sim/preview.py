"""Render what the camera would return, as a PNG a person can look at.

    python -m fsw.hw.sim.preview io.png [--range-km 9000] [--phase 95]

Three colour composites side by side (red, green, blue filters), each from the same synthetic
Io through the same detector: a fresh camera, after 56 perijoves of radiation, and after one
anneal (50 C, 2 h). Below each, a stretched copy (gamma 0.4) so the night side, lit only by
Jupitershine, and the hot pixels show.
"""

import argparse
import sys

import numpy as np
from PIL import Image, ImageDraw

from . import thermal
from .camera import SimCameraHead
from .radiation import Damage
from .scene import render

FILTERS = ("red", "green", "blue")
ANNEAL_EXPOSURE = 2.5     # ~ a 50 C, 2 h anneal with its ramp and cool-down


class FixedView:
    """Io from a given range and phase, whatever the time."""

    def __init__(self, range_km: float, phase_deg: float):
        self.range_km, self.phase_deg = range_km, phase_deg

    def radiance(self, filters: tuple[str, ...], now: float) -> dict:
        return render(self.range_km, self.phase_deg, filters)


def take(damage: Damage, view: FixedView, seed: int) -> np.ndarray:
    """One image through the same detector (seed 57) with this damage: (height, width, rgb)."""
    head = SimCameraHead(np.random.default_rng(seed), view=view, damage=damage, seed=57)
    head.begin_image(FILTERS, exposure_ms=10, tdi=1)
    return np.moveaxis(head.read_rows(slice(None)), 0, -1)


def panels(range_km: float, phase_deg: float) -> list[tuple[str, np.ndarray]]:
    view = FixedView(range_km, phase_deg)
    damage = Damage.after_passes(56)
    annealed = Damage.from_dict(damage.to_dict())
    annealed.anneal(ANNEAL_EXPOSURE)
    stages = [("fresh camera", Damage()), ("after 56 perijoves", damage), ("after one anneal", annealed)]
    return [(f"{label}: {round(state.hot_pixels)} hot px", take(state, view, index))
            for index, (label, state) in enumerate(stages)]


def compose(range_km: float, phase_deg: float) -> Image.Image:
    rows = panels(range_km, phase_deg)
    height, width = rows[0][1].shape[:2]
    sheet = Image.new("RGB", (3 * width + 4 * 8, 2 * height + 3 * 8 + 16), (40, 40, 40))
    draw = ImageDraw.Draw(sheet)
    for column, (label, rgb) in enumerate(rows):
        x = 8 + column * (width + 8)
        stretched = (255 * (rgb / 255.0) ** 0.4).astype(np.uint8)
        sheet.paste(Image.fromarray(rgb), (x, 24))
        sheet.paste(Image.fromarray(stretched), (x, 24 + height + 8))
        draw.text((x, 6), label, fill=(230, 230, 230))
    return sheet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fsw.hw.sim.preview", description=__doc__.splitlines()[0])
    parser.add_argument("output", help="PNG file to write")
    parser.add_argument("--range-km", type=float, default=9000.0, help="range to Io's surface")
    parser.add_argument("--phase", type=float, default=95.0, help="phase angle, degrees")
    args = parser.parse_args(argv)
    if args.range_km <= 0:
        print("--range-km must be positive", file=sys.stderr)
        return 2
    try:
        compose(args.range_km, args.phase).save(args.output)
    except OSError as error:
        print(f"cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {args.output} (anneal recovery law: first {thermal.ANNEAL_FIRST_RECOVERY:.0%} of the "
          f"recoverable damage, x{thermal.ANNEAL_RECOVERY_DECAY} per anneal after)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Render what the camera would return, as a PNG a person can look at.

    python -m fsw.hw.sim.preview io.png [--range-km 9000] [--phase 95]

Three colour composites side by side (red, green, blue filters), each from the same synthetic
Io through the same detector, companded to 8 bits as on board: a fresh camera, after 56
perijoves (the failing voltage regulator: raised background, stripes, noise, dropouts), and after
a week-long anneal at 60 C. Below each, a stretched copy (gamma 0.5) so the night side shows.
"""

import argparse
import sys

import numpy as np
from PIL import Image, ImageDraw

from fsw.protocol.companding import compand
from fsw.protocol.imagefile import framelets_for, reassemble

from . import thermal
from .camera import SimCameraHead
from .detector import HEIGHT
from .radiation import Damage
from .scene import View, render

FILTERS = ("red", "green", "blue")
ANNEAL_C, ANNEAL_DAYS = 60.0, 7.0      # the heater at maximum for a week, as in December 2023
SUMMING = 4                            # read out 4 x 4 pixels summed: panels of a screen's size


class FixedView:
    """Io from a given range and phase, whatever the time."""

    def __init__(self, range_km: float, phase_deg: float):
        self.range_km, self.phase_deg = range_km, phase_deg

    def radiance(self, filters: tuple[str, ...], now: float, summing: int = 1) -> dict:
        return render(self.range_km, View(lat=10.0, lon=330.0, phase=self.phase_deg, sun_side=+1), filters, summing)


def take(damage: Damage, view: FixedView, seed: int) -> np.ndarray:
    """One image through the same detector (seed 57) with this damage: (height, width, rgb)."""
    head = SimCameraHead(np.random.default_rng(seed), view=view, damage=damage, seed=57)
    head.begin_image(FILTERS, exposure_ms=10, tdi=1, summing=SUMMING)
    framelets = framelets_for(HEIGHT // SUMMING, SUMMING)
    raw = np.concatenate([compand(head.read_framelet(k)) for k in range(framelets)], axis=1)
    planes = reassemble(dict(zip(FILTERS, raw)), framelets)
    return np.dstack([planes[name] for name in FILTERS])


def panels(range_km: float, phase_deg: float) -> list[tuple[str, np.ndarray]]:
    view = FixedView(range_km, phase_deg)
    damage = Damage.after_passes(56)
    annealed = Damage.from_dict(damage.to_dict())
    annealed.anneal(thermal.anneal_rate(ANNEAL_C) * ANNEAL_DAYS * 86400, ANNEAL_C)
    stages = [("fresh camera", Damage()), ("after 56 perijoves", damage), ("after one anneal", annealed)]
    return [(f"{label}: regulator {100 * (1 - state.degradation):.0f}%", take(state, view, index))
            for index, (label, state) in enumerate(stages)]


def compose(range_km: float, phase_deg: float) -> Image.Image:
    rows = panels(range_km, phase_deg)
    height, width = rows[0][1].shape[:2]
    sheet = Image.new("RGB", (3 * width + 4 * 8, 2 * height + 3 * 8 + 16), (40, 40, 40))
    draw = ImageDraw.Draw(sheet)
    for column, (label, rgb) in enumerate(rows):
        x = 8 + column * (width + 8)
        stretched = (255 * (rgb / 255.0) ** 0.5).astype(np.uint8)
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
    print(f"wrote {args.output} (anneal: {ANNEAL_C:.0f} C for {ANNEAL_DAYS:.0f} days heals "
          f"{thermal.anneal_recovery(thermal.anneal_rate(ANNEAL_C) * ANNEAL_DAYS * 86400):.0%} of the recoverable damage)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The report: the story in the camera's own dark-frame measurements and in its images, the two
anneals' plots from the archive, the flybys' images, and pictures side by side."""

from pathlib import Path

from fsw.protocol.cuc import cuc_to_datetime
from ground.archive import ArchiveReader
from ground.plots import plot_series

# measured on board from dark frames (12-bit DN)
ONBOARD = (("dark_level", "dark level [DN]", "{:.0f}"), ("stripes", "stripes [DN]", "{:.1f}"),
           ("noise", "noise [DN]", "{:.1f}"), ("dropouts", "dropouts", "{:,.0f}"),
           ("hot_pixels", "hot pixels", "{:,.0f}"))
# measured on the ground from the images' dark sky (decompanded to 12-bit DN)
IMAGE = (("background", "sky background [DN]", "{:.0f}"), ("stripes_measured", "sky stripes [DN]", "{:.1f}"),
         ("background_noise", "sky noise [DN]", "{:.1f}"), ("dropouts_measured", "missing pixels", "{:,.0f}"),
         ("hot_pixels_measured", "hot pixels", "{:,.0f}"), ("dynamic_range", "dynamic range [DN]", "{:,.0f}"))


def _date(onboard: float) -> str:
    return cuc_to_datetime(onboard).strftime("%Y-%m-%d")


def anneal_plot(gs, result, out: Path) -> Path | None:
    archive = gs.session.archive
    if archive is None or not result.anneals:
        return None
    archive.flush(wait=True)
    reader = ArchiveReader(archive.path, gs.dictionary)
    start = result.anneals[0]["start"] - 86400
    end = result.anneals[-1]["end"] + 86400
    series = {name: reader.parameter(name, start, end) for name in ("cam_temp", "heater_power", "stripes")}
    reader.close()
    return plot_series(series, gs.dictionary, out / "anneal.png",
                       title="December 2023: two anneals (camera temperature, heater power, dark-frame stripes)")


def strip(items: list[tuple[str, Path]], out: Path, name: str) -> Path:
    """PNGs side by side, each labelled."""
    from PIL import Image, ImageDraw
    pictures = [(label, Image.open(path).convert("RGB")) for label, path in items]
    gap, band = 10, 22
    width = sum(p.width for _, p in pictures) + gap * (len(pictures) - 1)
    canvas = Image.new("RGB", (width, max(p.height for _, p in pictures) + band), "white")
    draw = ImageDraw.Draw(canvas)
    x = 0
    for label, picture in pictures:
        canvas.paste(picture, (x, band))
        draw.text((x + 4, 4), label, fill="black")
        x += picture.width + gap
    path = out / name
    canvas.save(path)
    return path


def _story_table(result) -> list[str]:
    header = ["moment", "date", "perijove", "dose [krad]"] + [label for _, label, _ in ONBOARD]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for shot in result.story:
        q = shot.quality
        cells = [shot.label, _date(shot.onboard), f"{q['perijove']}", f"{q['dose']:.0f}"]
        lines.append("| " + " | ".join(cells + [fmt.format(q[key]) for key, _, fmt in ONBOARD]) + " |")
    return lines


def _image_table(rows) -> list[str]:
    header = ["image", "moment", "range [km]"] + [label for _, label, _ in IMAGE]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for label, image in rows:
        metrics = image.metrics()
        cells = [f"{image.image_id}", label, f"{image.meta['io_range']:,.0f}"]
        lines.append("| " + " | ".join(cells + [fmt.format(metrics[key]) for key, _, fmt in IMAGE]) + " |")
    return lines


def write_report(gs, result, out: Path) -> Path:
    out = Path(out)
    plot = anneal_plot(gs, result, out)
    pj57, pj58 = result.flybys
    lines = ["# The Juno pass as it happened: JunoCam's failing power supply, the December 2023 anneals, "
             "PJ57 and PJ58", "",
             "From orbit 47 the camera's images degraded: striping, a raised background and lost dynamic range, "
             "noise and missing pixels, traced to a voltage regulator in its power supply. In December 2023, "
             "before the PJ57 Io flyby, the heater warmed the camera to 25 C (77 F) for days: a partial recovery "
             "that faded; then the heater at its maximum for about a week, after which the camera was as good as "
             "new for the Io flybys. The noise came back in later orbits. Here the emulator flies that story: the "
             "simulated world adds each perijove's dose as it passes, flight measures the damage from dark frames, "
             "the ground from the images.", "",
             "## The camera orbit by orbit (flight's dark-frame measurements, 12-bit DN)", ""]
    lines += _story_table(result) + [""]
    lines += ["## The anneals", ""]
    for record in result.anneals:
        hours = (record["end"] - record["start"]) / 3600
        lines.append(f"- {record['label']}, from {_date(record['start'])}: {record['target'] / 100:.0f} C held "
                     f"{record['hold'] / 86400:.0f} days ({hours:.0f} h on board with ramp and cooling); hot pixels "
                     f"in a dark frame {record['hot_pixels_before']:,} -> {record['hot_pixels_after']:,}.")
    lines.append("")
    if plot:
        lines += [f"![anneal]({plot.name})", ""]
    shots = [s for s in result.story if s.image is not None]
    closest = [next(p for p in f.files if p.suffix == ".png" and f"{f.offsets[2]:+04d}s" in p.name
                    and not p.stem.endswith("_methane")) for f in (pj57, pj58)]
    compare = [(s.label, s.file) for s in shots if s.label != "PJ61"] + [("PJ57, closest", closest[0])]
    pair = strip(compare, out, "before_after.png")
    lines += ["## Before and after the anneals, in the images", "",
              "Io is small in the distant images (200,000 km); the sky around it shows the damage. "
              "PJ46 and PJ49 were taken in the lossy mode an hour after perijove: the squares of noise "
              "are blocks hit by radiation bit flips in the compressor's memory, the lesson of PJ49; the "
              "later images are lossless (and lossy blocks average dropouts and hot pixels away). "
              "Measured on the ground on the dark sky at both sides of each frame, after decompanding. The "
              "images are read out 4 x 4 pixels summed: a hot pixel shares its sum with 15 others and hardly "
              "shows, so the hot pixels are counted in flight's full-scale dark frames (the table above).", "",
              f"![before and after]({pair.name})", ""]
    rows = [(s.label, s.image) for s in shots] + [("PJ57, closest", pj57.images[2]), ("PJ58, closest", pj58.images[2])]
    lines += _image_table(rows) + [""]
    flybys = strip([("PJ57 from ~2,500 km", closest[0]), ("PJ58 from ~2,500 km", closest[1])], out, "pj57_pj58.png")
    lines += ["## The close flybys", "",
              "PJ57 (2023-12-30) looked down on Io's high north, its night side faintly lit by Jupitershine; "
              "PJ58 (2024-02-03) saw low latitudes, with Loki Patera's lava lake mirroring the Sun.", "",
              f"![PJ57 and PJ58]({flybys.name})", ""]
    for flyby in (pj57, pj58):
        lines += [f"### {flyby.name}", ""]
        lines += _image_table([(f"{o:+d} s", i) for o, i in zip(flyby.offsets, flyby.images)]) + [""]
    lines += ["## Images", ""]
    for path in sorted(out.glob("*.png")):
        if path.name not in ("anneal.png", pair.name, flybys.name):
            lines.append(f"- [{path.name}]({path.name})")
    stats = gs.state.stats
    lines += ["", "## Link", "",
              f"{stats.frames:,} frames and {stats.packets:,} packets received; "
              f"{stats.fecf_errors} FECF errors, {stats.crc_errors} CRC errors, {stats.resyncs} resyncs. "
              f"Archive: `{gs.session.archive.path.name if gs.session.archive else 'none'}`.", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines))
    return path

"""The flyby report: the anneal plot from the archive and a markdown comparison of image quality."""

from pathlib import Path
from statistics import mean

from fsw.protocol.cuc import cuc_to_datetime
from ground.archive import ArchiveReader
from ground.plots import plot_series

QUALITY = (("hot_pixels_reported", "hot pixels (dark frame)", "{:,.0f}"),
           ("dark_level", "dark level [DN]", "{:.1f}"),
           ("noise", "dark noise [DN]", "{:.2f}"),
           ("hot_pixels_measured", "hot pixels seen in the image", "{:,.0f}"),
           ("background_noise", "sky background noise [DN]", "{:.2f}"))


def anneal_plot(gs, result, out: Path) -> Path | None:
    archive = gs.session.archive
    if archive is None:
        return None
    archive.flush(wait=True)
    reader = ArchiveReader(archive.path, gs.dictionary)
    margin = 0.1 * (result.anneal_end - result.anneal_start) + 60
    start, end = result.anneal_start - margin, result.anneal_end + margin
    series = {name: reader.parameter(name, start, end) for name in ("cam_temp", "heater_power", "anneal_phase")}
    reader.close()
    return plot_series(series, gs.dictionary, out / "anneal.png",
                       title="Camera anneal: temperature and heater power (on-board time)")


def side_by_side(before, after, out: Path) -> Path:
    """The closest-approach images of both flybys next to each other, labelled."""
    from PIL import Image, ImageDraw
    left = Image.open(before).convert("RGB")
    right = Image.open(after).convert("RGB")
    gap, band = 10, 22
    canvas = Image.new("RGB", (left.width + right.width + gap, max(left.height, right.height) + band), "white")
    canvas.paste(left, (0, band))
    canvas.paste(right, (left.width + gap, band))
    draw = ImageDraw.Draw(canvas)
    draw.text((4, 4), f"before the anneal: {Path(before).stem}", fill="black")
    draw.text((left.width + gap + 4, 4), f"after: {Path(after).stem}", fill="black")
    path = out / "before_after.png"
    canvas.save(path)
    return path


def _row(image, offset: int) -> list[str]:
    metrics = image.metrics()
    cells = [f"{image.image_id}", f"{offset:+d} s", cuc_to_datetime(image.meta["time"]).strftime("%Y-%m-%d %H:%M:%S"),
             f"{image.meta['io_range']:,.0f}"]
    return cells + [fmt.format(metrics[key]) for key, _, fmt in QUALITY]


def _table(flyby) -> list[str]:
    header = ["image", "vs closest", "time (UTC)", "range [km]"] + [label for _, label, _ in QUALITY]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for image, offset in zip(flyby.images, flyby.offsets):
        lines.append("| " + " | ".join(_row(image, offset)) + " |")
    return lines


def write_report(gs, result, out: Path) -> Path:
    out = Path(out)
    plot = anneal_plot(gs, result, out)
    before, after = result.flybys
    lines = ["# PJ57 and PJ58: JunoCam-like images before and after an anneal", "",
             "Six images of Io were captured around each close flyby (about 1,500 km from the surface), "
             "released by the on-board schedule at fixed offsets from closest approach, and downlinked "
             "segment by segment (lost segments asked for again). Between the two flybys the camera "
             "was annealed: heated to recover part of its radiation damage.", ""]
    for flyby, label in ((before, "Before the anneal"), (after, "After the anneal")):
        lines += [f"## {label}: {flyby.name}", ""] + _table(flyby) + [""]
    lines += ["## Comparison (mean over the six images)", "",
              "| metric | before | after | change |", "|---|---|---|---|"]
    for key, label, fmt in QUALITY:
        b = mean(i.metrics()[key] for i in before.images)
        a = mean(i.metrics()[key] for i in after.images)
        change = f"{100 * (a - b) / b:+.0f}%" if b else "n/a"
        lines.append(f"| {label} | {fmt.format(b)} | {fmt.format(a)} | {change} |")
    event = result.anneal_event
    hours = (result.anneal_end - result.anneal_start) / 3600
    lines += ["", "## Anneal", "",
              f"On board it took {hours:.1f} h (ramp, hold, cool). The flight software measured "
              f"{event.get('hot_pixels_before', 0):,} hot pixels in a dark frame before and "
              f"{event.get('hot_pixels_after', 0):,} after. PJ58 added another perijove's radiation "
              "dose before the second set, so the comparison is, if anything, unfair to the anneal.", ""]
    if plot:
        lines += [f"![anneal]({plot.name})", ""]
    closest = [next(p for p in f.files if p.suffix == ".png" and "-015s" in p.name) for f in (before, after)]
    pair = side_by_side(*closest, out)
    lines += ["## Closest approach, before and after", "", f"![before and after]({pair.name})", ""]
    lines += ["## Images", ""]
    for flyby in (before, after):
        for path in flyby.files:
            if path.suffix == ".png":
                lines.append(f"- [{path.name}]({path.name})")
    stats = gs.state.stats
    lines += ["", "## Link", "",
              f"{stats.frames:,} frames and {stats.packets:,} packets received; "
              f"{stats.fecf_errors} FECF errors, {stats.crc_errors} CRC errors, {stats.resyncs} resyncs. "
              f"Archive: `{gs.session.archive.path.name if gs.session.archive else 'none'}`.", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines))
    return path

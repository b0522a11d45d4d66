"""The PJ57 procedure: six images of Io at ~1,500 km, an anneal, and six more at PJ58.

Written against the procedures API only, as any operator's procedure would be:
    ground run ground/pj57/procedure.py --port /dev/pts/N        (results in ./out)
or through ./scripts/demo, which starts fsw first. Simulated time should run ~1000x so the
anneal (hours on board) takes seconds.

Sequence: set the clock shortly before the PJ57 Io closest approach; warm the camera (heater
thermostat) and power it; configure; store six captures around closest approach in the on-board
schedule (PUS-11) so they are taken at exact on-board times; downlink them; anneal (arm + anneal,
hazardous); set the clock before PJ58, the second 1,500 km flyby; capture and downlink six more.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from fsw.mission import PJ57, PJ58
from ground.images import DownlinkedImage, save

OFFSETS_S = (-75, -45, -15, 15, 45, 75)          # capture times around closest approach
CONFIG = dict(exposure=5, filters=7, tdi=2)       # red, green and blue
ANNEAL = dict(target=5000, hold=1800)             # 50 C for half an hour (on-board time)
OPERATING_SETPOINT = 0                            # cC: the camera's thermostat during imaging


@dataclass
class FlybyResult:
    name: str
    closest: float
    offsets: tuple[int, ...] = OFFSETS_S                # each image's time from closest approach, s
    images: list[DownlinkedImage] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


@dataclass
class Pj57Result:
    flybys: list[FlybyResult]
    anneal_start: float = 0.0
    anneal_end: float = 0.0
    anneal_event: dict = field(default_factory=dict)


def _downlink(gs, image_id: int, label: str, console: Console) -> DownlinkedImage:
    with Progress(TextColumn("  {task.description:<22}"), BarColumn(), TaskProgressColumn(),
                  TextColumn("{task.completed}/{task.total} segments"), console=console) as bar:
        task = bar.add_task(label, total=None)
        return gs.downlink_image(image_id, progress=lambda got, total: bar.update(task, completed=got, total=total))


def flyby(gs, name: str, closest: float, out: Path, console: Console) -> FlybyResult:
    """Six scheduled captures around closest approach, then their downlink."""
    result = FlybyResult(name, closest)
    began = time.time()
    console.print(f"[bold]{name}[/]: on-board clock to closest approach - 10 min")
    gs.send("time_set", seconds=int(closest - 600))
    gs.send("cam_configure", **CONFIG)
    stored = [gs.schedule(closest + offset, "cam_capture", framelets=8) for offset in OFFSETS_S]
    console.print(f"  six captures stored in the on-board schedule at closest approach "
                  f"{', '.join(f'{o:+d}' for o in OFFSETS_S)} s")
    captured = []
    for scheduled, offset in zip(stored, OFFSETS_S):
        gs.wait_for(scheduled, timeout=60)
        event = gs.await_event("image_captured", timeout=10, since=began,
                               where=lambda f, seen=tuple(captured): f["image_id"] not in seen)
        captured.append(event.fields["image_id"])
        console.print(f"  captured image {event.fields['image_id']} at {offset:+d} s, "
                      f"range {event.fields['io_range']:,.0f} km")
    for image_id, offset in zip(captured, OFFSETS_S):
        image = _downlink(gs, image_id, f"{name} image {image_id}", console)
        stem = f"{name.lower()}_{offset:+04d}s_image{image_id:02d}"
        result.files += save(image, out, stem)
        result.images.append(image)
    return result


def anneal(gs, console: Console) -> tuple[float, float, dict]:
    """Arm and run the anneal, showing its progress; returns on-board start, end and the event."""
    console.print(f"[bold]Anneal[/]: {ANNEAL['target'] / 100:.0f} C held {ANNEAL['hold'] // 60} min "
                  "(hazardous: arm + anneal)")
    start = gs.onboard_time()
    with Progress(TextColumn("  {task.description:<22}"), BarColumn(), TaskProgressColumn(),
                  TextColumn("{task.fields[temp]}"), console=console) as bar:
        task = bar.add_task("anneal", total=100, temp="")

        def show(command, stage):
            if stage.stage == "progress" and stage.percent is not None:
                bar.update(task, completed=stage.percent,
                           temp=f"camera {gs.latest('cam_temp'):.1f} C, heater {gs.latest('heater_power'):.1f} W")
            elif stage.stage == "completed" and stage.ok:
                bar.update(task, completed=100)

        gs.arm_and_send("anneal", timeout=180, on_stage=show, **ANNEAL)
    event = gs.await_event("anneal_complete", timeout=10)
    end = gs.onboard_time()
    console.print(f"  hot pixels in a dark frame: {event.fields['hot_pixels_before']:,} -> "
                  f"{event.fields['hot_pixels_after']:,}")
    return start, end, event.fields


def fly(gs, out: str | Path = "out", console: Console | None = None) -> Pj57Result:
    out = Path(out)
    console = console or Console()
    gs.ping()
    console.print("[bold]Warm-up[/]: heater thermostat on, camera power on")
    gs.send("time_set", seconds=int(PJ57 - 900))
    gs.send("heater_setpoint", setpoint=OPERATING_SETPOINT)
    gs.send("heater_on")
    gs.send("cam_power", state="on")
    gs.await_event("cam_ready", timeout=60)
    gs.await_telemetry("cam_state", lambda s: s == "ready", timeout=10)
    before = flyby(gs, "PJ57", PJ57, out, console)
    start, end, event = anneal(gs, console)
    gs.send("heater_on")          # back to the operating thermostat after the anneal
    after = flyby(gs, "PJ58", PJ58, out, console)
    gs.assert_limits_nominal("cam_temp")
    return Pj57Result([before, after], start, end, event)


if __name__ == "__main__" and "gs" in globals():
    # run by `ground run ground/pj57/procedure.py --port URL [OUT_DIR]`
    import sys

    from ground.pj57.report import write_report
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    write_report(gs, fly(gs, out_dir), out_dir)  # noqa: F821

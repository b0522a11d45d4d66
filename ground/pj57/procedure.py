"""The Juno pass as it happened: the camera failing from PJ47, the two anneals of December 2023,
the PJ57 and PJ58 Io flybys, and the noise coming back orbits later.

Written against the procedures API only, as any operator's procedure would be:
    ground run ground/pj57/procedure.py --port /dev/pts/N        (results in ./out)
or through ./scripts/demo, which starts fsw at PJ46 first (fsw --clock sim --start PJ46).

Sequence: warm and power the camera; fly the simulated mission ahead perijove by perijove from
PJ46 to PJ56 (mission_advance), reading the camera's dark-frame quality after each and imaging
(distant) Io at PJ46 and PJ49 (lossy: bit flips turn blocks to noise; lossless from then on)
and PJ56; on 2023-12-02 the heater to 25 C for four days, an image, ten days for that recovery
to fade; the heater at its maximum (60 C) for a week; then
six captures around each close flyby from the on-board schedule (the closest from ~2,500 km) and
their downlink; three orbits on, a last image. Anneals run with simulated time at 100,000x
(clock_speed) so that a week passes in seconds; imaging at the launch speed.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from fsw.mission import IO_57, IO_58, LATE_PERIOD, PJ58, perijove_time
from fsw.protocol.cuc import datetime_to_cuc_seconds
from ground.images import DownlinkedImage, save

CAMERA_SID = 10
OFFSETS_S = (-900, -400, -111, 111, 400, 900)    # captures around closest approach: +-111 s is ~2,500 km
CLOSEST_OFFSET = -111
FRAMELETS = 15                                    # 363 rows of sky in every filter, 4 x 4 summed: 56 degrees
# red, green and blue, read out 4 x 4 pixels summed (412 x 32 a strip): a sixteenth of JunoCam's
# full-scale data, so that the twenty images come down in the demo's minute
CONFIG = dict(exposure=5, filters=7, tdi=2, compression="lossless", readout="sum4")
METHANE = dict(CONFIG, filters=15)                # and the methane band, for the closest image
# the lossy mode, as before PJ49: radiation flips bits in the compressor's memory near perijove
# and turns blocks to noise; from then on lossless
LOSSY = dict(CONFIG, compression="lossy")
OPERATING_SETPOINT = 0                            # cC: the camera's thermostat during imaging
SURVEY = range(46, 57)                            # perijoves flown before December 2023
SURVEY_IMAGES = (46, 49, 56)
LOSSLESS_FROM = 50                                # after PJ49's lesson
FIRST_ANNEAL = dict(target=2500, hold=4 * 86400)  # 25 C (77 F) for days
FADE_DAYS = 10
SECOND_ANNEAL = dict(target=6000, hold=7 * 86400)  # the heater at its maximum for about a week
DECEMBER_2 = datetime_to_cuc_seconds(datetime(2023, 12, 2, tzinfo=UTC))
FAST = 100_000.0
ARMING_SPEED = 10.0


@dataclass
class Snapshot:
    """The camera's own dark-frame measurements at a moment of the story, and an image if taken."""
    label: str
    onboard: float
    quality: dict
    image: DownlinkedImage | None = None
    file: Path | None = None


@dataclass
class FlybyResult:
    name: str
    closest: float
    offsets: tuple[int, ...] = OFFSETS_S
    images: list[DownlinkedImage] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


@dataclass
class Pj57Result:
    flybys: list[FlybyResult]
    story: list[Snapshot] = field(default_factory=list)
    anneals: list[dict] = field(default_factory=list)      # start, end, target, hold, event fields
    speed: float = 1000.0


def _downlink(gs, image_id: int, label: str, console: Console) -> DownlinkedImage:
    with Progress(TextColumn("  {task.description:<26}"), BarColumn(), TaskProgressColumn(),
                  TextColumn("{task.completed}/{task.total} octets"), console=console) as bar:
        task = bar.add_task(label, total=None)
        return gs.downlink_image(image_id, progress=lambda got, total: bar.update(task, completed=got, total=total))


def quality(gs) -> dict:
    values = gs.request_hk(CAMERA_SID, timeout=20)
    return {key: values[key] for key in ("dark_level", "stripes", "noise", "dropouts", "hot_pixels",
                                         "perijove", "dose")}


def fly_to(gs, onboard: float) -> None:
    """The simulated mission (world and clock together) flies ahead to this on-board time."""
    now = gs.onboard_time() or 0.0
    if onboard > now + 1:
        gs.send("heater_off")       # flight's thermostat does not run while the world flies ahead
        gs.send("mission_advance", seconds=int(onboard - now), timeout=60)
        gs.send("heater_on")        # the camera warms back to its setpoint in the next half hour


def snapshot(gs, label: str, out: Path, console: Console, image: bool) -> Snapshot:
    shot = Snapshot(label, gs.onboard_time(), quality(gs))
    q = shot.quality
    console.print(f"  {label:<34} dark level {q['dark_level']:6.0f} DN, stripes {q['stripes']:5.1f} DN, "
                  f"noise {q['noise']:5.1f} DN, {q['dropouts']:5d} dropouts, {q['hot_pixels']:4d} hot")
    if image:
        began = time.time()
        gs.send("cam_capture", framelets=FRAMELETS, timeout=60)
        event = gs.await_event("image_captured", timeout=30, since=began)
        shot.image = _downlink(gs, event.fields["image_id"], label, console)
        stem = "story_" + label.split(":")[0].replace(" ", "_").lower()
        shot.file = next(p for p in save(shot.image, out, stem) if p.suffix == ".png")
    return shot


def flyby(gs, name: str, closest: float, out: Path, console: Console, speed: float) -> FlybyResult:
    """Six scheduled captures around closest approach, then their downlink."""
    result = FlybyResult(name, closest)
    began = time.time()
    fly_to(gs, closest - 2400)
    console.print(f"[bold]{name}[/]: six captures in the on-board schedule at closest approach "
                  f"{', '.join(f'{o:+d}' for o in OFFSETS_S)} s")
    gs.send("clock_speed", speed=ARMING_SPEED)    # however slow the ground, the schedule is in time
    stored = []
    for offset in OFFSETS_S:
        if offset == CLOSEST_OFFSET:      # the closest image in all four filters, methane too
            stored.append(gs.schedule(closest + offset - 5, "cam_configure", **METHANE))
        stored.append(gs.schedule(closest + offset, "cam_capture", framelets=FRAMELETS))
        if offset == CLOSEST_OFFSET:
            stored.append(gs.schedule(closest + offset + 10, "cam_configure", **CONFIG))  # the capture takes ~6 s
    stored = [s for s in stored if s.name == "cam_capture"]
    gs.send("clock_speed", speed=speed)
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


def anneal(gs, label: str, settings: dict, speed: float, console: Console) -> dict:
    """Arm and run an anneal with simulated time fast; returns its record."""
    console.print(f"[bold]{label}[/]: {settings['target'] / 100:.0f} C held {settings['hold'] / 86400:.0f} days "
                  "(hazardous: arm + anneal; simulated time at 100,000x meanwhile)")
    start, began = gs.onboard_time(), time.time()
    with Progress(TextColumn("  {task.description:<26}"), BarColumn(), TaskProgressColumn(),
                  TextColumn("{task.fields[temp]}"), console=console) as bar:
        task = bar.add_task("anneal", total=100, temp="")

        def show(command, stage):
            if stage.stage == "progress" and stage.percent is not None:
                temp = gs.latest("cam_temp")
                bar.update(task, completed=stage.percent, temp=f"camera {temp:.1f} C" if temp is not None else "")
            elif stage.stage == "completed" and stage.ok:
                bar.update(task, completed=100)

        # an arm lasts 60 s of flight time: 60 ms at 1000x, too short for a loaded ground
        # computer between the arm and the command; 6 s at 10x
        gs.send("clock_speed", speed=ARMING_SPEED)
        tracked = gs.arm_and_send("anneal", wait=False, on_stage=show, **settings)
        gs.send("clock_speed", speed=FAST)
        try:
            gs.wait_for(tracked, timeout=120)
        finally:
            gs.send("clock_speed", speed=speed)
    event = gs.await_event("anneal_complete", timeout=10, since=began)
    gs.send("heater_on")          # back to the operating thermostat
    return {"label": label, "start": start, "end": gs.onboard_time(), **settings, **event.fields}


def fly(gs, out: str | Path = "out", console: Console | None = None, speed: float = 1000.0) -> Pj57Result:
    out = Path(out)
    console = console or Console()
    gs.ping()
    result = Pj57Result([], speed=speed)
    console.print("[bold]Warm-up[/]: heater thermostat on, camera power on")
    gs.send("heater_setpoint", setpoint=OPERATING_SETPOINT)
    gs.send("heater_on")
    gs.send("cam_power", state="on")
    gs.await_event("cam_ready", timeout=60)
    gs.await_telemetry("cam_state", lambda s: s == "ready", timeout=10)
    gs.send("cam_configure", **LOSSY)

    console.print("[bold]PJ46 to PJ56[/]: the camera's power supply fails, orbit by orbit "
                  "(dark-frame measurements after each perijove)")
    for number in SURVEY:
        fly_to(gs, perijove_time(number) + 3600)
        if number == LOSSLESS_FROM:
            console.print("  PJ49's image came down with blocks of noise (bit flips in the lossy "
                          "compressor): lossless from now on")
            gs.send("cam_configure", **CONFIG)
        result.story.append(snapshot(gs, f"PJ{number}", out, console, image=number in SURVEY_IMAGES))

    console.print("[bold]December 2023[/]: two anneals before PJ57")
    fly_to(gs, DECEMBER_2)
    result.anneals.append(anneal(gs, "First anneal", FIRST_ANNEAL, speed, console))
    result.story.append(snapshot(gs, "After the 25 C anneal", out, console, image=True))
    fly_to(gs, gs.onboard_time() + FADE_DAYS * 86400)
    result.story.append(snapshot(gs, f"{FADE_DAYS} days later", out, console, image=False))
    result.anneals.append(anneal(gs, "Second anneal", SECOND_ANNEAL, speed, console))
    result.story.append(snapshot(gs, "After the week at 60 C", out, console, image=False))

    result.flybys.append(flyby(gs, "PJ57", IO_57, out, console, speed))   # Io comes hours before the perijove
    result.flybys.append(flyby(gs, "PJ58", IO_58, out, console, speed))

    fly_to(gs, PJ58 + 3 * LATE_PERIOD + 3600)
    console.print("[bold]Three orbits later[/]: the noise comes back")
    result.story.append(snapshot(gs, "PJ61", out, console, image=True))
    gs.assert_limits_nominal("cam_temp")
    return result


if __name__ == "__main__" and "gs" in globals():
    # run by `ground run ground/pj57/procedure.py --port URL [OUT_DIR]`
    import sys

    from ground.pj57.report import write_report
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    write_report(gs, fly(gs, out_dir), out_dir)  # noqa: F821

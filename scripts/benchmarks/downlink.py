"""The downlink at line rate: fsw and ground on ptys, a proxy between them pacing each direction
at 115200 baud 8N1 (11,520 octets/s), one run; this tree's fsw against a baseline tree's.

1. Image goodput: one demo-sized image (captured first, at 1000x, then downlinked by a real-clock
   fsw), payload octets over elapsed time, as a share of the line rate (goal >= 90% with
   1,024-octet frames, >= 85% with 256).
2. Reply latency: pings during that downlink against pings on the idle link (goal: within the
   idle round trip plus two frame times).
3. At 1000x simulated time, the idle fill the line carries (goal: no more than one frame's
   packet zone a second, what one CLCW a second needs).
4. The Arduino Uno firmware in simavr (real time, its UART at 115200 baud): its image in three
   filters (12,288 pixels: two 32-row framelets of 64 columns, a CFDP class 1 file; the baseline's
   firmware sends its 64x64 planes in segments), goodput as above (goal >= 70%) but of the line
   simavr models, whose rate the harness measures (10,695 octets/s: simavr counts 11 bits an
   octet), when the AVR toolchain is installed.
5. The Pico's MicroPython program in the emulated board (mpy-sim, real time, its UART paced at
   115200 baud): its 64x64 image in three filters (12,288 pixels, a CFDP class 1 file; before,
   segments), goodput as above (goal >= 70%), when node and the WebAssembly port are installed.

    ./scripts/bench downlink [--baseline REV] [--frames 1024,256] [--seconds S] [--no-arduino] [--no-pico]

The baseline is a git revision exported to a temporary directory (default: eda3941, the paced
downlink whose images today's ground reads, segments from the firmware); --baseline none skips it.
"""

import argparse
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from fsw import launch  # noqa: E402
from fsw.dictionary import load  # noqa: E402
from fsw.link import PtyLink  # noqa: E402
from fsw.mission import PJ57  # noqa: E402
from fsw.protocol.cfdp import CFDP_APID  # noqa: E402
from fsw.protocol.pus import MIN_TM_LEN  # noqa: E402
from fsw.protocol.stack import TmReceiver  # noqa: E402
from fsw.protocol.tmframe import zone_length  # noqa: E402
from ground.procedures import connect  # noqa: E402

SEGMENT = (load().report("image_segment").service, load().report("image_segment").subtype)

BAUD = 115200
RATE = BAUD / 10          # octets/s, 8N1
BASELINE = "eda3941"      # paced downlink, CFDP on the host, segments from the firmware
PING_EVERY = 5.0          # seconds between pings during the downlink
CHUNK = 64                # octets the proxy writes at once (5.6 ms of line)


def open_raw(path: str) -> int:
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    return fd


class PacingProxy:
    """fsw's pty on one side, a new pty for the ground on the other; every octet each way waits
    for its line time. Reads are eager (a UART FIFO with room for anything), writes paced."""

    def __init__(self, fsw_port: str, frame_len: int, rate: float = RATE):
        self.rate = rate
        self.fsw = open_raw(fsw_port)
        self.ground = PtyLink()
        self.path = self.ground.path
        self.ground_fd = self.ground._master
        self.stop = threading.Event()
        self.down_octets = 0
        self.tap = LineTap(frame_len)
        self.threads = [threading.Thread(target=self._pump, args=(self.fsw, self.ground_fd, True), daemon=True),
                        threading.Thread(target=self._pump, args=(self.ground_fd, self.fsw, False), daemon=True)]
        for thread in self.threads:
            thread.start()

    def _pump(self, source: int, sink: int, down: bool) -> None:
        queue = bytearray()
        free_at = time.monotonic()      # when the line finishes the octets written so far
        while not self.stop.is_set():
            now = time.monotonic()
            timeout = 0.05 if not queue else max(0.0, min(free_at - now, 0.05))
            ready, _, _ = select.select([source], [], [], timeout)
            if ready:
                if not queue:       # the line was idle until now: it owes nobody any time
                    free_at = max(free_at, time.monotonic())
                try:
                    queue += os.read(source, 65536)
                except (BlockingIOError, OSError):
                    pass
            now = time.monotonic()
            while queue and free_at <= now + 1e-4:
                chunk = bytes(queue[:CHUNK])
                try:
                    written = os.write(sink, chunk)
                except BlockingIOError:
                    break
                except OSError:
                    return
                del queue[:written]
                free_at += written / self.rate
                if down:
                    self.down_octets += written
                    self.tap.feed(chunk[:written])

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(1)
        os.close(self.fsw)
        self.ground.close()


class LineTap:
    """What the downlink line carries, by kind: frames per virtual channel, packet octets."""

    def __init__(self, frame_len: int):
        self.receiver = TmReceiver(frame_len, raw_apids=frozenset({CFDP_APID}))
        self.receiver.on_raw = self._pdu
        self.zone = zone_length(frame_len)
        self.vc_frames: dict[int, int] = {}
        self.idle_frames = 0
        self.octets: dict[str, int] = {}
        self.receiver.on_frame = self._frame

    def _frame(self, frame: bytes) -> None:
        vcid = (frame[1] >> 1) & 7
        self.vc_frames[vcid] = self.vc_frames.get(vcid, 0) + 1

    def _pdu(self, packet: bytes) -> None:   # a CFDP PDU, no PUS header: file data, not idle fill
        self.octets["cfdp"] = self.octets.get("cfdp", 0) + len(packet)

    def feed(self, data: bytes) -> None:
        for packet in self.receiver.feed(data):
            kind = "segments" if (packet.service, packet.subtype) == SEGMENT else f"apid {packet.apid:#05x}"
            self.octets[kind] = self.octets.get(kind, 0) + MIN_TM_LEN + len(packet.data)

    def summary(self) -> str:
        frames = sum(self.vc_frames.values())
        used = sum(self.octets.values())
        kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(self.octets.items(), key=lambda kv: -kv[1]))
        return (f"frames by VC {dict(sorted(self.vc_frames.items()))}; packet octets: {kinds}; "
                f"idle fill {frames * self.zone - used:,}")


def capture_image(state: Path, cwd: Path) -> int:
    """A demo-sized image in the store at `state`, taken by a fast simulated fsw."""
    with launch.start("--clock", "sim", "--speed", "1000", state=state, cwd=cwd) as fsw, \
            connect(fsw.port, archive=False, timeout=30, key_file=fsw.key_file) as gs:
        gs.send("time_set", seconds=int(PJ57 - 60))
        gs.send("cam_power", state="on")
        gs.await_event("cam_ready", timeout=60)
        gs.send("cam_configure", exposure=5, filters=7, tdi=2, readout="sum4")   # the demo's readout
        began = time.time()
        gs.send("cam_capture", framelets=8)
        event = gs.await_event("image_captured", timeout=60, since=began)
        return event.fields["image_id"]


def ping_rtt(gs) -> float:
    started = time.perf_counter()
    gs.send("ping", timeout=60)
    return time.perf_counter() - started


def downlink_run(tree: Path, state: Path, image_id: int, frame_len: int, paced: bool) -> dict:
    options = ["--clock", "real", "--tm-frame-len", str(frame_len)] + (["--baud", str(BAUD)] if paced else [])
    with launch.start(*options, state=state, cwd=tree) as fsw:
        proxy = PacingProxy(fsw.port, frame_len)
        try:
            # a baseline without SDLS ignores the keys the prepared state holds
            key_file = fsw.key_file if (tree / "fsw" / "protocol" / "sdls.py").exists() else None
            with connect(proxy.path, frame_len=frame_len, archive=False, timeout=120, key_file=key_file,
                         cop1=has_farm(tree, "fsw")) as gs:
                ping_rtt(gs)
                idle = [ping_rtt(gs) for _ in range(5)]
                busy: list[float] = []
                done = threading.Event()

                def pinger():
                    done.wait(3.0)
                    while not done.is_set():
                        busy.append(ping_rtt(gs))
                        done.wait(PING_EVERY)

                thread = threading.Thread(target=pinger, daemon=True)
                started = time.perf_counter()
                thread.start()
                image = gs.downlink_image(image_id, timeout=600)
                elapsed = time.perf_counter() - started
                done.set()
                thread.join(120)
        finally:
            proxy.close()
    octets = image.meta["size"]
    return {"octets": octets, "elapsed": elapsed, "goodput": octets / elapsed / RATE,
            "requests": image.requests, "idle_rtt": statistics.median(idle),
            "busy_max": max(busy, default=float("nan")), "busy": busy, "line": proxy.tap.summary()}


def fill_run(tree: Path, state: Path, frame_len: int, paced: bool, seconds: float) -> dict:
    """At 1000x, what reaches the ground in `seconds`: frames, packet octets, idle fill."""
    options = ["--clock", "sim", "--speed", "1000", "--tm-frame-len", str(frame_len)]
    options += ["--baud", str(BAUD)] if paced else []
    with launch.start(*options, state=state, cwd=tree) as fsw:
        proxy = PacingProxy(fsw.port, frame_len)
        receiver = TmReceiver(frame_len)
        fd = open_raw(proxy.path)
        packet_octets = 0
        try:
            time.sleep(1.0)          # let boot and the first burst pass
            while select.select([fd], [], [], 0)[0]:
                receiver.feed(os.read(fd, 65536))
            frames0 = receiver.frames_received
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                if select.select([fd], [], [], 0.1)[0]:
                    packets = receiver.feed(os.read(fd, 65536))
                    packet_octets += sum(MIN_TM_LEN + len(p.data) for p in packets)
        finally:
            os.close(fd)
            proxy.close()
    frames = receiver.frames_received - frames0
    zone = zone_length(frame_len)
    idle = max(0, frames * zone - packet_octets)
    return {"frames_per_s": frames / seconds, "idle_per_s": idle / seconds, "zone": zone,
            "idle_share": idle / max(1, frames * zone)}


def arduino_run(elf: Path, farm: bool) -> dict:
    """The firmware in the simavr harness: capture its test image in three filters, downlink it.
    farm: the firmware runs FARM-1 (the ground sends through COP-1), else Type-BD frames."""
    from fsw.hw.sim import thermal as physics
    from hil.targets.avr_sim import HARNESS

    stats = Path(tempfile.mkdtemp(prefix="perijove-sim-")) / "stats.json"
    process = subprocess.Popen([str(HARNESS), "--mcu", "atmega328p", "--sink", str(physics.SINK_C),
                                "--initial", str(physics.SINK_C), "--stats", str(stats), str(elf)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = next(line.split()[1] for line in process.stdout if line.startswith("PTY "))
        threading.Thread(target=process.stdout.read, daemon=True).start()
        with connect(port, frame_len=256, archive=False, timeout=30, on_warning=lambda _m: None,
                     key_file=None, cop1=farm) as gs:     # the firmware has no SDLS yet
            gs.await_board()
            gs.send("cam_power", state="on")
            gs.await_event("cam_ready", timeout=60)
            gs.send("cam_configure", exposure=20, filters=7, tdi=1)
            gs.send("cam_capture", framelets=2, timeout=60)   # a board without framelets takes 64 rows
            image_id = gs.await_event("image_captured", timeout=60).fields["image_id"]
            started = time.perf_counter()
            image = gs.downlink_image(image_id, timeout=300)
            elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(10)
    # the AVR's UART runs in simulated time: a simulation slower than real time slows the line too
    run = json.loads(stats.read_text())
    pace = min(1.0, run["sim_seconds"] / run["wall_seconds"])
    # the line's rate is simavr's, measured by the harness: it counts 11 bits an octet (a parity
    # bit 8N1 does not send), 10,695 octets/s with the Uno's divisor, where a board's line carries 11,765
    rate = 1e6 / run["uart_octet_us"] if run.get("uart_octet_us") else RATE
    shutil.rmtree(stats.parent, ignore_errors=True)
    octets = image.meta["size"]
    return {"octets": octets, "elapsed": elapsed, "goodput": octets / (elapsed * pace) / rate,
            "requests": image.requests, "pace": pace, "rate": rate}


# the mpy-sim target of a tree (ours or a baseline's) in a process of its own, until stdin closes
PICO_BOARD = """
import sys
from hil.targets.mpy_sim import MpySimTarget
target = MpySimTarget()
target.start()
print(target.port, target.key_file, flush=True)
sys.stdin.read()
target.stop()
"""


def pico_run(tree: Path) -> dict:
    """The tree's Pico program on the emulated board: capture its image in three filters, downlink it."""
    modules = tree / "hil" / "pico" / "node_modules"
    if not modules.exists():      # a baseline's export has none: the installed port serves it too
        modules.symlink_to(ROOT / "hil" / "pico" / "node_modules")
    board = subprocess.Popen([sys.executable, "-c", PICO_BOARD], cwd=tree, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(tree)})
    try:
        port, key_file = board.stdout.readline().split()
        with connect(port, frame_len=256, archive=False, timeout=30, on_warning=lambda _m: None,
                     key_file=key_file) as gs:
            gs.send("cam_power", state="on")
            gs.await_event("cam_ready", timeout=60)
            gs.send("cam_configure", exposure=20, filters=7, tdi=1)
            gs.send("cam_capture", framelets=1, timeout=60)
            image_id = gs.await_event("image_captured", timeout=60).fields["image_id"]
            started = time.perf_counter()
            image = gs.downlink_image(image_id, timeout=300)
            elapsed = time.perf_counter() - started
    finally:
        board.stdin.close()
        board.wait(30)
    octets = image.meta["size"]
    return {"octets": octets, "elapsed": elapsed, "goodput": octets / elapsed / RATE, "requests": image.requests}


def pico(trees: dict) -> bool:
    """True when the goal was missed."""
    from hil.targets.mpy_sim import missing_runtime

    if missing_runtime():
        print(f"\n== Pico in mpy-sim: skipped, {missing_runtime()}")
        return False
    print("\n== Pico MicroPython program in mpy-sim, 256-octet frames, real time at 115200 baud")
    runs = {name: pico_run(tree) for name, tree in trees.items()}
    return board_goal_missed(runs, lambda r: f"{r['octets']:,} octets in {r['elapsed']:.2f} s, goodput {r['goodput']:.1%}")


def board_goal_missed(runs: dict, describe) -> bool:
    """Each tree's run on a board (describe: its figures), the ratio and the goal; True when missed."""
    for name, r in runs.items():
        print(f"{name:>9}: {describe(r)}, requests {r['requests']}")
    if "baseline" in runs:
        print(f"    ratio: goodput {runs['ours']['goodput'] / runs['baseline']['goodput']:.2f}x")
    met = runs["ours"]["goodput"] >= 0.70
    print(f"     goal: goodput >= 70%: {'met' if met else 'MISSED'}")
    return not met


def firmware(tree: Path) -> Path | None:
    """The Uno ELF of a tree's firmware, built if need be; None without the AVR toolchain."""
    from hil.targets.avr_sim import build, missing_toolchain

    if missing_toolchain():
        return None
    if tree == ROOT:
        build()
    else:
        subprocess.run(["make", "-s", "-C", str(tree / "hil" / "arduino"), "uno"], check=True,
                       capture_output=True)
    return tree / "hil" / "arduino" / "build" / "uno" / "perijove.elf"


def has_farm(tree: Path, side: str) -> bool:
    """Whether a tree's flight software ("fsw") or firmware runs FARM-1 (a baseline may predate
    it): the ground then sends through COP-1, else Type-BD frames."""
    if side == "fsw":
        return (tree / "fsw" / "protocol" / "cop1" / "farm.py").exists()
    return (tree / "hil" / "arduino" / "perijove" / "pj_farm.cpp").exists()


def export(revision: str, into: Path) -> Path:
    tree = into / f"baseline-{revision}"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare with, or 'none'")
    parser.add_argument("--frames", default="1024,256", help="TM frame lengths to measure")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the 1000x idle-fill run")
    parser.add_argument("--no-arduino", action="store_true", help="skip the firmware in simavr")
    parser.add_argument("--arduino-only", action="store_true", help="only the firmware in simavr")
    parser.add_argument("--no-pico", action="store_true", help="skip the Pico program in mpy-sim")
    parser.add_argument("--pico-only", action="store_true", help="only the Pico program in mpy-sim")
    args = parser.parse_args()
    lengths = [] if args.arduino_only or args.pico_only else [int(n) for n in args.frames.split(",")]
    failed = False
    with tempfile.TemporaryDirectory(prefix="perijove-bench-downlink-") as tmp:
        tmp = Path(tmp)
        trees = {"ours": ROOT}
        if args.baseline != "none":
            trees["baseline"] = export(args.baseline, tmp)
        prepared = tmp / "state"
        image_id = capture_image(prepared, ROOT) if lengths else 0
        for frame_len in lengths:
            frame_time = (frame_len + 4) / RATE
            results = {}
            for name, tree in trees.items():
                state = tmp / f"state-{name}-{frame_len}"
                shutil.copytree(prepared, state)
                results[name] = downlink_run(tree, state, image_id, frame_len, paced=name == "ours")
            ours = results["ours"]
            goal = 0.90 if frame_len >= 1024 else 0.85
            latency_goal = ours["idle_rtt"] + 2 * frame_time
            print(f"\n== image downlink, {frame_len}-octet frames, {ours['octets']:,} payload octets "
                  f"({ours['octets'] / RATE:.1f} s of line)")
            for name, r in results.items():
                print(f"{name:>9}: {r['elapsed']:6.1f} s, goodput {r['goodput']:6.1%}, requests {r['requests']}, "
                      f"idle ping {r['idle_rtt'] * 1e3:6.0f} ms, ping during downlink max "
                      f"{r['busy_max'] * 1e3:7.0f} ms ({', '.join(f'{b:.2f}' for b in r['busy'])} s)")
                print(f"           line: {r['line']}")
            if "baseline" in results:
                base = results["baseline"]
                print(f"    ratio: goodput {ours['goodput'] / base['goodput']:.2f}x, "
                      f"busy ping {base['busy_max'] / ours['busy_max']:.1f}x faster")
            met = ours["goodput"] >= goal and ours["busy_max"] <= latency_goal
            print(f"     goal: goodput >= {goal:.0%}, busy ping <= {latency_goal * 1e3:.0f} ms "
                  f"(idle + 2 frame times): {'met' if met else 'MISSED'}")
            failed |= not met
        for frame_len in lengths[:1]:
            failed |= idle_fill(trees, prepared, tmp, frame_len, args.seconds)
        if not (args.no_arduino or args.pico_only):
            failed |= arduino(trees)
        if not (args.no_pico or args.arduino_only):
            failed |= pico(trees)
    return 1 if failed else 0


def idle_fill(trees: dict, prepared: Path, tmp: Path, frame_len: int, seconds: float) -> bool:
    """True when the goal was missed."""
    print(f"\n== idle fill at 1000x, {frame_len}-octet frames, {seconds:g} s")
    fills = {}
    for name, tree in trees.items():
        state = tmp / f"state-{name}-fill"
        shutil.copytree(prepared, state)
        fills[name] = fill_run(tree, state, frame_len, name == "ours", seconds)
        f = fills[name]
        print(f"{name:>9}: {f['frames_per_s']:5.1f} frames/s, idle fill {f['idle_per_s']:7.0f} octets/s "
              f"({f['idle_share']:.1%} of packet zones)")
    ours = fills["ours"]
    met = ours["idle_per_s"] <= ours["zone"]
    print(f"     goal: idle fill <= {ours['zone']} octets/s (one frame a second): {'met' if met else 'MISSED'}")
    return not met


def arduino(trees: dict) -> bool:
    """True when the goal was missed."""
    elfs = {name: firmware(tree) for name, tree in trees.items()}
    if elfs["ours"] is None:
        print("\n== Arduino in simavr: skipped, the AVR toolchain is missing (scripts/lib/avr-setup.sh)")
        return False
    print("\n== Arduino Uno firmware in simavr, 256-octet frames, real time at 115200 baud")
    runs = {name: arduino_run(elf, has_farm(trees[name], "firmware")) for name, elf in elfs.items()}
    return board_goal_missed(runs, lambda r: f"{r['octets']:,} octets in {r['elapsed']:.2f} s (simavr at {r['pace']:.0%} "
                                             f"of real time), goodput {r['goodput']:.1%} of the simulated line's "
                                             f"{r['rate']:,.0f} octets/s")


if __name__ == "__main__":
    sys.exit(main())

"""The board through a labgrid exporter (ser2net, RFC 2217) against the same board on its local pty.

One run on a local farm (hil/labgrid/local_farm.py: coordinator, exporter, the avr-sim board):

1. Round trip: a ping's send to its completion report, N pings one at a time on the board's own
   pty (the baseline: what --target avr-sim sees) and as many through the acquired place's RFC 2217
   port, in turns of 50; p50 and p99 of each, and the exporter's overhead (goal: at most 10 ms at p99).
2. --soak MINUTES: the place held that long, commands and image downlinks without a pause through
   RFC 2217 at 115200 baud; counts every TC frame the board took or rejected and every TM frame
   the ground took, lost (frame count gaps) or rejected (goal: no frame lost either way).

    ./scripts/bench labgrid [--pings 300] [--soak 30 [--soak-local]]

--soak-local soaks on the board's own pty instead, the baseline for what the exporter adds.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# this file's directory out of the path: here, `import labgrid` must find labgrid, not this bench
sys.path[0] = str(ROOT)

from ground.procedures import connect  # noqa: E402
from hil.labgrid.local_farm import PLACE, LocalFarm, missing  # noqa: E402
from hil.labgrid.place import PlaceLease  # noqa: E402
from hil.targets.avr_sim import FIRMWARE_CAPABILITIES  # noqa: E402
from hil.tests.test_commands import captured_image  # noqa: E402

BAUD = 115200
FRAME_LEN = FIRMWARE_CAPABILITIES["frame_len"]
BLOCK = 50           # pings on one side before the other side's turn


def station(url: str):
    gs = connect(port_url=url, frame_len=FRAME_LEN, archive=False, timeout=20, on_warning=lambda _m: None)
    for _ in range(5):          # the first ping may meet the board mid-frame
        try:
            gs.send("ping", timeout=5)
            break
        except Exception:
            continue
    return gs


def round_trips(url: str, pings: int) -> list[float]:
    gs = station(url)
    try:
        times = []
        for _ in range(pings):
            start = time.perf_counter()
            assert gs.send("ping").outcome == "completed"
            times.append((time.perf_counter() - start) * 1000)
        return times
    finally:
        gs.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def soak(url: str, minutes: float) -> dict:
    gs = station(url)
    try:
        before = gs.request_hk(2)
        image_id = captured_image(gs)
        receiver = gs.session.ingest.receiver
        frames_before, counts_before = receiver.frames_received, sum(receiver.counts.values())
        pings = images = 0
        worst = 0.0
        end = time.monotonic() + minutes * 60
        next_image = 0.0
        while time.monotonic() < end:
            if time.monotonic() >= next_image:       # the downlink busy: an image every 20 s
                image = gs.downlink_image(image_id, timeout=300)
                assert image.meta["image_id"] == image_id
                images += 1
                next_image = time.monotonic() + 20
            start = time.perf_counter()
            assert gs.send("ping").outcome == "completed"
            worst = max(worst, time.perf_counter() - start)
            pings += 1
        after = gs.request_hk(2)
        return {
            "minutes": minutes, "pings (each completed)": pings, "images downlinked": images,
            "board: TC frames taken": after["frames_received"] - before["frames_received"],
            "board: TC frames rejected": after["frames_rejected"] - before["frames_rejected"],
            "board: commands accepted": after["tc_accepted"] - before["tc_accepted"],
            "board: commands rejected": after["tc_rejected"] - before["tc_rejected"],
            "ground: TM frames taken": receiver.frames_received - frames_before,
            "ground: TM problems (a bad frame counts once for its FECF, once for the gap)": sum(receiver.counts.values()) - counts_before,
            "ground: by reason": {reason.name: n for reason, n in receiver.counts.items()},
            "slowest ping (ms)": round(worst * 1000, 1),
        }
    finally:
        gs.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pings", type=int, default=300)
    parser.add_argument("--soak", type=float, default=0, metavar="MINUTES")
    parser.add_argument("--soak-local", action="store_true",
                        help="soak on the board's own pty instead (the baseline: what the exporter adds or not)")
    args = parser.parse_args()
    why = missing()
    if why:
        print(f"labgrid bench: {why}", file=sys.stderr)
        return 2
    with LocalFarm() as farm:
        lease = PlaceLease(PLACE, farm.coordinator, wait=60, say=print)
        lease.acquire()
        try:
            # in turns, so that the load of the machine falls on both alike; ser2net opens the
            # board's pty only while its client is connected, so the two never share it
            local, remote = [], []
            for _ in range(max(1, args.pings // BLOCK)):
                local += round_trips(farm.uart, BLOCK)
                remote += round_trips(lease.ports["uart"], BLOCK)
            print(f"ping round trip, {len(local)} pings each, the avr-sim board at {BAUD} baud:")
            print(f"  {'':34} {'p50 ms':>8} {'p99 ms':>8}")
            for name, values in ((f"local pty {farm.uart}", local), (f"through the exporter {lease.ports['uart']}", remote)):
                print(f"  {name:34} {statistics.median(values):8.2f} {percentile(values, 0.99):8.2f}")
            p50 = statistics.median(remote) - statistics.median(local)
            p99 = percentile(remote, 0.99) - percentile(local, 0.99)
            print(f"  exporter overhead: p50 {p50:+.2f} ms, p99 {p99:+.2f} ms (goal: at most 10 ms at p99); "
                  f"ratio p50 {statistics.median(remote) / statistics.median(local):.2f}x, "
                  f"p99 {percentile(remote, 0.99) / percentile(local, 0.99):.2f}x")
            if args.soak:
                url = farm.uart if args.soak_local else lease.ports["uart"]
                if args.soak_local:
                    lease.release()             # ser2net off: the pty is the soak's alone
                print(f"soak on {url}, {args.soak:g} minutes (load average {os.getloadavg()[0]:.1f}):", flush=True)
                for key, value in soak(url, args.soak).items():
                    print(f"  {key}: {value}")
                print(f"  load average at the end: {os.getloadavg()[0]:.1f}")
        finally:
            lease.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Images down with CFDP (fsw.protocol.cfdp, cfdp-py), against today's image segments in one run.

1. Loss: N seeded downlinks of a demo image through the channel emulator at 10% frame loss each
   way (commands and PDUs up, frames down), flight and ground in one process, the flight clock
   simulated at 1000x; each must come down byte for byte (the ground's file against the flight's
   stored one) with no operator action. Baseline: the camera's segments (cam_downlink, lost
   segments asked for again, 5 retries) on the same seeds. Goal: N of N.
2. Goodput: one demo image on a clean line paced at 115200 baud 8N1 (the downlink benchmark's
   proxy), a real-clock fsw: file octets over elapsed time, as a share of the line rate.
   Baseline: the segments on the same line. Goal: >= 85%.

    ./scripts/bench cfdp            # 10 transfers with loss, then the paced line
    ./scripts/bench cfdp --full     # 100 transfers with loss (a few minutes)
"""

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from downlink import RATE, PacingProxy, capture_image  # noqa: E402

from fsw import launch  # noqa: E402
from fsw.app import FlightSoftware  # noqa: E402
from fsw.link import link_pair  # noqa: E402
from fsw.link.channel import ChannelLink, Impairments  # noqa: E402
from fsw.protocol.cfdp import CFDP_APID  # noqa: E402
from ground.procedures import connect  # noqa: E402

LOSS = 0.10


def lossy_run(state: Path, image_id: int, seed: int, via: str) -> tuple[bool, float, str]:
    """One downlink at LOSS each way; (byte-exact, seconds, what went wrong)."""
    flight_end, ground_end = link_pair("bench")
    fs = FlightSoftware(flight_end, state_dir=state, clock="sim", speed=1000, seed=seed).start()
    link = ChannelLink(ground_end, Impairments(drop=LOSS, seed=seed))
    began = time.perf_counter()
    try:
        with connect(link=link, archive=False, timeout=10, on_warning=lambda _m: None) as gs:
            image = gs.downlink_image(image_id, via=via, timeout=300)
            elapsed = time.perf_counter() - began
            stored = fs.components["camera"].images.blob(image_id)
            if via == "cfdp":
                got = (gs.session.files.entity.received / f"image_{image_id:05d}.pjim").read_bytes()
                return got == stored, elapsed, "" if got == stored else "file differs"
            payload = fs.components["camera"].images.payload(image_id)
            same = image.meta["size"] == len(payload) and image.meta["checksum"] is not None
            return same, elapsed, ""
    except Exception as error:      # a failed transfer is a result here, not the end of the run
        return False, time.perf_counter() - began, f"{type(error).__name__}: {error}"
    finally:
        fs.stop()


def paced_run(state: Path, image_id: int, via: str) -> dict:
    with launch.start("--clock", "real", "--baud", "115200", state=state, cwd=ROOT) as fsw:
        proxy = PacingProxy(fsw.port, 1024)
        tap = proxy.tap.receiver                   # the line tap counts CFDP packets too
        tap.raw_apids = frozenset({CFDP_APID})
        tap.on_raw = lambda packet: proxy.tap.octets.__setitem__("cfdp", proxy.tap.octets.get("cfdp", 0) + len(packet))
        try:
            with connect(proxy.path, archive=False, timeout=60, key_file=fsw.key_file) as gs:
                gs.send("ping", timeout=30)
                started = time.perf_counter()
                image = gs.downlink_image(image_id, via=via, timeout=600)
                elapsed = time.perf_counter() - started
                octets = (len((gs.session.files.entity.received / f"image_{image_id:05d}.pjim").read_bytes())
                          if via == "cfdp" else image.meta["size"])
        finally:
            proxy.close()
    return {"octets": octets, "elapsed": elapsed, "goodput": octets / elapsed / RATE, "line": proxy.tap.summary()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="100 transfers with loss (default 10)")
    parser.add_argument("--transfers", type=int, help="this many transfers with loss")
    parser.add_argument("--no-baseline", action="store_true", help="CFDP only")
    parser.add_argument("--no-paced", action="store_true", help="skip the paced line")
    parser.add_argument("--paced-only", action="store_true", help="only the paced line")
    args = parser.parse_args()
    count = args.transfers or (100 if args.full else 10)
    logging.getLogger("fsw").setLevel(logging.CRITICAL)    # each in-process flight's "peer closed" at its end
    ways = ["cfdp"] if args.no_baseline else ["cfdp", "segments"]
    ok = True
    with tempfile.TemporaryDirectory(prefix="perijove-bench-cfdp-") as tmp:
        tmp = Path(tmp)
        prepared = tmp / "state"
        image_id = capture_image(prepared, ROOT)
        results = {}
        for via in [] if args.paced_only else ways:
            if not results:
                print(f"== {count} seeded downlinks of image {image_id} at {LOSS:.0%} frame loss each way")
            good, times, failures = 0, [], []
            for seed in range(count):
                state = tmp / f"state-{via}-{seed}"
                shutil.copytree(prepared, state)
                exact, elapsed, why = lossy_run(state, image_id, seed, via)
                shutil.rmtree(state, ignore_errors=True)
                good += exact
                times.append(elapsed)
                if not exact:
                    failures.append(f"seed {seed}: {why}")
            results[via] = good
            times.sort()
            print(f"{via:>9}: {good} of {count} byte-exact; time median {times[len(times) // 2]:.1f} s, "
                  f"max {times[-1]:.1f} s")
            for failure in failures[:5]:
                print(f"           {failure}")
        if "segments" in results:
            print(f"    ratio: {results['cfdp']} / {max(results['segments'], 1)} = "
                  f"{results['cfdp'] / max(results['segments'], 1):.2f}x the transfers completed")
        if results:
            met = results["cfdp"] == count
            ok &= met
            print(f"     goal: {count} of {count}: {'met' if met else 'MISSED'}")
        if not args.no_paced:
            print("\n== one image on a clean line paced at 115200 baud, 1024-octet frames")
            paced = {}
            for via in ways:
                state = tmp / f"state-paced-{via}"
                shutil.copytree(prepared, state)
                paced[via] = r = paced_run(state, image_id, via)
                print(f"{via:>9}: {r['octets']:,} octets in {r['elapsed']:.1f} s, goodput {r['goodput']:.1%}")
                print(f"           line: {r['line']}")
            if "segments" in paced:
                print(f"    ratio: goodput {paced['cfdp']['goodput'] / paced['segments']['goodput']:.2f}x")
            met = paced["cfdp"]["goodput"] >= 0.85
            ok &= met
            print(f"     goal: goodput >= 85%: {'met' if met else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

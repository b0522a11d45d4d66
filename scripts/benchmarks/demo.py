"""The demo (`python -m ground.pj57.demo`, set-up done), this tree's against a baseline tree's, in
the same run: runs alternate between the two, optionally beside CPU-bound processes (as issue 15
asks: under a minute and every run passing beside two of them). Per tree: runs passed, the
demo's own time (PJ46 to PJ61, set-up excluded) median and worst, wall time median, and the
octets of the images that came down; the ratio of the medians, ours over the baseline's.

    ./scripts/bench demo [--baseline REV] [--runs N] [--burners K]

The default baseline is the quarter-scale camera (412 columns, 32-row strips), before the camera
took JunoCam's own scale and the demo its 4 x 4 summed readout.
"""

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from downlink import export  # noqa: E402  (one way to export a baseline tree)

BASELINE = "7ade9be"      # the last commit with the quarter-scale camera
BURNER = "while True: pass"
DONE = re.compile(r"done in ([0-9.]+) s")
BAR = re.compile(r"^\s+(\S.*?)\s+━.*?\d+/(\d+) octets", re.MULTILINE)   # an image's progress bar


def run_demo(tree: Path, out: Path) -> dict:
    """One demo run with the tree's code (its packages first on the path): outcome and times."""
    started = time.perf_counter()
    process = subprocess.run([sys.executable, "-m", "ground.pj57.demo", "--out", str(out)], cwd=tree,
                             capture_output=True, text=True)
    wall = time.perf_counter() - started
    log = process.stdout + process.stderr
    done = DONE.search(log)
    totals = {label: int(total) for label, total in BAR.findall(log)}     # each image's size, by its bar
    return {"ok": process.returncode == 0 and done is not None, "wall": wall,
            "demo": float(done.group(1)) if done else None, "octets": sum(totals.values()),
            "failure": next((line for line in log.splitlines() if "demo failed" in line), "")}


def summary(name: str, runs: list[dict]) -> str:
    times = [r["demo"] for r in runs if r["ok"]]
    walls = [r["wall"] for r in runs if r["ok"]]
    if not times:
        return f"{name:<9} 0/{len(runs)} passed"
    return (f"{name:<9} {len(times)}/{len(runs)} passed; demo median {statistics.median(times):.1f} s, worst "
            f"{max(times):.1f} s; wall median {statistics.median(walls):.1f} s; "
            f"images {statistics.median(r['octets'] for r in runs if r['ok']):,.0f} octets")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    parser.add_argument("--runs", type=int, default=3, help="runs of each tree")
    parser.add_argument("--burners", type=int, default=0, help="CPU-bound processes running beside the demo")
    args = parser.parse_args()
    burners = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(args.burners)]
    results: dict[str, list[dict]] = {"baseline": [], "ours": []}
    try:
        with tempfile.TemporaryDirectory(prefix="perijove-bench-demo-") as tmp:
            trees = {"baseline": export(args.baseline, Path(tmp)), "ours": ROOT}
            for index in range(args.runs):
                for name, tree in trees.items():
                    result = run_demo(tree, Path(tmp) / f"out-{name}")
                    results[name].append(result)
                    print(f"{name} run {index + 1}: {'ok' if result['ok'] else 'FAILED'} demo "
                          f"{result['demo'] or 0:.1f} s, wall {result['wall']:.1f} s {result['failure']}", flush=True)
    finally:
        for burner in burners:
            burner.terminate()
            burner.wait(10)
    print(f"\n{args.burners} CPU-bound process(es) beside the demo; baseline {args.baseline}")
    for name, runs in results.items():
        print(summary(name, runs))
    ours = [r["demo"] for r in results["ours"] if r["ok"]]
    base = [r["demo"] for r in results["baseline"] if r["ok"]]
    if ours and base:
        print(f"ratio (ours / baseline, median demo time): {statistics.median(ours) / statistics.median(base):.2f}")
    return 0 if all(r["ok"] for r in results["ours"]) else 1


if __name__ == "__main__":
    sys.exit(main())

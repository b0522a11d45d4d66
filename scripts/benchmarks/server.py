"""The ground server from a person's command line, against Python doing nothing, in the same run.

`ground send --server URL ping` as a whole process (start, send through the server, wait for the
completion report, exit) against `python -c pass`; the median of N runs each, interleaved so a
busy machine slows both alike, and their ratio (goal: <= 4x).

    ./scripts/bench server [--runs N]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from fsw import launch  # noqa: E402

GOAL = 4.0


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ground = str(Path(sys.executable).with_name("ground"))
    with tempfile.TemporaryDirectory() as home, launch.start("--clock", "sim", "--speed", "10",
                                                             state=Path(home) / "fsw") as fsw:
        keys = ["--key-file", str(fsw.key_file)] if fsw.key_file else []     # a baseline without SDLS has none
        server = subprocess.Popen([ground, "serve", "--port", fsw.port, "--no-archive", *keys], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env={"PERIJOVE_HOME": home, "PATH": ""})
        try:
            url = launch.wait_for_line(server, r"served on (http://\S+)", timeout=30).group(1)
            send = [ground, "send", "--server", url, "ping"]
            baseline = [sys.executable, "-c", "pass"]
            timed(send)                                   # warm the file cache, as a person's second try
            ours, base = [], []
            for _ in range(args.runs):
                ours.append(timed(send))
                base.append(timed(baseline))
        finally:
            launch.stop(server)
    ours_ms, base_ms = statistics.median(ours) * 1e3, statistics.median(base) * 1e3
    ratio = ours_ms / base_ms
    print(f"`ground send --server URL ping`, whole process, median of {args.runs}")
    print(f"  python -c pass          {base_ms:7.1f} ms")
    print(f"  ground send ping        {ours_ms:7.1f} ms   (fastest {min(ours) * 1e3:.1f} ms)")
    print(f"  ratio                   {ratio:7.2f} x   ({'meets' if ratio <= GOAL else 'misses'} goal <= {GOAL:g}x)")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())

"""The demo: start `fsw` on a pty in simulated time and fly the PJ57 procedure against it.

    python -m ground.demo [--out DIR] [--speed X]      (./scripts/demo does the set-up first)
"""

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console


def start_fsw(state_dir: Path, speed: float, seed: int, console: Console):
    """fsw as a real subprocess on a new pty; returns (process, slave path)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "fsw.cli", "--port", "pty", "--clock", "sim", "--speed", str(speed),
         "--state", str(state_dir), "--seed", str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 30
    output = []
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        match = re.search(r"listening on (\S+)", line)
        if match:
            # keep reading its output so fsw never blocks on a full pipe; show its complaints
            def drain():
                for rest in process.stdout:
                    if "Traceback" in rest or "error" in rest.lower():
                        console.print(f"[dim]fsw: {rest.rstrip()}[/]")
            threading.Thread(target=drain, daemon=True).start()
            return process, match.group(1)
    process.kill()
    raise RuntimeError("fsw did not start:\n" + "".join(output))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="demo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="out", help="results directory (default ./out)")
    parser.add_argument("--speed", type=float, default=1000.0, help="simulated-time speed-up (default 1000)")
    parser.add_argument("--seed", type=int, default=57)
    args = parser.parse_args(argv)

    from .pj57 import fly
    from .procedures import CommandError, connect
    from .report import write_report

    console = Console()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perijove-fsw-") as state:
        process, port = start_fsw(Path(state), args.speed, args.seed, console)
        console.print(f"fsw running on {port}, simulated time at {args.speed:g}x")
        started = time.time()
        try:
            archive = out / "archive.sqlite"
            for stale in out.glob("archive.sqlite*"):
                stale.unlink()
            with connect(port, archive=archive, timeout=20) as gs:
                result = fly(gs, out, console)
                report = write_report(gs, result, out)
        except (CommandError, TimeoutError, AssertionError) as error:
            console.print(f"[bold red]demo failed:[/] {type(error).__name__}: {error}")
            return 1
        finally:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
    console.print(f"[bold green]flyby done in {time.time() - started:.1f} s[/]; results in {out}/: "
                  f"{len(list(out.glob('*.png')))} PNGs, {report.name}, archive.sqlite")
    return 0


if __name__ == "__main__":
    sys.exit(main())

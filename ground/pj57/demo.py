"""The demo: start `fsw` on a pty in simulated time and fly the PJ57 procedure against it.

    python -m ground.pj57.demo [--out DIR] [--speed X]      (./scripts/demo does the set-up first)
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from fsw import launch


def _show_complaints(console: Console):
    """fsw's stderr lines worth a user's eye (tracebacks, errors), shown dimmed."""
    def show(line: str) -> None:
        if "Traceback" in line or "error" in line.lower():
            console.print(f"[dim]fsw: {line}[/]")
    return show


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="demo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="out", help="results directory (default ./out)")
    parser.add_argument("--speed", type=float, default=1000.0, help="simulated-time speed-up (default 1000)")
    parser.add_argument("--seed", type=int, default=57)
    args = parser.parse_args(argv)

    from ground.procedures import CommandError, connect

    from .procedure import fly
    from .report import write_report

    console = Console()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perijove-fsw-") as state:
        try:
            fsw = launch.start("--clock", "sim", "--speed", str(args.speed), "--seed", str(args.seed), "--start", "PJ46",
                               state=state, on_stderr=_show_complaints(console))
        except launch.LaunchError as error:
            console.print(f"[bold red]demo failed:[/] {error}")
            return 1
        console.print(f"fsw running on {fsw.port}, simulated time at {args.speed:g}x")
        started = time.time()
        with fsw:
            try:
                archive = out / "archive.sqlite"
                for stale in out.glob("archive.sqlite*"):
                    stale.unlink()
                with connect(fsw.port, archive=archive, timeout=20, key_file=fsw.key_file) as gs:
                    for stale in [*out.glob("*.png"), *out.glob("*.json")]:
                        stale.unlink()
                    result = fly(gs, out, console, speed=args.speed)
                    report = write_report(gs, result, out)
            except (CommandError, TimeoutError, AssertionError) as error:
                console.print(f"[bold red]demo failed:[/] {type(error).__name__}: {error}")
                return 1
    console.print(f"[bold green]PJ46 to PJ61 done in {time.time() - started:.1f} s[/]; results in {out}/: "
                  f"{len(list(out.glob('*.png')))} PNGs, {report.name}, archive.sqlite")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The console: from a report's arrival to its line on a terminal, against the 20 ms goal.

A console runs as a person's would (prompt_toolkit on a pty); an event record is handed to the
session as the reader thread hands it, and the clock stops when its line can be read on the
pty. Median and worst of N, with the redraw interval the console uses and with prompt_toolkit's
default (0.2 s, the baseline), in the same run.

    ./scripts/bench console [--runs N]
"""

import argparse
import os
import pty
import select
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from prompt_toolkit.application import create_app_session  # noqa: E402
from prompt_toolkit.data_structures import Size  # noqa: E402
from prompt_toolkit.input import create_pipe_input  # noqa: E402
from prompt_toolkit.output.vt100 import Vt100_Output  # noqa: E402

import ground.console  # noqa: E402
from fsw.link import link_pair  # noqa: E402
from fsw.protocol.pus import TmPacket  # noqa: E402
from ground.procedures import connect  # noqa: E402
from ground.telemetry import Record  # noqa: E402

GOAL = 0.020


def latencies(runs: int, redraw: float) -> list[float]:
    ground.console.REDRAW_INTERVAL = redraw
    controller, terminal = pty.openpty()
    _, link = link_pair()
    out = []
    with connect(link=link, archive=False) as gs, create_pipe_input() as keys:
        output = Vt100_Output(os.fdopen(terminal, "w"), lambda: Size(rows=24, columns=80), term="xterm")
        console = ground.console.Console(gs, input=keys, output=output, history_path=False)

        def run():
            with create_app_session(input=keys, output=output):
                console.run()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        time.sleep(0.5)                       # the prompt is drawn
        packet = TmPacket(0x050, 5, 1, b"")
        for n in range(runs):
            marker = f"image_id={1000 + n}".encode()
            seen = b""
            start = time.perf_counter()
            gs.session.apply([Record("event", "downlink_complete", {"image_id": 1000 + n}, packet, time.time(), "info")])
            while marker not in seen:
                ready, _, _ = select.select([controller], [], [], 2.0)
                if not ready:
                    raise SystemExit(f"line {marker.decode()} never reached the terminal")
                seen += os.read(controller, 65536)
            out.append(time.perf_counter() - start)
            time.sleep(0.01 + (n % 7) * 0.013)  # arrivals at no fixed phase of the redraw tick
        keys.send_text("quit\r")
        thread.join(5)
    os.close(controller)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    chosen = ground.console.REDRAW_INTERVAL
    for label, redraw in (("baseline (prompt_toolkit's 0.2 s tick)", 0.2), (f"console ({chosen * 1000:g} ms tick)", chosen)):
        times = latencies(args.runs, redraw)
        median, worst = statistics.median(times), max(times)
        print(f"{label:<40} median {median * 1000:6.1f} ms  worst {worst * 1000:6.1f} ms  "
              f"worst/goal {worst / GOAL:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Commands over a bad line: COP-1 (Type-AD through FOP-1 and FARM-1) against the same load sent
without COP-1 (Type-BD, an operator resending on timeout), in the same run.

For each line (1%, 5%, 10% of frames lost each way, plus a bit error rate of 1e-4 both ways), a
real flight software and a real ground session in this process, the channel emulator between
them (fsw.link.ChannelLink), all six runs at once. The load: N pings, at most WINDOW of them
outstanding at a time (the board's FARM window 20, so the FOP's K is 10).
What the flight executes is recorded on board (the dispatcher's acceptances, with the packet
bytes), so each logical command is checked: executed exactly once, in order, none lost, none
twice, none corrupted. Latency: from the request until the ground knows the board took the
command (COP-1: the CLCW acknowledgement or the first PUS-1 report, whichever first; without:
the first PUS-1 report). FOP suspends (timeout type 1: the operator resumes, as Yamcs does by
default) and alerts are counted per hour of link time.

    ./scripts/bench link               # 500 commands per line, the six runs at once (a few minutes)
    ./scripts/bench link --full        # 10,000 commands per line, V(S) wrapping >= 40 times
"""

import argparse
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from fsw.app import FlightSoftware  # noqa: E402
from fsw.link import ChannelLink, link_pair  # noqa: E402
from fsw.link.channel import Impairments  # noqa: E402
from fsw.protocol.cop1 import FopSettings  # noqa: E402
from fsw.protocol.cop1.fop import INITIAL  # noqa: E402
from fsw.protocol.pus import encode_tc  # noqa: E402
from ground.cop1 import CopRefused  # noqa: E402
from ground.session import Session  # noqa: E402

LOSSES = (0.01, 0.05, 0.10)
BER = 1e-4
FARM_WINDOW = 20               # fsw --farm-window: PW = 10
WINDOW = 10                    # outstanding commands, both ways of sending (the FOP's K = PW)
RETRY_AFTER = 1.0              # s: the operator without COP-1 resends after this long with no report
RETRIES = 5                    # ... this many times, then gives up
FOP = dict(window=WINDOW, t1=0.5, transmission_limit=10, timeout_type=1)   # T1: 100x the round trip here
FIRST_VS = 240                 # V(S) starts here: 10,000 frames then wrap 40 times


class Board:
    """A real flight software on one end of an in-process link; records every TC it accepts, with
    the logical command the ground sent under that request id at that moment (a 14-bit sequence
    count repeats after 16,384 packets of an APID: the resends without COP-1 get there)."""

    def __init__(self, logical: dict):
        self.flight_end, self.ground_end = link_pair("bench")
        self.flight = FlightSoftware(self.flight_end, clock="real", farm_window=FARM_WINDOW)
        self.executed: list[tuple[int | None, int, bytes]] = []   # (logical, request id, packet)
        dispatcher = self.flight.dispatcher
        submit = dispatcher.submit

        def recording(tc, from_ground=False):
            accepted = submit(tc, from_ground)
            if accepted and from_ground:
                self.executed.append((logical.get(tc.request_id), tc.request_id, encode_tc(tc)))
            return accepted

        dispatcher.submit = recording
        self.flight.start()

    def stop(self):
        self.flight.stop()


class Run:
    """One line, one way of sending: the logical commands, what the board executed, the latencies."""

    def __init__(self, loss: float, count: int, cop1: bool, seed: int):
        self.count = count
        self.cop1 = cop1
        self.logical: dict[int, int] = {}        # request id -> logical command number, as sent
        self.board = Board(self.logical)
        line = Impairments(drop=loss, ber=BER, seed=seed)
        self.link = ChannelLink(self.board.ground_end, line)
        self.session = Session(self.link, on_warning=self._warning, cop1=cop1, fop_settings=FopSettings(**FOP))
        self.session.sender.frame_sequence = FIRST_VS
        self.sent: dict[int, bytes] = {}         # request id -> packet bytes
        self.latency: list[float] = []
        self.given_up: set[int] = set()
        self.warnings: Counter = Counter()
        self.wraps = 0
        self._sending = -1
        self._last_vs = FIRST_VS
        number = self.session.sender.number

        def numbered(tc):           # before the frame goes out: the board may run it at once
            tc = number(tc)
            self.sent[tc.request_id] = encode_tc(tc)
            self.logical[tc.request_id] = self._sending
            return tc

        self.session.sender.number = numbered

    def _warning(self, message: str) -> None:
        self.warnings[message.split(":")[0] + (": " + message.split(":")[1].split(";")[0] if ":" in message else "")] += 1

    def go(self) -> dict:
        session = self.session.start()
        started = time.monotonic()
        outstanding: dict[int, tuple] = {}       # logical number -> (tracked, first sent, tries, last sent)
        next_command = 0
        suspends = 0
        while next_command < self.count or outstanding:
            now = time.monotonic()
            if self.cop1:
                fop = session.cop1.fop
                with session._send_lock:
                    if fop.v_s < self._last_vs:
                        self.wraps += 1
                    self._last_vs = fop.v_s
                    if fop.state == INITIAL and fop.suspend_state:
                        suspends += 1
                        session.cop1.directive("resume")       # the operator resumes
            for number, (tracked, first, tries, last) in list(outstanding.items()):
                if self._known_delivered(tracked):
                    self.latency.append(tracked_time(tracked) - first)
                    del outstanding[number]
                elif tracked.outcome == "failed":                # purged by an Alert: the operator resends
                    outstanding[number] = (self._send(number), first, tries + 1, now)
                elif not self.cop1 and now - last > RETRY_AFTER:
                    if tries >= RETRIES:
                        self.given_up.add(number)
                        del outstanding[number]
                    else:
                        outstanding[number] = (self._send(number), first, tries + 1, now)
            while next_command < self.count and len(outstanding) < WINDOW:
                try:
                    tracked = self._send(next_command)
                except CopRefused:
                    break                                       # initialising: try again shortly
                outstanding[next_command] = (tracked, time.monotonic(), 1, time.monotonic())
                next_command += 1
            if now - started > 3600:
                raise SystemExit("link bench: a run took over an hour; stopping")
            time.sleep(0.002)
        time.sleep(1.5)                         # late duplicates and reports land
        elapsed = time.monotonic() - started
        result = self._check(elapsed)
        result["suspends_per_hour"] = suspends / elapsed * 3600
        if self.cop1:
            counters = session.cop1.fop.counters
            result["alerts_per_hour"] = sum(counters.alerts.values()) / elapsed * 3600
            result["retransmitted"] = counters.retransmitted
            result["wraps"] = self.wraps
        session.close()
        self.board.stop()
        return result

    def _send(self, number: int):
        self._sending = number
        return self.session.submit("ping", {}, bypass=False)

    def _known_delivered(self, tracked) -> bool:
        return any(s.ok and s.stage in ("acknowledged", "accepted", "started", "completed") for s in tracked.stages)

    def _check(self, elapsed: float) -> dict:
        runs = Counter()
        order = []
        corrupted = 0
        for number, request_id, packet in self.board.executed:
            if number is None or self.sent.get(request_id) != packet:
                corrupted += 1
                continue
            runs[number] += 1
            order.append(number)
        once = sum(1 for n in range(self.count) if runs[n] == 1)
        twice = sum(1 for n in range(self.count) if runs[n] > 1)
        lost = sum(1 for n in range(self.count) if runs[n] == 0)
        firsts = []
        seen = set()
        for number in order:
            if number not in seen:
                seen.add(number)
                firsts.append(number)
        latency = sorted(self.latency)
        return {
            "commands": self.count, "exactly_once": once, "twice_or_more": twice, "lost": lost,
            "in_order": firsts == sorted(firsts), "corrupted_executed": corrupted,
            "given_up_but_executed": sum(1 for n in self.given_up if runs[n]),
            "p50": statistics.median(latency) if latency else float("nan"),
            "p99": latency[int(0.99 * (len(latency) - 1))] if latency else float("nan"),
            "per_second": self.count / elapsed, "seconds": elapsed,
            "warnings": dict(self.warnings),
        }


def tracked_time(tracked) -> float:
    """Monotonic time of the first stage that says the board took the command."""
    for stage in tracked.stages:
        if stage.ok and stage.stage in ("acknowledged", "accepted", "started", "completed"):
            return time.monotonic() - (time.time() - stage.received)
    return time.monotonic()


def row(name: str, result: dict) -> str:
    return (f"  {name:<12} {result['exactly_once']:>6}/{result['commands']:<6} {result['twice_or_more']:>6} "
            f"{result['lost']:>5} {'yes' if result['in_order'] else 'NO':>5} {result['corrupted_executed']:>5} "
            f"{result['given_up_but_executed']:>5} {result['p50'] * 1e3:>8.0f} {result['p99'] * 1e3:>8.0f} "
            f"{result['suspends_per_hour']:>8.1f} {result['per_second']:>7.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="10,000 commands per line (the issue's count)")
    parser.add_argument("--count", type=int, default=None, help="commands per line (default 500)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    count = args.count or (10_000 if args.full else 500)
    print(f"link bench: {count} pings per line, {WINDOW} outstanding, BER {BER:g} both ways; "
          f"without COP-1 the operator resends after {RETRY_AFTER:g} s, {RETRIES} times at most")
    print(f"  {'':<12} {'once':>13} {'twice':>6} {'lost':>5} {'order':>5} {'bad':>5} {'gvnup':>5} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'susp/h':>8} {'cmd/s':>7}")
    failed = False
    runs = {(loss, cop1): Run(loss, count, cop1=cop1, seed=args.seed) for loss in LOSSES for cop1 in (True, False)}
    results = {}

    def go(key):
        results[key] = runs[key].go()

    threads = [threading.Thread(target=go, args=(key,)) for key in runs]   # all six lines at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for loss in LOSSES:
        cop1, plain = results[(loss, True)], results[(loss, False)]
        print(f"frames lost {loss:.0%} each way:")
        print(row("COP-1", cop1))
        print(row("without", plain))
        ratio = plain["p99"] / cop1["p99"] if cop1["p99"] else float("nan")
        print(f"  COP-1: V(S) wrapped {cop1['wraps']} times, {cop1['retransmitted']} retransmissions, "
              f"{cop1['alerts_per_hour']:.1f} alerts/h; p99 without / with COP-1: {ratio:.2f}x")
        if cop1["warnings"]:
            print(f"  COP-1 warnings: {cop1['warnings']}")
        ok = (cop1["exactly_once"] == count and cop1["in_order"] and not cop1["corrupted_executed"])
        failed |= not ok
    print("COP-1 delivered every command exactly once, in order" if not failed
          else "COP-1 did NOT deliver every command exactly once: see above")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Flight software over a pty, against a raw echo of the same bytes over a pty, in the same run.

1. Command round trip: a ping TC written to `fsw --port pty`, until its completion report is
   decoded on the ground side; baseline: the same TC bytes written to a tiny echo process on
   a pty and read back. Median and p99 of each, and their ratio (goal: <= 3x). Three ways:
   clear frames (--insecure-uplink); clear with `--unsafe-ack` (reports sent before the state is
   journalled and fdatasync'd: the ratio is what durable acknowledgement costs); and with SDLS
   (the default: ApplySecurity on the ground, its sequence numbers reserved on disk a block at a
   time; ProcessSecurity on board, its window journalled with the command's effects): the cost of
   authentication.
2. Rate-group cycle time while the ground sends 1,000 TC/s, from fsw's own --stats, against
   the same fsw left idle for the same time (ratio), and the cycle slips (goal: none); with clear
   frames (--insecure-uplink), as the goal was set, and with authenticated ones (SDLS).

    ./scripts/bench fsw [--pings N] [--seconds S] [--rate TC_PER_S]
"""

import argparse
import json
import os
import select
import signal
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
from fsw.protocol.pus import ACK_ALL, encode_tc  # noqa: E402
from fsw.protocol.sdls import SECURED  # noqa: E402
from fsw.protocol.stack import TcSender, TmReceiver  # noqa: E402
from ground import uplink_security  # noqa: E402

DICTIONARY = load()
COMPLETION = (1, 7)
ECHO = """
import os, select, sys
from fsw.link import PtyLink
link = PtyLink()
print(link.path, flush=True)
while True:
    data = link.read(65536, 1.0)
    if data:
        link.write(data)
"""


def open_port(path: str) -> int:
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    return fd


def read_some(fd: int, timeout: float = 5.0) -> bytes:
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        raise TimeoutError("no answer")
    return os.read(fd, 1 << 16)


def spawn_echo() -> tuple[subprocess.Popen, str]:
    """The echo on its pty; it prints the path and nothing else."""
    process = subprocess.Popen([sys.executable, "-c", ECHO], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    return process, launch.wait_for_line(process, r"^(\S+)$", timeout=30).group(1)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def echo_round_trips(pings: int) -> list[float]:
    process, path = spawn_echo()
    fd = open_port(path)
    sender = TcSender()
    samples = []
    try:
        for _ in range(pings):
            data = sender.send_bytes(DICTIONARY.build_tc("ping", ack=ACK_ALL))
            started = time.perf_counter()
            os.write(fd, data)
            got = 0
            while got < len(data):
                got += len(read_some(fd))
            samples.append(time.perf_counter() - started)
    finally:
        os.close(fd)
        process.kill()
        process.wait()
    return samples


def fsw_process(state: Path, stats: Path, *options: str, secure: bool = False):
    """(process, pty fd, UplinkSecurity or None for --insecure-uplink)."""
    fsw = launch.start("--stats", str(stats), *(() if secure else ("--insecure-uplink",)), *options,
                       state=state, cwd=ROOT)
    return fsw.process, open_port(fsw.port), uplink_security.load(fsw.key_file) if secure else None


def stop(process: subprocess.Popen, fd: int) -> None:
    process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        try:
            select.select([fd], [], [], 0.05) and os.read(fd, 1 << 16)   # keep the pty drained
        except OSError:
            break
    process.wait()
    os.close(fd)


def fsw_round_trips(pings: int, workdir: Path, *options: str, secure: bool = False) -> list[float]:
    name = ("secure" if secure else "clear") + "".join(options)
    process, fd, security = fsw_process(workdir / f"rt-{name}-state", workdir / f"rt-{name}-stats.json",
                                        *options, secure=secure)
    sender = TcSender(layout=SECURED) if secure else TcSender()
    receiver = TmReceiver()
    samples = []
    try:
        time.sleep(0.5)
        while select.select([fd], [], [], 0.2)[0]:
            receiver.feed(os.read(fd, 1 << 16))     # boot telemetry
        for _ in range(pings):
            tc = sender.number(DICTIONARY.build_tc("ping", ack=ACK_ALL))
            key = tc.request_id.to_bytes(4, "big")
            data = sender.frame(encode_tc(tc))
            started = time.perf_counter()
            if security is not None:
                data = security.protect([data])[0]
            os.write(fd, data)
            done = False
            while not done:
                for packet in receiver.feed(read_some(fd)):
                    if (packet.service, packet.subtype) == COMPLETION and packet.data[:4] == key:
                        done = True
            samples.append(time.perf_counter() - started)
    finally:
        stop(process, fd)
    return samples


def cycle_stats(workdir: Path, name: str, seconds: float, rate: float, secure: bool = False) -> dict:
    """fsw's own cycle statistics after `seconds` with the ground sending `rate` TC/s."""
    stats_file = workdir / f"{name}-stats.json"
    process, fd, security = fsw_process(workdir / f"{name}-state", stats_file, secure=secure)
    stopping = threading.Event()
    received = [0]

    def drain():
        while not stopping.is_set():
            if select.select([fd], [], [], 0.05)[0]:
                received[0] += len(os.read(fd, 1 << 16))

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    sender = TcSender(layout=SECURED) if secure else TcSender()
    sent = 0
    started = time.perf_counter()
    if rate:
        while (elapsed := time.perf_counter() - started) < seconds:
            due = int(elapsed * rate)
            while sent < due:
                frame = sender.send_bytes(DICTIONARY.build_tc("ping", ack=ACK_ALL))
                os.write(fd, security.protect([frame])[0] if secure else frame)
                sent += 1
            time.sleep(0.001)
    else:
        time.sleep(seconds)
    stopping.set()
    reader.join()
    stop(process, fd)
    result = json.loads(stats_file.read_text())
    result["sent"] = sent
    result["downlink_octets"] = received[0]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pings", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=1000.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fsw-") as temp:
        workdir = Path(temp)
        echo = echo_round_trips(args.pings)
        flight = fsw_round_trips(args.pings, workdir)
        unsafe = fsw_round_trips(args.pings, workdir, "--unsafe-ack")
        secure = fsw_round_trips(args.pings, workdir, secure=True)
        echo_p50, echo_p99 = percentiles(echo)
        fsw_p50, fsw_p99 = percentiles(flight)
        unsafe_p50, unsafe_p99 = percentiles(unsafe)
        sdls_p50, sdls_p99 = percentiles(secure)
        print(f"command round trip over a pty, {args.pings} pings (TC sent -> completion report decoded)")
        print(f"  raw echo        median {echo_p50 * 1e3:7.3f} ms   p99 {echo_p99 * 1e3:7.3f} ms")
        print(f"  fsw, clear      median {fsw_p50 * 1e3:7.3f} ms   p99 {fsw_p99 * 1e3:7.3f} ms")
        print(f"  fsw, SDLS       median {sdls_p50 * 1e3:7.3f} ms   p99 {sdls_p99 * 1e3:7.3f} ms")
        print(f"  ratio clear     median {fsw_p50 / echo_p50:7.2f} x    p99 {fsw_p99 / echo_p99:7.2f} x"
              f"   (goal <= 3x)")
        print(f"  fsw --unsafe-ack median {unsafe_p50 * 1e3:6.3f} ms   p99 {unsafe_p99 * 1e3:7.3f} ms"
              f"   durable ack costs {fsw_p50 / unsafe_p50:.2f}x median, {fsw_p99 / unsafe_p99:.2f}x p99")
        print(f"  ratio SDLS      median {sdls_p50 / echo_p50:7.2f} x    p99 {sdls_p99 / echo_p99:7.2f} x")
        print(f"  SDLS / clear    median {sdls_p50 / fsw_p50:7.2f} x    p99 {sdls_p99 / fsw_p99:7.2f} x"
              f"   (the cost of authentication)")
        idle = cycle_stats(workdir, "idle", args.seconds, 0)
        for label, secure in (("clear", False), ("SDLS", True)):
            loaded = cycle_stats(workdir, f"loaded-{label}", args.seconds, args.rate, secure=secure)
            print(f"rate groups, {args.seconds:g} s idle vs {args.seconds:g} s at {args.rate:g} {label} TC/s "
                  f"({loaded['sent']} sent, {loaded['commands']['tc_executed']} executed, "
                  f"{loaded['downlink_octets'] / args.seconds / 1e3:.0f} kB/s downlink)")
            for group in ("fast", "slow"):
                a, b = idle[group], loaded[group]
                print(f"  {group:4} idle   p50 {a['p50_ms']:6.3f} ms  p99 {a['p99_ms']:6.3f} ms  max {a['max_ms']:6.3f} ms")
                print(f"  {group:4} loaded p50 {b['p50_ms']:6.3f} ms  p99 {b['p99_ms']:6.3f} ms  max {b['max_ms']:6.3f} ms"
                      f"   ratio p50 {b['p50_ms'] / max(a['p50_ms'], 1e-9):.2f}x"
                      f"  p99 {b['p99_ms'] / max(a['p99_ms'], 1e-9):.2f}x")
            print(f"  cycle slips     idle {idle['cycle_slips']}   loaded {loaded['cycle_slips']}   (goal 0)")
            print(f"  downlink dropped loaded {loaded['downlink_dropped']} octets")
    return 0


if __name__ == "__main__":
    sys.exit(main())

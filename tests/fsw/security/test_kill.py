"""kill -9 of the flight software, again and again, while authenticated commands arrive: every
frame it ever accepted stays refused after each restart (its window is journalled with the
command's effects, before any report of them goes down).

SDLS_KILL_CYCLES=1000 ./scripts/test tests/fsw/security/test_kill.py -s --timeout 0 runs the issue's
count (about a second a cycle) and prints its figures.
"""

import os
import random
import signal
import time
from collections import Counter

from fsw import launch
from fsw.dictionary import load
from fsw.link import SerialLink
from fsw.protocol.sdls import SECURED
from fsw.protocol.stack import TcSender, TmReceiver
from ground import uplink_security

KILL_CYCLES = int(os.environ.get("SDLS_KILL_CYCLES", "2"))
# a request id (APID and 14-bit sequence count) names one command only until the count wraps: every
# command of the run gets its own, or a fresh command would count as its namesake accepted twice
PER_CYCLE = min(20, (1 << 14) // (KILL_CYCLES + 1))
OLDER_REPLAYED = 40      # frames of earlier cycles replayed in each cycle, besides all of the last one
CHUNK = 4096             # octets written at a time, the downlink read in between (a pty holds little)
DICTIONARY = load()


class Ground:
    """The test's end of one fsw's pty: writes while it reads, counting acceptance reports."""

    def __init__(self, port: str, accepted: Counter):
        self.link, self.receiver, self.accepted = SerialLink(port), TmReceiver(), accepted

    def read(self, timeout: float) -> None:
        for packet in self.receiver.feed(self.link.read(1 << 16, timeout)):
            if packet.service == 1 and packet.subtype == 1:
                self.accepted[int.from_bytes(packet.data[:4], "big")] += 1

    def write(self, data: bytes) -> None:
        for at in range(0, len(data), CHUNK):
            self.link.write(data[at:at + CHUNK])
            self.read(0)


def test_kill_9_cycles_of_flight_accept_no_replay(tmp_path):
    rng = random.Random(61)
    sender = TcSender(layout=SECURED)
    security = None
    cycles: list[list[bytes]] = []                # the protected frames radiated in each cycle
    accepted: Counter[int] = Counter()            # request id -> acceptance reports seen
    replayed = 0
    for cycle in range(KILL_CYCLES + 1):
        last = cycle == KILL_CYCLES
        fsw = launch.start("--clock", "sim", "--speed", "10", state=tmp_path, timeout=60)
        security = security or uplink_security.load(fsw.key_file)
        ground = Ground(fsw.port, accepted)
        try:
            # old frames again: all of the last cycle's (accepted just before the kill, or not),
            # some of every earlier one; in the last cycle, every frame ever radiated
            older = [frame for frames in cycles[:-1] for frame in frames]
            again = older if last else rng.sample(older, min(OLDER_REPLAYED, len(older)))
            again += cycles[-1] if cycles else []
            replayed += len(again)
            ground.write(b"".join(again))
            fresh = [DICTIONARY.build_tc("ping") for _ in range(PER_CYCLE)]
            cycles.append(security.protect([sender.send_bytes(tc) for tc in fresh]))
            ground.write(b"".join(cycles[-1]))
            deadline = time.monotonic() + (60 if last else rng.uniform(0.05, 0.5))
            while time.monotonic() < deadline and not (last and fresh[-1].request_id in accepted):
                ground.read(0.05)
        finally:
            ground.link.close()
            fsw.stop(signal.SIGTERM if last else signal.SIGKILL)
    twice = {request_id: count for request_id, count in accepted.items() if count > 1}
    radiated = sum(len(frames) for frames in cycles)
    print(f"\nflight kill -9: {KILL_CYCLES} cycles, {radiated} frames radiated, {replayed} replayed, "
          f"{len(accepted)} commands accepted, {len(twice)} accepted twice")
    assert twice == {}, f"frames accepted twice: {twice}"
    assert fresh[-1].request_id in accepted                # the last cycle's commands went through

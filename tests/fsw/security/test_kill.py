"""kill -9 of the flight software, again and again, while authenticated commands arrive: every
frame it ever accepted stays refused after each restart (its window is on disk before a frame acts).

SDLS_KILL_CYCLES=1000 ./scripts/test tests/fsw/security/test_kill.py runs the issue's count.
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
DICTIONARY = load()


def test_kill_9_cycles_of_flight_accept_no_replay(tmp_path):
    rng = random.Random(61)
    sender = TcSender(layout=SECURED)
    security = None
    captured: list[bytes] = []                    # every protected frame radiated so far
    accepted: Counter[int] = Counter()            # request id -> acceptance reports seen
    for cycle in range(KILL_CYCLES + 1):
        fsw = launch.start("--clock", "sim", "--speed", "10", state=tmp_path, timeout=60)
        security = security or uplink_security.load(fsw.key_file)
        link, receiver = SerialLink(fsw.port), TmReceiver()
        try:
            link.write(b"".join(captured))        # every old frame again, the accepted ones first of all
            fresh = [DICTIONARY.build_tc("ping") for _ in range(20)]
            frames = security.protect([sender.send_bytes(tc) for tc in fresh])
            captured += frames
            link.write(b"".join(frames))
            last = cycle == KILL_CYCLES
            deadline = time.monotonic() + (20 if last else rng.uniform(0.05, 0.5))
            while time.monotonic() < deadline:
                for packet in receiver.feed(link.read(1 << 16, 0.05)):
                    if packet.service == 1 and packet.subtype == 1:
                        accepted[int.from_bytes(packet.data[:4], "big")] += 1
                if last and fresh[-1].request_id in accepted:
                    break
        finally:
            link.close()
            fsw.stop(signal.SIGTERM if cycle == KILL_CYCLES else signal.SIGKILL)
    replays = {request_id: count for request_id, count in accepted.items() if count > 1}
    assert replays == {}, f"frames accepted twice: {replays}"
    assert fresh[-1].request_id in accepted                # the last cycle's commands went through

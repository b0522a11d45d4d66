"""ApplySecurity on the ground: every radiated frame is protected, a retransmission gets a new IV,
and kill -9 of a radiating ground never makes it reuse one.

SDLS_KILL_CYCLES=1000 ./scripts/test tests/ground/test_uplink_security.py -s --timeout 0 runs the issue's
count and prints its figures.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time

from fsw.protocol.framing import ASM
from fsw.protocol.sdls import AAD_LEN, SECURED, process_security
from fsw.protocol.stack import TcSender
from fsw.security.keyfile import provision
from ground import uplink_security
from ground.uplink_security import BLOCK

KILL_CYCLES = int(os.environ.get("SDLS_KILL_CYCLES", "4"))
FRAME = TcSender(layout=SECURED).frame(b"\x18\x11\xc0\x00\x00\x05\x2f\x11\x01\x00\x00\x00")
RADIATE = f"""
import sys
from ground import uplink_security
from ground.uplink_security import BLOCK
security = uplink_security.load(sys.argv[1])
frame = {FRAME!r}
while True:
    sys.stdout.buffer.write(security.protect([frame])[0])
    sys.stdout.buffer.flush()
"""


def sequence_numbers(stream: bytes) -> list[int]:
    """The IV of every whole frame a radiating process wrote (its last one may be cut short)."""
    size = len(FRAME)
    return [int.from_bytes(stream[at + len(ASM) + 7:at + len(ASM) + AAD_LEN], "big")
            for at in range(0, len(stream) - size + 1, size)]


def test_each_radiation_is_protected_with_a_fresh_sequence_number(tmp_path):
    key_file, keyring, _ = provision(tmp_path, 61)
    security = uplink_security.load(key_file)
    first = security.protect([FRAME])[0]
    again = security.protect([FRAME])[0]                  # the same clear frame, retransmitted
    assert first != again
    sa, key = keyring.associations[1], keyring.keys[1]
    assert [process_security(f[len(ASM):], sa, key, 0).sequence for f in (first, again)] == [1, 2]
    assert process_security(again[len(ASM):], sa, key, 0).data == FRAME[len(ASM) + 19:-18]
    # a restart after a crash goes on after the block it had reserved; after a clean close
    # (release), from the first number it never used
    crashed = uplink_security.load(key_file)
    assert process_security(crashed.protect([FRAME])[0][len(ASM):], sa, key, 0).sequence == 1 + BLOCK
    security.release()                                    # not the last to reserve: gives nothing back
    crashed.release()
    assert process_security(uplink_security.load(key_file).protect([FRAME])[0][len(ASM):], sa, key, 0).sequence \
        == 2 + BLOCK


def test_sequence_numbers_are_reserved_on_disk_a_block_ahead(tmp_path):
    key_file, keyring, _ = provision(tmp_path, 61)
    security = uplink_security.load(key_file)

    def numbers(frames):
        return [process_security(f[len(ASM):], keyring.associations[1], keyring.keys[1], 0).sequence for f in frames]

    def saved():
        return list(json.loads(security.sequence_file.read_text()).values())

    assert numbers(security.protect([FRAME] * 3)) == [1, 2, 3]
    assert saved() == [1 + BLOCK]                         # the block's end, before the first of it went out
    assert numbers([security.protect([FRAME])[0] for _ in range(BLOCK - 3)]) == list(range(4, BLOCK + 1))
    assert saved() == [1 + BLOCK]                         # no write within the block
    assert numbers(security.protect([FRAME])) == [1 + BLOCK] and saved() == [1 + 2 * BLOCK]
    other = uplink_security.load(key_file)                # a second radiator with the same key
    assert numbers(other.protect([FRAME])) == [1 + 2 * BLOCK]
    assert numbers(security.protect([FRAME])) == [1 + 3 * BLOCK]   # above the other's block, not behind it
    assert numbers(other.protect([FRAME])) == [1 + 4 * BLOCK]


def test_kill_9_of_a_radiating_ground_never_reuses_an_iv(tmp_path):
    key_file, _, _ = provision(tmp_path, 61)
    rng = random.Random(12)
    seen: list[int] = []
    for _ in range(KILL_CYCLES):
        child = subprocess.Popen([sys.executable, "-c", RADIATE, str(key_file)], stdout=subprocess.PIPE)
        stream = child.stdout.read(len(FRAME))                # it radiates: the next read races the kill
        time.sleep(rng.uniform(0, 0.05))
        child.send_signal(signal.SIGKILL)
        stream += child.stdout.read()
        child.wait()
        numbers = sequence_numbers(stream)
        assert numbers, "the child radiated nothing"
        seen += numbers
    reused = len(seen) - len(set(seen))
    print(f"\nground kill -9: {KILL_CYCLES} cycles, {len(seen)} frames radiated, {reused} IVs used twice")
    assert reused == 0, "an IV was used twice"
    assert seen == sorted(seen)

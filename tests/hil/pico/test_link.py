"""The Pico program's FARM-1 (hil/pico/perijove/link.py) on the emulated board, frame by frame
against the FARM-1 state table of CCSDS 232.1-B-2 (section 6) with the contract's W = 10
(PW = NW = 5), read back from the CLCW of the TM frames with the host's decoder. Every expected
word was worked out by hand from the table; nothing here computes one from the board's code.
"""

import time

import pytest
import serial

from fsw.protocol import ASM, TcPacket, encode_tc
from fsw.protocol.clcw import Clcw
from fsw.protocol.framing import tm_deframer
from fsw.protocol.reasons import Reason
from fsw.protocol.sdls import SECURED, apply_security
from fsw.protocol.tcframe import TcFrame, encode_tc_frame
from fsw.protocol.tmframe import decode_tm_frame
from fsw.security.keyfile import read_key_file
from hil.targets.mpy_sim import MpySimTarget, missing_runtime

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(missing_runtime() is not None, reason=missing_runtime() or "")]

FRAME_LEN = 256
PING = encode_tc(TcPacket(0x010, 17, 1))


class Board:
    """The emulated Pico on its pty: raw TC frames up, the latest CLCW down."""

    def __init__(self):
        self.target = MpySimTarget()
        self.target.start()
        self.port = serial.Serial(self.target.port, 115200, timeout=0.05)
        self.deframer = tm_deframer(FRAME_LEN)
        keys = read_key_file(self.target.key_file)      # the board checks SDLS before its FARM
        self.association = keys.associations[keys.uplink_spi]
        self.key = keys.keys[self.association.key_id]
        self.sequence = 0

    def send(self, ns: int, data: bytes = PING, bypass: bool = False, control: bool = False) -> None:
        frame = TcFrame(vcid=0, data=data, sequence=ns, bypass=bypass, control=control)
        self.sequence += 1
        self.port.write(ASM + apply_security(encode_tc_frame(frame, SECURED), self.association, self.key, self.sequence))

    def clcw_becomes(self, **expected) -> Clcw:
        """Wait for a CLCW with these fields (idle frames carry one at least every second)."""
        deadline = time.monotonic() + 10
        seen = None
        while time.monotonic() < deadline:
            for frame in self.deframer.feed(self.port.read(4096)):
                seen = Clcw.decode(decode_tm_frame(frame, FRAME_LEN).ocf)
                if all(getattr(seen, name) == value for name, value in expected.items()):
                    return seen
        raise AssertionError(f"CLCW never showed {expected}; last {seen}")

    def close(self):
        self.port.close()
        self.target.stop()


@pytest.fixture(scope="module")
def board():
    board = Board()
    yield board
    board.close()


def test_clcw_after_reset(board):
    clcw = board.clcw_becomes(report_value=0)
    assert (clcw.cop_in_effect, clcw.vcid, clcw.status) == (1, 0, 0)
    assert not (clcw.lockout or clcw.wait or clcw.retransmit)
    assert clcw.farm_b_counter == 0


def test_the_state_table_frame_by_frame(board):
    # after each frame that leaves N(R) alone, a Type-BD ping moves the FARM-B counter: seeing it
    # proves the frame before it was processed, and how it left the flags
    state = dict(report_value=0, lockout=False, retransmit=False, farm_b_counter=0)

    def bd_ping():
        board.send(0, bypass=True)
        state["farm_b_counter"] = (state["farm_b_counter"] + 1) % 4
        board.clcw_becomes(**state)

    board.send(0)                      # E1: N(S) = V(R): accepted
    state["report_value"] = 1
    board.clcw_becomes(**state)
    board.send(3)                      # E3: in the positive window (1 < 3 <= 1 + 4): retransmit
    state["retransmit"] = True
    bd_ping()
    board.send(0)                      # E4: in the negative window: a duplicate, flags unchanged
    bd_ping()
    board.send(1)                      # E1: accepted, retransmit cleared
    state.update(report_value=2, retransmit=False)
    board.clcw_becomes(**state)
    board.send(7)                      # E5: 7 = V(R) + 5, beyond PW - 1: lockout
    state["lockout"] = True
    bd_ping()
    board.send(2)                      # in lockout, even N(S) = V(R) is discarded
    bd_ping()
    board.send(0, data=b"\x82\x00\x09", bypass=True, control=True)   # Set V(R) in lockout: no change
    state["farm_b_counter"] = (state["farm_b_counter"] + 1) % 4
    board.clcw_becomes(**state)
    board.send(0, data=b"\x00", bypass=True, control=True)           # Unlock
    state.update(lockout=False, farm_b_counter=(state["farm_b_counter"] + 1) % 4)
    board.clcw_becomes(**state)
    board.send(0, data=b"\x82\x00\xfe", bypass=True, control=True)   # Set V(R) = 254
    state.update(report_value=254, farm_b_counter=(state["farm_b_counter"] + 1) % 4)
    board.clcw_becomes(**state)
    for ns, after in ((254, 255), (255, 0), (0, 1)):                 # across the wrap
        board.send(ns)
        state["report_value"] = after
        board.clcw_becomes(**state)
    board.send(252)                    # 1 - 252 = 5 (mod 256): the negative window's far edge
    bd_ping()
    board.send(251)                    # 6 behind: outside both windows, lockout
    state["lockout"] = True
    bd_ping()


def test_invalid_frames_are_discarded(board):
    before = board.clcw_becomes()
    board.send(before.report_value, control=True)                   # bypass 0, control 1: no such type
    board.send(0, data=b"\x01", bypass=True, control=True)           # not a control command
    board.send(0, data=b"\x00", bypass=True, control=True)           # Unlock: the one that counts
    after = board.clcw_becomes(farm_b_counter=(before.farm_b_counter + 1) % 4, lockout=False)
    assert after.report_value == before.report_value


def test_a_frame_whose_rest_never_comes_is_given_up(pico):
    # a header claiming 1000 octets, then silence: without the quiet-line rule the ping after it
    # would be taken as the rest of that frame, and lost with it
    from hil.tests.helpers import write_bytes

    before = pico.request_hk(2)["frames_rejected"]
    write_bytes(pico, ASM + bytes([0x20, 0x3D, 0x03, 0xE7, 0x00]) + bytes(10))
    time.sleep(0.3)
    assert pico.send("ping", timeout=10).outcome == "completed"
    after = pico.request_hk(2)
    assert after["frames_rejected"] == before + 1
    assert after["last_reason"] == Reason.TRUNCATED

"""FARM-1 against the state table of CCSDS 232.1-B-2 section 6 (events E1..E9), worked by hand.

W = 10: PW = NW = 5, so with V(R) = 0 the positive window is N(S) 1..4, the negative window
251..255, and 5..250 is the lockout area.
"""

import pytest

from fsw.dictionary import load
from fsw.protocol.clcw import Clcw
from fsw.protocol.cop1 import Farm, decode_control, set_vr, unlock
from fsw.protocol.cop1.control import SET_VR, UNLOCK, ControlCommand
from fsw.protocol.cop1.farm import LOCKOUT, OPEN, WAIT, check_window
from fsw.protocol.framing import ASM
from fsw.protocol.pus import encode_tc
from fsw.protocol.stack import TcReceiver, TcSender
from fsw.protocol.tcframe import TcFrame, encode_tc_frame

AD, BD = (False, False), (True, False)


def ad(farm, n_s):
    return farm.receive(False, False, n_s, b"x")


def test_e1_in_sequence_frames_are_accepted_and_vr_wraps_at_256():
    farm = Farm()
    for n_s in range(300):
        assert ad(farm, n_s & 0xFF).deliver
    assert farm.v_r == 300 % 256 and farm.accepted == 300 and farm.clcw().report_value == 44


def test_e3_a_gap_sets_retransmit_and_the_missing_frame_clears_it():
    farm = Farm()
    ad(farm, 0)
    verdict = ad(farm, 2)                                # frame 1 lost: 2 is in the positive window
    assert not verdict.deliver and verdict.event == "E3" and farm.retransmit
    assert farm.clcw() == Clcw(report_value=1, retransmit=True)
    assert ad(farm, 1).deliver and not farm.retransmit   # E1 clears it
    assert ad(farm, 2).deliver and farm.v_r == 3


def test_e4_duplicates_in_the_negative_window_are_discarded_without_lockout():
    farm = Farm()
    for n_s in range(3):
        ad(farm, n_s)
    for n_s in (2, 1, 0, 254):                           # V(R) = 3: 254..2 is behind it
        verdict = ad(farm, n_s)
        assert not verdict.deliver and verdict.event == "E4"
    assert farm.state == OPEN and farm.discarded["negative_window"] == 4


def test_window_edges_with_w_10():
    farm = Farm()
    assert ad(farm, 4).event == "E3"                     # V(R)+PW-1: last of the positive window
    assert ad(farm, 251).event == "E4"                   # V(R)-NW: last of the negative window
    assert farm.state == OPEN
    assert ad(farm, 5).event == "E5" and farm.state == LOCKOUT and farm.lockouts == 1


def test_e5_lockout_discards_everything_ad_until_unlock_e7():
    farm = Farm()
    ad(farm, 250)
    assert farm.clcw().lockout and farm.v_r == 0
    assert not ad(farm, 0).deliver                       # even N(S) = V(R)
    assert farm.receive(True, False, 77, b"bd").deliver  # E6: Type-BD still goes through
    farm.receive(True, True, 0, unlock())                # E7
    assert farm.state == OPEN and not farm.retransmit and farm.farm_b == 2
    assert ad(farm, 0).deliver


def test_e8_set_vr_outside_lockout_moves_vr_inside_lockout_it_does_not():
    farm = Farm()
    ad(farm, 0), ad(farm, 2)                             # retransmit set
    farm.receive(True, True, 0, set_vr(200))
    assert farm.v_r == 200 and not farm.retransmit and farm.farm_b == 1
    ad(farm, 10)                                         # lockout area
    farm.receive(True, True, 0, set_vr(7))
    assert farm.v_r == 200 and farm.state == LOCKOUT and farm.farm_b == 2


def test_e6_farm_b_counter_counts_bd_and_bc_modulo_4_and_leaves_vr():
    farm = Farm()
    for _ in range(5):
        farm.receive(True, False, 9, b"bd")
    assert farm.farm_b == 1 and farm.v_r == 0 and farm.bypassed == 5


def test_e2_wait_when_no_buffer_and_e9_release():
    farm = Farm()
    farm.buffer_full = True
    assert ad(farm, 0).event == "E2" and farm.state == WAIT and farm.retransmit
    assert farm.clcw() == Clcw(wait=True, retransmit=True)
    assert not ad(farm, 0).deliver
    farm.release_buffer()
    assert farm.state == OPEN and ad(farm, 0).deliver


def test_unlock_leaves_wait_too():
    farm = Farm()
    farm.buffer_full = True
    ad(farm, 0)
    farm.receive(True, True, 0, unlock())
    assert farm.state == OPEN and not farm.wait and not farm.retransmit


def test_invalid_type_and_unknown_control_commands_are_discarded_and_counted():
    farm = Farm()
    assert not farm.receive(False, True, 0, b"\x00").deliver          # bypass 0, control 1
    assert not farm.receive(True, True, 0, b"\x01").deliver           # no such control command
    assert not farm.receive(True, True, 0, b"\x82\x00").deliver       # Set V(R) cut short
    assert farm.discarded["invalid_type"] == 1 and farm.discarded["bad_control"] == 2
    assert farm.farm_b == 0 and farm.v_r == 0


def test_control_command_codec_golden_octets():
    assert unlock() == b"\x00" and set_vr(5) == b"\x82\x00\x05"
    assert decode_control(b"\x00") == ControlCommand(UNLOCK)
    assert decode_control(b"\x82\x00\xff") == ControlCommand(SET_VR, 255)
    with pytest.raises(ValueError):
        set_vr(256)


@pytest.mark.parametrize("width", [0, 3, 256, -2])
def test_a_bad_window_is_refused(width):
    with pytest.raises(ValueError, match="even, 2..254"):
        check_window(width)


def test_the_window_is_configurable():
    farm = Farm(window=4)                                # PW = NW = 2
    assert ad(farm, 1).event == "E3" and ad(farm, 2).event == "E5"


def test_save_and_load_keep_vr_and_flags():
    farm = Farm()
    for n_s in range(3):
        ad(farm, n_s)
    ad(farm, 100)
    again = Farm()
    again.load(farm.save())
    assert (again.v_r, again.state, again.lockouts, again.accepted) == (3, LOCKOUT, 1, 3)
    again.load({"v_r": "junk", "state": "???", "discarded": []})   # junk is ignored
    assert again.v_r == 3


def test_a_control_frame_is_never_executed_as_a_data_command():
    """The bug the issue names: the data field of a frame with the control flag set must not
    reach the packet layer, whatever it holds, even a well-formed TC packet."""
    packet = encode_tc(load().build_tc("ping"))
    receiver = TcReceiver()
    for bypass in (True, False):
        frame = TcFrame(0, packet, 0, bypass=bypass, control=True)
        assert receiver.feed(ASM + encode_tc_frame(frame)) == []
    assert receiver.farm.discarded["bad_control"] == 1 and receiver.farm.discarded["invalid_type"] == 1


def test_ad_frames_from_the_sender_pass_the_receivers_farm_in_order_once():
    sender, receiver = TcSender(), TcReceiver()
    packet = encode_tc(load().build_tc("ping"))
    frames = [sender.ad_frame(packet, n) for n in range(3)]
    out = receiver.feed(frames[0] + frames[0] + frames[2] + frames[1] + frames[2])
    assert [r.frame_sequence for r in out] == [0, 1, 2]
    assert receiver.next_expected == 3

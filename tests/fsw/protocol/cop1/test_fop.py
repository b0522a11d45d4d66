"""FOP-1 against the state table of CCSDS 232.1-B-2 section 5 (table 5-1), one golden sequence per
event or directive, worked by hand: each test names the events it exercises."""

import random

import pytest

from fsw.protocol.clcw import Clcw
from fsw.protocol.cop1 import DirectiveRejected, Farm, Fdu, Fop, FopOutput, FopSettings
from fsw.protocol.cop1.fop import (
    ACTIVE,
    INITIAL,
    INITIALISING,
    INITIALISING_BC,
    RETRANSMIT,
    RETRANSMIT_WAIT,
)


class Recorder(FopOutput):
    def __init__(self):
        self.log = []

    def transmit_ad(self, fdu):
        self.log.append(("AD", fdu.sequence, fdu.data))
        return True

    def transmit_bc(self, control):
        self.log.append(("BC", control))
        return True

    def transmit_bd(self, fdu):
        self.log.append(("BD", fdu.data))
        return True

    def acknowledged(self, fdu):
        self.log.append(("ack", fdu.data))

    def failed(self, fdu, alert):
        self.log.append(("failed", fdu.data, alert))

    def alert(self, reason, state):
        self.log.append(("alert", reason, state))

    def suspended(self, suspend_state):
        self.log.append(("suspended", suspend_state))

    def take(self):
        log, self.log = self.log, []
        return log


def clcw(n_r, retransmit=False, wait=False, lockout=False, vcid=0):
    return Clcw(vcid=vcid, report_value=n_r, retransmit=retransmit, wait=wait, lockout=lockout)


def active(**settings):
    out = Recorder()
    fop = Fop(out, FopSettings(**settings))
    fop.initiate(0.0)                    # E23
    return fop, out


def send(fop, *names, now=0.0):
    for name in names:
        fop.request_ad(Fdu(name.encode()), now)


def test_e23_e19_e2_frames_go_in_sequence_and_one_clcw_acknowledges_them_all():
    fop, out = active()
    assert fop.state == ACTIVE
    send(fop, "a", "b", "c")
    assert out.take() == [("AD", 0, b"a"), ("AD", 1, b"b"), ("AD", 2, b"c")]
    assert fop.timer == 2.0
    fop.clcw(clcw(3), 0.5)                                          # E2
    assert out.take() == [("ack", b"a"), ("ack", b"b"), ("ack", b"c")]
    assert (fop.state, fop.nn_r, fop.v_s, fop.timer) == (ACTIVE, 3, 3, None)
    fop.clcw(clcw(3), 1.5)                                          # E1 in S1: ignore
    assert out.take() == [] and fop.state == ACTIVE


def test_e6_the_window_k_holds_frames_back_until_an_acknowledgement():
    fop, out = active(window=2)
    send(fop, "a", "b", "c")
    assert [entry[1] for entry in out.take()] == [0, 1]
    fop.clcw(clcw(1), 0.5)                                          # E6: a acknowledged
    assert out.take() == [("ack", b"a"), ("AD", 2, b"c")]
    assert fop.state == ACTIVE and len(fop.sent) == 2


def test_e8_a_retransmit_flag_with_new_acknowledgement_resends_the_rest_e2_completes():
    fop, out = active()
    send(fop, "a", "b", "c")
    out.take()
    fop.clcw(clcw(1, retransmit=True), 0.5)                         # E8
    assert out.take() == [("ack", b"a"), ("AD", 1, b"b"), ("AD", 2, b"c")]
    assert fop.state == RETRANSMIT and fop.transmission_count == 2
    fop.clcw(clcw(3), 0.8)                                          # E2 from S2
    assert fop.state == ACTIVE and fop.transmission_count == 1


def test_e10_then_e10_in_s2_is_ignored_and_e12_at_the_limit():
    fop, out = active(transmission_limit=2)
    send(fop, "a", "b")
    out.take()
    fop.clcw(clcw(0, retransmit=True), 0.5)                         # E10 in S1
    assert out.take() == [("AD", 0, b"a"), ("AD", 1, b"b")] and fop.state == RETRANSMIT
    fop.clcw(clcw(0, retransmit=True), 0.6)                         # E12 (count 2 = limit) in S2: ignore
    assert out.take() == [] and fop.state == RETRANSMIT


def test_e9_e11_e103_wait_flag_goes_to_s3_and_e6_back_to_s1():
    fop, out = active()
    send(fop, "a", "b", "c")
    out.take()
    fop.clcw(clcw(1, retransmit=True, wait=True), 0.5)              # E9
    assert out.take() == [("ack", b"a")] and fop.state == RETRANSMIT_WAIT
    send(fop, "d")                                                  # E19 in S3: queued, not sent
    assert out.take() == [] and len(fop.waiting) == 1
    fop.clcw(clcw(1, retransmit=True), 0.7)                         # E10 from S3: retransmit
    assert out.take() == [("AD", 1, b"b"), ("AD", 2, b"c"), ("AD", 3, b"d")]
    fop.clcw(clcw(1, retransmit=True, wait=True), 0.8)              # E11 from S2
    assert fop.state == RETRANSMIT_WAIT


def test_e103_at_the_limit_with_wait():
    fop, out = active(transmission_limit=2)
    send(fop, "a")
    fop.clcw(clcw(0, retransmit=True), 0.5)                         # E10: count 2
    fop.clcw(clcw(0, retransmit=True, wait=True), 0.6)              # E103
    assert fop.state == RETRANSMIT_WAIT and fop.last_event == "E103"


def test_e101_and_e102_a_transmission_limit_of_one_alerts_at_the_first_retransmit_flag():
    fop, out = active(transmission_limit=1)
    send(fop, "a", "b")
    out.take()
    fop.clcw(clcw(1, retransmit=True), 0.5)                         # E101
    assert out.take() == [("ack", b"a"), ("failed", b"b", "limit"), ("alert", "limit", ACTIVE)]
    fop, out = active(transmission_limit=1)
    send(fop, "a")
    fop.clcw(clcw(0, retransmit=True), 0.5)                         # E102
    assert fop.last_event == "E102" and fop.state == INITIAL


def test_e16_t1_expiry_retransmits_and_e17_alerts_at_the_limit_failing_every_fdu():
    fop, out = active(t1=1.0, transmission_limit=2)
    send(fop, "a")
    send(fop, "b")
    out.take()
    fop.tick(0.9)
    assert out.take() == []
    fop.tick(1.0)                                                   # E16
    assert out.take() == [("AD", 0, b"a"), ("AD", 1, b"b")] and fop.timer == 2.0
    fop.tick(2.0)                                                   # E17: count 2 = limit, TT 0
    assert out.take() == [("failed", b"a", "t1"), ("failed", b"b", "t1"), ("alert", "t1", ACTIVE)]
    assert fop.state == INITIAL and not fop.sent


def test_e18_timeout_type_1_suspends_and_e31_resumes_in_s1():
    fop, out = active(t1=1.0, transmission_limit=1, timeout_type=1)
    send(fop, "a")
    out.take()
    fop.tick(1.0)                                                   # E18
    assert out.take() == [("suspended", ACTIVE)] and fop.state == INITIAL and fop.suspend_state == 1
    with pytest.raises(DirectiveRejected, match="not initialised"):
        send(fop, "b")                                              # E19 in S6: refused, not held
    fop.resume(5.0)                                                 # E31
    assert fop.state == ACTIVE and fop.suspend_state == 0 and fop.timer == 6.0
    fop.clcw(clcw(1), 5.5)                                          # E2
    assert out.take() == [("ack", b"a")]


def test_e30_resume_with_nothing_suspended_is_rejected():
    fop = Fop(Recorder())
    with pytest.raises(DirectiveRejected, match="not suspended"):
        fop.resume(0.0)
    assert fop.last_event == "E30"


def test_e13_an_n_r_outside_the_outstanding_frames_alerts_nnr():
    fop, out = active()
    send(fop, "a", "b")
    fop.clcw(clcw(2), 0.5)
    send(fop, "c")
    out.take()
    fop.clcw(clcw(0), 1.0)                                          # a board reset: V(R) back to 0
    assert out.take() == [("failed", b"c", "nnr"), ("alert", "nnr", ACTIVE)]
    assert fop.last_event == "E13"


def test_e14_lockout_alerts_and_e25_unlock_then_e1_initialises():
    fop, out = active()
    send(fop, "a")
    out.take()
    fop.clcw(clcw(0, lockout=True), 0.5)                            # E14
    assert out.take() == [("failed", b"a", "lockout"), ("alert", "lockout", ACTIVE)]
    fop.initiate(1.0, unlock_first=True)                            # E25
    assert out.take() == [("BC", b"\x00")] and fop.state == INITIALISING_BC
    send(fop, "b")                                                  # E19 in S5: held for the end of it
    fop.clcw(clcw(1, lockout=True), 1.2)                            # E14 in S5: ignore (Unlock on its way)
    fop.clcw(clcw(1), 1.5)                                          # E1
    assert fop.state == ACTIVE and out.take() == [("AD", 1, b"b")]


def test_e27_set_vr_moves_v_s_and_the_first_frame_after_carries_it():
    fop = Fop(out := Recorder())
    fop.initiate(0.0, set_vr_to=200)                                # E27
    assert out.take() == [("BC", b"\x82\x00\xc8")] and (fop.v_s, fop.nn_r) == (200, 200)
    fop.clcw(clcw(200), 0.4)                                        # E1 in S5
    send(fop, "a")
    assert fop.state == ACTIVE and out.take() == [("AD", 200, b"a")]


def test_e16_in_s5_resends_the_bc_frame_and_e17_gives_up():
    fop = Fop(out := Recorder(), FopSettings(t1=1.0, transmission_limit=2))
    fop.initiate(0.0, unlock_first=True)
    out.take()
    fop.tick(1.0)                                                   # E16 in S5
    assert out.take() == [("BC", b"\x00")]
    fop.tick(2.0)                                                   # E17
    assert out.take() == [("alert", "t1", INITIALISING_BC)]


def test_e24_with_clcw_check_queues_commands_and_sends_them_when_the_clcw_confirms():
    fop = Fop(out := Recorder())
    fop.set_v_s(7, 0.0)                                             # E35
    fop.initiate(0.0, clcw_check=True)                              # E24
    assert fop.state == INITIALISING and fop.timer == 2.0
    send(fop, "a", "b")                                             # E19 in S4: queued
    assert out.take() == []
    fop.clcw(clcw(7), 0.5)                                          # E1 in S4
    assert fop.state == ACTIVE and out.take() == [("AD", 7, b"a"), ("AD", 8, b"b")]


def test_e24_then_e16_alerts_t1_or_e104_suspends_in_s4():
    fop = Fop(out := Recorder(), FopSettings(t1=1.0))
    fop.initiate(0.0, clcw_check=True)
    fop.tick(1.0)                                                   # E16 in S4
    assert out.take() == [("alert", "t1", INITIALISING)]
    fop = Fop(out := Recorder(), FopSettings(t1=1.0, timeout_type=1))
    fop.initiate(0.0, clcw_check=True)
    fop.tick(1.0)                                                   # E104 in S4
    assert out.take() == [("suspended", INITIALISING)] and fop.last_event == "E104"
    fop.resume(2.0)                                                 # E34
    assert fop.state == INITIALISING and fop.last_event == "E34"


def test_e3_e4_e5_e7_inconsistent_clcws_alert():
    for word, event, reason in ((clcw(0, wait=True), "E3", "clcw"), (clcw(0, retransmit=True), "E4", "synch")):
        fop, out = active()
        fop.clcw(word, 0.1)
        assert (fop.last_event, fop.state, out.take()[-1]) == (event, INITIAL, ("alert", reason, ACTIVE))
    fop, out = active()
    send(fop, "a")
    fop.clcw(clcw(0, wait=True), 0.1)                               # E7
    assert fop.last_event == "E7" and out.take()[-1] == ("alert", "clcw", ACTIVE)
    fop, out = active()
    send(fop, "a", "b")
    fop.clcw(clcw(0, retransmit=True), 0.1)                         # E10 -> S2
    fop.clcw(clcw(0), 0.2)                                          # E5 in S2
    assert fop.last_event == "E5" and out.take()[-1] == ("alert", "synch", RETRANSMIT)


def test_e29_terminate_fails_what_was_queued_and_sent():
    fop, out = active(window=1)
    send(fop, "a", "b")
    out.take()
    fop.terminate(1.0)                                              # E29
    assert out.take() == [("failed", b"a", "term"), ("failed", b"b", "term"), ("alert", "term", ACTIVE)]


def test_directives_refused_outside_their_states_e23_e35_e36_to_e40():
    fop, out = active()
    with pytest.raises(DirectiveRejected, match="S6"):
        fop.initiate(0.0)                                           # E23 in S1
    with pytest.raises(DirectiveRejected):
        fop.set_v_s(3, 0.0)                                         # E35 in S1
    fop.set_window(3, 0.0)                                          # E36
    fop.set_t1(0.5, 0.0)                                            # E37
    fop.set_transmission_limit(4, 0.0)                              # E38
    fop.set_timeout_type(1, 0.0)                                    # E39
    assert (fop.settings.window, fop.settings.t1, fop.settings.transmission_limit,
            fop.settings.timeout_type) == (3, 0.5, 4, 1)
    for bad in (lambda: fop.set_window(0, 0), lambda: fop.set_timeout_type(2, 0),
                lambda: fop.set_transmission_limit(0, 0)):
        with pytest.raises(DirectiveRejected):
            bad()                                                   # E40
        assert fop.last_event == "E40"


def test_e21_bd_goes_in_any_state_and_s6_ignores_clcws():
    fop = Fop(out := Recorder())
    fop.request_bd(Fdu(b"x"), 0.0)                                  # E21 in S6
    fop.clcw(clcw(9, lockout=True), 0.1)                            # S6: ignore
    assert out.take() == [("BD", b"x")] and fop.state == INITIAL


def test_e41_e42_ad_out_not_ready_alerts_llif():
    class Refusing(Recorder):
        def transmit_ad(self, fdu):
            super().transmit_ad(fdu)
            return False

    fop = Fop(out := Refusing())
    fop.initiate(0.0)
    send(fop, "a")
    assert fop.last_event == "E42" and out.take()[-1] == ("alert", "llif", ACTIVE)


def test_a_clcw_of_another_virtual_channel_or_not_cop_1_is_not_ours():
    fop, out = active()
    send(fop, "a")
    fop.clcw(clcw(1, vcid=3), 0.1)
    fop.clcw(Clcw(report_value=1, cop_in_effect=0), 0.1)
    assert fop.counters.ignored_clcws == 2 and len(fop.sent) == 1


def test_v_s_wraps_at_256():
    fop, out = active()
    for number in range(600):
        send(fop, str(number))
        fop.clcw(clcw((number + 1) & 0xFF), 0.0)
    assert fop.v_s == 600 % 256 and fop.counters.acknowledged == 600


def test_fop_and_farm_over_a_lossy_channel_deliver_every_fdu_once_in_order():
    """The two engines against each other: 20% of frames and 20% of CLCWs lost."""
    rng = random.Random(4)
    farm = Farm()
    delivered = []

    class Channel(Recorder):
        def transmit_ad(self, fdu):
            if rng.random() > 0.2 and farm.receive(False, False, fdu.sequence, fdu.data).deliver:
                delivered.append(fdu.data)
            return True

    fop = Fop(Channel(), FopSettings(t1=1.0, transmission_limit=50))
    fop.initiate(0.0)
    now = 0.0
    wanted = [str(n).encode() for n in range(2000)]
    pending = list(wanted)
    while now < 5000 and (pending or fop.sent or fop.waiting):
        if pending and len(fop.waiting) < 3:
            fop.request_ad(Fdu(pending.pop(0)), now)
        now += 0.1
        if rng.random() > 0.2:
            fop.clcw(farm.clcw(), now)
        fop.tick(now)
    assert delivered == wanted and fop.state in (ACTIVE, RETRANSMIT)

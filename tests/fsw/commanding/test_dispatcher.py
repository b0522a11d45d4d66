import pytest

from fsw.loopback import Loopback
from fsw.protocol.framing import ASM
from fsw.protocol.pus import ACK_ACCEPTANCE, ACK_COMPLETION, ACK_START, TcPacket, encode_tc
from fsw.protocol.reasons import Reason
from fsw.topology import MISSION

OK = ["acceptance_success", "start_success", "completion_success"]


@pytest.fixture
def loop():
    with Loopback(seed=1) as loop:
        yield loop


def test_reports_follow_the_ack_flags(loop):
    every = loop.send("ping")
    none = loop.send("ping", ack=0)
    ends = loop.send("ping", ack=ACK_ACCEPTANCE | ACK_COMPLETION)
    start = loop.send("ping", ack=ACK_START)
    loop.advance(0.1)
    assert loop.verification(every) == OK
    assert loop.verification(none) == []
    assert loop.verification(ends) == ["acceptance_success", "completion_success"]
    assert loop.verification(start) == ["start_success"]
    assert len(loop.reports(name="ping_reply")) == 4


def test_reports_come_from_the_apid_the_tc_addressed(loop):
    loop.send("ping")
    loop.send("hk_oneshot", {"sid": 1})
    loop.advance(0.1)
    apids = {(r["name"], r["apid"]) for r in loop.reports("report") if r["name"].startswith("acceptance")}
    assert apids == {("acceptance_success", 0x010), ("acceptance_success", 0x011)}


def test_a_commands_output_comes_after_its_start_report(loop):
    # ECSS PUS-1: execution starts, then the command's output, then its completion
    oneshot = loop.send("hk_oneshot", {"sid": 2})
    loop.advance(0.1)
    request = oneshot.request_id.to_bytes(4, "big")
    order = [loop.decode(tm)["name"] for tm in loop.packets
             if (tm.service == 1 and tm.data[:4] == request) or (tm.service == 3 and tm.data[:1] == b"\x02")]
    assert order[:4] == ["acceptance_success", "start_success", "sid2", "completion_success"]


@pytest.mark.parametrize("apid, service, subtype, reason", [
    (0x123, 17, 1, Reason.UNKNOWN_APID),
    (0x010, 99, 1, Reason.UNKNOWN_SERVICE),
    (0x010, 17, 99, Reason.UNKNOWN_SUBTYPE),
])
def test_unknown_commands_are_rejected_with_their_reason(loop, apid, service, subtype, reason):
    tc = TcPacket(apid, service, subtype, ack=0)
    loop.send_bytes(loop.sender.send_bytes(tc))
    loop.advance(0.1)
    assert loop.verification(tc) == ["acceptance_failure"]    # failures are always reported
    assert loop.failure_reason(tc) == reason
    assert loop.flight.dispatcher.counters["tc_rejected"] == 1
    assert loop.events("tc_rejected")[0]["fields"]["reason"] == reason


def test_arguments_out_of_range_or_short_are_rejected(loop):
    wide = TcPacket(0x011, 3, 31, bytes([1]) + (0).to_bytes(2, "big"))   # interval 0 < min 1
    short = TcPacket(0x011, 3, 27, b"")
    for tc in (wide, short):
        loop.send_bytes(loop.sender.send_bytes(tc))
    loop.advance(0.1)
    assert loop.failure_reason(wide) == Reason.ARG_OUT_OF_RANGE
    assert loop.failure_reason(short) == Reason.BAD_LENGTH


def test_a_bad_crc_gets_an_acceptance_failure_from_the_readable_header(loop):
    tc = loop.sender.number(loop.dictionary.build_tc("ping"))
    packet = bytearray(encode_tc(tc))
    packet[-1] ^= 0xFF
    loop.send_bytes(loop.sender.frame(bytes(packet)))    # the frame itself is good
    loop.advance(0.1)
    assert loop.verification(tc) == ["acceptance_failure"]
    assert loop.failure_reason(tc) == Reason.BAD_CRC
    assert loop.reports(name="acceptance_failure")[0]["apid"] == 0x010


def test_garbage_on_the_line_then_a_good_command(loop):
    loop.send_bytes(b"\x00garbage\xff" * 20 + ASM + b"\x01\x02")
    tc = loop.send("ping")
    loop.advance(0.1)
    assert loop.verification(tc) == OK
    counters = loop.flight.dispatcher.counters
    assert counters["frames_rejected"] >= 1 and counters["frames_received"] == 1
    assert loop.events("frame_rejected")


def test_a_frame_for_another_spacecraft_is_counted_not_executed(loop):
    from fsw.protocol.stack import TcSender

    stranger = TcSender(scid=62)
    tc = loop.dictionary.build_tc("ping")
    loop.send_bytes(stranger.send_bytes(tc))
    loop.advance(0.1)
    assert loop.verification(tc) == []
    assert loop.flight.dispatcher.counters["frames_rejected"] == 1
    assert loop.events("frame_rejected")[0]["fields"]["reason"] == Reason.BAD_SCID


def test_a_deferred_command_makes_a_repeat_busy_until_it_completes(loop):
    running = []

    def slow_list(args, verify):
        verify.defer()
        verify.progress(1, 50)
        running.append(verify)

    loop.flight.components["schedule"].on_schedule_list = slow_list
    first = loop.send("schedule_list")
    second = loop.send("schedule_list")
    loop.advance(0.1)
    assert loop.verification(first) == ["acceptance_success", "start_success", "progress_success"]
    assert loop.failure_reason(second) == Reason.BUSY
    running[0].complete()
    third = loop.send("schedule_list")
    loop.advance(0.1)
    assert loop.verification(first)[-1] == "completion_success"
    assert loop.verification(third)[:2] == ["acceptance_success", "start_success"]


def test_handler_failures_are_reported_at_start_or_completion(loop):
    from fsw.component import ExecutionError

    def refuses(args, verify):
        raise ExecutionError(Reason.HARDWARE_FAULT)

    def breaks_midway(args, verify):
        verify.progress(1, 10)
        raise ExecutionError(Reason.TIMEOUT, at_start=False)

    def crashes(args, verify):
        raise ZeroDivisionError

    loop.flight.components["schedule"].on_schedule_list = refuses
    loop.flight.components["schedule"].on_schedule_enable = breaks_midway
    loop.flight.components["schedule"].on_schedule_disable = crashes
    refused = loop.send("schedule_list")
    broken = loop.send("schedule_enable")
    crashed = loop.send("schedule_disable")
    loop.advance(0.1)
    assert loop.verification(refused) == ["acceptance_success", "start_failure"]
    assert loop.verification(broken) == ["acceptance_success", "start_success", "progress_success",
                                         "completion_failure"]
    assert loop.failure_reason(crashed) == Reason.EXECUTION_FAILED
    assert loop.flight.dispatcher.counters["tc_failed"] == 3
    assert len(loop.events("tc_failed")) == 3


def test_counters_appear_in_housekeeping(loop):
    loop.send("ping")
    loop.send_bytes(b"junk")
    loop.advance(1.1)
    hk = loop.housekeeping(2)
    assert hk["tc_accepted"] == 1 and hk["tc_executed"] == 1 and hk["frames_received"] == 1


def test_a_declared_command_whose_component_is_not_in_this_build_is_not_implemented():
    with Loopback(topology=MISSION.without("schedule")) as loop:
        refused = loop.send("schedule_list")
        ping = loop.send("ping")
        loop.advance(0.1)
        assert loop.verification(refused) == ["acceptance_failure"]
        assert loop.failure_reason(refused) == Reason.NOT_IMPLEMENTED
        assert loop.verification(ping) == OK


# -- FARM-1 in the dispatcher (COP-1) --
def send_ad(loop, name: str, n_s: int) -> TcPacket:
    tc = loop.dictionary.build_tc(name)
    loop.send_bytes(loop.sender.ad_frame(encode_tc(loop.sender.number(tc)), n_s))
    return tc


def test_ad_commands_run_once_and_lockout_and_unlock_are_events_and_housekeeping(loop):
    first = send_ad(loop, "ping", 0)
    again = send_ad(loop, "ping", 0)                   # a retransmission of an accepted frame
    loop.advance(0.1)
    assert loop.verification(first) == OK and loop.verification(again) == []
    send_ad(loop, "ping", 100)                         # far outside the window: Lockout
    loop.advance(0.1)
    assert [e["fields"]["ns"] for e in loop.events("farm_lockout")] == [100]
    loop.send_bytes(loop.sender.bc_frame(b"\x00"))     # Unlock
    loop.advance(2.0)
    assert len(loop.events("farm_unlocked")) == 1
    hk = loop.housekeeping(2)
    assert (hk["farm_vr"], hk["farm_state"], hk["farm_accepted"], hk["farm_duplicates"],
            hk["farm_lockouts"], hk["farm_locked_out"]) == (1, "open", 1, 1, 1, 1)
    clcw = loop.receiver.last_clcw
    assert clcw & 0xFF == 1 and (clcw >> 9) & 3 == 1 and not clcw & (1 << 13)


def test_vr_survives_a_restart_on_the_same_state_directory(tmp_path):
    with Loopback(seed=1, state_dir=tmp_path) as loop:
        for n_s in range(3):
            send_ad(loop, "ping", n_s)
        loop.advance(0.1)
    with Loopback(seed=1, state_dir=tmp_path) as loop:
        assert loop.flight.dispatcher.farm.v_r == 3
        tc = send_ad(loop, "ping", 3)
        loop.advance(0.1)
        assert loop.verification(tc) == OK


def test_set_vr_moves_the_expected_sequence_number(loop):
    loop.send_bytes(loop.sender.bc_frame(b"\x82\x00\x2a"))
    tc = send_ad(loop, "ping", 42)
    loop.advance(0.1)
    assert loop.verification(tc) == OK and loop.events("farm_vr_set")[0]["fields"]["vr"] == 42

"""The Pico program's PUS-11 schedule (hil/pico/perijove/schedule.py) on the emulated board: a
stored command is released at its on-board time, through the dispatcher, and verified."""

import threading

import pytest

from fsw.protocol import encode_tc
from fsw.protocol.reasons import Reason
from ground.procedures import CommandFailed

pytestmark = pytest.mark.timeout(120)

NOW = 800_000_000   # 2025-05-07, seconds since 2000-01-01


def scheduled_ping(station):
    tc = station.session.sender.number(station.dictionary.build_tc("ping"))
    return tc, encode_tc(tc)


def test_a_scheduled_ping_is_released_at_its_time_and_verified(pico):
    pico.send("time_set", seconds=NOW)
    tc, raw = scheduled_ping(pico)
    completed = threading.Event()
    stamps = []

    def listener(record):
        if record.kind == "report" and record.name == "completion_success" \
                and record.fields.get("request_id") == tc.request_id:
            stamps.append(record.time)
            completed.set()

    with pico.session.listening(listener):
        pico.send("schedule_insert", release=NOW + 3, tc=raw)
        assert pico.request_hk(4)["schedule_entries"] == 1
        released = pico.await_event("schedule_released", timeout=20)
        assert completed.wait(10), "the released ping was not verified"
    assert (released.fields["service"], released.fields["subtype"]) == (17, 1)
    assert NOW + 3 <= stamps[0] < NOW + 5
    hk = pico.request_hk(4)
    assert (hk["schedule_entries"], hk["schedule_released"]) == (0, 1)


def test_inserts_that_cannot_be_kept_fail_with_the_reason(pico):
    _tc, raw = scheduled_ping(pico)
    with pytest.raises(CommandFailed) as past:
        pico.send("schedule_insert", release=1, tc=raw)
    assert past.value.reason == Reason.ARG_OUT_OF_RANGE
    with pytest.raises(CommandFailed) as junk:
        pico.send("schedule_insert", release=0xFFFF_FF00, tc=b"not a telecommand")
    assert junk.value.reason == Reason.BAD_ARGUMENT


def test_list_delete_and_reset(pico):
    _tc, raw = scheduled_ping(pico)
    for _ in range(3):
        pico.send("schedule_insert", release=0xFFFF_FF00, tc=raw)
    reports = []
    listed = threading.Event()

    def listener(record):
        if record.kind == "report" and record.name == "schedule_report":
            reports.append(record.fields["entries"])
            listed.set()

    with pico.session.listening(listener):
        pico.send("schedule_list")
        assert listed.wait(10), "no schedule_report"
    entries = reports[0]
    assert len(entries) == 3
    assert all((e["release"], e["apid"], e["service"], e["subtype"]) == (0xFFFF_FF00, 0x010, 17, 1) for e in entries)
    pico.send("schedule_delete", entry=entries[1]["entry"])
    assert pico.request_hk(4)["schedule_entries"] == 2
    with pytest.raises(CommandFailed) as gone:
        pico.send("schedule_delete", entry=entries[1]["entry"])
    assert gone.value.reason == Reason.NO_SUCH_ITEM
    pico.arm_and_send("schedule_reset")
    assert pico.request_hk(4)["schedule_entries"] == 0

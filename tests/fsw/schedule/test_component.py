import pytest

from fsw.loopback import Loopback
from fsw.protocol.pus import ACK_ALL, encode_tc
from fsw.protocol.reasons import Reason


@pytest.fixture
def loop():
    with Loopback() as loop:
        yield loop


def scheduled(loop, name, args=None, ack=ACK_ALL):
    """A numbered TC to store on board, and its bytes."""
    tc = loop.sender.number(loop.dictionary.build_tc(name, args or {}, ack=ack))
    return tc, encode_tc(tc)


def test_a_scheduled_command_runs_at_its_time_and_is_verified(loop):
    inner, raw = scheduled(loop, "ping")
    release = int(loop.flight.now()) + 30
    insert = loop.send("schedule_insert", {"release": release, "tc": raw})
    loop.advance(25)
    assert loop.verification(insert)[-1] == "completion_success"
    assert loop.verification(inner) == []
    loop.advance(10)
    assert loop.verification(inner) == ["acceptance_success", "start_success", "completion_success"]
    ran = [r for r in loop.reports(name="completion_success") if r["fields"]["request_id"] == inner.request_id]
    assert release <= ran[0]["time"] < release + 0.2
    assert loop.events("schedule_released")[0]["fields"]["service"] == 17
    assert loop.flight.components["schedule"].released == 1


def test_list_delete_reset(loop):
    now = int(loop.flight.now())
    for offset in (300, 100, 200):
        loop.send("schedule_insert", {"release": now + offset, "tc": scheduled(loop, "ping")[1]})
    loop.send("schedule_list")
    loop.advance(0.1)
    entries = loop.reports(name="schedule_report")[-1]["fields"]["entries"]
    assert [e["release"] - now for e in entries] == [100, 200, 300]
    assert entries[0]["apid"] == 0x010 and entries[0]["service"] == 17
    delete = loop.send("schedule_delete", {"entry": entries[0]["entry"]})
    missing = loop.send("schedule_delete", {"entry": 999})
    loop.advance(0.1)
    assert loop.verification(delete)[-1] == "completion_success"
    assert loop.failure_reason(missing) == Reason.NO_SUCH_ITEM
    unarmed = loop.send("schedule_reset")
    loop.advance(0.1)
    assert loop.failure_reason(unarmed) == Reason.NOT_ARMED
    loop.send("arm", {"service": 11, "subtype": 3})
    loop.send("schedule_reset")
    loop.advance(1.1)
    assert loop.housekeeping(4)["schedule_entries"] == 0


def test_disabled_schedule_holds_its_commands(loop):
    inner, raw = scheduled(loop, "ping")
    loop.send("schedule_disable")
    loop.send("schedule_insert", {"release": int(loop.flight.now()) + 2, "tc": raw})
    loop.advance(5)
    assert loop.verification(inner) == []
    loop.send("schedule_enable")
    loop.advance(0.2)
    assert loop.verification(inner)[-1] == "completion_success"


def test_bad_inserts_are_refused(loop):
    now = int(loop.flight.now())
    past = loop.send("schedule_insert", {"release": now - 10, "tc": scheduled(loop, "ping")[1]})
    garbage = loop.send("schedule_insert", {"release": now + 10, "tc": b"\x18\x10\x00\x00"})
    loop.advance(0.1)
    assert loop.failure_reason(past) == Reason.ARG_OUT_OF_RANGE
    assert loop.failure_reason(garbage) == Reason.BAD_ARGUMENT


def test_released_commands_meet_the_mode_checks(loop):
    inner, raw = scheduled(loop, "schedule_insert", {"release": 0xFFFFFF00, "tc": scheduled(loop, "ping")[1]})
    loop.send("schedule_insert", {"release": int(loop.flight.now()) + 5, "tc": raw})
    loop.send("mode_safe")
    loop.advance(6)
    assert loop.failure_reason(inner) == Reason.NOT_ALLOWED_IN_MODE


def test_state_round_trips(loop):
    loop.send("schedule_insert", {"release": int(loop.flight.now()) + 60, "tc": scheduled(loop, "ping")[1]})
    loop.advance(0.1)
    with Loopback() as other:
        other.flight.components["schedule"].restore(loop.flight.components["schedule"].state())
        assert other.flight.components["schedule"].entries == loop.flight.components["schedule"].entries


def test_a_released_command_may_delete_entries_due_in_the_same_cycle(loop, caplog):
    release = int(loop.flight.now()) + 5
    delete, delete_raw = scheduled(loop, "schedule_delete", {"entry": 2})
    doomed, doomed_raw = scheduled(loop, "ping")
    kept, kept_raw = scheduled(loop, "ping")
    for raw in (delete_raw, doomed_raw, kept_raw):     # entries 1, 2, 3, all due together
        loop.send("schedule_insert", {"release": release, "tc": raw})
    loop.advance(5.1)
    assert loop.verification(delete)[-1] == "completion_success"
    assert loop.verification(doomed) == []
    done = {r["fields"]["request_id"]: r["time"] for r in loop.reports(name="completion_success")}
    assert done[kept.request_id] == done[delete.request_id]     # in the same cycle, not later
    assert not [r for r in caplog.records if r.levelname == "ERROR"]

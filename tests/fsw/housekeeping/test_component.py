import pytest

from fsw.loopback import Loopback
from fsw.protocol.reasons import Reason


@pytest.fixture
def loop():
    with Loopback() as loop:
        yield loop


def count(loop, sid):
    return sum(1 for r in loop.reports("housekeeping") if r["sid"] == sid)


def test_every_structure_is_reported_once_a_second_by_default(loop):
    loop.advance(10)
    for sid in loop.flight.components["housekeeping"].owners:
        if loop.flight.components["housekeeping"]._provider(sid) is not None:
            assert count(loop, sid) == 11          # at the first cycle, then at 1 s, 2 s ... 10 s


def test_interval_disable_enable_and_one_shot(loop):
    loop.send("hk_interval", {"sid": 3, "interval": 50})     # every 5 s
    loop.send("hk_disable", {"sid": 4})
    loop.advance(0.1)
    before3, before4 = count(loop, 3), count(loop, 4)
    loop.advance(20)
    assert count(loop, 3) - before3 == 4
    assert count(loop, 4) == before4
    tc = loop.send("hk_oneshot", {"sid": 4})
    loop.advance(0.1)
    assert loop.verification(tc)[-1] == "completion_success"
    assert count(loop, 4) == before4 + 1
    loop.send("hk_enable", {"sid": 4})
    loop.advance(3)
    assert count(loop, 4) >= before4 + 3


def test_an_unknown_structure_fails_to_start(loop):
    tc = loop.send("hk_oneshot", {"sid": 77})
    loop.advance(0.1)
    assert loop.verification(tc) == ["acceptance_success", "start_failure"]
    assert loop.failure_reason(tc) == Reason.NO_SUCH_ITEM


def test_no_burst_after_a_long_step():
    with Loopback(speed=10_000) as loop:       # 10 s steps: one report per step, no catch-up
        loop.advance(100)
        assert count(loop, 1) == 10


def test_reports_come_from_the_housekeeping_apid(loop):
    loop.advance(1)
    assert {r["apid"] for r in loop.reports("housekeeping")} == {0x011}


def test_settings_survive_in_state(loop):
    loop.send("hk_interval", {"sid": 3, "interval": 70})
    loop.send("hk_disable", {"sid": 1})
    loop.advance(0.1)
    with Loopback() as other:
        other.flight.components["housekeeping"].restore(loop.flight.components["housekeeping"].state())
        assert other.flight.components["housekeeping"].interval_ds[3] == 70
        assert other.flight.components["housekeeping"].enabled[1] is False

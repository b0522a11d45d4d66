import pytest

from fsw.loopback import Loopback
from fsw.protocol.pus import TcPacket
from fsw.protocol.reasons import Reason

BOOT = 100
TC_REJECTED = 200


@pytest.fixture
def loop():
    with Loopback() as loop:
        yield loop


def test_events_carry_severity_and_come_from_the_events_apid(loop):
    loop.advance(0.1)
    boot = loop.events("boot")[0]
    assert boot["severity"] == "info" and boot["apid"] == 0x012
    assert boot["fields"]["dictionary_version"] == loop.dictionary.version


def test_a_disabled_event_is_not_sent_until_enabled(loop):
    loop.send("events_disable", {"event_id": TC_REJECTED})
    loop.send("hk_oneshot", {"sid": 200})     # a start failure: not an acceptance rejection
    loop.send_bytes(loop.sender.send_bytes(TcPacket(0x7F0, 17, 1)))
    loop.advance(0.1)
    assert loop.events("tc_rejected") == []
    assert loop.flight.events.recent[-1][1] == "tc_rejected"    # still logged on board
    loop.send("events_enable", {"event_id": TC_REJECTED})
    loop.send_bytes(loop.sender.send_bytes(TcPacket(0x7F0, 17, 1)))
    loop.advance(0.1)
    assert len(loop.events("tc_rejected")) == 1


def test_unknown_event_ids_are_refused(loop):
    tc = loop.send("events_disable", {"event_id": 9999})
    loop.advance(0.1)
    assert loop.failure_reason(tc) == Reason.NO_SUCH_ITEM


def test_undeclared_or_malformed_events_are_dropped_not_raised(loop):
    loop.flight.services.event("no_such_event")
    loop.flight.services.event("boot", dictionary_version=-1, restarts=0)
    loop.advance(0.1)
    assert [e["name"] for e in loop.events() if e["name"] != "uplink_insecure"] == ["boot"]   # clear uplink: said at boot

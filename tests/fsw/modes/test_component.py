from dataclasses import replace

import pytest

from fsw.component import FlightComponent
from fsw.events.dictionary import COMPONENT as SOME_DECLARATIONS
from fsw.loopback import Loopback
from fsw.protocol.reasons import Reason
from fsw.topology import MISSION

OK = ["acceptance_success", "start_success", "completion_success"]


@pytest.fixture
def loop():
    with Loopback() as loop:
        yield loop


def flying_with(name: str, kind: type) -> Loopback:
    """The mission's topology with one more component, which safe mode reaches like every other."""
    return Loopback(topology=replace(MISSION, components=(*MISSION.components, (name, kind))))


def test_safe_mode_by_command_only_safe_commands_then_back_with_an_arm():
    safed = []

    class Probe(FlightComponent):
        COMPONENT = SOME_DECLARATIONS

        def enter_safe(self):
            safed.append(True)

    with flying_with("probe", Probe) as loop:
        loop.send("mode_safe")
        refused = loop.send("schedule_insert", {"release": 0xFFFFFFFF, "tc": b""})
        allowed = loop.send("ping")
        loop.advance(1.1)
        assert safed == [True]
        assert loop.failure_reason(refused) == Reason.NOT_ALLOWED_IN_MODE
        assert loop.verification(allowed) == OK
        assert loop.events("safe_mode_entered")[0]["fields"]["cause"] == "command"
        assert loop.housekeeping(3)["mode"] == "safe" and loop.housekeeping(3)["safe_cause"] == "command"
        unarmed = loop.send("mode_nominal")
        loop.send("arm", {"service": 128, "subtype": 2})
        nominal = loop.send("mode_nominal")
        loop.advance(0.1)
        assert loop.failure_reason(unarmed) == Reason.NOT_ARMED
        assert loop.verification(nominal) == OK
        assert loop.flight.mode == "nominal" and loop.events("safe_mode_exited")


def test_an_arm_is_good_for_one_use_within_60_seconds(loop):
    loop.send("arm", {"service": 11, "subtype": 3})
    first = loop.send("schedule_reset")
    second = loop.send("schedule_reset")
    loop.advance(0.1)
    assert loop.verification(first) == OK
    assert loop.failure_reason(second) == Reason.NOT_ARMED
    loop.send("arm", {"service": 11, "subtype": 3})
    loop.advance(61)
    late = loop.send("schedule_reset")
    loop.advance(0.1)
    assert loop.failure_reason(late) == Reason.NOT_ARMED


def test_arming_a_command_that_is_not_hazardous_fails(loop):
    tc = loop.send("arm", {"service": 17, "subtype": 1})
    loop.advance(0.1)
    assert loop.failure_reason(tc) == Reason.ARG_OUT_OF_RANGE


def test_an_arm_does_not_cover_another_command(loop):
    loop.send("arm", {"service": 128, "subtype": 2})
    tc = loop.send("schedule_reset")
    loop.advance(0.1)
    assert loop.failure_reason(tc) == Reason.NOT_ARMED


def test_loss_of_contact_enters_safe_mode(loop):
    loop.send("fdir_contact_timeout", {"seconds": 30})
    loop.advance(20)
    loop.send("ping")                        # contact: the clock starts again
    loop.advance(25)
    assert loop.flight.mode == "nominal"
    loop.advance(10)
    assert loop.flight.mode == "safe" and loop.flight.modes.cause == "loss_of_contact"
    assert loop.housekeeping(3)["contact_timeout"] == 30


def test_a_component_can_call_for_safe_mode_once(loop):
    loop.flight.services.enter_safe_mode("over_temperature")
    loop.flight.services.enter_safe_mode("sensor_failure")
    loop.advance(0.1)
    assert [e["fields"]["cause"] for e in loop.events("safe_mode_entered")] == ["over_temperature"]
    assert loop.flight.modes.safe_entries == 1


def test_a_component_failing_to_safe_does_not_stop_the_others():
    class Stubborn(FlightComponent):
        COMPONENT = SOME_DECLARATIONS

        def enter_safe(self):
            raise RuntimeError("stuck relay")

    with flying_with("stubborn", Stubborn) as loop:
        loop.send("mode_safe")
        loop.advance(0.1)
        assert loop.flight.mode == "safe"

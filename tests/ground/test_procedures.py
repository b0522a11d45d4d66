"""The procedures API against the in-process fake flight (fast, exact); tests/ground/test_end_to_end.py
runs it against the real fsw."""

import pytest

from fsw.dictionary import load
from fsw.protocol.reasons import Reason
from ground.procedures import CommandRejected, CommandTimeout, connect


def test_send_waits_for_completion_and_records_every_stage(fake_link):
    _, link = fake_link
    with connect(link=link, archive=False) as gs:
        verification = gs.send("ping")
        assert verification.outcome == "completed"
        assert [s.stage for s in verification.stages] == [
            "queued", "radiated", "acknowledged", "accepted", "started", "completed"]


def test_send_without_wait_returns_at_once(fake_link):
    _, link = fake_link
    with connect(link=link, archive=False) as gs:
        verification = gs.send("ping", wait=False)
        assert gs.wait_for(verification).outcome == "completed"


def test_rejection_raises_with_the_reason(fake_link):
    _, link = fake_link
    with connect(link=link, archive=False) as gs:
        with pytest.raises(CommandRejected) as caught:
            gs.send("cam_delete", image_id=1)
        assert caught.value.reason is Reason.NOT_ARMED
        gs.expect_rejected("cam_delete", "not_armed", image_id=1)
        with pytest.raises(AssertionError):
            gs.expect_rejected("ping", Reason.BUSY)


def test_timeout_when_nothing_answers():
    from fsw.link import link_pair
    _, ground = link_pair()
    with connect(link=ground, archive=False, timeout=0.3) as gs:
        with pytest.raises(CommandTimeout) as caught:
            gs.send("ping")
        assert caught.value.reason is None


def test_bad_arguments_are_refused_before_sending(fake_link):
    flight, link = fake_link
    from fsw.protocol import ProtocolError
    with connect(link=link, archive=False) as gs:
        with pytest.raises(ProtocolError):
            gs.send("cam_configure", exposure=0, filters=7, tdi=1)
        gs.send("ping")
    assert [name for name, _ in flight.received] == ["ping"]


def test_request_hk_and_latest_give_engineering_values(fake_link):
    _, link = fake_link
    with connect(link=link, archive=False) as gs:
        values = gs.request_hk(20)
        assert values["cam_temp"] == pytest.approx(0.01)      # raw 1 in centi-degrees
        assert values["heater_mode"] == "off"                  # enums as names
        assert gs.latest("cam_temp") == pytest.approx(0.01)
        assert gs.await_telemetry("heater_mode", lambda m: m == "off", timeout=1) == "off"
        with pytest.raises(TimeoutError):
            gs.await_telemetry("heater_mode", lambda m: m == "anneal", timeout=0.3)
        gs.assert_limits_nominal("cam_temp")


def test_request_hk_takes_the_one_shot_report_not_a_periodic_one_beside_it():
    # periodic reports of the same structure just before the start report and just after the
    # completion, all in one read: the values are the one-shot's, sampled while it executed
    from fake_flight import FakeFlight

    from fsw.link import link_pair
    flight_end, ground_end = link_pair()
    flight = FakeFlight(flight_end, periodic_hk=True).start()
    try:
        with connect(link=ground_end, archive=False) as gs:
            for _ in range(5):
                assert gs.request_hk(2)["tc_accepted"] == 1
    finally:
        flight.stop()


def test_await_event_sees_events_after_the_last_command(fake_link):
    _, link = fake_link
    with connect(link=link, archive=False) as gs:
        gs.send("cam_downlink", image_id=1)
        record = gs.await_event("downlink_complete", timeout=2, where=lambda f: f["image_id"] == 1)
        assert record.fields["segments"] > 0


def test_dictionary_mismatch_warns_loudly():
    from fake_flight import FakeFlight

    from fsw.link import link_pair
    flight_end, ground_end = link_pair()
    flight = FakeFlight(flight_end, dictionary_version=0x12345678)
    warnings = []
    with connect(link=ground_end, archive=False, on_warning=warnings.append) as gs:
        flight.start()
        gs.request_hk(1)
        assert gs.session.dictionary_mismatch
    flight.stop()
    assert len(warnings) == 1 and "12345678" in warnings[0]


def test_a_failing_listener_does_not_stop_the_downlink(fake_link):
    _, link = fake_link
    warnings = []
    with connect(link=link, archive=False, on_warning=warnings.append) as gs:
        gs.session.listeners.append(lambda record: 1 / 0)
        gs.send("ping")
        assert gs.request_hk(3)["mode"] == "nominal"
    assert warnings and "ZeroDivisionError" not in warnings[0] and "division by zero" in warnings[0]


def test_junk_on_the_link_is_counted_not_fatal(fake_link):
    flight, link = fake_link
    with connect(link=link, archive=False) as gs:
        flight.link.write(b"\x00garbage\x1a\xcf\xfc\x1d" + bytes(200))
        gs.send("ping")
        assert gs.state.stats.resyncs >= 1


class _DyingLink:
    """The ground end of a link that breaks when told to, as a pty does when fsw exits."""

    def __init__(self, link):
        self.link = link
        self.dead = False

    def read(self, max_bytes=4096, timeout=0.1):
        from fsw.link import LinkError
        if self.dead:
            raise LinkError("test link: read failed (peer gone)")
        return self.link.read(max_bytes, timeout)

    def write(self, data):
        self.link.write(data)

    def close(self):
        self.link.close()


def test_a_wait_ends_at_once_when_the_link_dies():
    import threading
    import time

    from fsw.link import link_pair
    _, ground = link_pair()
    link = _DyingLink(ground)
    with connect(link=link, archive=False, timeout=30, on_warning=lambda text: None) as gs:
        threading.Timer(0.3, lambda: setattr(link, "dead", True)).start()
        start = time.time()
        with pytest.raises(CommandTimeout, match="link lost.*peer gone"):
            gs.send("ping")
        assert time.time() - start < 3


def test_a_failing_stage_listener_does_not_lose_the_telemetry_with_it(fake_link):
    _, link = fake_link
    warnings = []
    with connect(link=link, archive=False, on_warning=warnings.append) as gs:
        gs.send("hk_oneshot", sid=20, on_stage=lambda verification, stage: 1 / 0)
        gs.await_telemetry("cam_temp", timeout=2)
    assert any("stage listener failed: division by zero" in w for w in warnings), warnings


def test_arm_and_send_arms_for_the_command_then_sends_it_without_waiting(fake_link):
    flight, link = fake_link
    arm_stages = []
    with connect(link=link, archive=False) as gs:
        tracked = gs.arm_and_send("cam_delete", wait=False, image_id=1,
                                  on_arm_stage=lambda command, stage: arm_stages.append(stage.stage))
        assert tracked.done.wait(5)
    command = load().command("cam_delete")
    assert flight.received[:2] == [("arm", {"service": command.service, "subtype": command.subtype}),
                                   ("cam_delete", {"image_id": 1})]
    assert arm_stages[-1] == "completed"

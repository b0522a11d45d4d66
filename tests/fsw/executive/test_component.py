"""Time management: a mistaken on-board clock does not wreck the camera; the world keeps its own time."""

import pytest

from fsw import mission
from fsw.loopback import Loopback
from fsw.protocol.reasons import Reason

UNIX_TIME_BY_MISTAKE = 1_796_092_289     # 2026-12-01 in Unix seconds: 2056 on board


@pytest.fixture
def loop(tmp_path):
    with Loopback(state_dir=tmp_path, speed=100, seed=57, start_time=mission.PJ57 - 3600) as loop:
        yield loop


def camera_hk(loop):
    loop.send("hk_oneshot", {"sid": 10})
    loop.advance(1)
    return loop.housekeeping(10)


def test_a_time_after_the_mission_is_refused_with_a_reason(loop):
    before = camera_hk(loop)
    tc = loop.send("time_set", {"seconds": UNIX_TIME_BY_MISTAKE})
    loop.advance(1)
    assert loop.failure_reason(tc) == Reason.ARG_OUT_OF_RANGE
    assert loop.flight.now() < mission.PJ57
    after = camera_hk(loop)
    assert after["dose"] == before["dose"]
    assert after["dark_level"] == pytest.approx(before["dark_level"], abs=30)


def test_setting_the_clock_moves_no_dose_and_a_restart_keeps_the_world(tmp_path):
    with Loopback(state_dir=tmp_path, speed=100, seed=57, start_time=mission.PJ57 - 3600) as loop:
        before = camera_hk(loop)
        tc = loop.send("time_set", {"seconds": int(mission.perijove_time(70))})   # 13 orbits ahead
        loop.advance(2)
        assert "completion_success" in loop.verification(tc)
        assert [e["name"] for e in loop.events("time_set")]
        assert not loop.events("perijove_pass")          # a jump is not a pass
        jumped = camera_hk(loop)
        assert jumped["dose"] == before["dose"]          # the world did not fly those orbits
        assert jumped["perijove"] == 70                  # flight's reckoning follows its clock
        world = loop.flight.services.hardware.mission_time
        assert world < mission.PJ57
    with Loopback(state_dir=tmp_path, speed=100, seed=57) as again:
        assert again.flight.services.hardware.mission_time == pytest.approx(world, abs=5)
        assert camera_hk(again)["dose"] == before["dose"]


def test_the_mission_flies_ahead_perijove_by_perijove(loop):
    before = camera_hk(loop)
    tc = loop.send("mission_advance", {"seconds": int(mission.PJ58 - mission.PJ57 + 7200)})
    loop.advance(1)
    assert "completion_success" in loop.verification(tc)
    event = loop.events("mission_advanced")[-1]["fields"]
    assert event["perijove"] == 58
    assert loop.flight.now() > mission.PJ58
    after = camera_hk(loop)
    assert after["dose"] > before["dose"] and after["perijove"] == 58


def test_the_mission_does_not_fly_past_its_end(tmp_path):
    loop = Loopback(state_dir=tmp_path, speed=100, seed=57, start_time=mission.MISSION_END - 30 * 86400)
    tc = loop.send("mission_advance", {"seconds": 399 * 86400})
    loop.advance(1)
    assert loop.failure_reason(tc) == Reason.ARG_OUT_OF_RANGE
    loop.close()


def test_the_clock_speed_can_change_in_flight(loop):
    tc = loop.send("clock_speed", {"speed": 5000.0})
    loop.advance(1)
    assert "completion_success" in loop.verification(tc)
    assert loop.flight.clock.speed == 5000.0

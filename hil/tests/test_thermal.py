"""The heater: thermostat, over-temperature cut-off, anneal."""

from hil.plugin import needs, open_station


def test_thermostat_holds_the_setpoint(gs, hil_target):
    needs(hil_target, commands=("heater_setpoint", "heater_on", "heater_off"))
    start = gs.await_telemetry("cam_temp", timeout=30)
    setpoint = min(max(start + 3.0, -20.0), 30.0)
    gs.send("heater_setpoint", setpoint=round(setpoint * 100), hysteresis=100)
    gs.send("heater_on")
    try:
        gs.await_telemetry("cam_temp", lambda t: t >= setpoint - 0.5, timeout=300)
        # once there, it is held inside the dead band (with one control step of overshoot)
        gs.await_telemetry("heater_state", lambda s: s == "off", timeout=120)
        for _ in range(5):
            temp = gs.await_telemetry("cam_temp", timeout=30, fresh=True)
            assert setpoint - 2.0 <= temp <= setpoint + 2.0
    finally:
        gs.send("heater_off")


def test_over_temperature_cuts_the_heater(fresh_target):
    needs(fresh_target, faults=("heater_stuck_on",), simulated_thermal=True)
    fresh_target.inject("heater_stuck_on")
    station = open_station(fresh_target)
    try:
        event = station.await_event("over_temperature", timeout=120, since=0)
        assert event.fields["cam_temp"] > 6400
        station.await_telemetry("mode", lambda m: m == "safe", timeout=30)
        assert station.await_telemetry("safe_cause", timeout=30, fresh=True) == "over_temperature"
    finally:
        station.close()


def test_anneal_runs_and_reports_the_hot_pixels_before_and_after(gs, hil_target):
    needs(hil_target, commands=("anneal",), simulated_thermal=True)
    before = gs.request_hk(20)["anneals"]
    verification = gs.arm_and_send("anneal", target=6000, hold=hil_target.capabilities.anneal_hold,
                                   timeout=600)
    assert verification.outcome == "completed"
    event = gs.await_event("anneal_complete", timeout=60, since=0)
    # healing builds up over the hold (days, as in December 2023: tests/fsw/thermal, test_flyby);
    # a hold this short heals little, and the counts come from two dark frames: never worse
    # beyond a dark frame's flicker of a pixel or two
    assert event.fields["hot_pixels_after"] <= event.fields["hot_pixels_before"] + 2
    assert gs.request_hk(20)["anneals"] == before + 1


def test_anneal_finishes_in_a_warm_room(fresh_target):
    """In a 25 C room the camera never cools below the 15 C end of the cool phase: the anneal
    must still finish, back near where it started."""
    needs(fresh_target, commands=("anneal",), faults=("warm_room",), simulated_thermal=True)
    fresh_target.inject("warm_room")
    station = open_station(fresh_target)
    try:
        station.await_telemetry("cam_temp", lambda t: t > 24.0, timeout=30)
        verification = station.arm_and_send("anneal", target=3000, hold=1, timeout=120)
        assert verification.outcome == "completed"
        assert station.request_hk(20)["anneals"] == 1
    finally:
        station.close()

"""The assembled flight software, in process: lifecycle, persistence, determinism, time."""

import json
import shutil
import time

import pytest

from fsw.app import FlightSoftware
from fsw.link import link_pair
from fsw.loopback import Loopback
from fsw.protocol.pus import encode_tc
from fsw.storage import AtomicStore, StateFile
from fsw.storage.state import JOURNAL_NAME, STATE_NAME

OK = ["acceptance_success", "start_success", "completion_success"]


def telemetry(loop):
    """Everything flight sent, minus the executive's measured cycle times (wall-clock facts)."""
    out = []
    for tm in loop.packets:
        decoded = loop.decode(tm)
        if decoded["kind"] == "housekeeping" and decoded["sid"] == 1:
            decoded["fields"] = {k: v for k, v in decoded["fields"].items() if not k.startswith("cycle_")}
        out.append((tm.apid, tm.service, tm.subtype, tm.time, repr(decoded)))
    return out


def session(seed):
    with Loopback(seed=seed) as loop:
        loop.advance(1)
        loop.send("ping")
        loop.send("fdir_contact_timeout", {"seconds": 100})
        loop.advance(30)
        loop.send("hk_oneshot", {"sid": 3})
        loop.advance(200)
        return telemetry(loop)


def test_same_seed_and_commands_give_the_same_telemetry():
    first = session(7)
    assert first == session(7)
    assert len(first) > 500


def test_state_survives_a_restart(tmp_path):
    with Loopback(state_dir=tmp_path) as loop:
        loop.send("ping")
        loop.send("schedule_insert", {"release": int(loop.flight.now()) + 3600,
                                      "tc": encode_tc(loop.dictionary.build_tc("ping"))})
        loop.send("mode_safe")
        loop.send("hk_interval", {"sid": 4, "interval": 30})
        loop.advance(5)
        onboard = loop.flight.now()
    with Loopback(state_dir=tmp_path) as loop:
        loop.advance(0.1)
        assert loop.flight.dispatcher.counters["tc_accepted"] == 4
        assert loop.flight.mode == "safe" and loop.flight.modes.cause == "command"
        assert loop.flight.components["housekeeping"].interval_ds[4] == 30
        assert len(loop.flight.components["schedule"].entries) == 1
        assert loop.flight.now() == pytest.approx(onboard + 0.1)     # sim time resumes
        assert loop.events("boot")[0]["fields"]["restarts"] == 1


def test_a_corrupt_state_file_is_quarantined_with_an_event(tmp_path):
    running = tmp_path / "running"
    with Loopback(state_dir=running) as loop:
        for _ in range(2):
            loop.send("ping")
            loop.advance(0.1)
        shutil.copytree(running, tmp_path / "crashed")       # the disk as a kill -9 would leave it
    crashed = tmp_path / "crashed"
    AtomicStore(crashed).put(STATE_NAME, b"{not json")       # a snapshot from elsewhere
    path = crashed / JOURNAL_NAME
    path.write_bytes(path.read_bytes()[:-5])                 # the second ping's commit, torn
    with Loopback(state_dir=crashed) as loop:
        loop.advance(0.1)
        quarantined = {event["fields"]["file"] for event in loop.events("state_quarantined")}
        assert quarantined == {STATE_NAME.encode(), JOURNAL_NAME.encode()}
        assert loop.flight.dispatcher.counters["tc_accepted"] == 1     # the first ping's commit
    assert (crashed / "quarantine" / STATE_NAME).exists()


def test_no_report_goes_down_before_the_state_it_reports_on_is_on_disk(tmp_path):
    with Loopback(state_dir=tmp_path) as loop:
        tc = loop.send("hk_interval", {"sid": 4, "interval": 30})
        loop.flight.poll()        # dispatched and reported: no cycle ran, no periodic save yet
        loop.collect()
        assert loop.verification(tc) == OK
        saved = StateFile(AtomicStore(tmp_path)).load()
        assert saved["components"]["housekeeping"]["4"][1] == 30
        assert saved["components"]["commanding"]["tc_executed"] == 1


def test_background_thread_with_a_real_clock_answers_and_stops():
    with Loopback(clock="real", start=True) as loop:
        tc = loop.send("ping")
        deadline = time.monotonic() + 10
        while loop.verification(tc) != OK and time.monotonic() < deadline:
            loop.collect(wait=0.1)
        assert loop.verification(tc) == OK
    assert not loop.flight._thread.is_alive()


def test_advance_waits_for_a_running_sim_clock():
    with Loopback(speed=1000, start=True) as loop:
        loop.flight.advance(50)
        assert loop.flight.elapsed() >= 50


def test_stop_saves_state(tmp_path):
    flight_end, _ = link_pair()
    with FlightSoftware(flight_end, state_dir=tmp_path, clock="sim") as flight:
        flight.advance(1)
        flight.modes.mode = "safe"
    assert StateFile(AtomicStore(tmp_path)).load()["components"]["modes"]["mode"] == "safe"


def test_a_flyby_at_10000x_covers_42_hours_in_few_cycles():
    with Loopback(speed=10_000) as loop:
        loop.advance(42 * 3600)
        assert loop.flight.elapsed() == 42 * 3600
        assert loop.flight.cycles[10].count == 42 * 360     # 10 s simulated steps
        assert loop.housekeeping(1)["uptime"] == 42 * 3600


def test_a_component_that_raises_in_tick_does_not_stop_the_rate_groups():
    with Loopback() as loop:
        def broken(dt):
            raise RuntimeError("bug")

        loop.flight.components["schedule"].tick = broken
        loop.advance(2)
        tc = loop.send("ping")
        loop.advance(0.1)
        assert loop.verification(tc) == OK
        assert loop.flight.cycles[10].count == 21


def test_a_bug_while_handling_uplink_does_not_stop_the_executive_thread():
    with Loopback(speed=10, start=True) as loop:
        receive = loop.flight.dispatcher.receive
        loop.flight.dispatcher.receive = lambda item: (_ for _ in ()).throw(RuntimeError("bug"))
        loop.send("ping")
        loop.advance(0.5)
        loop.flight.dispatcher.receive = receive
        tc = loop.send("ping")
        loop.advance(0.5)
        loop.collect(wait=0.5)
        assert loop.flight._thread.is_alive()
        assert loop.verification(tc) == OK


@pytest.mark.parametrize("document", [
    {"format": 1, "clock": {"kind": "sim", "onboard": "soon"}, "components": {}},
    {"format": 1, "clock": {"kind": "sim", "onboard": float("nan")}, "components": {}},
    {"format": 1, "clock": {"kind": "sim", "onboard": float("inf")}, "components": {}},
    {"format": 1, "clock": ["sim"], "components": ["executive"]},
    {"format": 1, "clock": None, "components": None},
])
def test_a_sound_state_file_with_contents_from_elsewhere_does_not_stop_boot(tmp_path, document):
    AtomicStore(tmp_path).put(STATE_NAME, json.dumps(document).encode())
    with Loopback(state_dir=tmp_path) as loop:
        tc = loop.send("ping")
        loop.advance(0.1)
        assert loop.verification(tc) == OK
        assert 0 <= loop.flight.now() < 2**32


def test_restored_ids_and_counters_that_could_not_go_on_the_wire_fall_back_to_defaults(tmp_path):
    """A sound state file from elsewhere: ids past 16 bits would make every report about them fail."""
    document = {"format": 1, "clock": {"kind": "sim", "onboard": 757_000_000.0}, "components": {
        "camera": {"next_id": 70_000, "last_image": -3, "images_lost": "many"},
        "schedule": {"next_id": 0, "entries": [[70_000, 757_000_100.0, "00"]]},
        "modes": {"safe_entries": 1 << 40, "contact_timeout": -1},
    }}
    AtomicStore(tmp_path).put(STATE_NAME, json.dumps(document).encode())
    with Loopback(state_dir=tmp_path) as loop:
        camera, schedule, modes = (loop.flight.components[n] for n in ("camera", "schedule", "modes"))
        assert (camera.next_id, camera.last_image, camera.images_lost) == (1, 0, 0)
        assert (schedule.next_id, schedule.entries) == (1, {})
        assert (modes.safe_entries, modes.contact_timeout) == (0, 0)
        for sid in (3, 4, 10):
            tc = loop.send("hk_oneshot", {"sid": sid})
            loop.advance(0.1)
            assert loop.verification(tc) == OK

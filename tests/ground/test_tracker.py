"""The command tracker: which report is which stage, what ends a command, what it forgets."""

from fsw.dictionary import load
from fsw.protocol.reasons import Reason
from ground.tracker import FINAL_REPORTS, STAGES, CommandTracker, TrackedCommand


def test_every_pus1_report_of_the_dictionary_is_a_stage_and_failures_or_completion_end_it():
    assert {r.name for r in load().reports.values() if r.service == 1} == set(STAGES)
    assert FINAL_REPORTS == {"acceptance_failure", "start_failure", "progress_failure", "completion_failure",
                             "completion_success"}


def test_a_report_updates_its_command_which_is_forgotten_once_ended():
    tracker = CommandTracker()
    ping = tracker.track(TrackedCommand("ping", {}, 7, 0.0))
    assert tracker.update("acceptance_success", {"request_id": 7}) is ping
    assert tracker.update("start_failure", {"request_id": 7, "reason": int(Reason.BUSY)}) is ping
    assert ping.outcome == "failed" and ping.reason is Reason.BUSY and ping.stages[-1].report == "start_failure"
    assert tracker.update("completion_success", {"request_id": 7}) is None      # ended: none of ours now
    assert tracker.update("acceptance_success", {"request_id": 8}) is None


def test_the_oldest_unanswered_commands_are_forgotten_past_the_limit():
    tracker = CommandTracker(limit=2)
    for request_id in range(3):
        tracker.track(TrackedCommand("ping", {}, request_id, 0.0))
    assert tracker.update("completion_success", {"request_id": 0}) is None
    assert tracker.update("completion_success", {"request_id": 2}).outcome == "completed"


def test_a_failing_stage_listener_is_reported_and_the_command_still_ends():
    warnings = []
    tracker = CommandTracker(on_warning=warnings.append)
    ping = TrackedCommand("ping", {}, 1, 0.0)
    ping.listeners.append(lambda command, stage: 1 / 0)
    tracker.track(ping)
    tracker.update("completion_success", {"request_id": 1})
    assert ping.finished and warnings == ["ping: stage listener failed: division by zero"]

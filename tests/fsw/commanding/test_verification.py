from fsw.commanding.verification import CommandVerification
from fsw.protocol.pus import ACK_ALL, ACK_COMPLETION
from fsw.protocol.reasons import Reason


class Recorder:
    """Stands in for the dispatcher: records what the verification asks it to send and count."""

    def __init__(self):
        self.sent = []
        self.outcomes = []
        self.running = {}

    def send_report(self, name, values, apid):
        self.sent.append((name, values, apid))

    def finished(self, verification, success, reason):
        self.outcomes.append((success, reason))


def test_success_path_with_progress():
    recorder = Recorder()
    v = CommandVerification(recorder, 0x20, 99, ACK_ALL, "cam_capture")
    v.accepted()
    v.defer()
    assert recorder.running == {"cam_capture": v}
    v.progress(1, 150)        # clamped to 100 %
    v.complete()
    v.complete()              # a second outcome is ignored
    assert [s[0] for s in recorder.sent] == ["acceptance_success", "start_success", "progress_success",
                                             "completion_success"]
    assert recorder.sent[2][1] == {"request_id": 99, "step": 1, "percent": 100}
    assert all(apid == 0x20 for _, _, apid in recorder.sent)
    assert recorder.outcomes == [(True, None)] and recorder.running == {}


def test_failure_at_a_step_is_a_progress_failure_and_reported_without_flags():
    recorder = Recorder()
    v = CommandVerification(recorder, 0x30, 5, 0, "anneal")
    v.defer()
    v.fail(Reason.HARDWARE_FAULT, step=2)
    assert recorder.sent == [("progress_failure", {"request_id": 5, "reason": 38, "step": 2}, 0x30)]
    assert recorder.outcomes == [(False, Reason.HARDWARE_FAULT)]


def test_start_failure():
    recorder = Recorder()
    v = CommandVerification(recorder, 0x10, 1, ACK_COMPLETION, "ping")
    v.start_failed(Reason.BUSY)
    v.complete()
    assert [s[0] for s in recorder.sent] == ["start_failure"]
    assert recorder.outcomes == [(False, Reason.BUSY)]

"""PUS-1 verification of one command, as its ack flags ask.

Success reports (acceptance, start, progress, completion) go out only when the TC's ack flags
request them; failure reports always do (ECSS-E-ST-70-41C 6.1: the flags select success
reports). Every report is sent from the APID the TC addressed and echoes its request id.
"""

from fsw.protocol.pus import ACK_ACCEPTANCE, ACK_COMPLETION, ACK_PROGRESS, ACK_START
from fsw.protocol.reasons import Reason


class CommandVerification:
    """Implements fsw.component.Verification; the dispatcher owns the counting."""

    def __init__(self, dispatcher, apid: int, request_id: int, ack: int, name: str):
        self._dispatcher = dispatcher
        self.apid = apid
        self.request_id = request_id
        self.ack = ack
        self.name = name
        self.started = False
        self.deferred = False
        self.done = False

    def _send(self, report: str, flag: int | None = None, **fields) -> None:
        if flag is None or self.ack & flag:
            self._dispatcher.send_report(report, {"request_id": self.request_id, **fields}, self.apid)

    def accepted(self) -> None:
        self._send("acceptance_success", ACK_ACCEPTANCE)

    def begin(self) -> None:
        if not self.started:
            self.started = True
            self._send("start_success", ACK_START)

    def start_failed(self, reason: Reason) -> None:
        self.started = True
        self._send("start_failure", reason=int(reason))
        self._finish(False, Reason(reason))

    # -- the Verification protocol, for handlers --
    def defer(self) -> None:
        self.begin()
        self.deferred = True
        self._dispatcher.running[self.name] = self

    def progress(self, step: int, percent: int) -> None:
        if self.done:
            return
        self.begin()
        self._send("progress_success", ACK_PROGRESS, step=step, percent=max(0, min(100, int(percent))))

    def complete(self) -> None:
        if self.done:
            return
        self.begin()
        self._send("completion_success", ACK_COMPLETION)
        self._finish(True)

    def fail(self, reason: Reason, step: int = 0) -> None:
        if self.done:
            return
        self.begin()
        if step:
            self._send("progress_failure", reason=int(reason), step=step)
        else:
            self._send("completion_failure", reason=int(reason))
        self._finish(False, Reason(reason))

    def _finish(self, success: bool, reason: Reason | None = None) -> None:
        self.done = True
        if self._dispatcher.running.get(self.name) is self:
            del self._dispatcher.running[self.name]
        self._dispatcher.finished(self, success, reason)

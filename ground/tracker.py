"""The command tracker: every command ground sent, its stages as they happen, how it ended.

The one place that knows which report is which stage and which reports end a command (the
session, the procedures API and the HIL tests all track commands with it). Stages, in order:
queued (in the FOP's wait queue), radiated (a Type-AD or Type-BD frame went out; again for each
retransmission), acknowledged (a CLCW says the board's FARM accepted the frame), then the PUS-1
reports accepted, started, progress and completed; failed at any of them.
"""

import threading
import time
from dataclasses import dataclass, field

from fsw.protocol.reasons import Reason

PENDING_LIMIT = 4096   # commands awaiting reports, at most

# report name -> (stage, success)
STAGES = {
    "acceptance_success": ("accepted", True),
    "acceptance_failure": ("accepted", False),
    "start_success": ("started", True),
    "start_failure": ("started", False),
    "progress_success": ("progress", True),
    "progress_failure": ("progress", False),
    "completion_success": ("completed", True),
    "completion_failure": ("completed", False),
}
# stages the link layer reports (COP-1), before any PUS-1 report
LINK_STAGES = ("queued", "radiated", "acknowledged")
# a failure at any stage, or the completion, ends a command
FINAL_REPORTS = frozenset(name for name, (stage, ok) in STAGES.items() if not ok or stage == "completed")


def reason_of(code: int | None) -> Reason | int | None:
    if code is None:
        return None
    try:
        return Reason(code)
    except ValueError:
        return code


def reason_label(reason) -> str:
    if isinstance(reason, str):
        return reason          # a link-layer reason, said in words
    return reason.label if isinstance(reason, Reason) else f"reason {reason}"


@dataclass
class Stage:
    stage: str
    ok: bool
    reason: Reason | int | None = None
    step: int | None = None
    percent: int | None = None
    received: float = 0.0
    report: str = ""           # the PUS-1 report it came in (acceptance_failure, ...)


@dataclass
class TrackedCommand:
    """What happened to one command. `outcome`: pending, completed, rejected or failed."""

    name: str
    args: dict
    request_id: int
    sent: float
    stages: list[Stage] = field(default_factory=list)
    outcome: str = "pending"
    reason: Reason | int | None = None
    done: threading.Event = field(default_factory=threading.Event)
    listeners: list = field(default_factory=list)    # callback(command, stage)

    def update(self, report: str, fields: dict) -> Stage | None:
        stage_name, ok = STAGES[report]
        stage = Stage(stage_name, ok, reason_of(fields.get("reason")), fields.get("step"),
                      fields.get("percent"), time.time(), report)
        self.stages.append(stage)
        if not ok:
            self.reason = stage.reason
            self.outcome = "rejected" if stage_name == "accepted" else "failed"
            self.done.set()
        elif stage_name == "completed":
            self.outcome = "completed"
            self.done.set()
        for listener in list(self.listeners):
            listener(self, stage)
        return stage

    def link_stage(self, stage_name: str, ok: bool = True, reason: str | None = None,
                   step: int | None = None) -> Stage | None:
        """A link-layer stage (LINK_STAGES); not ok: the command failed there, for `reason`.
        Nothing is added once the command has ended (a late retransmission of a completed one)."""
        if self.finished:
            return None
        stage = Stage(stage_name, ok, reason, step, None, time.time(), "cop1")
        self.stages.append(stage)
        if not ok:
            self.reason = reason
            self.outcome = "failed"
            self.done.set()
        for listener in list(self.listeners):
            listener(self, stage)
        return stage

    @property
    def finished(self) -> bool:
        return self.done.is_set()

    def describe(self) -> str:
        if self.outcome == "pending":
            last = self.stages[-1].stage if self.stages else "sent"
            return f"{self.name}: {last}"
        if self.outcome == "completed":
            return f"{self.name}: completed"
        return f"{self.name}: {self.outcome} ({reason_label(self.reason)})"


class CommandTracker:
    """The commands awaiting reports, by request id; a report updates the one it is about."""

    def __init__(self, on_warning=lambda message: None, limit: int = PENDING_LIMIT):
        self.on_warning = on_warning
        self.limit = limit
        self._pending: dict[int, TrackedCommand] = {}

    def track(self, command: TrackedCommand) -> TrackedCommand:
        """The oldest unanswered commands are forgotten past the limit (commands sent without
        acks, or never answered, would otherwise pile up)."""
        self._pending[command.request_id] = command
        while len(self._pending) > self.limit:
            del self._pending[next(iter(self._pending))]
        return command

    def __len__(self) -> int:
        return len(self._pending)

    def __iter__(self):
        """The request ids awaiting reports, oldest first."""
        return iter(list(self._pending))

    def get(self, request_id: int) -> TrackedCommand | None:
        """The command awaiting reports under this request id, if any."""
        return self._pending.get(request_id)

    def link_stage(self, command: TrackedCommand, stage: str, ok: bool = True, reason: str | None = None,
                   step: int | None = None) -> None:
        """Apply a link-layer stage to a command. One that failed before it was radiated is no
        longer awaited; one radiated but never acknowledged still is: if it did run on board, its
        reports arrive and say so."""
        try:
            command.link_stage(stage, ok, reason, step)
        except Exception as error:   # a failing on_stage must not stop the FOP
            self.on_warning(f"{command.name}: stage listener failed: {error}")
        if not ok and stage == "queued" and self._pending.get(command.request_id) is command:
            del self._pending[command.request_id]

    def update(self, report: str, fields: dict) -> TrackedCommand | None:
        """Apply a PUS-1 report; the command it was about, or None when it is none of ours."""
        request_id = fields.get("request_id")
        command = self._pending.get(request_id)
        if command is None:
            return None
        try:
            command.update(report, fields)
        except Exception as error:   # a failing on_stage must not cost the telemetry that came with it
            self.on_warning(f"{command.name}: stage listener failed: {error}")
        if command.finished:
            self._pending.pop(request_id, None)
        return command


class CommandError(Exception):
    """A command did not complete; `reason` is the Reason from the PUS-1 report (None on timeout),
    `verification` the TrackedCommand with its stages."""

    def __init__(self, tracked: TrackedCommand, message: str):
        self.verification = tracked   # the TrackedCommand (the name README documents)
        self.reason = tracked.reason
        self.command = tracked.name
        super().__init__(message)


class CommandRejected(CommandError):
    pass


class CommandFailed(CommandError):
    pass


class CommandTimeout(CommandError):
    pass


def raise_for(tracked: TrackedCommand) -> None:
    if tracked.outcome == "rejected":
        raise CommandRejected(tracked, tracked.describe())
    if tracked.outcome == "failed":
        raise CommandFailed(tracked, tracked.describe())
    if tracked.outcome == "pending":
        stage = tracked.stages[-1].stage if tracked.stages else "no report"
        raise CommandTimeout(tracked, f"{tracked.name}: timed out (last: {stage})")

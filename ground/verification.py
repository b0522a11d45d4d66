"""PUS-1 verification of one sent command: the stages as they arrive, and how it ended."""

import threading
import time
from dataclasses import dataclass, field

from fsw.protocol.reasons import Reason

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


def reason_of(code: int | None) -> Reason | int | None:
    if code is None:
        return None
    try:
        return Reason(code)
    except ValueError:
        return code


def reason_label(reason) -> str:
    return reason.label if isinstance(reason, Reason) else f"reason {reason}"


@dataclass
class Stage:
    stage: str
    ok: bool
    reason: Reason | int | None = None
    step: int | None = None
    percent: int | None = None
    received: float = 0.0


@dataclass
class Verification:
    """What happened to one command. `outcome`: pending, completed, rejected or failed."""

    name: str
    args: dict
    request_id: int
    sent: float
    stages: list[Stage] = field(default_factory=list)
    outcome: str = "pending"
    reason: Reason | int | None = None
    done: threading.Event = field(default_factory=threading.Event)
    listeners: list = field(default_factory=list)    # callback(verification, stage)

    def update(self, report: str, fields: dict) -> Stage | None:
        stage_name, ok = STAGES[report]
        stage = Stage(stage_name, ok, reason_of(fields.get("reason")), fields.get("step"),
                      fields.get("percent"), time.time())
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


class CommandError(Exception):
    """A command did not complete; `reason` is the Reason from the PUS-1 report (None on timeout)."""

    def __init__(self, verification: Verification, message: str):
        self.verification = verification
        self.reason = verification.reason
        self.command = verification.name
        super().__init__(message)


class CommandRejected(CommandError):
    pass


class CommandFailed(CommandError):
    pass


class CommandTimeout(CommandError):
    pass


def raise_for(verification: Verification) -> None:
    if verification.outcome == "rejected":
        raise CommandRejected(verification, verification.describe())
    if verification.outcome == "failed":
        raise CommandFailed(verification, verification.describe())
    if verification.outcome == "pending":
        stage = verification.stages[-1].stage if verification.stages else "no report"
        raise CommandTimeout(verification, f"{verification.name}: timed out (last: {stage})")

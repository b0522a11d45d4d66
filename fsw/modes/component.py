"""Modes and fault protection: nominal or safe, why, arming of hazardous commands, contact watch.

Safe mode puts every component in its safe configuration (their enter_safe(): camera off,
heater holding a survival temperature) and the dispatcher then accepts only safe-listed
commands. It is entered by command, by a component (over-temperature, sensor failure, via
services.enter_safe_mode) or when no valid command arrived for the contact timeout. Only the
hazardous mode_nominal leaves it.
"""

import logging

from fsw.component import ExecutionError, FlightComponent, restored_int
from fsw.protocol.reasons import Reason

from .dictionary import COMPONENT, CONTACT_TIMEOUT_MAX, SAFE_CAUSES

log = logging.getLogger("fsw.modes")
ARM_WINDOW = 60.0   # seconds an arm stays valid
CAUSES = tuple(name for name, _ in SAFE_CAUSES)


class Modes(FlightComponent):
    COMPONENT = COMPONENT

    PORTS = ("safe",)

    def __init__(self, services):
        super().__init__(services)
        self.clock = clock = services.clock
        self.safe: dict = {}               # every component to put safe, wired by the topology
        self.mode = "nominal"
        self.cause = "none"
        self.safe_entries = 0
        self.contact_timeout = 0           # seconds; 0: loss of contact is not watched
        self.last_contact = clock.elapsed()
        self.armed: tuple[int, int, float] | None = None   # service, subtype, expiry (elapsed)
        self.hazardous = {(c.service, c.subtype) for c in services.dictionary.commands.values() if c.hazardous}

    # -- fault protection --
    def enter_safe_mode(self, cause: str) -> None:
        if cause not in CAUSES or cause == "none":
            log.error("unknown safe-mode cause %r, recorded as command", cause)
            cause = "command"
        if self.mode == "safe":
            return
        self.mode, self.cause = "safe", cause
        self.safe_entries += 1
        self.armed = None
        for component in list(self.safe.values()):
            if component is self:
                continue
            try:
                component.enter_safe()
            except Exception:
                # one component's failure must not keep the others out of safe mode
                log.exception("%s.enter_safe raised", component.name)
        self.services.event("safe_mode_entered", cause=cause)

    def contact(self) -> None:
        self.last_contact = self.clock.elapsed()

    def contact_age(self) -> float:
        return max(0.0, self.clock.elapsed() - self.last_contact)

    def tick(self, dt: float) -> None:
        if self.contact_timeout and self.mode == "nominal":
            if self.contact_age() >= self.contact_timeout:
                self.enter_safe_mode("loss_of_contact")

    # -- arming --
    def take_arm(self, service: int, subtype: int) -> bool:
        """True (and the arm is used up) when exactly this command is armed and in time."""
        armed = self.armed
        if armed is None or armed[:2] != (service, subtype):
            return False
        self.armed = None
        return self.clock.elapsed() <= armed[2]

    def is_armed(self) -> bool:
        return self.armed is not None and self.clock.elapsed() <= self.armed[2]

    # -- commands --
    def on_mode_safe(self, args, verify) -> None:
        self.enter_safe_mode("command")

    def on_mode_nominal(self, args, verify) -> None:
        if self.mode == "nominal":
            return
        self.mode, self.cause = "nominal", "none"
        self.contact()
        self.services.event("safe_mode_exited")

    def on_arm(self, args, verify) -> None:
        key = (args["service"], args["subtype"])
        if key not in self.hazardous:
            raise ExecutionError(Reason.ARG_OUT_OF_RANGE, f"no hazardous command {key[0]},{key[1]}")
        self.armed = (*key, self.clock.elapsed() + ARM_WINDOW)
        self.services.event("armed", service=key[0], subtype=key[1])

    def on_fdir_contact_timeout(self, args, verify) -> None:
        self.contact_timeout = args["seconds"]
        self.contact()

    # -- FlightComponent --
    def housekeeping(self) -> dict:
        return {
            "mode": self.mode,
            "safe_cause": self.cause,
            "safe_entries": min(self.safe_entries, 0xFFFF),
            "contact_age": min(int(self.contact_age()), 0xFFFFFFFF),
            "contact_timeout": self.contact_timeout,
            "armed": "yes" if self.is_armed() else "no",
        }

    def state(self) -> dict:
        return {"mode": self.mode, "cause": self.cause, "safe_entries": self.safe_entries,
                "contact_timeout": self.contact_timeout}

    def restore(self, state: dict) -> None:
        if state.get("mode") in ("nominal", "safe"):
            self.mode = state["mode"]
        if state.get("cause") in CAUSES:
            self.cause = state["cause"]
        self.safe_entries = restored_int(state, "safe_entries", 0, 0, 0xFFFF)
        self.contact_timeout = restored_int(state, "contact_timeout", 0, 0, CONTACT_TIMEOUT_MAX)

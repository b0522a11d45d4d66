"""What every flight component is: its dictionary declarations beside the behaviour.

A component (F' style) names its declarations (`COMPONENT`, from its dictionary.py), the ports
through which it uses other components (`PORTS`, wired by fsw/topology.py), and implements one
`on_<command>` method per declared command. Every component is built the same way,
`Kind(services)`; the executive calls `tick(dt)` from the rate group the topology puts it in.

Command handlers:
    def on_cam_capture(self, args: dict, verify: Verification) -> None
  - return normally: the dispatcher reports completion success, unless the handler called
    verify.defer() because the work goes on (then it calls verify.progress(...) and finally
    verify.complete() or verify.fail(reason) itself, from a later tick);
  - raise ExecutionError(reason, detail): the dispatcher reports a failure with that reason
    (start failure if raised before any work began: see ExecutionError.at_start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from fsw.protocol.dictionary.model import Application as Declarations
from fsw.protocol.reasons import Reason

if TYPE_CHECKING:
    import numpy

    from fsw.executive.clock import Clock
    from fsw.executive.downlink import Downlink
    from fsw.hw.base import HardwareBackend
    from fsw.protocol.dictionary import Dictionary
    from fsw.storage import AtomicStore


class ExecutionError(Exception):
    """Raised by a handler: the command fails with this reason (a start failure when nothing
    had begun, else an execution failure)."""

    def __init__(self, reason: Reason, detail: str = "", at_start: bool = True):
        self.reason = Reason(reason)
        self.detail = detail
        self.at_start = at_start
        super().__init__(f"{self.reason.label}: {detail}" if detail else self.reason.label)


class Verification(Protocol):
    """PUS-1 reporting for one command, as its ack flags ask."""

    def begin(self) -> None: ...      # execution starts: the start report goes before any output
    def defer(self) -> None: ...
    def progress(self, step: int, percent: int) -> None: ...
    def complete(self) -> None: ...
    def fail(self, reason: Reason, step: int = 0) -> None: ...


class Services(Protocol):
    """What the executive offers a component."""

    rng: numpy.random.Generator
    clock: Clock                                       # on-board and elapsed time, speed
    dictionary: Dictionary                             # the mission dictionary
    downlink: Downlink                                 # packets to the ground
    hardware: HardwareBackend                          # heater, temperature sensor, camera
    store: AtomicStore                                 # persistence for large data (images)

    def now(self) -> float: ...                          # on-board time, s since 2000-01-01
    def event(self, name: str, **args: Any) -> None: ... # PUS-5, declared events only
    def report(self, name: str, values: dict, vcid: int = 0) -> None: ...  # declared reports
    def bulk_room(self) -> bool: ...                     # may a bulk report (vcid 1) be added now?
    def bulk_sent(self) -> bool: ...                     # every bulk report so far handed to the link
    def enter_safe_mode(self, cause: str) -> None: ...   # a modes.SAFE_CAUSES name
    @property
    def mode(self) -> str: ...                           # "nominal" or "safe"


def restored_int(state: dict, key: str, default: int, low: int, high: int) -> int:
    """An integer from saved state, or the default when it is missing or could not go on the
    wire (a file with a sound checksum may still come from elsewhere)."""
    try:
        value = int(state.get(key, default))
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


class FlightComponent:
    COMPONENT: Declarations
    PORTS: tuple[str, ...] = ()     # other components this one uses, wired by the topology

    def __init__(self, services: Services):
        self.services = services

    @property
    def name(self) -> str:
        return self.COMPONENT.name

    def connect(self, port: str, provider) -> None:
        """The topology wires a port: a component, or {name: component} for a fan-out."""
        if port not in self.PORTS:
            raise ValueError(f"{self.name} has no port {port!r}")
        setattr(self, port, provider)

    def handler(self, command: str):
        return getattr(self, f"on_{command}")

    def housekeeping(self) -> dict:
        """Raw values of every declared parameter (enums by name)."""
        return {}

    def tick(self, dt: float) -> None:
        """Called by the rate group the topology puts this component in; dt is simulated seconds
        since the last call."""

    def state(self) -> dict:
        """What must survive a restart (JSON-serialisable)."""
        return {}

    def restore(self, state: dict) -> None:
        """Inverse of state(); called once after construction when saved state exists."""

    def enter_safe(self) -> None:
        """Safe mode was entered: put this component in its safe configuration."""

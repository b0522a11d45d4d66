"""COP-1 on the ground: FOP-1 (fsw.protocol.cop1.fop) between the commands and the link writer.

The session hands every Type-AD command to the FOP, which numbers its frame, radiates it through
the session's one write path (so whatever paces the line paces it too), retransmits it until a
CLCW acknowledges it, and reports its stages to the command tracker: queued, radiated (each
transmission), acknowledged. `--bypass` commands go as Type-BD frames, in any FOP state.

The station's policy around the standard's state machine:
- at start the FOP is initialised at once with Set V(R) = V(S) (Initiate AD with Set V(R)): what
  is sent meanwhile waits in the queue and goes as soon as the board's CLCW confirms;
- in S6 (not initialised: after an Alert, a Terminate or a Suspend) Type-AD commands are refused
  with the reason and what to do, never held;
- every command an Alert purges fails visibly, with what is known (never radiated: not sent;
  radiated but never acknowledged: it may have run on board, check before sending it again);
- an Alert that says the board and the ground disagree on sequence numbers (invalid N(R) after a
  board reset, a CLCW that makes no sense) resynchronises at once with Set V(R) = V(S): the board
  is moved past every frame already sent, so no stale frame can run late; after a timeout or a
  lower-layer failure the same happens at the next CLCW (the link is alive again);
- Lockout (the board saw a frame outside its window: after a board reset that restored an older
  V(R), frames already on their way land there) is recovered the same way, with an Unlock first;
  with auto_recover off it waits for the operator (`ground cop1 unlock`);
- Terminate and Suspend wait for the operator (`ground cop1 init|set-vr N|resume`), with one line
  that says so.
"""

from __future__ import annotations

import threading
import time

from fsw.link import LinkError
from fsw.protocol.cop1.control import unlock
from fsw.protocol.cop1.fop import (
    ALERT_CLCW,
    ALERT_LOCKOUT,
    ALERT_NNR,
    ALERT_SYNCH,
    ALERT_TERM,
    INITIAL,
    INITIALISING_BC,
    DirectiveRejected,
    Fdu,
    Fop,
    FopOutput,
    FopSettings,
)

RESYNC_AT_ONCE = frozenset({ALERT_NNR, ALERT_SYNCH, ALERT_CLCW})
OPERATOR_ALERTS = frozenset({ALERT_LOCKOUT, ALERT_TERM})
ALERT_TEXT = {
    "limit": "a frame reached its transmission limit",
    "t1": "no acknowledgement before T1 ran out at the transmission limit (is the board listening?)",
    "lockout": "the board's FARM is in Lockout (a frame arrived outside its window)",
    "synch": "the CLCW contradicts what was sent (retransmit flags out of step)",
    "nnr": "the board's N(R) is outside the frames sent (a board reset?)",
    "clcw": "the CLCW is inconsistent (Wait without Retransmit)",
    "llif": "the link refused a frame",
    "term": "terminated by the operator",
}


class CopRefused(ValueError):
    """A Type-AD command refused because COP-1 is not initialised: one line with what to do."""


class GroundFop(FopOutput):
    def __init__(self, session, settings: FopSettings | None = None, clock=time.monotonic):
        self.session = session
        self.clock = clock
        self.lock: threading.RLock = session._send_lock
        self.fop = Fop(self, settings)
        self.hold: str | None = None       # why S6 waits for the operator (None: the policy may act)
        self.auto_recover = True           # Lockout recovered by the policy, not by the operator
        self.resync_on_clcw = False
        self._unlock_sent = float("-inf")
        self.last_alert: str | None = None
        self.alerts: list[str] = []

    # -- life cycle and directives (every one under the session's send lock) --
    def start(self) -> None:
        """Initiate AD with Set V(R) = V(S) (the ground's persisted frame counter)."""
        with self.lock:
            self._set_vr(self.session.sender.frame_sequence)

    def directive(self, name: str, value=None) -> dict:
        """An operator's directive by name: init (without CLCW check), init-check, unlock,
        set-vr N, terminate, resume, set-vs N, window K, t1 S, limit N, timeout-type 0|1.
        DirectiveRejected says why one is refused."""
        now = self.clock()
        fop = self.fop
        with self.lock:
            if name == "init":
                fop.initiate(now)
            elif name == "init-check":
                fop.initiate(now, clcw_check=True)
            elif name == "unlock":
                fop.initiate(now, unlock_first=True)
            elif name == "set-vr":
                fop.initiate(now, set_vr_to=self._number(value, 255))
            elif name == "terminate":
                fop.terminate(now)
                self.hold = ALERT_TERM
            elif name == "resume":
                fop.resume(now)
            elif name == "set-vs":
                fop.set_v_s(self._number(value, 255), now)
            elif name == "window":
                fop.set_window(self._number(value, 255, 1), now)
            elif name == "t1":
                try:
                    fop.set_t1(float(value), now)
                except (TypeError, ValueError):
                    raise DirectiveRejected(f"t1 takes seconds, not {value!r}") from None
            elif name == "limit":
                fop.set_transmission_limit(self._number(value, 255, 1), now)
            elif name == "timeout-type":
                fop.set_timeout_type(self._number(value, 1), now)
            else:
                raise DirectiveRejected(f"unknown COP-1 directive {name!r}")
            if name in ("init", "init-check", "unlock", "set-vr", "resume"):
                self.hold = None
            return self.status()

    @staticmethod
    def _number(value, top: int, low: int = 0) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DirectiveRejected(f"expected a number {low}..{top}, not {value!r}") from None
        if not low <= number <= top:
            raise DirectiveRejected(f"{number} is not {low}..{top}")
        return number

    def status(self) -> dict:
        with self.lock:
            status = self.fop.status()
            clcw = self.fop.last_clcw
            status.update(hold=self.hold, last_alert=self.last_alert,
                          clcw=None if clcw is None else {
                              "n_r": clcw.report_value, "lockout": clcw.lockout, "wait": clcw.wait,
                              "retransmit": clcw.retransmit, "farm_b": clcw.farm_b_counter})
            return status

    # -- commands --
    def check_ready(self) -> None:
        """CopRefused when a Type-AD command cannot be taken now (S6)."""
        fop = self.fop
        if fop.state != INITIAL:
            return
        if fop.suspend_state:
            why = (f"COP-1 is suspended (in S{fop.suspend_state}, the transmission limit was reached): "
                   "`ground cop1 resume` to go on, or send with --bypass")
        elif self.hold == ALERT_LOCKOUT:
            why = "COP-1 stopped: the board's FARM is in Lockout; `ground cop1 unlock`, or send with --bypass"
        elif self.hold == ALERT_TERM:
            why = "COP-1 was terminated: `ground cop1 init` (or set-vr N), or send with --bypass"
        else:
            why = ("COP-1 is not initialised" + (f" ({ALERT_TEXT.get(self.last_alert, self.last_alert)})"
                                                 if self.last_alert else "")
                   + ": it resynchronises at the next CLCW from the board; or `ground cop1 set-vr N`, "
                   "or send with --bypass")
        raise CopRefused(why)

    def send_ad(self, packet: bytes, command) -> None:
        self.fop.request_ad(Fdu(packet, command), self.clock())

    def send_bd(self, packet: bytes, command) -> None:
        self.fop.request_bd(Fdu(packet, command), self.clock())

    # -- what the session feeds in --
    def clcw(self, word: int) -> None:
        with self.lock:
            now = self.clock()
            self.fop.clcw(word, now)
            clcw = self.fop.last_clcw
            if (self.auto_recover and clcw is not None and clcw.lockout and self.fop.state == INITIALISING_BC
                    and self.hold is None and now - self._unlock_sent >= 0.5):
                self._unlock()          # the Unlock sent before our Set V(R) was lost: again
            if (self.resync_on_clcw and self.fop.state == INITIAL and clcw is not None
                    and not clcw.lockout and self.hold is None):
                self.resync_on_clcw = False
                self._set_vr(self.fop.v_s)

    def tick(self) -> None:
        with self.lock:
            self.fop.tick(self.clock())

    # -- FopOutput: below --
    def transmit_ad(self, fdu: Fdu) -> bool:
        sender = self.session.sender
        if not self._radiate(sender.ad_frame(fdu.data, fdu.sequence)):
            return False
        self._stage(fdu, "radiated", step=fdu.transmissions)
        return True

    def transmit_bc(self, control: bytes) -> bool:
        return self._radiate(self.session.sender.bc_frame(control))

    def transmit_bd(self, fdu: Fdu) -> bool:
        if not self._radiate(self.session.sender.frame(fdu.data)):
            return False
        self._stage(fdu, "radiated", step=1)
        return True

    def _radiate(self, frame: bytes) -> bool:
        try:
            self.session._radiate([frame])
        except (LinkError, OSError):
            return False
        return True

    # -- FopOutput: above --
    def queued(self, fdu: Fdu) -> None:
        self._stage(fdu, "queued")

    def acknowledged(self, fdu: Fdu) -> None:
        self._stage(fdu, "acknowledged")

    def failed(self, fdu: Fdu, alert: str) -> None:
        cause = ALERT_TEXT.get(alert, alert)
        if fdu.transmissions == 0:
            self._stage(fdu, "queued", ok=False, reason=f"not sent: COP-1 purged its queue ({cause})")
        else:
            self._stage(fdu, "radiated", ok=False,
                        reason=f"not acknowledged after {fdu.transmissions} transmission(s) ({cause}): "
                        "it may have run on board; check before sending it again")

    def alert(self, reason: str, state: int) -> None:
        self.last_alert = reason
        self.alerts.append(reason)
        del self.alerts[:-20]
        text = f"COP-1 alert: {ALERT_TEXT.get(reason, reason)}"
        if reason == ALERT_LOCKOUT and self.auto_recover:
            self.session.on_warning(f"{text}; unlocking and resynchronising now with Set V(R) = {self.fop.v_s}")
            self._unlock()
            self._set_vr(self.fop.v_s)
            return
        if reason == ALERT_LOCKOUT:
            self.hold = reason
            self.session.on_warning(f"{text}; AD commands are refused until `ground cop1 unlock` "
                                    "(Initiate AD with Unlock); --bypass commands still go")
            return
        if reason == ALERT_TERM:
            return
        if reason in RESYNC_AT_ONCE:
            self.session.on_warning(f"{text}; resynchronising now with Set V(R) = {self.fop.v_s}")
            self._set_vr(self.fop.v_s)
            return
        self.resync_on_clcw = True
        self.session.on_warning(f"{text}; AD commands are refused until the board's next CLCW "
                                "resynchronises COP-1 (or `ground cop1 set-vr N`)")

    def suspended(self, suspend_state: int) -> None:
        self.session.on_warning(f"COP-1 suspended in S{suspend_state} (transmission limit reached): "
                                "`ground cop1 resume` to go on")

    def _unlock(self) -> None:
        """An Unlock control command on its own (ahead of the FOP's Set V(R), which Lockout ignores)."""
        self._unlock_sent = self.clock()
        self._radiate(self.session.sender.bc_frame(unlock()))

    def _set_vr(self, value: int) -> None:
        try:
            self.fop.initiate(self.clock(), set_vr_to=value)
        except DirectiveRejected as refused:
            self.session.on_warning(f"COP-1 not initialised: {refused}")

    def _stage(self, fdu: Fdu, stage: str, ok: bool = True, reason: str | None = None,
               step: int | None = None) -> None:
        command = fdu.tag
        if command is not None:
            self.session.tracker.link_stage(command, stage, ok, reason, step)

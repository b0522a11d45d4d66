"""FOP-1, the sending end of COP-1 (CCSDS 232.1-B-2 section 5), for one virtual channel.

A state machine with no I/O and no clock of its own: the caller gives it the time (`now`, in
seconds) and a `FopOutput` that radiates frames and hears what became of each FDU (a frame's
data unit, here one TC packet). States:

  S1 Active, S2 Retransmit without Wait, S3 Retransmit with Wait,
  S4 Initialising without BC Frame, S5 Initialising with BC Frame, S6 Initial.

The events are numbered as in the standard's state table (table 5-1, Rev. B numbering):

  CLCW arrival (valid: COP-1 in effect, our VCID), Lockout 0 unless said:
  E1   N(R) = V(S) = NN(R), R 0, W 0   S1 ignore; S2/S3 Alert SYNCH; S4 -> S1; S5 -> S1 (BC copy released)
  E2   N(R) = V(S) != NN(R), R 0, W 0  S1-S3 remove acked, cancel T1, look for FDU -> S1
  E3   N(R) = V(S), R 0, W 1           S1-S5 Alert CLCW
  E4   N(R) = V(S), R 1                S1-S4 Alert SYNCH; S5 ignore
  E5   NN(R) = N(R) < V(S), R 0, W 0   S1 ignore; S2/S3 Alert SYNCH
  E6   NN(R) < N(R) < V(S), R 0, W 0   S1-S3 remove acked, look for FDU -> S1
  E7   NN(R) <= N(R) < V(S), R 0, W 1  S1-S3 Alert CLCW
  E101 NN(R) < N(R) < V(S), R 1, Transmission_Limit 1  S1-S3 remove acked, Alert LIMIT
  E102 N(R) = NN(R), R 1, Transmission_Limit 1         S1-S3 Alert LIMIT
  E8   N(R) != NN(R), R 1, W 0         S1-S3 remove acked, initiate AD retransmission, look -> S2
  E9   N(R) != NN(R), R 1, W 1         S1-S3 remove acked -> S3
  E10  N(R) = NN(R), R 1, count < limit, W 0   S1/S3 initiate AD retransmission, look -> S2
  E11  N(R) = NN(R), R 1, count < limit, W 1   S1/S2 -> S3
  E12  N(R) = NN(R), R 1, count >= limit, W 0  S1/S3 -> S2
  E103 N(R) = NN(R), R 1, count >= limit, W 1  S1/S2 -> S3
  E13  N(R) outside NN(R)..V(S)        S1-S4 Alert NNR
  E14  Lockout 1                       S1-S4 Alert LOCKOUT; S5 ignore
  (S6 ignores every CLCW.)
  Timer T1 expired:
  E16  count < limit, TT 0   S1/S2 initiate AD retransmission, look; S4 Alert T1; S5 BC retransmission
  E104 count < limit, TT 1   as E16, but S4 Suspend
  E17  count >= limit, TT 0  S1-S5 Alert T1
  E18  count >= limit, TT 1  S1-S4 Suspend; S5 Alert T1
  Requests and directives:
  E19  transfer an FDU, Type-AD  S1/S2 queue, look for FDU; S3-S5 queue (sent when initialised); S6 reject
  E21/E22 transfer an FDU, Type-BD (BD_Out ready / not)   transmit / reject, in any state
  E23  Initiate AD without CLCW check (S6)    initialise -> S1
  E24  Initiate AD with CLCW check (S6)       initialise, start T1 -> S4
  E25/E26 Initiate AD with Unlock (S6; BC_Out ready / not)    initialise, send Unlock -> S5 / reject
  E27/E28 Initiate AD with Set V(R) (S6; BC_Out ready / not)  initialise, V(S) = NN(R) = N,
                                                              send Set V(R) -> S5 / reject
  E29  Terminate AD service   S1-S5 Alert TERM -> S6
  E30  Resume, SS = 0         reject;   E31-E34 Resume, SS = 1..4 (in S6)  resume -> S(SS)
  E35  Set V(S) (S6, SS = 0)  V(S) = NN(R) = N;   E36-E39 set K, T1, Transmission_Limit, TT
  E40  an invalid directive   reject
  E41/E42 AD_Out ready / not ready    look for FDU (S1/S2) / Alert LLIF
  E43/E44 BC_Out ready / not ready    look for directive (S5) / Alert LLIF
  E45/E46 BD_Out ready / not ready    ignore / Alert LLIF
Any directive not allowed in the current state is rejected (E40's answer), never held.

Here the Wait_Queue holds any number of FDUs (the standard's holds one, with the rest waiting in
the higher procedures): each waits there in the "queued" stage. Alert purges both queues and
fails every FDU in them through the output (`failed`), so nothing is dropped silently.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ..clcw import Clcw
from .control import set_vr, unlock

ACTIVE, RETRANSMIT, RETRANSMIT_WAIT, INITIALISING, INITIALISING_BC, INITIAL = 1, 2, 3, 4, 5, 6
STATE_NAMES = {1: "active", 2: "retransmit without wait", 3: "retransmit with wait",
               4: "initialising without BC frame", 5: "initialising with BC frame", 6: "initial"}

# Alert reason codes (232.1-B-2 5.1.10)
ALERT_LIMIT, ALERT_T1, ALERT_LOCKOUT, ALERT_SYNCH, ALERT_NNR, ALERT_CLCW, ALERT_LLIF, ALERT_TERM = (
    "limit", "t1", "lockout", "synch", "nnr", "clcw", "llif", "term")

DEFAULT_K = 5            # FOP sliding window: at most the FARM's positive window (W/2 = 5)
DEFAULT_T1 = 2.0         # seconds: above a round trip plus the CLCW's one-second period
DEFAULT_LIMIT = 10       # transmissions of a frame before the FOP gives up
DEFAULT_TIMEOUT_TYPE = 0   # 0: Alert when the limit is reached; 1: Suspend


class DirectiveRejected(Exception):
    """A directive the FOP refused in its current state: one line saying why."""


@dataclass(eq=False)
class Fdu:
    """One frame data unit (a TC packet) and whatever the caller wants back with it."""

    data: bytes
    tag: Any = None
    sequence: int | None = None     # N(S), once transmitted
    transmissions: int = 0
    to_resend: bool = False


class FopOutput:
    """What the FOP needs below and above it. Every method may be overridden; by default the
    notifications do nothing."""

    def transmit_ad(self, fdu: Fdu) -> bool:
        """Radiate a Type-AD frame (fdu.sequence is its N(S)); False: AD_Out not ready (E42)."""
        raise NotImplementedError

    def transmit_bc(self, control: bytes) -> bool:
        raise NotImplementedError

    def transmit_bd(self, fdu: Fdu) -> bool:
        raise NotImplementedError

    def queued(self, fdu: Fdu) -> None:
        """Accept response: the FDU waits in the Wait_Queue."""

    def acknowledged(self, fdu: Fdu) -> None:
        """Positive confirm: a CLCW acknowledged the frame (the board accepted it)."""

    def failed(self, fdu: Fdu, alert: str) -> None:
        """Negative confirm: the FDU was purged by an Alert (it may or may not have been accepted
        on board if it had been radiated)."""

    def alert(self, reason: str, state: int) -> None:
        """The FOP went to S6 from `state` for `reason`."""

    def suspended(self, suspend_state: int) -> None:
        pass

    def state_changed(self, old: int, new: int, event: str) -> None:
        pass

    def initialised(self) -> None:
        """An Initiate AD directive completed (positive confirm): the FOP is in S1."""


@dataclass
class FopSettings:
    window: int = DEFAULT_K                     # K
    t1: float = DEFAULT_T1                      # T1_Initial, seconds
    transmission_limit: int = DEFAULT_LIMIT
    timeout_type: int = DEFAULT_TIMEOUT_TYPE


@dataclass
class FopCounters:
    transmitted: int = 0        # Type-AD frames radiated, first transmissions
    retransmitted: int = 0
    acknowledged: int = 0
    bd: int = 0
    bc: int = 0
    alerts: dict = field(default_factory=dict)
    suspends: int = 0
    clcws: int = 0
    ignored_clcws: int = 0      # not COP-1 or another VCID


class Fop:
    def __init__(self, output: FopOutput, settings: FopSettings | None = None, vcid: int = 0):
        self.out = output
        self.settings = settings or FopSettings()
        self.vcid = vcid
        self.state = INITIAL
        self.v_s = 0                    # V(S): N(S) of the next new Type-AD frame
        self.nn_r = 0                   # NN(R): the N(R) acknowledged so far
        self.transmission_count = 0
        self.suspend_state = 0
        self.sent: deque[Fdu] = deque()   # Sent_Queue, oldest first: N(S) NN(R) .. V(S)-1
        self.waiting: deque[Fdu] = deque()
        self.timer: float | None = None   # when T1 expires (None: not running)
        self.bc_frame: bytes | None = None
        self.bc_resend = False
        self.ad_out_ready = True
        self.bc_out_ready = True
        self.bd_out_ready = True
        self.last_event = ""
        self.last_clcw: Clcw | None = None
        self.counters = FopCounters()
        self._now = 0.0

    # -- what the caller sees --
    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]

    def status(self) -> dict:
        s = self.settings
        return {"state": self.state, "state_name": self.state_name, "v_s": self.v_s, "nn_r": self.nn_r,
                "sent_queue": len(self.sent), "wait_queue": len(self.waiting),
                "transmission_count": self.transmission_count, "suspend_state": self.suspend_state,
                "window": s.window, "t1": s.t1, "transmission_limit": s.transmission_limit,
                "timeout_type": s.timeout_type, "last_event": self.last_event,
                "counters": {**self.counters.__dict__, "alerts": dict(self.counters.alerts)}}

    # -- requests to transfer FDUs --
    def request_ad(self, fdu: Fdu, now: float) -> None:
        """E19: raises DirectiveRejected in S6 (the AD service is not initialised)."""
        self._now = now
        if self.state == INITIAL:
            self._event("E19")
            raise DirectiveRejected("COP-1 is not initialised (FOP in S6, initial)"
                                    + (f", suspended in S{self.suspend_state}" if self.suspend_state else ""))
        self._event("E19")
        self.waiting.append(fdu)
        self.out.queued(fdu)
        if self.state in (ACTIVE, RETRANSMIT):
            self._look_for_fdu()

    def request_bd(self, fdu: Fdu, now: float) -> None:
        """E21/E22: expedited, in any state."""
        self._now = now
        if not self.bd_out_ready:
            self._event("E22")
            raise DirectiveRejected("BD_Out is not ready")
        self._event("E21")
        self.counters.bd += 1
        if not self.out.transmit_bd(fdu):
            self._bd_out(False)

    # -- directives --
    def initiate(self, now: float, *, clcw_check: bool = False, unlock_first: bool = False,
                 set_vr_to: int | None = None) -> None:
        """Initiate AD service: without CLCW check (E23), with it (E24), with Unlock (E25/E26)
        or with Set V(R) (E27/E28). Allowed in S6 only."""
        self._now = now
        event = "E25" if unlock_first else "E27" if set_vr_to is not None else "E24" if clcw_check else "E23"
        if self.state != INITIAL:
            self._event(event)
            raise DirectiveRejected(f"Initiate AD needs the FOP in S6 (initial); it is in S{self.state} "
                                    f"({self.state_name}): terminate first")
        if (unlock_first or set_vr_to is not None) and not self.bc_out_ready:
            self._event("E26" if unlock_first else "E28")
            raise DirectiveRejected("BC_Out is not ready")
        if set_vr_to is not None and not 0 <= set_vr_to <= 0xFF:
            self._event("E40")
            raise DirectiveRejected(f"V(R) {set_vr_to} is not 0..255")
        self._event(event)
        self._initialise()
        if event == "E23":
            self._to(ACTIVE)
            self.out.initialised()
            self._look_for_fdu()
        elif event == "E24":
            self._start_timer()
            self._to(INITIALISING)
        else:
            if set_vr_to is not None:
                self.v_s = self.nn_r = set_vr_to
            self._transmit_bc(unlock() if unlock_first else set_vr(set_vr_to))
            self._to(INITIALISING_BC)

    def terminate(self, now: float) -> None:
        """E29: Terminate AD service."""
        self._now = now
        self._event("E29")
        if self.state != INITIAL:
            self._alert(ALERT_TERM)

    def resume(self, now: float) -> None:
        """E30 (nothing suspended: rejected) or E31-E34 (back to the state suspended in)."""
        self._now = now
        if self.suspend_state == 0 or self.state != INITIAL:
            self._event("E30")
            raise DirectiveRejected("nothing to resume: the FOP is not suspended")
        self._event(f"E{30 + self.suspend_state}")
        state, self.suspend_state = self.suspend_state, 0
        self._start_timer()
        self._to(state)
        if state in (ACTIVE, RETRANSMIT):
            self._look_for_fdu()

    def set_v_s(self, value: int, now: float) -> None:
        """E35: Set V(S) (and NN(R)), in S6 and not suspended."""
        self._now = now
        self._event("E35")
        if self.state != INITIAL or self.suspend_state:
            raise DirectiveRejected("Set V(S) needs the FOP in S6, not suspended")
        if not 0 <= value <= 0xFF:
            raise DirectiveRejected(f"V(S) {value} is not 0..255")
        self.v_s = self.nn_r = value

    def set_window(self, k: int, now: float) -> None:
        """E36: Set FOP_Sliding_Window_Width K (1..255)."""
        self._set("E36", "window", k, 1 <= k <= 255, "K must be 1..255")

    def set_t1(self, seconds: float, now: float) -> None:
        """E37: Set T1_Initial."""
        self._set("E37", "t1", float(seconds), 0 < seconds <= 3600, "T1 must be in (0, 3600] s")

    def set_transmission_limit(self, limit: int, now: float) -> None:
        """E38: Set Transmission_Limit."""
        self._set("E38", "transmission_limit", limit, 1 <= limit <= 255, "the limit must be 1..255")

    def set_timeout_type(self, kind: int, now: float) -> None:
        """E39: Set Timeout_Type (0: Alert, 1: Suspend, when the limit is reached)."""
        self._set("E39", "timeout_type", kind, kind in (0, 1), "the timeout type is 0 or 1")

    def _set(self, event: str, name: str, value, ok: bool, why: str) -> None:
        if not ok:
            self._event("E40")
            raise DirectiveRejected(why)
        self._event(event)
        setattr(self.settings, name, value)

    # -- lower procedures' responses --
    def ad_out(self, ready: bool, now: float) -> None:
        """E41 / E42."""
        self._now = now
        self._event("E41" if ready else "E42")
        self.ad_out_ready = ready
        if not ready:
            self._alert(ALERT_LLIF)
        elif self.state in (ACTIVE, RETRANSMIT):
            self._look_for_fdu()

    def _bd_out(self, ready: bool) -> None:
        self._event("E45" if ready else "E46")
        if not ready and self.state != INITIAL:
            self._alert(ALERT_LLIF)

    # -- time --
    def tick(self, now: float) -> None:
        """Let T1 expire if its time came (E16, E17, E18, E104)."""
        self._now = now
        if self.timer is None or now < self.timer:
            return
        self.timer = None
        s = self.settings
        state = self.state
        if state in (ACTIVE, RETRANSMIT, RETRANSMIT_WAIT) and not self.sent:
            return      # nothing outstanding: nothing to time out
        if self.transmission_count < s.transmission_limit:
            self._event("E16" if s.timeout_type == 0 else "E104")
            if state in (ACTIVE, RETRANSMIT):
                self._initiate_ad_retransmission()
                self._look_for_fdu()
            elif state == INITIALISING:
                if s.timeout_type == 0:
                    self._alert(ALERT_T1)
                else:
                    self._suspend()
            elif state == INITIALISING_BC:
                self.transmission_count += 1
                self.bc_resend = True
                self._look_for_directive()
        elif s.timeout_type == 0:
            self._event("E17")
            if state != INITIAL:
                self._alert(ALERT_T1)
        else:
            self._event("E18")
            if state == INITIALISING_BC:
                self._alert(ALERT_T1)
            elif state != INITIAL:
                self._suspend()

    def next_timeout(self) -> float | None:
        return self.timer

    # -- CLCW arrival --
    def clcw(self, word: int | Clcw, now: float) -> None:
        self._now = now
        clcw = word if isinstance(word, Clcw) else Clcw.decode(word)
        if clcw.cop_in_effect != 1 or clcw.vcid != self.vcid:
            self.counters.ignored_clcws += 1
            return
        self.counters.clcws += 1
        self.last_clcw = clcw
        state = self.state
        if state == INITIAL:
            return
        n_r, r, w = clcw.report_value, clcw.retransmit, clcw.wait
        if clcw.lockout:
            self._event("E14")
            if state != INITIALISING_BC:
                self._alert(ALERT_LOCKOUT)
            return
        limit = self.settings.transmission_limit
        if n_r == self.v_s:
            if r:
                self._event("E4")
                if state != INITIALISING_BC:
                    self._alert(ALERT_SYNCH)
            elif w:
                self._event("E3")
                self._alert(ALERT_CLCW)
            elif n_r == self.nn_r:
                self._event("E1")
                if state in (RETRANSMIT, RETRANSMIT_WAIT):
                    self._alert(ALERT_SYNCH)
                elif state in (INITIALISING, INITIALISING_BC):
                    self.timer = None
                    self.bc_frame = None
                    self._to(ACTIVE)
                    self.out.initialised()
                    self._look_for_fdu()
            else:
                self._event("E2")
                self._remove_acknowledged(n_r)
                self.timer = None
                self._to(ACTIVE)
                self._look_for_fdu()
            return
        if not self._outstanding(n_r):
            self._event("E13")
            if state != INITIALISING_BC:
                self._alert(ALERT_NNR)
            return
        if state in (INITIALISING, INITIALISING_BC):
            return      # cannot happen: initialising, nothing is outstanding
        new_ack = n_r != self.nn_r
        if not r:
            if w:
                self._event("E7")
                self._alert(ALERT_CLCW)
            elif not new_ack:
                self._event("E5")
                if state != ACTIVE:
                    self._alert(ALERT_SYNCH)
            else:
                self._event("E6")
                self._remove_acknowledged(n_r)
                self._to(ACTIVE)
                self._look_for_fdu()
            return
        if limit == 1:
            self._event("E101" if new_ack else "E102")
            self._remove_acknowledged(n_r)
            self._alert(ALERT_LIMIT)
            return
        if new_ack:
            self._remove_acknowledged(n_r)
            if not w:
                self._event("E8")
                self._initiate_ad_retransmission()
                self._to(RETRANSMIT)
                self._look_for_fdu()
            else:
                self._event("E9")
                self._to(RETRANSMIT_WAIT)
            return
        if self.transmission_count < limit:
            if not w:
                self._event("E10")
                if state != RETRANSMIT:
                    self._initiate_ad_retransmission()
                    self._to(RETRANSMIT)
                    self._look_for_fdu()
            else:
                self._event("E11")
                self._to(RETRANSMIT_WAIT)
        elif not w:
            self._event("E12")
            self._to(RETRANSMIT)
        else:
            self._event("E103")
            self._to(RETRANSMIT_WAIT)

    # -- actions (232.1-B-2 5.2) --
    def _outstanding(self, n_r: int) -> bool:
        """NN(R) <= N(R) <= V(S), modulo 256."""
        return (n_r - self.nn_r) & 0xFF <= (self.v_s - self.nn_r) & 0xFF

    def _initialise(self) -> None:
        self._purge(None)
        self.transmission_count = 1
        self.suspend_state = 0

    def _purge(self, alert: str | None) -> None:
        purged = list(self.sent) + list(self.waiting)
        self.sent.clear()
        self.waiting.clear()
        self.nn_r = self.v_s
        for fdu in purged:
            self.out.failed(fdu, alert or "initialised")

    def _alert(self, reason: str) -> None:
        state = self.state
        self.timer = None
        self.bc_frame = None
        self.counters.alerts[reason] = self.counters.alerts.get(reason, 0) + 1
        self._to(INITIAL)
        self._purge(reason)
        self.out.alert(reason, state)

    def _suspend(self) -> None:
        self.suspend_state = self.state
        self.counters.suspends += 1
        self._to(INITIAL)
        self.out.suspended(self.suspend_state)

    def _remove_acknowledged(self, n_r: int) -> None:
        while self.sent and self.nn_r != n_r:
            fdu = self.sent.popleft()
            self.nn_r = (self.nn_r + 1) & 0xFF
            self.counters.acknowledged += 1
            self.out.acknowledged(fdu)
        self.nn_r = n_r
        self.transmission_count = 1

    def _initiate_ad_retransmission(self) -> None:
        self.transmission_count += 1
        self._start_timer()
        for fdu in self.sent:
            fdu.to_resend = True

    def _look_for_fdu(self) -> None:
        """Send what may go: first the frames marked for retransmission, then new ones while the
        Sent_Queue is below K (AD_Out answers at once here, so this loops where the standard
        waits for E41 between frames)."""
        while self.ad_out_ready and self.state in (ACTIVE, RETRANSMIT):
            fdu = next((f for f in self.sent if f.to_resend), None)
            if fdu is not None:
                fdu.to_resend = False
                self.counters.retransmitted += 1
            elif self.waiting and len(self.sent) < self.settings.window:
                fdu = self.waiting.popleft()
                fdu.sequence = self.v_s
                if not self.sent:
                    self.transmission_count = 1
                self.sent.append(fdu)
                self.v_s = (self.v_s + 1) & 0xFF
                self.counters.transmitted += 1
            else:
                return
            fdu.transmissions += 1
            self._start_timer()
            if not self.out.transmit_ad(fdu):
                self.ad_out(False, self._now)
                return

    def _transmit_bc(self, control: bytes) -> None:
        self.bc_frame = control
        self.transmission_count = 1
        self.bc_resend = False
        self._send_bc()

    def _look_for_directive(self) -> None:
        if self.bc_out_ready and self.bc_frame is not None and self.bc_resend:
            self.bc_resend = False
            self._send_bc()

    def _send_bc(self) -> None:
        self._start_timer()
        self.counters.bc += 1
        if not self.out.transmit_bc(self.bc_frame):
            self._event("E44")
            self._alert(ALERT_LLIF)

    def _start_timer(self) -> None:
        self.timer = self._now + self.settings.t1

    def _to(self, state: int) -> None:
        old, self.state = self.state, state
        if old != state:
            self.out.state_changed(old, state, self.last_event)

    def _event(self, name: str) -> None:
        self.last_event = name

"""FARM-1, the receiving end of COP-1 (CCSDS 232.1-B-2 section 6), for one virtual channel.

States: Open, Wait (the board cannot take a frame) and Lockout. Events of the state table:
  E1  Type-AD, N(S) = V(R), a buffer free        Open: accept, V(R)+1, Retransmit 0
  E2  Type-AD, N(S) = V(R), no buffer free        Open: discard, Retransmit 1, Wait 1 -> Wait
  E3  Type-AD, N(S) in the positive window        Open: discard, Retransmit 1
  E4  Type-AD, N(S) in the negative window        discard (a duplicate of an accepted frame)
  E5  Type-AD, N(S) anywhere else                 discard, Lockout 1 -> Lockout
  E6  Type-BD                                     accept, FARM-B counter + 1 (any state)
  E7  Type-BC Unlock                              FARM-B + 1, Retransmit 0, Wait 0, Lockout 0 -> Open
  E8  Type-BC Set V(R)                            FARM-B + 1; outside Lockout: V(R) = N,
                                                  Retransmit 0, Wait 0 -> Open
  E9  buffer release                              Wait 0 (Wait -> Open)
In Wait and Lockout every Type-AD frame is discarded. The positive window is
V(R)+1 .. V(R)+PW-1 and the negative window V(R)-NW .. V(R)-1 (modulo 256), PW = NW = W/2.
A frame with bypass 0 and control 1, and a Type-BC frame holding no known control command, are
discarded and counted (no FARM-B increment: nothing was accepted).
"""

from collections import Counter
from dataclasses import dataclass

from ..clcw import Clcw
from .control import SET_VR, FrameType, decode_control, frame_type

DEFAULT_WINDOW = 10
OPEN, WAIT, LOCKOUT = "open", "wait", "lockout"

# why a frame was discarded (the keys of Farm.discarded)
POSITIVE_WINDOW = "positive_window"   # a frame was missed: retransmission asked for
NEGATIVE_WINDOW = "negative_window"   # a duplicate of an accepted frame
LOCKOUT_AREA = "lockout_area"         # too far from V(R): lockout entered
IN_LOCKOUT = "in_lockout"             # Type-AD while locked out
IN_WAIT = "in_wait"                   # Type-AD while the board cannot take it
INVALID_TYPE = "invalid_type"         # bypass 0 with control 1
BAD_CONTROL = "bad_control"           # a Type-BC frame that holds no control command
REASONS = (POSITIVE_WINDOW, NEGATIVE_WINDOW, LOCKOUT_AREA, IN_LOCKOUT, IN_WAIT, INVALID_TYPE, BAD_CONTROL)


def check_window(width: int) -> int:
    if width % 2 or not 2 <= width <= 254:
        raise ValueError(f"FARM window {width}: must be even, 2..254")
    return width


@dataclass(frozen=True, slots=True)
class FarmVerdict:
    """What became of one frame: deliver its data field to the packet layer, or not (and why)."""

    deliver: bool
    event: str                  # the state-table event (E1..E8) or the discard reason
    reason: str | None = None   # one of REASONS when discarded


class Farm:
    def __init__(self, window: int = DEFAULT_WINDOW, vcid: int = 0):
        self.window = check_window(window)
        self.vcid = vcid
        self.v_r = 0
        self.state = OPEN
        self.retransmit = False
        self.farm_b = 0                 # 2-bit FARM-B counter of accepted Type-BD and Type-BC frames
        self.buffer_full = False        # set by a board whose frame buffer is full (E2)
        self.accepted = 0               # Type-AD frames accepted
        self.bypassed = 0               # Type-BD frames accepted
        self.controls = 0               # Type-BC frames (control commands) accepted
        self.lockouts = 0               # times Lockout was entered
        self.discarded: Counter[str] = Counter()
        # notice(name, **values) for what an operator must know: "lockout" (vr, ns),
        # "unlocked" (vr), "vr_set" (vr)
        self.notice = lambda name, **values: None

    @property
    def positive_window(self) -> int:
        return self.window // 2

    @property
    def negative_window(self) -> int:
        return self.window // 2

    @property
    def lockout(self) -> bool:
        return self.state == LOCKOUT

    @property
    def wait(self) -> bool:
        return self.state == WAIT

    def receive(self, bypass: bool, control: bool, sequence: int, data: bytes) -> FarmVerdict:
        kind = frame_type(bypass, control)
        if kind is FrameType.AD:
            return self._type_ad(sequence & 0xFF)
        if kind is FrameType.BD:
            self._count_b()
            self.bypassed += 1
            return FarmVerdict(True, "E6")
        if kind is FrameType.BC:
            return self._type_bc(data)
        return self._discard("invalid", INVALID_TYPE)

    def release_buffer(self) -> None:
        """E9: the board can take frames again."""
        self.buffer_full = False
        if self.state == WAIT:
            self.state = OPEN

    def clcw(self) -> Clcw:
        return Clcw(vcid=self.vcid, report_value=self.v_r, lockout=self.state == LOCKOUT,
                    wait=self.state == WAIT, retransmit=self.retransmit, farm_b_counter=self.farm_b)

    # -- the state table --
    def _type_ad(self, n_s: int) -> FarmVerdict:
        offset = (n_s - self.v_r) & 0xFF
        if offset == 0 and self.state == OPEN and self.buffer_full:
            self.retransmit = True
            self.state = WAIT
            return self._discard("E2", IN_WAIT)
        if offset == 0 and self.state == OPEN:
            self.v_r = (self.v_r + 1) & 0xFF
            self.retransmit = False
            self.accepted += 1
            return FarmVerdict(True, "E1")
        if offset == 0:
            return self._discard("E1", IN_LOCKOUT if self.state == LOCKOUT else IN_WAIT)
        if offset <= self.positive_window - 1:
            if self.state == OPEN:
                self.retransmit = True
            return self._discard("E3", POSITIVE_WINDOW)
        if offset >= 256 - self.negative_window:
            return self._discard("E4", NEGATIVE_WINDOW)
        if self.state != LOCKOUT:
            self.state = LOCKOUT
            self.lockouts += 1
            self.notice("lockout", vr=self.v_r, ns=n_s)
        return self._discard("E5", LOCKOUT_AREA)

    def _type_bc(self, data: bytes) -> FarmVerdict:
        command = decode_control(data)
        if command is None:
            return self._discard("bad control", BAD_CONTROL)
        self._count_b()
        self.controls += 1
        if command.kind == SET_VR:
            if self.state != LOCKOUT:
                self.v_r = command.value
                self.retransmit = False
                self.state = OPEN
                self.notice("vr_set", vr=self.v_r)
            return FarmVerdict(False, "E8")
        self.retransmit = False
        if self.state == LOCKOUT:
            self.notice("unlocked", vr=self.v_r)
        self.state = OPEN
        return FarmVerdict(False, "E7")

    def _count_b(self) -> None:
        self.farm_b = (self.farm_b + 1) & 0x3

    def _discard(self, event: str, reason: str) -> FarmVerdict:
        self.discarded[reason] += 1
        return FarmVerdict(False, event, reason)

    # -- persistence (V(R) and the flags survive a restart of the host flight software) --
    def save(self) -> dict:
        return {"v_r": self.v_r, "state": self.state, "retransmit": self.retransmit, "farm_b": self.farm_b,
                "window": self.window, "accepted": self.accepted, "bypassed": self.bypassed,
                "controls": self.controls, "lockouts": self.lockouts, "discarded": dict(self.discarded)}

    def load(self, saved: dict) -> None:
        """Restore what a save() wrote; the window stays the one this run was started with."""
        def number(name, top):
            value = saved.get(name)
            return value if isinstance(value, int) and 0 <= value <= top else None

        for name, top in (("v_r", 0xFF), ("farm_b", 3), ("accepted", 2**63), ("bypassed", 2**63),
                          ("controls", 2**63), ("lockouts", 2**63)):
            value = number(name, top)
            if value is not None:
                setattr(self, name, value)
        if saved.get("state") in (OPEN, WAIT, LOCKOUT):
            self.state = OPEN if saved["state"] == WAIT else saved["state"]   # a fresh process has buffers
        if isinstance(saved.get("retransmit"), bool):
            self.retransmit = saved["retransmit"]
        discarded = saved.get("discarded")
        if isinstance(discarded, dict):
            for reason in REASONS:
                if isinstance(discarded.get(reason), int):
                    self.discarded[reason] = discarded[reason]

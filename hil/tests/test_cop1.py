"""COP-1 through the ground on every target with FARM-1 on board: commands exactly once through a
bad channel, Lockout and Unlock, and a board reset in the middle of a sequence."""

import time
from collections import Counter

import pytest

from fsw.link import ChannelLink, Link, LinkError, open_link
from fsw.link.channel import Impairments
from fsw.protocol.cop1 import FopSettings
from fsw.protocol.cop1.fop import ACTIVE
from fsw.protocol.pus import encode_tc
from ground.cop1 import CopRefused
from ground.procedures import CommandTimeout, connect
from hil.plugin import needs

BAD_LINE = "drop=0.05,ber=1e-4,seed=10"


class Relink(Link):
    """The target's link, opened again after a reset (a pty comes back under another name). A
    line with nobody at the other end loses what is written, as a serial line does."""

    def __init__(self, target):
        self.target = target
        self.inner = self._open()

    def _open(self) -> Link:
        self.port = self.target.port
        if self.target.link is not None:
            return self.target.link
        return open_link(self.target.port, getattr(self.target, "baud", None) or 115200)

    def reopen(self) -> None:
        if self.target.link is None and self.target.port == self.port:
            return      # the same line (avr-sim keeps its pty; a new pty never takes the name of one open here)
        old, self.inner = self.inner, self._open()
        if old is not self.inner:
            old.close()

    def read(self, max_bytes: int, timeout: float) -> bytes:
        try:
            return self.inner.read(max_bytes, timeout)
        except LinkError:
            time.sleep(timeout)
            return b""

    def write(self, data: bytes) -> None:
        try:
            self.inner.write(data)
        except LinkError:
            pass

    def close(self) -> None:
        self.inner.close()


def station(target, link, **options):
    """A ground on `link` with COP-1, protecting its frames as the target needs (SDLS)."""
    key_file = target.key_file if "sdls" in target.capabilities.features else None
    return connect(link=link, frame_len=target.capabilities.frame_len, archive=False, timeout=20,
                   on_warning=options.pop("on_warning", lambda _message: None), cop1=True, key_file=key_file,
                   **options)


def wait_until(predicate, timeout=30.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def board_hk(gs, asked: list | None = None) -> dict:
    """Housekeeping 2 asked for in Type-BD frames (so asking again counts in no FARM counter);
    `asked` gets one entry per request sent."""
    for _ in range(10):
        if asked is not None:
            asked.append(1)
        try:
            return gs.request_hk(2, timeout=3, bypass=True)
        except (TimeoutError, CommandTimeout):
            continue
    stats = gs.session.state.stats
    heard = f"the last {time.time() - stats.last_contact:.1f} s ago" if stats.last_contact else "none"
    raise AssertionError(f"no housekeeping through the bad line in 10 tries: {stats.frames} TM frames in "
                         f"{stats.bytes} octets ({heard}), "
                         f"COP-1 {gs.session.cop1.fop.status() if gs.session.cop1 else 'off'}")


@pytest.mark.timeout(180)     # beyond its own waits (120 s, then 10 housekeeping tries), so they say what failed
def test_commands_run_exactly_once_through_a_bad_line(fresh_target):
    needs(fresh_target, "farm", "farm_reporting")
    link = ChannelLink(Relink(fresh_target), Impairments.parse(BAD_LINE))
    with station(fresh_target, link, fop_settings=FopSettings(t1=1.0, transmission_limit=30)) as gs:
        fop = gs.session.cop1.fop
        sent = [gs.send("ping", wait=False) for _ in range(60)]
        assert wait_until(lambda: fop.counters.acknowledged == 60 and not fop.sent, timeout=120), fop.status()
        asked = []
        hk = board_hk(gs, asked)
    assert hk["farm_accepted"] == fop.counters.transmitted == 60, (hk, fop.status())   # each frame once
    # each AD command ran once; besides them only the Type-BD requests for this report
    assert 1 <= hk["tc_accepted"] - hk["farm_accepted"] <= len(asked), hk
    assert fop.counters.retransmitted > 0                               # the line did lose frames
    assert all(t.outcome in ("completed", "pending") for t in sent), [t.describe() for t in sent]


def test_lockout_is_reported_and_recovered_or_refused_until_unlock(fresh_target):
    needs(fresh_target, "farm", "farm_reporting")
    warnings = []
    with station(fresh_target, Relink(fresh_target), on_warning=warnings.append) as gs:
        assert gs.send("ping").outcome == "completed"
        cop1 = gs.session.cop1

        def stray_frame():        # an AD frame far outside the FARM's window
            stray = encode_tc(gs.session.sender.number(gs.dictionary.build_tc("ping")))
            gs.session._radiate([gs.session.sender.ad_frame(stray, cop1.fop.v_s + 100)])
            return (cop1.fop.v_s + 100) & 0xFF

        # the policy: Unlock and Set V(R) at once, one warning
        ns = stray_frame()
        assert gs.await_event("farm_lockout", timeout=10).fields["ns"] == ns
        gs.await_event("farm_unlocked", timeout=10)
        assert wait_until(lambda: cop1.fop.state == ACTIVE)
        assert gs.send("ping").outcome == "completed"
        # the operator's way: AD refused until `ground cop1 unlock`
        cop1.auto_recover = False
        stray_frame()
        assert wait_until(lambda: cop1.hold == "lockout")
        with pytest.raises(CopRefused, match="ground cop1 unlock"):
            gs.send("ping")
        assert gs.send("ping", bypass=True).outcome == "completed"     # emergencies still go
        cop1.directive("unlock")
        assert wait_until(lambda: cop1.fop.state == ACTIVE)
        assert gs.send("ping").outcome == "completed"
        hk = board_hk(gs)
    assert (hk["farm_state"], hk["farm_lockouts"]) == ("open", 2)
    assert sum("Lockout" in w for w in warnings) == 2


def test_a_board_reset_mid_sequence_runs_nothing_twice_and_commanding_resumes(fresh_target):
    needs(fresh_target, "farm", "reset")
    link = Relink(fresh_target)
    completions: Counter = Counter()

    def count(record):
        if record.name == "completion_success":
            completions[record.fields["request_id"]] += 1

    with station(fresh_target, link) as gs, gs.session.listening(count):
        before = [gs.send("ping") for _ in range(5)]
        during = [gs.send("ping", wait=False) for _ in range(5)]
        reset_at = time.time()
        fresh_target.reset()
        link.reopen()
        cop1 = gs.session.cop1
        # the board boots with V(R) where it was last saved; the CLCW in the frame of its boot
        # event says so (COP-1 reads it before the event), and COP-1 resynchronises
        gs.await_event("boot", timeout=30, since=reset_at)
        assert wait_until(lambda: cop1.fop.state == ACTIVE and cop1.fop.last_clcw is not None
                          and cop1.fop.last_clcw.report_value == cop1.fop.v_s, timeout=30)
        after = []
        for _ in range(5):
            try:
                after.append(gs.send("ping"))
            except CopRefused:          # a late CLCW from before the reset: one resynchronisation more
                assert wait_until(lambda: cop1.fop.state == ACTIVE)
                after.append(gs.send("ping"))
        time.sleep(1.0)                 # any late duplicate report would be here by now
    assert all(t.outcome == "completed" for t in before + after)
    for tracked in during:              # ran, or failed saying so: never silently dropped
        assert tracked.outcome in ("completed", "failed", "pending")
        if tracked.outcome == "failed":
            assert str(tracked.reason).startswith(("not acknowledged after", "not sent: COP-1"))
    assert max(completions.values()) == 1      # no command completed twice

"""COP-1 on the ground (ground/cop1.py): FOP-1 in a real Session against the fake flight's real
FARM-1, over the in-process link and the channel emulator."""

import time

import pytest
from fake_flight import FakeFlight

from fsw.link import ChannelLink, link_pair
from fsw.link.channel import Impairments
from fsw.protocol.cop1 import FopSettings
from fsw.protocol.cop1.fop import ACTIVE
from ground.cop1 import CopRefused
from ground.procedures import connect


@pytest.fixture
def flight_and_link():
    flight_end, ground_end = link_pair()
    flight = FakeFlight(flight_end).start()
    yield flight, ground_end
    flight.stop()


def wait_until(predicate, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_every_command_runs_exactly_once_in_order_through_a_lossy_channel(flight_and_link):
    flight, link = flight_and_link
    lossy = ChannelLink(link, Impairments.parse("drop=0.15,seed=3"))
    with connect(link=lossy, archive=False, timeout=30,
                 fop_settings=FopSettings(t1=0.3, transmission_limit=30)) as gs:
        sent = [gs.send("hk_oneshot", sid=(1, 2, 20)[n % 3], wait=False) for n in range(40)]
        # COP-1 guards the uplink: every frame acknowledged (reports lost on the way down stay lost)
        assert wait_until(lambda: gs.session.cop1.fop.counters.acknowledged == 40, timeout=60)
    assert flight.received == [("hk_oneshot", {"sid": (1, 2, 20)[n % 3]}) for n in range(40)]
    stages = [s.stage for s in sent[0].stages]
    assert stages[:2] == ["queued", "radiated"] and "acknowledged" in stages


def test_a_board_reset_is_recovered_by_set_vr_and_one_warning(flight_and_link):
    flight, link = flight_and_link
    warnings = []
    with connect(link=link, archive=False, on_warning=warnings.append) as gs:
        for _ in range(3):
            gs.send("ping")
        flight.rx.farm.__init__()                 # the board resets: V(R) back to 0
        gs.send("ping", bypass=True)              # its CLCW reaches the ground
        assert wait_until(lambda: any("N(R) is outside" in w for w in warnings))
        fop = gs.session.cop1.fop
        assert wait_until(lambda: fop.state == ACTIVE and flight.rx.farm.v_r == fop.v_s)
        assert gs.send("ping").outcome == "completed"
    assert [w for w in warnings if "COP-1" in w] == [
        "COP-1 alert: the board's N(R) is outside the frames sent (a board reset?); "
        "resynchronising now with Set V(R) = 3"]
    assert [name for name, _ in flight.received] == ["ping"] * 5


def test_without_auto_recovery_lockout_refuses_ad_commands_until_unlock_and_bypass_still_goes(flight_and_link):
    flight, link = flight_and_link
    warnings = []
    with connect(link=link, archive=False, on_warning=warnings.append) as gs:
        gs.session.cop1.auto_recover = False                 # the operator decides
        gs.send("ping")
        flight.rx.farm.receive(False, False, 100, b"")       # a stray frame far outside the window
        gs.send("ping", bypass=True)                         # carries the Lockout CLCW down
        assert wait_until(lambda: any("Lockout" in w for w in warnings))
        with pytest.raises(CopRefused, match="ground cop1 unlock"):
            gs.send("ping")
        assert gs.send("ping", bypass=True).outcome == "completed"
        gs.session.cop1.directive("unlock")
        assert wait_until(lambda: gs.session.cop1.fop.state == ACTIVE)
        assert gs.send("ping").outcome == "completed"
    assert flight.rx.farm.lockouts == 1 and flight.rx.farm.state == "open"


def test_commands_sent_while_initialising_go_when_it_ends(flight_and_link):
    flight, link = flight_and_link
    with connect(link=link, archive=False) as gs:
        gs.session.cop1.directive("terminate")
        with pytest.raises(CopRefused, match="terminated"):
            gs.send("ping")
        gs.session.cop1.directive("set-vr", 40)              # S5 until the CLCW confirms
        tracked = gs.send("ping", wait=False)                # queued meanwhile, not refused
        assert gs.wait_for(tracked).outcome == "completed"
    assert flight.rx.farm.v_r == 41


def test_a_purged_command_fails_visibly_with_what_is_known(flight_and_link):
    _, link = flight_and_link
    with connect(link=link, archive=False, fop_settings=FopSettings(window=1)) as gs:
        gs.session.cop1.directive("terminate")
        gs.session.cop1.directive("init")                    # no CLCW check: S1 at once
        with gs.session._send_lock:                          # two queued behind a window of one
            first = gs.send("ping", wait=False)
            second = gs.send("ping", wait=False)
            gs.session.cop1.directive("terminate")
        assert second.outcome == "failed" and second.reason.startswith("not sent: COP-1 purged")
        assert first.outcome in ("failed", "completed")


def test_lockout_after_a_reset_that_restored_an_older_vr_is_recovered_by_unlock_and_set_vr(flight_and_link):
    flight, link = flight_and_link
    warnings = []
    with connect(link=link, archive=False, on_warning=warnings.append) as gs:
        for _ in range(8):
            gs.send("ping")
        flight.rx.farm.v_r = (flight.rx.farm.v_r - 7) & 0xFF     # restored from an older save
        gs.send("ping", wait=False)                             # lands outside the window: Lockout
        assert wait_until(lambda: flight.rx.farm.lockouts == 1)
        fop = gs.session.cop1.fop
        assert wait_until(lambda: fop.state == ACTIVE and flight.rx.farm.state == "open")
        assert gs.send("ping").outcome == "completed"
    assert sum("Lockout" in w for w in warnings) == 1
    assert flight.rx.farm.v_r == fop.v_s

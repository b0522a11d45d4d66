"""The uplink's security on board, through the whole flight software: the attacks of issue #12,
every one refused before anything reads the frame; keys and associations managed by command."""

import json

import pytest

from fsw.app import FlightSoftware
from fsw.loopback import Loopback
from fsw.protocol.crc import crc16
from fsw.protocol.framing import ASM
from fsw.protocol.pus import encode_tc
from fsw.protocol.reasons import Reason
from fsw.protocol.sdls import SECURED
from fsw.protocol.stack import TcSender
from fsw.security.component import BOUND_AHEAD
from fsw.security.keyfile import provision
from fsw.storage import AtomicStore, StateFile
from ground import uplink_security
from ground.uplink_security import BLOCK

OK = ["acceptance_success", "start_success", "completion_success"]


class Secured(Loopback):
    """Flight with its provisioned keys; the ground radiates protected frames, and an attacker
    (no key) writes what it likes on the same line."""

    def __init__(self, state_dir):
        key_file, keys, _ = provision(state_dir, 61)
        super().__init__(state_dir=state_dir, uplink_keys=keys)
        self.security = uplink_security.load(key_file)
        self.sender = TcSender(layout=SECURED)
        self.attacker = TcSender()
        self.radiated: list[bytes] = []

    def send(self, name, args=None, **header):
        tc = self.dictionary.build_tc(name, args or {}, **header)
        self.radiate(self.sender.send_bytes(tc))
        return tc

    def radiate(self, clear: bytes) -> bytes:
        protected = self.security.protect([clear])[0]
        self.radiated.append(protected)
        self.ground_end.write(protected)
        return protected

    def attack(self, name, args=None) -> object:
        tc = self.dictionary.build_tc(name, args or {})
        self.ground_end.write(self.attacker.send_bytes(tc))
        return tc

    def security_hk(self) -> dict:
        return self.flight.components["security"].housekeeping()

    def refused(self) -> dict:
        return {k: v for k, v in self.security_hk().items() if k.startswith("sdls_") and k != "sdls_accepted" and v}


@pytest.fixture
def secured(tmp_path):
    with Secured(tmp_path) as loop:
        yield loop


def tampered(frame: bytes, change) -> bytes:
    """A captured protected frame with its header changed and a correct FECF (anyone can)."""
    body = bytearray(frame[len(ASM):-2])
    change(body)
    return ASM + bytes(body) + crc16(bytes(body)).to_bytes(2, "big")


def test_commands_with_the_key_are_accepted(secured):
    tc = secured.send("ping")
    secured.advance(0.2)
    assert secured.verification(tc) == OK
    assert secured.security_hk()["sdls_accepted"] == 1 and secured.refused() == {}


def test_an_unauthenticated_cam_configure_is_refused(secured):
    tc = secured.attack("cam_configure", {"exposure": 7, "filters": 1, "tdi": 1})
    secured.advance(0.2)
    assert secured.verification(tc) == []                 # not even an acceptance failure: never read
    assert secured.refused() == {"sdls_clear_refused": 1}
    assert secured.flight.dispatcher.counters["tc_accepted"] == 0


def test_an_attackers_arm_and_schedule_reset_leave_the_schedule_alone(secured):
    inner = secured.sender.number(secured.dictionary.build_tc("ping"))
    secured.send("schedule_insert", {"release": int(secured.flight.now()) + 3600, "tc": encode_tc(inner)})
    secured.advance(0.2)
    secured.attack("arm", {"service": 11, "subtype": 3})
    secured.attack("schedule_reset")
    secured.advance(0.2)
    assert secured.flight.dispatcher.counters["tc_accepted"] == 1          # the ground's insert only
    assert len(secured.flight.components["schedule"].entries) == 1
    assert sum(secured.refused().values()) == 2


def test_an_attackers_mode_safe_is_refused(secured):
    secured.attack("mode_safe")
    secured.advance(0.2)
    assert secured.flight.mode == "nominal"
    assert sum(secured.refused().values()) == 1


def test_a_captured_frame_replayed_after_a_newer_one_is_refused(secured):
    first = secured.send("ping")
    captured = secured.radiated[-1]
    secured.send("ping")
    secured.advance(0.2)
    secured.ground_end.write(captured)
    secured.advance(0.2)
    assert secured.verification(first) == OK              # once, not twice
    assert secured.refused() == {"sdls_replay": 1}
    events = secured.events("sdls_rejected")
    assert [(e["fields"]["reason"], e["fields"]["spi"]) for e in events] == [(Reason.SDLS_REPLAY, 1)]


def test_frames_delivered_out_of_order_the_older_is_refused(secured):
    first, second = secured.security.protect([secured.sender.send_bytes(secured.dictionary.build_tc("ping"))
                                              for _ in range(2)])
    secured.ground_end.write(second)
    secured.ground_end.write(first)
    secured.advance(0.2)
    assert secured.refused() == {"sdls_replay": 1} and secured.security_hk()["sdls_accepted"] == 1


@pytest.mark.parametrize("change, counter", [
    # SPI 1 protects virtual channel 0 only (an association belongs to a channel)
    pytest.param(lambda f: f.__setitem__(2, f[2] | 0x04), "sdls_unknown_spi", id="wrong virtual channel"),
    pytest.param(lambda f: f.__setitem__(4, (f[4] + 1) & 0xFF), "sdls_bad_mac", id="another frame sequence number"),
    pytest.param(lambda f: f.__setitem__(0, f[0] | 0x10), "sdls_bad_mac", id="control command flag set"),
    pytest.param(lambda f: f.__setitem__(0, f[0] & ~0x20), "sdls_bad_mac", id="bypass flag cleared"),
    pytest.param(lambda f: f.__setitem__(slice(7, 19), (10**9).to_bytes(12, "big")), "sdls_bad_mac",
                 id="a newer sequence number"),
])
def test_a_captured_frame_with_any_header_field_changed_is_refused(secured, change, counter):
    tc = secured.dictionary.build_tc("mode_safe")
    captured = secured.security.protect([secured.sender.send_bytes(tc)])[0]    # never delivered
    secured.ground_end.write(tampered(captured, change))
    secured.advance(0.2)
    assert secured.flight.mode == "nominal"
    assert secured.refused() == {counter: 1}


def test_an_attackers_cop1_unlock_is_refused_before_the_farm(secured):
    from fsw.protocol.tcframe import TcFrame, encode_tc_frame

    secured.ground_end.write(ASM + encode_tc_frame(TcFrame(0, b"\x00", 0, control=True)))
    secured.advance(0.2)
    assert secured.refused() == {"sdls_clear_refused": 1}
    assert secured.flight.dispatcher.counters["frames_received"] == 0


def test_a_forged_frame_under_an_unknown_spi_is_refused(secured):
    captured = secured.security.protect([secured.sender.send_bytes(secured.dictionary.build_tc("ping"))])[0]
    secured.ground_end.write(tampered(captured, lambda f: f.__setitem__(slice(5, 7), b"\x00\x09")))
    secured.advance(0.2)
    assert secured.refused() == {"sdls_unknown_spi": 1}


def test_replays_stay_refused_after_a_restart(tmp_path):
    with Secured(tmp_path) as loop:
        loop.send("ping")
        loop.advance(0.2)
        captured = list(loop.radiated)
    with Secured(tmp_path) as again:                       # same state directory, same keys
        assert again.security.keyring.keys == loop.security.keyring.keys
        again.ground_end.write(captured[0])
        tc = again.send("ping")                            # the ground's next number is still new
        again.advance(0.2)
        assert again.refused() == {"sdls_replay": 1}
        assert again.verification(tc) == OK


def test_the_windows_are_journalled_with_the_commands_and_bounded_in_a_file_of_their_own(tmp_path):
    with Secured(tmp_path) as loop:
        for _ in range(5):
            loop.send("ping")
        loop.advance(0.2)
        newest = StateFile(AtomicStore(tmp_path)).load()
        # the window in the flight state's newest record; the bound, on disk before frame 1 acted, untouched since
        assert newest["components"]["security"]["last_accepted"] == {"1": 5}
        assert json.loads(AtomicStore(tmp_path / "data").get("sdls"))["bound"] == {"1": 1 + BOUND_AHEAD}


def test_a_lost_flight_state_restarts_the_windows_from_their_bounds_not_from_zero(tmp_path):
    with Secured(tmp_path) as loop:
        for _ in range(3):
            loop.send("ping")
        loop.advance(0.2)
        captured = list(loop.radiated)
    for name in ("fsw-state.json", "fsw-state.journal"):
        (tmp_path / name).unlink(missing_ok=True)
    with Secured(tmp_path) as again:
        again.ground_end.write(b"".join(captured))
        again.advance(0.2)
        assert again.refused() == {"sdls_replay": 3}
        # the ground's next numbers start after its block: at or below the bound refused, then accepted
        numbers = range(1 + BLOCK, 3 + BOUND_AHEAD)
        tcs = [again.send("ping") for _ in numbers]
        again.advance(0.2)
        assert [again.verification(tc) == OK for tc in tcs] == [n > 1 + BOUND_AHEAD for n in numbers]


def command(loop, name, **args):
    tc = loop.send(name, args)
    loop.advance(0.2)
    names = loop.verification(tc)
    if names == OK:
        return "ok"
    return Reason(loop.failure_reason(tc)).label


def armed(loop, name, **args):
    """A hazardous command, its arm first."""
    command_ = loop.dictionary.command(name)
    assert command(loop, "arm", service=command_.service, subtype=command_.subtype) == "ok"
    return command(loop, name, **args)


def test_rotation_by_command_with_the_state_checks(secured):
    loop = secured
    assert command(loop, "key_activate", key=99) == "sdls_key_state"       # unknown key
    assert command(loop, "sa_rekey", spi=3, key=3) == "sdls_key_state"     # key 3 still pre-active
    assert command(loop, "key_activate", key=3) == "ok"
    assert command(loop, "sa_rekey", spi=3, key=2) == "sdls_key_state"     # key 2 is SPI 2's
    assert command(loop, "sa_rekey", spi=3, key=3) == "ok"
    assert command(loop, "sa_rekey", spi=1, key=3) == "sdls_key_state"     # SPI 1 is operational
    assert command(loop, "sa_start", spi=3) == "ok"
    assert armed(loop, "sa_stop", spi=1) == "sdls_key_state"               # it carries these commands
    loop.security.use(3, key_id=3)                                          # the ground moves to SPI 3
    assert command(loop, "ping") == "ok"
    assert armed(loop, "sa_stop", spi=1) == "ok"
    assert armed(loop, "sa_stop", spi=3) == "sdls_key_state"
    assert command(loop, "key_deactivate", key=1) == "ok"
    assert command(loop, "key_activate", key=1) == "sdls_key_state"        # deactivated is for good
    assert command(loop, "sa_start", spi=1) == "sdls_key_state"            # its key is not active
    assert armed(loop, "key_destroy", key=1) == "sdls_key_state"           # SPI 1 still holds it
    assert command(loop, "key_activate", key=4) == "ok"
    assert command(loop, "sa_rekey", spi=1, key=4) == "ok"
    assert armed(loop, "key_destroy", key=1) == "ok"
    assert command(loop, "key_activate", key=1) == "sdls_key_state"        # destroyed
    loop.security.use(1, key_id=4)                                          # a stopped association
    tc = loop.send("ping")
    loop.advance(0.2)
    assert loop.verification(tc) == [] and loop.refused() == {"sdls_unknown_spi": 1}
    states = [(e["name"], e["fields"]) for e in loop.events() if e["name"] in ("sa_changed", "key_changed")]
    assert ("sa_changed", {"spi": 1, "state": "keyed", "key": 1}) in states
    assert ("key_changed", {"key": 1, "state": "destroyed"}) in states


def test_key_and_association_states_survive_a_restart(tmp_path):
    with Secured(tmp_path) as loop:
        assert command(loop, "key_activate", key=3) == "ok"
        assert command(loop, "sa_rekey", spi=3, key=3) == "ok"
        assert command(loop, "sa_start", spi=3) == "ok"
    with Secured(tmp_path) as again:
        again.security.use(3, key_id=3)
        assert command(again, "ping") == "ok"
        assert again.security_hk()["sa_operational"] == 0b0111


def test_without_keys_clear_frames_are_accepted_counted_and_announced(tmp_path):
    with Loopback(state_dir=tmp_path) as loop:
        tc = loop.send("ping")
        loop.advance(0.2)
        assert loop.verification(tc) == OK
        hk = loop.flight.components["security"].housekeeping()
        assert hk["uplink_secure"] == "no" and hk["clear_frames"] == 1
        assert [e["name"] for e in loop.events("uplink_insecure")] == ["uplink_insecure"]


def test_an_unreadable_security_state_stops_the_start_rather_than_forget_the_windows(tmp_path):
    key_file, keys, _ = provision(tmp_path, 61)
    (tmp_path / "data").mkdir()
    AtomicStore(tmp_path / "data").put("sdls", b"not json")
    with pytest.raises(RuntimeError, match="SDLS state unreadable"):
        FlightSoftware(None, state_dir=tmp_path, clock="sim", uplink_keys=keys)

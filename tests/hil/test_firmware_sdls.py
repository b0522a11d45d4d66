"""SDLS on the Arduino firmware's Mega build (hil/arduino/perijove/pj_sdls.cpp, pj_gcm.cpp), for
real: the Mega ELF in simavr with a key file's associations in its EEPROM, frames protected by the
ground's own ApplySecurity (ground/uplink_security.py over the `cryptography` library's AES-GCM,
an implementation independent of the firmware's). Accepted with the right key under either
association; refused, counted in housekeeping structure 6 and reported as `sdls_rejected`: a bad
MAC, a wrong key, a replay (also after a power cycle), a sequence number beyond the window, an
unknown SPI, a clear frame. One board for the module, outside the per-target HIL loop."""

import time

import pytest

from fsw.protocol import ASM, encode_tc
from fsw.protocol.crc import crc16
from fsw.protocol.reasons import Reason
from fsw.protocol.sdls import AAD_LEN, SECURED, apply_security
from fsw.protocol.stack import TcSender
from fsw.protocol.tcframe import TcFrame, encode_tc_frame
from fsw.security.keyfile import provision
from ground.procedures import connect
from hil.board import EEPROM_RING
from hil.targets.avr_sim import AvrSimTarget, missing_toolchain
from hil.tests.helpers import write_bytes

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(missing_toolchain() is not None, reason=str(missing_toolchain()))]

WINDOW = 1024          # the associations' anti-replay window (docs/ICD.md 2a)
REFUSALS = ("sdls_unknown_spi", "sdls_bad_mac", "sdls_replay", "sdls_out_of_window", "sdls_clear_refused")


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    key_file, keyring, _new = provision(tmp_path_factory.mktemp("keys"), 61)
    target = AvrSimTarget(board="mega", key_file=key_file)
    target.start()
    # Type-BD frames: SDLS is the subject here, COP-1's recovery after a reset is hil/tests/test_cop1.py's
    gs = connect(target.port, frame_len=256, archive=False, timeout=20, on_warning=lambda _m: None,
                 cop1=False, key_file=key_file)
    yield target, gs, keyring
    gs.close()
    target.stop()


def security_hk(gs) -> dict:
    return gs.request_hk(6)


def radiated(gs, name: str = "ping") -> bytes:
    """The protected frame (ASM and all) that carried one completed command."""
    captured = []
    link = gs.session.link
    radiate = link.write
    link.write = lambda data: (captured.append(data), radiate(data))[1]
    try:
        assert gs.send(name).outcome == "completed"
    finally:
        link.write = radiate
    return captured[-1]


def with_fecf(body: bytes) -> bytes:
    """An altered frame with a good FECF again: what reaches ProcessSecurity."""
    return ASM + body + crc16(body).to_bytes(2, "big")


def refused_once_each(gs, frames) -> dict:
    """Write frames no ground would send (a list, or a function of the security housekeeping read
    just before, the last frame accepted being the request for it); the refusal counters' increase
    (and nothing executed)."""
    accepted = gs.request_hk(2)["tc_accepted"]
    before = security_hk(gs)
    for frame in frames(before) if callable(frames) else frames:
        write_bytes(gs, frame)
    after = security_hk(gs)
    assert gs.request_hk(2)["tc_accepted"] == accepted + 3      # only the three requests for reports
    return {name: after[name] - before[name] for name in REFUSALS}


def test_commands_run_under_the_encrypting_and_the_authenticating_association(board):
    target, gs, _keyring = board
    security = gs.session.security
    assert gs.send("ping").outcome == "completed"
    hk = security_hk(gs)
    assert (hk["uplink_secure"], hk["last_spi"], hk["sa_operational"]) == ("yes", 1, 3)   # SPI 1 and 2
    try:
        security.use(2)                                            # GMAC: the data goes in the clear
        assert gs.send("ping").outcome == "completed"
        hk = security_hk(gs)
        assert hk["last_spi"] == 2
    finally:
        security.use(1)
    assert sum(hk[name] for name in REFUSALS) == 0
    assert hk["sdls_accepted"] >= 4


def test_altered_replayed_and_unknown_frames_are_refused_and_counted(board):
    _target, gs, keyring = board
    frame = radiated(gs)
    body = frame[len(ASM):-2]
    mac_flipped = bytearray(body)
    mac_flipped[-1] ^= 0x01
    data_flipped = bytearray(body)
    data_flipped[AAD_LEN] ^= 0x80                                   # the ciphertext
    header_flipped = bytearray(body)
    header_flipped[4] ^= 0x01                                       # N(S): covered by the MAC too
    unknown_spi = bytearray(body)
    unknown_spi[5:7] = (9).to_bytes(2, "big")
    clear = TcSender().send_bytes(gs.dictionary.build_tc("mode_safe"))
    started = time.time()
    counted = refused_once_each(gs, [
        frame,                                                      # a replay
        with_fecf(bytes(mac_flipped)), with_fecf(bytes(data_flipped)), with_fecf(bytes(header_flipped)),
        with_fecf(bytes(unknown_spi)), clear,
    ])
    assert counted == {"sdls_replay": 1, "sdls_bad_mac": 3, "sdls_unknown_spi": 1, "sdls_out_of_window": 0,
                       "sdls_clear_refused": 1}
    event = gs.await_event("sdls_rejected", timeout=10, where=lambda f: f["spi"] == 9, since=started)
    assert event.fields["reason"] == int(Reason.SDLS_UNKNOWN_SPI)
    assert gs.request_hk(3)["mode"] == "nominal"                    # the clear mode_safe never ran


def test_a_wrong_key_and_a_number_beyond_the_window_are_refused(board):
    _target, gs, keyring = board
    association = keyring.associations[1]
    packet = gs.dictionary.build_tc("mode_safe")
    clear = encode_tc_frame(TcFrame(0, encode_tc(gs.session.sender.number(packet)), 0, bypass=True), SECURED)

    def frames(hk):
        last = hk["last_sequence"]
        return [ASM + apply_security(clear, association, bytes(32), last + 1),              # a key not on board
                ASM + apply_security(clear, association, keyring.keys[1], last + WINDOW + 1)]   # one past the window
    counted = refused_once_each(gs, frames)
    assert (counted["sdls_bad_mac"], counted["sdls_out_of_window"]) == (1, 1)
    assert gs.request_hk(3)["mode"] == "nominal"


def test_a_power_cycle_forgets_no_sequence_number(board):
    target, gs, _keyring = board
    # each frame accepted since boot took the next place of the EEPROM's ring of numbers: round it
    # once more, and have the last one land in its middle, where taking any other place would show
    accepted = security_hk(gs)["sdls_accepted"]
    for _ in range(EEPROM_RING + (7 - accepted) % EEPROM_RING):
        assert gs.send("ping").outcome == "completed"
    frame = radiated(gs)                             # place 7
    target.reset()                                   # RAM lost; the EEPROM holds the last number
    gs.await_event("boot", timeout=30)
    write_bytes(gs, frame)                           # first after the boot, before any newer number
    hk = security_hk(gs)                             # counters from the boot
    assert (hk["sdls_replay"], hk["sdls_accepted"]) == (1, 1)    # only the request for this report went in
    assert gs.send("ping").outcome == "completed"    # the ground's next number goes on

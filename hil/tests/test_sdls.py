"""Authenticated commanding (SDLS, docs/ICD.md 2a) on the target: the ground's protected frames
go through; clear, replayed and altered frames are refused and counted. Skipped on a target
without SDLS (the Arduino firmware, not yet), with the reason."""

from fsw.protocol import ASM
from fsw.protocol.crc import crc16
from fsw.protocol.stack import TcSender
from hil.plugin import needs
from hil.tests.helpers import write_bytes


def refusals(gs) -> dict:
    hk = gs.request_hk(6)
    return {name: hk[name] for name in ("sdls_clear_refused", "sdls_bad_mac", "sdls_replay", "sdls_unknown_spi")}


def test_clear_frames_are_refused_when_the_uplink_is_secured(gs, hil_target):
    needs(hil_target, "sdls")
    before = refusals(gs)
    write_bytes(gs, TcSender().send_bytes(gs.dictionary.build_tc("mode_safe")))   # no key
    after = refusals(gs)           # asked after the clear frame: it was handled first
    assert after["sdls_clear_refused"] == before["sdls_clear_refused"] + 1
    assert gs.request_hk(3)["mode"] == "nominal"


def test_a_replayed_or_altered_frame_is_refused(gs, hil_target):
    needs(hil_target, "sdls")
    session = gs.session
    captured = []
    radiate = session.link.write
    session.link.write = lambda data: (captured.append(data), radiate(data))[1]
    try:
        assert gs.send("ping").outcome == "completed"
    finally:
        session.link.write = radiate
    frame = captured[-1]
    before = refusals(gs)
    write_bytes(gs, frame)                                       # the same frame again
    body = bytearray(frame[len(ASM):-2])
    body[0] |= 0x10                                              # the control command flag set
    write_bytes(gs, ASM + bytes(body) + crc16(bytes(body)).to_bytes(2, "big"))
    after = refusals(gs)
    assert after["sdls_replay"] == before["sdls_replay"] + 1
    assert after["sdls_bad_mac"] == before["sdls_bad_mac"] + 1

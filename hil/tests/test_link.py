"""The link: ping, rejection reasons, resynchronisation after garbage, 100 commands in order, and
an uplink burst while the downlink is busy."""

import random
import struct
import threading

from fsw.protocol import ASM, Reason
from fsw.protocol.crc import append_crc
from fsw.protocol.tcframe import SPACECRAFT_ID
from hil.plugin import needs
from hil.tests.helpers import raw_tc, send_raw_packet, write_bytes
from hil.tests.test_commands import bulk_downlink, captured_image

BURST_JUNK = (200, 200)   # junk frames' lengths: longer than the board's 128-octet receive ring
BURST_COMMANDS = 8
BURST_ROUNDS = 3           # the board's downlink is in a different state each time


def test_ping(gs):
    assert gs.send("ping").outcome == "completed"


def test_bad_crc_is_rejected(gs):
    packet, request_id = raw_tc(gs, 0x010, 17, 1)
    corrupted = packet[:-1] + bytes([packet[-1] ^ 0x5A])
    report = send_raw_packet(gs, corrupted, request_id)
    assert (report["report"], report["reason"]) == ("acceptance_failure", Reason.BAD_CRC)


def test_unknown_apid_is_rejected(gs):
    packet, request_id = raw_tc(gs, 0x6E0, 17, 1)
    assert send_raw_packet(gs, packet, request_id)["reason"] == Reason.UNKNOWN_APID


def test_unknown_service_is_rejected(gs):
    packet, request_id = raw_tc(gs, 0x010, 99, 1)
    assert send_raw_packet(gs, packet, request_id)["reason"] == Reason.UNKNOWN_SERVICE


def test_unknown_subtype_is_rejected(gs):
    packet, request_id = raw_tc(gs, 0x010, 17, 99)
    assert send_raw_packet(gs, packet, request_id)["reason"] == Reason.UNKNOWN_SUBTYPE


def test_argument_out_of_range_is_rejected(gs, hil_target):
    needs(hil_target, commands=("heater_setpoint",))
    command = gs.dictionary.command("heater_setpoint")
    # 50 C is above the declared +40 C maximum: ground would refuse to encode it
    packet, request_id = raw_tc(gs, command.apid, command.service, command.subtype, struct.pack(">hH", 5000, 100))
    assert send_raw_packet(gs, packet, request_id)["reason"] == Reason.ARG_OUT_OF_RANGE


def test_hazardous_command_needs_arming(gs, hil_target):
    needs(hil_target, commands=("cam_delete",))
    gs.expect_rejected("cam_delete", "not_armed", image_id=999)


def test_garbage_then_a_good_command(gs):
    rejected_before = gs.request_hk(2)["frames_rejected"]
    rng = random.Random(57)
    garbage = bytes(rng.randrange(256) for _ in range(300))
    # sync markers inside the garbage, one with a header claiming a long frame
    garbage += ASM + b"\x20\x3d\x00\x20\x00" + bytes(10) + ASM[:3]
    write_bytes(gs, garbage)
    assert gs.send("ping").outcome == "completed"
    assert gs.request_hk(2)["frames_rejected"] > rejected_before


def send_in_window(gs, window: int, count: int, name: str, **args):
    """Send count commands with at most window outstanding, as a ground's sliding window does;
    return them in the order sent, and their request ids in the order they finished."""
    finished, sent = [], []

    def on_stage(verification, _stage):
        if verification.finished:
            finished.append(verification.request_id)

    for _ in range(count):
        while len(sent) - len(finished) >= window:
            gs.wait_for(next(v for v in sent if v.request_id not in finished), timeout=20)
        sent.append(gs.send(name, wait=False, on_stage=on_stage, **args))
    for verification in sent:
        gs.wait_for(verification, timeout=20)
    return sent, finished


def test_a_hundred_commands_in_a_row(gs, hil_target):
    sent, finished = send_in_window(gs, hil_target.capabilities.window, 100, "ping")
    assert [v.outcome for v in sent] == ["completed"] * 100
    assert finished == [v.request_id for v in sent], "verification reports came back out of order"


def junk_frame(rng, length: int) -> bytes:
    """A TC frame header claiming length octets, random data and a wrong FECF: one rejection."""
    while True:
        header = struct.pack(">HBBB", SPACECRAFT_ID, (length - 1) >> 8, (length - 1) & 0xFF, 0)
        frame = append_crc(header + rng.randbytes(length - 7))
        frame = frame[:-1] + bytes([frame[-1] ^ 0xFF])
        if ASM not in frame:   # no sync marker inside: it ends exactly where it should
            return ASM + frame


def rejected_span(record) -> tuple[str, int]:
    """What the board said of a span it rejected (a frame_rejected event): (reason, octets)."""
    return Reason(record.fields["reason"]).label, record.fields["octets"]


def octets_lost(rejected: list[tuple[str, int]]) -> int:
    """Uplink octets the board's receive ring had no room for, among rejected spans."""
    return sum(octets for reason, octets in rejected if reason == Reason.OCTETS_LOST.label)


def test_an_uplink_burst_while_the_downlink_is_busy(gs, hil_target):
    # long junk frames, then commands as fast as the target's window allows, while an image
    # downlink keeps the line full: an uplink octet lost would merge two rejections or lose a
    # command, and a reply dropped for want of downlink room shows in downlink_dropped
    needs(hil_target, commands=("cam_power", "cam_configure", "cam_capture", "events_enable"))
    if hil_target.capabilities.file_delivery == "segments":
        needs(hil_target, commands=("cam_downlink",))
    image_id = captured_image(gs)
    before = gs.request_hk(2)
    dropped_before = gs.request_hk(1)["downlink_dropped"]
    segments = threading.Event()

    rejected = []           # what the board said of each frame it rejected, for the message below

    def on_segment(record):
        if record.name == "image_segment" and record.fields.get("image_id") == image_id:
            segments.set()
        if record.name == "frame_rejected":
            rejected.append(rejected_span(record))

    name, args = bulk_downlink(hil_target, image_id)
    since = gs.session.files.ended_total if name == "file_downlink" else 0
    with gs.session.listening(on_segment):
        downlink = gs.send(name, wait=False, **args)
        if name == "file_downlink":
            assert gs.session.files.await_start(f"image_{image_id:05d}.pjim", since, 30), "the downlink did not start"
        else:
            assert segments.wait(30), "the downlink did not start"
        rng = random.Random(58)
        finished, sent = [], []
        for _ in range(BURST_ROUNDS):
            write_bytes(gs, b"".join(junk_frame(rng, n) for n in BURST_JUNK))
            # the first window's worth goes straight after the junk, back to back
            round_sent, round_finished = send_in_window(gs, hil_target.capabilities.window,
                                                        BURST_COMMANDS, "events_enable", event_id=600)
            sent += round_sent
            finished += round_finished
        gs.wait_for(downlink, timeout=300)
    assert [v.outcome for v in sent] == ["completed"] * BURST_COMMANDS * BURST_ROUNDS
    assert finished == [v.request_id for v in sent], "verification reports came back out of order"
    assert not octets_lost(rejected), f"the board's receive ring overran: {octets_lost(rejected)} uplink octets lost ({rejected})"
    after = gs.request_hk(2)
    assert after["frames_rejected"] - before["frames_rejected"] == len(BURST_JUNK) * BURST_ROUNDS, rejected
    # and an hk_oneshot, the downlink and this hk_oneshot
    assert after["tc_accepted"] - before["tc_accepted"] == BURST_COMMANDS * BURST_ROUNDS + 3
    assert gs.request_hk(1)["downlink_dropped"] == dropped_before

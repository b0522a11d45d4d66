"""The link: ping, rejection reasons, resynchronisation after garbage, 100 commands in order."""

import random
import struct

from fsw.protocol import ASM, Reason

from hil.plugin import needs
from hil.tests.helpers import raw_tc, send_raw_packet, write_bytes


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


def test_a_hundred_commands_in_a_row(gs, hil_target):
    window = hil_target.capabilities.window
    finished = []

    def on_stage(verification, stage):
        if verification.finished:
            finished.append(verification.request_id)

    sent = []
    for _ in range(100):
        while len(sent) - len(finished) >= window:
            gs.wait_for(next(v for v in sent if v.request_id not in finished))
        sent.append(gs.send("ping", wait=False, on_stage=on_stage))
    for verification in sent:
        gs.wait_for(verification)
    assert [v.outcome for v in sent] == ["completed"] * 100
    assert finished == [v.request_id for v in sent], "verification reports came back out of order"

"""The whole stack: TcSender -> bytes -> TcReceiver, TmSender -> bytes -> TmReceiver."""

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsw.dictionary import load
from fsw.protocol.framing import ASM
from fsw.protocol.pus import TcPacket, TmPacket, decode_tm, encode_tc, encode_tm
from fsw.protocol.reasons import Reason
from fsw.protocol.stack import TcReceiver, TcSender, TmReceiver, TmSender
from fsw.protocol.tcframe import TcFrame, encode_tc_frame

DICTIONARY = load()
COMMANDS = sorted(DICTIONARY.commands)
fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25)


@pytest.mark.parametrize("name", COMMANDS)
@fixture_ok
@given(data=st.data())
def test_every_command_survives_the_uplink(name, data, strategies):
    command = DICTIONARY.command(name)
    args = data.draw(strategies.args_for(command.args))
    sender, receiver = TcSender(), TcReceiver()
    raw = sender.send_bytes(DICTIONARY.build_tc(name, args))
    cut = data.draw(st.integers(0, len(raw)))
    received = receiver.feed(raw[:cut]) + receiver.feed(raw[cut:])
    assert len(received) == 1 and received[0].error is None
    packet = received[0].packet
    found = DICTIONARY.command_for(packet.apid, packet.service, packet.subtype)
    assert found == command
    assert DICTIONARY.decode_args(found, packet.app_data) == strategies.decoded(command.args, args)
    # a Type-BD frame: the FARM counts it in FARM-B and leaves V(R), so N(R), alone
    assert receiver.rejected == 0 and receiver.next_expected == 0 and receiver.farm.farm_b == 1


def test_sender_numbers_packets_per_apid_and_frames_in_sequence():
    sender = TcSender()
    raws = [sender.send_bytes(DICTIONARY.build_tc(name)) for name in ("ping", "ping", "cam_list", "ping")]
    received = TcReceiver().feed(b"".join(raws))
    assert [(r.packet.apid, r.packet.seq_count) for r in received] == [(0x10, 0), (0x10, 1), (0x20, 0), (0x10, 2)]
    assert [r.frame_sequence for r in received] == [0, 1, 2, 3]
    assert all(raw.startswith(ASM) for raw in raws)


def test_a_frame_that_decodes_but_holds_a_bad_packet_is_received_with_its_reason():
    packet = bytearray(encode_tc(TcPacket(0x20, 130, 3, b"\x08", seq_count=9)))
    packet[-1] ^= 1
    receiver = TcReceiver()
    [received] = receiver.feed(ASM + encode_tc_frame(TcFrame(0, bytes(packet))))
    assert received.packet is None and received.error.reason == Reason.BAD_CRC
    assert received.readable_header == (0x20, 0x1820C009)
    assert receiver.counts == Counter({Reason.BAD_CRC: 1})


def test_frames_for_another_spacecraft_are_counted_not_delivered():
    rejected = []
    receiver = TcReceiver(on_reject=lambda reason, octets: rejected.append((reason, octets)))
    frame = encode_tc_frame(TcFrame(0, b"x", scid=62))
    assert receiver.feed(ASM + frame) == []
    assert receiver.counts == Counter({Reason.BAD_SCID: 1}) and receiver.frames_received == 0
    assert rejected == [(Reason.BAD_SCID, len(frame))]


def test_uplink_junk_is_counted_by_reason():
    rejected = []
    receiver = TcReceiver(on_reject=lambda reason, octets: rejected.append((reason, octets)))
    good = TcSender().send_bytes(DICTIONARY.build_tc("ping"))
    received = receiver.feed(b"\x00" * 5 + good + b"\xff")
    receiver.deframer.flush()
    assert len(received) == 1
    assert receiver.counts == Counter({Reason.JUNK: 2})
    assert rejected == [(Reason.JUNK, 5), (Reason.JUNK, 1)]


def test_downlink_numbers_packets_and_message_counters():
    sender, receiver = TmSender(frame_len=256, clcw=lambda: 0x01000003), TmReceiver(frame_len=256)
    for _ in range(3):
        sender.push(TmPacket(0x10, 17, 2))
    sender.push(TmPacket(0x20, 3, 25, bytes(300)), vcid=1)
    packets = receiver.feed(sender.output())
    assert [(p.apid, p.seq_count, p.message_counter) for p in packets] == [(0x10, 0, 0), (0x10, 1, 1), (0x10, 2, 2), (0x20, 0, 0)]
    assert receiver.counts == Counter() and receiver.last_clcw == 0x01000003
    assert receiver.frames_received == 3 and receiver.packets_received == 4


def test_downlink_frames_are_archived_and_a_lost_frame_is_counted():
    sender, receiver = TmSender(frame_len=256), TmReceiver(frame_len=256)
    archived = []
    receiver.on_frame = archived.append
    for n in range(10):
        sender.push(TmPacket(0x20, 3, 25, bytes([n]) * 100))
    stream = sender.output()
    frame = 4 + 256
    packets = receiver.feed(stream[: 2 * frame] + stream[3 * frame :])
    assert receiver.counts[Reason.FRAME_GAP] == 1
    assert len(archived) == receiver.frames_received
    assert 0 < len(packets) < 10


def test_a_packet_with_a_bad_crc_inside_a_good_frame_is_counted():
    sender, receiver = TmSender(frame_len=256), TmReceiver(frame_len=256)
    good = encode_tm(TmPacket(0x10, 17, 2))
    sender.multiplexer.push(good[:-2] + b"\x00\x00")
    sender.multiplexer.push(good)
    assert receiver.feed(sender.output()) == [decode_tm(good)]
    assert receiver.counts == Counter({Reason.BAD_CRC: 1})


@pytest.mark.parametrize("name", sorted(DICTIONARY.reports))
@fixture_ok
@given(data=st.data())
def test_every_report_survives_the_downlink(name, data, strategies):
    report = DICTIONARY.report(name)
    values = data.draw(strategies.args_for(report.fields))
    sender, receiver = TmSender(frame_len=256), TmReceiver(frame_len=256)
    sender.push(TmPacket(report.apid or 0x10, report.service, report.subtype, DICTIONARY.encode_report(name, values)))
    [packet] = receiver.feed(sender.output())
    meaning = DICTIONARY.decode_tm(packet)
    assert meaning == {"kind": "report", "name": name, "fields": strategies.decoded(report.fields, values)}


@pytest.mark.parametrize("event_id", sorted(DICTIONARY.events))
@fixture_ok
@given(data=st.data())
def test_every_event_survives_the_downlink(event_id, data, strategies):
    event = DICTIONARY.events[event_id]
    values = data.draw(strategies.args_for(event.args))
    subtype, payload = DICTIONARY.encode_event(event.name, values)
    sender, receiver = TmSender(), TmReceiver()
    sender.push(TmPacket(0x12, 5, subtype, payload))
    [packet] = receiver.feed(sender.output())
    meaning = DICTIONARY.decode_tm(packet)
    assert meaning["kind"] == "event" and meaning["name"] == event.name
    assert meaning["fields"] == strategies.decoded(event.args, values)


@pytest.mark.parametrize("sid", sorted(DICTIONARY.structures))
@fixture_ok
@given(data=st.data())
def test_every_housekeeping_structure_survives_the_downlink(sid, data, strategies):
    fields = tuple(p.as_field() for p in DICTIONARY.structures[sid])
    values = data.draw(strategies.args_for(fields))
    sender, receiver = TmSender(), TmReceiver()
    sender.push(TmPacket(0x11, 3, 25, DICTIONARY.encode_hk(sid, values)))
    [packet] = receiver.feed(sender.output())
    meaning = DICTIONARY.decode_tm(packet)
    assert meaning["kind"] == "housekeeping" and meaning["sid"] == sid
    assert meaning["fields"] == strategies.decoded(fields, values)

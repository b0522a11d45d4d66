"""`ground decode`: packets, frames and framed streams to JSON lines; rejections with reasons."""

import json

import pytest

from fsw.dictionary import load
from fsw.protocol import TmPacket, TmSender, encode_tm
from fsw.protocol.stack import TcSender
from fsw.protocol.tmframe import TmMultiplexer

GOLDEN_TC = "1820C00500072F82030000087651"       # tests/fsw/protocol/test_pus.py
GOLDEN_TM = "0810C001000E2011020102 0000 2D221A008000 5EB0"
DICTIONARY = load()


def lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def test_a_tc_packet_in_hex(ground):
    result = ground("decode", GOLDEN_TC)
    assert result.returncode == 0
    [line] = lines(result)
    assert line["kind"] == "tc" and line["command"] == "cam_capture" and line["args"] == {"framelets": 8}
    assert (line["apid"], line["seq_count"], line["request_id"]) == (0x20, 5, "1820c005")


def test_a_tm_packet_with_its_time(ground):
    [line] = lines(ground("decode", GOLDEN_TM))
    assert line["kind"] == "tm" and line["type"] == "report" and line["name"] == "ping_reply"
    assert line["utc"] == "2023-12-30T00:00:00.500000Z" and line["message_counter"] == 0x0102


def test_encode_piped_into_decode_round_trips(ground):
    raw = ground("encode", "anneal", "target=4500", "hold=3600", "--frame").stdout
    result = ground("decode", "-", stdin=raw)
    [line] = lines(result)
    assert line["command"] == "anneal" and line["args"] == {"target": 4500, "hold": 3600}
    assert line["frame"]["scid"] == 61


def test_a_bare_tc_frame(ground):
    raw = TcSender().frame(bytes.fromhex(GOLDEN_TC))[4:]
    [line] = lines(ground("decode", raw.hex()))
    assert line["command"] == "cam_capture" and line["frame"]["sequence"] == 0


def test_a_bare_tm_frame_gives_a_frame_line_with_its_clcw(ground):
    mux = TmMultiplexer(256, clcw=lambda: 0x01000005)
    mux.push(bytes.fromhex(GOLDEN_TM))
    [frame] = mux.frames(flush=True)
    frame_line, packet_line = lines(ground("decode", frame.hex(), "--tm-frame-len", "256"))
    assert frame_line["kind"] == "tm_frame" and frame_line["clcw"]["report_value"] == 5
    assert packet_line["name"] == "ping_reply"


def test_a_tm_stream_with_housekeeping_events_failure_reports_and_junk(ground):
    sender = TmSender(frame_len=256)
    hk = {"cam_temp": 7000, "sink_temp": -100, "heater_state": "on", "heater_mode": "anneal",
          "heater_power": 500, "setpoint": 2000, "anneal_phase": "hold", "anneal_progress": 50,
          "anneals": 1, "sensor_state": "ok"}
    sender.push(TmPacket(0x30, 3, 25, DICTIONARY.encode_hk(20, hk)))
    subtype, data = DICTIONARY.encode_event("over_temperature", {"cam_temp": 7000})
    sender.push(TmPacket(0x30, 5, subtype, data))
    sender.push(TmPacket(0x20, 1, 2, DICTIONARY.encode_report("acceptance_failure", {"request_id": 1, "reason": 24})))
    result = ground("decode", "--tm-frame-len", "256", stdin=b"junk" + sender.output())
    assert result.returncode == 1                 # the junk was rejected
    housekeeping, event, failure, junk = lines(result)
    assert housekeeping["type"] == "housekeeping" and housekeeping["sid"] == 20
    assert housekeeping["values"]["cam_temp"] == pytest.approx(70.0)
    assert housekeeping["limits"] == {"cam_temp": "red"}
    assert event["name"] == "over_temperature" and event["severity"] == "high"
    assert failure["name"] == "acceptance_failure" and failure["reason_names"] == {"reason": "arg_out_of_range"}
    assert junk == {"kind": "rejected", "layer": "stream", "reason": "junk", "code": 1,
                    "detail": "junk: 4 octet(s) at stream offset 0", "offset": 0, "length": 4}


def test_a_packet_the_dictionary_does_not_know_is_shown_with_the_reason(ground):
    from fsw.protocol.pus import TcPacket, encode_tc

    [line] = lines(ground("decode", encode_tc(TcPacket(0x7F0, 17, 1)).hex()))
    assert line["kind"] == "tc" and line["error"]["reason"] == "unknown_apid"
    [line] = lines(ground("decode", encode_tm(TmPacket(0x10, 200, 1, b"\x01")).hex()))
    assert line["error"]["reason"] == "unknown_subtype" and line["data"] == "01"


@pytest.mark.parametrize(
    "hex_input, layer, reason",
    [
        (GOLDEN_TC[:-1] + "0", "packet", "bad_crc"),
        ("0102030405", "input", "bad_length"),
        ("00" * 1024, "tm_frame", "bad_fecf"),
        ("1ACFFC1D" + "FF" * 8, "stream", "truncated"),
    ],
)
def test_rejections_are_json_lines_with_the_reason_and_exit_1(ground, hex_input, layer, reason):
    result = ground("decode", hex_input)
    assert result.returncode == 1
    [line] = lines(result)
    assert (line["kind"], line["layer"], line["reason"]) == ("rejected", layer, reason)


def test_a_bit_flip_in_a_framed_stream_costs_one_frame(ground):
    sender = TcSender()
    frames = [sender.send_bytes(DICTIONARY.build_tc("ping")) for _ in range(3)]
    damaged = bytearray(frames[1])
    damaged[10] ^= 4
    result = ground("decode", stdin=frames[0] + bytes(damaged) + frames[2])
    out = lines(result)
    assert [line.get("seq_count") for line in out if line["kind"] == "tc"] == [0, 2]
    assert [line["reason"] for line in out if line["kind"] == "rejected"] == ["bad_fecf"]


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["1820C"], b"", "ground decode: odd number of hex digits (5)"),
        (["zz"], b"", "ground decode: not hex: 'z' at position 0"),
        (["0x"], b"", "ground decode: no hex digits given"),
        (["-"], b"", "ground decode: no input on standard input"),
        ([], b"", "ground decode: no input on standard input"),
        (["00", "--tm-frame-len", "5"], b"", "ground decode: --tm-frame-len 5 outside [16, 2048]"),
    ],
)
def test_unusable_input_is_one_line_and_exit_2(ground, args, stdin, message):
    result = ground("decode", *args, stdin=stdin)
    assert result.returncode == 2 and result.stdout == b""
    assert ground.error_line(result) == message


def test_hex_may_have_spaces_colons_and_a_0x_prefix(ground):
    spaced = "0x" + " ".join(GOLDEN_TC[i:i + 2] for i in range(0, len(GOLDEN_TC), 2))
    assert lines(ground("decode", spaced))[0]["command"] == "cam_capture"


def test_random_garbage_on_stdin_never_gives_a_traceback(ground):
    import random

    noise = random.Random(61).randbytes(5000) + bytes.fromhex("1ACFFC1D") + random.Random(62).randbytes(300)
    result = ground("decode", stdin=noise)
    assert result.returncode in (0, 1) and b"Traceback" not in result.stderr
    assert all(line["kind"] in ("rejected", "tc", "tm", "tm_frame") for line in lines(result))

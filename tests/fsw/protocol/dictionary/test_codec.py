"""Argument and field codecs: golden bytes, round trips, and rejection of untrusted bytes."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsw.dictionary import load
from fsw.protocol.dictionary.codec import FieldCodec, parse_text
from fsw.protocol.dictionary.model import Field, enum
from fsw.protocol.reasons import ProtocolError, Reason

DICTIONARY = load()
fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)


def test_golden_cam_configure_arguments():
    # exposure u16 100 -> 00 64 | filters u8 7 (red+green+blue) -> 07 | tdi u8 4 -> 04 |
    # compression enum, default "lossless" = 1 -> 01 | readout enum, default "full" = 0 -> 00
    args = {"exposure": 100, "filters": 7, "tdi": 4}
    assert DICTIONARY.encode_args("cam_configure", args) == bytes.fromhex("0064 07 04 01 00")
    # readout "sum4" (4 x 4 pixels summed) = 2 -> 02
    assert DICTIONARY.encode_args("cam_configure", args | {"readout": "sum4"}) == bytes.fromhex("0064 07 04 01 02")


def test_golden_heater_setpoint_negative_and_default():
    # setpoint i16 -1000 = 0x10000 - 1000 = 0xFC18 | hysteresis default 100 -> 00 64
    assert DICTIONARY.encode_args("heater_setpoint", {"setpoint": -1000}) == bytes.fromhex("FC18 0064")


def test_golden_list_and_float():
    codec = FieldCodec((Field("items", "list", items=(Field("id", "u16"), Field("v", "f32"))),))
    # count u16 2 | id 1, v 1.0 = 3F800000 | id 2, v -2.5 = C0200000
    raw = bytes.fromhex("0002 0001 3F800000 0002 C0200000")
    values = {"items": [{"id": 1, "v": 1.0}, {"id": 2, "v": -2.5}]}
    assert codec.encode(values) == raw
    assert codec.decode(raw) == values


@pytest.mark.parametrize("name", sorted(DICTIONARY.commands))
@fixture_ok
@given(data=st.data())
def test_every_command_round_trips_its_arguments(name, data, strategies):
    command = DICTIONARY.command(name)
    args = data.draw(strategies.args_for(command.args))
    encoded = DICTIONARY.encode_args(name, args)
    assert DICTIONARY.decode_args(command, encoded) == strategies.decoded(command.args, args)


@pytest.mark.parametrize("name", sorted(DICTIONARY.commands))
@settings(max_examples=40)
@given(data=st.binary(max_size=40))
def test_random_argument_bytes_raise_nothing_but_protocol_error(name, data):
    try:
        DICTIONARY.decode_args(DICTIONARY.command(name), data)
    except ProtocolError:
        pass


CODECS = [FieldCodec(r.fields) for r in DICTIONARY.reports.values()] + [
    FieldCodec(e.args) for e in DICTIONARY.events.values()
]


@settings(max_examples=300)
@given(st.sampled_from(CODECS), st.binary(max_size=120))
def test_random_report_and_event_bytes_raise_nothing_but_protocol_error(codec, data):
    try:
        codec.decode(data)
    except ProtocolError:
        pass


@pytest.mark.parametrize(
    "name, raw, reason",
    [
        ("cam_configure", bytes.fromhex("0064 07 04 01"), Reason.BAD_LENGTH),         # one short
        ("cam_configure", bytes.fromhex("0064 07 04 01 00 00"), Reason.BAD_LENGTH),   # one over
        ("cam_configure", bytes.fromhex("0000 07 04 01 00"), Reason.ARG_OUT_OF_RANGE),  # exposure 0
        ("cam_configure", bytes.fromhex("0064 10 04 01 00"), Reason.ARG_OUT_OF_RANGE),  # filters 16
        ("cam_configure", bytes.fromhex("0064 07 04 03 00"), Reason.ARG_OUT_OF_RANGE),  # no enum 3 (2 is lossy)
        ("cam_configure", bytes.fromhex("0064 07 04 01 03"), Reason.ARG_OUT_OF_RANGE),  # no readout 3 (2 is sum4)
        ("anneal", bytes.fromhex("07CF 00000001"), Reason.ARG_OUT_OF_RANGE),       # 1999 cC
        ("ping", b"\x00", Reason.BAD_LENGTH),
    ],
)
def test_bad_argument_bytes_are_rejected_with_the_reason(name, raw, reason):
    with pytest.raises(ProtocolError) as caught:
        DICTIONARY.decode_args(DICTIONARY.command(name), raw)
    assert caught.value.reason == reason


def test_a_list_count_beyond_the_bytes_does_not_decode():
    codec = FieldCodec((Field("items", "list", items=(Field("id", "u16"),)),))
    with pytest.raises(ProtocolError) as caught:
        codec.decode(bytes.fromhex("0005 0001"))
    assert caught.value.reason == Reason.BAD_LENGTH
    with pytest.raises(ProtocolError) as caught:
        codec.decode(bytes.fromhex("0001 0001 FF"))
    assert caught.value.reason == Reason.BAD_LENGTH


def test_a_float_that_is_not_finite_is_out_of_range():
    codec = FieldCodec((Field("v", "f32"),))
    for raw in ("7FC00000", "7F800000", "FF800000"):         # NaN, +inf, -inf
        with pytest.raises(ProtocolError) as caught:
            codec.decode(bytes.fromhex(raw))
        assert caught.value.reason == Reason.ARG_OUT_OF_RANGE


@pytest.mark.parametrize(
    "values, reason, text",
    [
        ({"exposure": 1, "filters": 1, "tdi": 1, "gain": 2}, Reason.BAD_ARGUMENT, "unknown argument(s): gain"),
        ({"filters": 1, "tdi": 1}, Reason.BAD_ARGUMENT, "missing argument exposure"),
        ({"exposure": 2001, "filters": 1, "tdi": 1}, Reason.ARG_OUT_OF_RANGE, "exposure=2001 outside [1, 2000]"),
        ({"exposure": 1.5, "filters": 1, "tdi": 1}, Reason.BAD_ARGUMENT, "must be an integer"),
        ({"exposure": True, "filters": 1, "tdi": 1}, Reason.BAD_ARGUMENT, "must be an integer"),
        ({"exposure": 1, "filters": 1, "tdi": 1, "compression": "jpeg"}, Reason.ARG_OUT_OF_RANGE, "not one of none, lossless"),
        ({"exposure": 1, "filters": 1, "tdi": 1, "compression": 5}, Reason.ARG_OUT_OF_RANGE, "not a declared value"),
    ],
)
def test_bad_values_are_refused_before_encoding(values, reason, text):
    with pytest.raises(ProtocolError) as caught:
        DICTIONARY.encode_args("cam_configure", values)
    assert caught.value.reason == reason and text in str(caught.value)


def test_float_and_bytes_values_are_type_checked():
    codec = FieldCodec((Field("v", "f32"), Field("b", "bytes")))
    for bad in ({"v": math.inf, "b": b""}, {"v": "1", "b": b""}, {"v": 1.0, "b": "00"}):
        with pytest.raises(ProtocolError):
            codec.encode(bad)
    assert codec.encode({"v": 1, "b": bytearray(b"\x01")}) == bytes.fromhex("3F800000 01")


@pytest.mark.parametrize(
    "field, text, value",
    [
        (Field("n", "u16"), "0x10", 16),
        (Field("n", "i8"), "-5", -5),
        (Field("f", "f32"), "2.5", 2.5),
        (Field("b", "bool"), "Yes", True),
        (Field("b", "bool"), "off", False),
        (Field("e", "enum", enum=enum("a", "b")), "b", "b"),
        (Field("e", "enum", enum=enum("a", "b")), "1", 1),
        (Field("x", "bytes"), "00ff", b"\x00\xff"),
    ],
)
def test_parse_text(field, text, value):
    assert parse_text(field, text) == value


@pytest.mark.parametrize(
    "field, text",
    [
        (Field("n", "u16"), "ten"),
        (Field("b", "bool"), "maybe"),
        (Field("f", "f32"), "x"),
        (Field("x", "bytes"), "0"),
        (Field("l", "list", items=(Field("n", "u8"),)), "1"),
    ],
)
def test_parse_text_refuses_with_bad_argument(field, text):
    with pytest.raises(ProtocolError) as caught:
        parse_text(field, text)
    assert caught.value.reason == Reason.BAD_ARGUMENT and repr(text) in str(caught.value)


MASK = Field("filters", "u8", flags=(("red", 1), ("green", 2), ("blue", 4), ("methane", 8)))


def test_a_mask_is_typed_as_a_number_or_as_flag_names():
    assert parse_text(MASK, "red+green+blue") == 7 == parse_text(MASK, "7") == parse_text(MASK, "0x7")
    assert parse_text(MASK, "methane") == 8 and parse_text(MASK, "none") == 0
    with pytest.raises(ProtocolError) as caught:
        parse_text(MASK, "red+pink")
    assert caught.value.reason == Reason.ARG_OUT_OF_RANGE and "'pink' is not one of red, green" in str(caught.value)


def test_commands_refuse_undeclared_bits_and_telemetry_keeps_them():
    strict, lenient = FieldCodec((MASK,), strict_flags=True), FieldCodec((MASK,))
    assert strict.encode({"filters": 15}) == b"\x0f" and strict.decode(b"\x0f") == {"filters": 15}
    for attempt in (lambda: strict.encode({"filters": 0x13}), lambda: strict.decode(b"\x13")):
        with pytest.raises(ProtocolError) as caught:
            attempt()
        assert caught.value.reason == Reason.ARG_OUT_OF_RANGE and "undeclared bits 0x10" in str(caught.value)
    assert lenient.encode({"filters": 0x13}) == b"\x13" and lenient.decode(b"\x13") == {"filters": 0x13}
    # the mission's commands are strict: cam_configure's filters reaches the codec as a mask
    assert DICTIONARY.encode_args("cam_configure", {"exposure": 1, "filters": 9, "tdi": 1})[2] == 9

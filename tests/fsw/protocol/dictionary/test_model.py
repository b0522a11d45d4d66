"""Declarations: fields check themselves, parameters calibrate and judge limits."""

import pytest

from fsw.protocol.dictionary.model import Field, Parameter, enum, flags


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"type": "u64"}, "unknown wire type"),
        ({"type": "enum"}, "needs its values"),
        ({"type": "list"}, "needs its item fields"),
    ],
)
def test_bad_field_declarations_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Field("x", **kwargs)


def test_parameters_are_fixed_size_numbers():
    with pytest.raises(ValueError, match="fixed-size"):
        Parameter("blob", "bytes")


def test_bounds_are_the_declared_range_or_the_wire_types():
    assert Field("a", "u8").bounds == (0, 255)
    assert Field("a", "i16", min=-5).bounds == (-5, 0x7FFF)
    assert Field("a", "u32", max=10).bounds == (0, 10)
    assert Field("a", "bytes").bounds is None


def test_enum_numbers_from_zero_and_looks_up_both_ways():
    field = Field("p", "enum", enum=enum("off", "on"))
    assert field.enum == (("off", 0), ("on", 1))
    assert field.enum_name(1) == "on" and field.enum_value("off") == 0
    assert field.enum_name(2) is None and field.enum_value("dim") is None


def test_calibration_is_a_polynomial_lowest_order_first():
    temperature = Parameter("t", "i16", calibration=(0.0, 0.01))
    assert temperature.calibrate(2550) == pytest.approx(25.5)
    assert temperature.decalibrate(25.5) == pytest.approx(2550)
    assert Parameter("q", "u16", calibration=(1.0, 2.0, 3.0)).calibrate(2) == 17.0
    assert Parameter("n", "u8").calibrate(7) == 7
    with pytest.raises(ValueError, match="linear"):
        Parameter("q", "u16", calibration=(1.0, 2.0, 3.0)).decalibrate(1)


def test_limit_state_red_beats_yellow():
    cam_temp = Parameter("cam_temp", "i16", yellow=(-30, 55), red=(-40, 65))
    assert [cam_temp.limit_state(v) for v in (20, 56, 70, -35, -41)] == ["nominal", "yellow", "red", "yellow", "red"]
    assert Parameter("n", "u8").limit_state(1e9) == "nominal"


def test_flags_number_bits_from_the_lowest_and_name_masks_both_ways():
    mask = Field("filters", "u8", flags=flags("red", "green", "blue", "methane"))
    assert mask.flags == (("red", 1), ("green", 2), ("blue", 4), ("methane", 8))
    assert mask.flag_names(7) == ("red", "green", "blue") and mask.flag_names(10) == ("green", "methane")
    assert mask.flag_names(0) == () and mask.flag_names(0x30 | 1) == ("red",)   # undeclared bits ignored
    assert mask.flag_value(["blue", "red"]) == 5 and mask.flag_value([]) == 0
    assert mask.undeclared_bits(0x3F) == 0x30 and mask.undeclared_bits(15) == 0
    with pytest.raises(ValueError, match="'pink' is not one of red, green, blue, methane"):
        mask.flag_value(["red", "pink"])
    parameter = Parameter("cam_filters", "u8", flags=mask.flags)
    assert parameter.as_field().flags == mask.flags and parameter.flag_names(12) == ("blue", "methane")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"type": "i8", "flags": (("a", 1),)}, "unsigned integer"),
        ({"type": "enum", "enum": enum("a"), "flags": (("a", 1),)}, "unsigned integer"),
        ({"type": "u8", "flags": (("a", 1), ("a", 2))}, "unique"),
        ({"type": "u8", "flags": (("a", 1), ("b", 1))}, "unique"),
        ({"type": "u8", "flags": (("a", 3),)}, "one bit"),
        ({"type": "u8", "flags": (("a", 256),)}, "one bit"),
        ({"type": "u8", "flags": (("a+b", 1),)}, "no '\\+'"),
    ],
)
def test_bad_flag_declarations_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Field("x", **kwargs)
    if "enum" not in kwargs:
        with pytest.raises(ValueError, match=message):
            Parameter("x", **kwargs)

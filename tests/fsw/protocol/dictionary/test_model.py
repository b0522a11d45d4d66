"""Declarations: fields check themselves, parameters calibrate and judge limits."""

import pytest

from fsw.protocol.dictionary.model import Field, Parameter, enum


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

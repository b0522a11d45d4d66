"""Hypothesis strategies derived from the dictionary's declarations (type, bounds, enum)."""

import math
import struct

import numpy
import pytest
from hypothesis import strategies as st

from fsw.protocol.dictionary.model import FLOAT_TYPES, Field


def values_for(field: Field) -> st.SearchStrategy:
    """Every value the field accepts: enum names or numbers, booleans, integers and float32s in range."""
    if field.type == "enum":
        return st.sampled_from([name for name, _ in field.enum] + [number for _, number in field.enum])
    if field.type == "bool":
        return st.booleans()
    if field.type == "bytes":
        return st.binary(max_size=200)
    if field.type == "list":
        return st.lists(st.fixed_dictionaries({f.name: values_for(f) for f in field.items}), max_size=4)
    low, high = field.bounds
    if field.type in FLOAT_TYPES:
        return st.floats(float32_inside(low, 1), float32_inside(high, -1), width=32)
    return st.integers(math.ceil(low), math.floor(high))


def float32_inside(bound: float, inward: int) -> float:
    """The float32 nearest to bound that is still inside the range."""
    value = numpy.float32(bound)
    if (float(value) - bound) * inward < 0:
        value = numpy.nextafter(value, numpy.float32(inward * numpy.inf))
    return float(value)


def args_for(fields) -> st.SearchStrategy:
    return st.fixed_dictionaries({f.name: values_for(f) for f in fields})


def as_decoded(field: Field, value):
    """What decoding gives back for a value that was encoded: enum names, bools, float32s."""
    if field.type == "enum":
        return value if isinstance(value, str) else field.enum_name(value)
    if field.type == "bool":
        return bool(value)
    if field.type in FLOAT_TYPES:
        return struct.unpack(">f", struct.pack(">f", value))[0]
    if field.type == "list":
        return [{f.name: as_decoded(f, item[f.name]) for f in field.items} for item in value]
    return value


def decoded(fields, values: dict) -> dict:
    return {f.name: as_decoded(f, values[f.name]) for f in fields}


class Strategies:
    values_for = staticmethod(values_for)
    args_for = staticmethod(args_for)
    decoded = staticmethod(decoded)


@pytest.fixture(scope="session")
def strategies() -> Strategies:
    return Strategies()

"""XTCE 1.2 data types for the dictionary's fields: encodings, units, ranges, enumerations, arrays.

xtce.py builds the SpaceSystem around these; element order here follows the schema's sequences
(SpaceSystemV1.2.xsd), which a validating reader such as Yamcs enforces.
"""

import xml.etree.ElementTree as ET

from .model import FLOAT_TYPES, Field

MAX_LISTED_FLAGS = 8   # up to 256 combinations are listed as an enumeration; wider masks stay integers
BITS = {"u8": 8, "u16": 16, "u32": 32, "i8": 8, "i16": 16, "i32": 32, "f32": 32, "bool": 8, "enum": 8}


def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.rstrip("_"): str(v) for k, v in attributes.items()})
    if text:
        element.text = text
    return element


def described(attributes: dict, description: str) -> dict:
    if description:
        attributes["shortDescription"] = description
    return attributes


def integer_encoding(parent, field_type: str, bits: int | None = None) -> ET.Element:
    signed = field_type.startswith("i")
    return sub(parent, "IntegerDataEncoding", sizeInBits=bits or BITS[field_type],
               encoding="twosComplement" if signed else "unsigned")


def _units(parent, unit: str) -> None:
    unit_set = sub(parent, "UnitSet")
    if unit:
        sub(unit_set, "Unit", unit)


def _instance_ref(parent, kind: str, name: str) -> None:
    sub(parent, f"{kind}InstanceRef", **{f"{kind.lower()}Ref": name})


def data_type(parent, kind: str, name: str, field: Field, description: str = "",
              calibration: tuple = (), bits: int | None = None, rest_offset: int = 0) -> ET.Element:
    """One XTCE parameter or argument type (kind is 'Parameter' or 'Argument').

    rest_offset: for a field that takes the rest of the packet, the octets of secondary header
    and fields before it."""
    attributes = described({"name": name}, description)
    if field.flags and len(field.flags) <= MAX_LISTED_FLAGS:
        return _flags_type(parent, kind, attributes, field)
    if field.type == "enum":
        element = sub(parent, f"Enumerated{kind}Type", **attributes)
        _units(element, field.unit)
        integer_encoding(element, "u8")
        values = sub(element, "EnumerationList")
        for label, number in field.enum:
            sub(values, "Enumeration", value=number, label=label)
        return element
    if field.type == "bool":
        element = sub(parent, f"Boolean{kind}Type", **attributes)
        _units(element, field.unit)
        integer_encoding(element, "u8")
        return element
    if field.type in ("bytes", "list"):
        element = sub(parent, f"Binary{kind}Type", **attributes)
        _units(element, field.unit)
        # the rest of the packet: its size follows from the packet length field, less the
        # headers, the fields before it and the CRC
        dynamic = sub(sub(sub(element, "BinaryDataEncoding"), "SizeInBits"), "DynamicValue")
        _instance_ref(dynamic, kind, "ccsds_length")
        sub(dynamic, "LinearAdjustment", slope=8, intercept=8 * (1 - rest_offset - 2))
        return element
    if field.type in FLOAT_TYPES or calibration:
        element = sub(parent, f"Float{kind}Type", **attributes, sizeInBits=64 if calibration else 32)
        _units(element, field.unit)
        if field.type in FLOAT_TYPES:
            sub(element, "FloatDataEncoding", sizeInBits=32)
        else:
            encoding = integer_encoding(element, field.type, bits)
            polynomial = sub(sub(encoding, "DefaultCalibrator"), "PolynomialCalibrator")
            for power, coefficient in enumerate(calibration):
                sub(polynomial, "Term", coefficient=coefficient, exponent=power)
    else:
        element = sub(parent, f"Integer{kind}Type", **attributes, signed=str(field.type.startswith("i")).lower(),
                      sizeInBits=bits or BITS[field.type])
        if field.flags:
            sub(element, "LongDescription", _bits_text(field))
        _units(element, field.unit)
        integer_encoding(element, field.type, bits)
    if kind == "Argument" and (field.min is not None or field.max is not None):
        low, high = field.bounds
        sub(sub(element, "ValidRangeSet"), "ValidRange", minInclusive=low, maxInclusive=high)
    return element


def _bits_text(field: Field) -> str:
    return "bit mask: " + ", ".join(f"{bit} {name}" for name, bit in field.flags)


def _flags_type(parent, kind: str, attributes: dict, field: Field) -> ET.Element:
    """A bit mask as an enumeration of every combination of its declared bits within its range,
    labelled with the names of the bits set joined by '+' ('none' for 0): a tool shows names, and
    an argument can only take a mask the dictionary allows."""
    element = sub(parent, f"Enumerated{kind}Type", **attributes)
    sub(element, "LongDescription", _bits_text(field))
    _units(element, field.unit)
    integer_encoding(element, field.type)
    values = sub(element, "EnumerationList")
    low, high = field.bounds
    bits = [bit for _, bit in field.flags]
    masks = sorted({sum(bit for i, bit in enumerate(bits) if chosen >> i & 1) for chosen in range(1 << len(bits))})
    for mask in masks:
        if low <= mask <= high:
            sub(values, "Enumeration", value=mask, label="+".join(field.flag_names(mask)) or "none")
    return element


def crc_type(parent, kind: str, name: str) -> ET.Element:
    """The packet error control: a u16 whose encoding says it is the CRC-16/CCITT-FALSE (poly
    0x1021, init 0xFFFF, no reflection, no final xor) of the packet from its first bit."""
    element = sub(parent, f"Integer{kind}Type", name=name, signed="false", sizeInBits=16)
    _units(element, "")
    encoding = integer_encoding(element, "u16")
    crc = sub(sub(encoding, "ErrorDetectCorrect"), "CRC", width=16, reference="start", bitsFromReference=0)
    sub(crc, "Polynomial", "1021")
    sub(crc, "InitRemainder", "FFFF")
    sub(crc, "FinalXOR", "0000")
    return element


def array_types(parent, name: str, field: Field, count: str) -> None:
    """A u16-counted list as an array of aggregates, sized by the count parameter before it.

    Types made: {name}_Type (the array), {name}_item_Type (one item), {name}_{member}_Type."""
    aggregate = sub(parent, "AggregateParameterType", name=f"{name}_item_Type")
    members = sub(aggregate, "MemberList")
    for item in field.items:
        data_type(parent, "Parameter", f"{name}_{item.name}_Type", item, item.description)
        sub(members, "Member", **described({"name": item.name, "typeRef": f"{name}_{item.name}_Type"},
                                           item.description))
    array = sub(parent, "ArrayParameterType", **described(
        {"name": f"{name}_Type", "arrayTypeRef": f"{name}_item_Type"}, field.description))
    dimension = sub(sub(array, "DimensionList"), "Dimension")
    sub(sub(dimension, "StartingIndex"), "FixedValue", "0")
    # the ending index is inclusive: count - 1 (an empty list ends at -1)
    dynamic = sub(sub(dimension, "EndingIndex"), "DynamicValue")
    _instance_ref(dynamic, "Parameter", count)
    sub(dynamic, "LinearAdjustment", intercept=-1)

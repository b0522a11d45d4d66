"""The XTCE export read as a tool would read it: schema-valid, and enough to build every command
and decode telemetry to the same values as the dictionary's own codecs.

A small XTCE interpreter below (containers, inheritance, restrictions, integer, float, enumerated,
boolean, binary, array and aggregate types) stands in for Yamcs.
"""

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fsw.dictionary import load
from fsw.protocol.dictionary.xtce import NAMESPACE, to_xml
from fsw.protocol.pus import TmPacket, encode_tc, encode_tm

DICTIONARY = load()
XML = to_xml(DICTIONARY)
X = f"{{{NAMESPACE}}}"
ROOT = ET.fromstring(XML.encode())
# the CI clone sits next to a copy of shared/
SCHEMA = Path(__file__).resolve().parents[4].parent / "shared" / "standards" / "SpaceSystemV1.2.xsd"


def _local(tag: str) -> str:
    return tag.removeprefix(X)


def _by_name(parent: str) -> dict[str, ET.Element]:
    return {e.get("name"): e for e in ROOT.find(X + parent)}


TM_TYPES = _by_name(f"TelemetryMetaData/{X}ParameterTypeSet")
TC_TYPES = _by_name(f"CommandMetaData/{X}ArgumentTypeSet")
PARAMETER_TYPES = {p.get("name"): p.get("parameterTypeRef") for p in ROOT.iter(X + "Parameter")}
CONTAINERS = _by_name(f"TelemetryMetaData/{X}ContainerSet")
META_COMMANDS = _by_name(f"CommandMetaData/{X}MetaCommandSet")


def _base(container: ET.Element) -> tuple[str | None, list[tuple[str, str]]]:
    base = container.find(X + "BaseContainer")
    if base is None:
        return None, []
    return base.get("containerRef"), [(c.get("parameterRef"), c.get("value")) for c in base.iter(X + "Comparison")]


def _entries(container: ET.Element) -> list[str]:
    return [e.get("parameterRef") for e in container.iter(X + "ParameterRefEntry")]


# -- schema --

def test_the_export_is_valid_xtce_1_2():
    if not SCHEMA.is_file():
        pytest.skip(f"the XTCE 1.2 schema is not at {SCHEMA} (a copy of shared/ beside the repository)")
    import xmlschema

    # xml.xsd, which the schema imports, comes from xmlschema's bundled copy: never the network
    schema = xmlschema.XMLSchema(str(SCHEMA), allow="local")
    errors = [f"{e.path}: {e.reason}" for e in schema.iter_errors(XML)]
    assert errors == []


# -- commands: built from the export alone --

def _crc(element: ET.Element, data: bytes) -> int | None:
    """The CRC an encoding's ErrorDetectCorrect defines, over data; None for a plain value."""
    crc = element.find(f".//{X}ErrorDetectCorrect/{X}CRC")
    if crc is None:
        return None
    assert (crc.get("reference"), crc.get("bitsFromReference")) == ("start", "0")
    width = int(crc.get("width"))
    top, mask = 1 << (width - 1), (1 << width) - 1
    poly, value = int(crc.find(X + "Polynomial").text, 16), int(crc.find(X + "InitRemainder").text, 16)
    for octet in data:
        value ^= octet << (width - 8)
        for _ in range(8):
            value = (value << 1 ^ poly if value & top else value << 1) & mask
    return value ^ int(crc.find(X + "FinalXOR").text, 16)


class _Bits:
    def __init__(self):
        self.value, self.size = 0, 0

    def put(self, value: int, bits: int) -> None:
        assert 0 <= value < 1 << bits, (value, bits)
        self.value, self.size = self.value << bits | value, self.size + bits

    def octets(self) -> bytes:
        assert self.size % 8 == 0
        return self.value.to_bytes(self.size // 8, "big")


def _put(bits: _Bits, argument_type: ET.Element, value: str) -> None:
    tag = _local(argument_type.tag)
    if argument_type.find(f".//{X}ErrorDetectCorrect") is not None:
        value = str(_crc(argument_type, bits.octets()))
    if tag == "FloatArgumentType":
        bits.put(int.from_bytes(struct.pack(">f", float(value)), "big"), 32)
        return
    encoding = argument_type.find(X + "IntegerDataEncoding")
    size = int(encoding.get("sizeInBits"))
    if tag == "EnumeratedArgumentType":
        labels = {e.get("label"): int(e.get("value")) for e in argument_type.iter(X + "Enumeration")}
        number = labels[value]
    elif tag == "BooleanArgumentType":
        number = int(value.lower() in ("1", "true"))
    else:
        number = int(value)
    if encoding.get("encoding") == "twosComplement":
        number &= (1 << size) - 1
    bits.put(number, size)


def encode_from_export(name: str, args: dict[str, str]) -> bytes:
    """A TC packet from the meta-command's assignments, initial values and args."""
    command = META_COMMANDS[name]
    base = META_COMMANDS[command.find(X + "BaseMetaCommand").get("metaCommandRef")]
    values = {a.get("name"): a.get("initialValue") for m in (base, command) for a in m.iter(X + "Argument")}
    values |= {a.get("argumentName"): a.get("argumentValue") for a in command.iter(X + "ArgumentAssignment")}
    values |= args
    types = {a.get("name"): a.get("argumentTypeRef") for m in (base, command) for a in m.iter(X + "Argument")}
    bits = _Bits()
    for meta in (base, command):
        for entry in meta.iter(X + "ArgumentRefEntry"):
            argument = entry.get("argumentRef")
            assert values[argument] is not None, f"{name}: nothing gives {argument} a value"
            _put(bits, TC_TYPES[types[argument]], values[argument])
    return bits.octets()


def _sample(field) -> object:
    if field.default is not None:
        return field.default
    if field.enum:
        return field.enum[-1][0]
    if field.type == "f32":
        return 2.5
    if field.type == "bytes":
        return b"pj57.raw"
    return int(field.bounds[1])


def _label(field, value) -> str:
    """How the export names a value: a bit mask by its flags joined with '+'."""
    if field.flags:
        return "+".join(field.flag_names(value)) or "none"
    return str(value)


def test_every_header_argument_has_a_value_from_an_assignment_or_an_initial_value():
    base = META_COMMANDS["pus_tc"]
    initial = {a.get("name") for a in base.iter(X + "Argument") if a.get("initialValue") is not None}
    assert {"ccsds_seq_count", "ccsds_length", "pus_ack", "pus_source_id"} <= initial
    for command in DICTIONARY.commands.values():
        element = META_COMMANDS[command.name]
        assigned = {a.get("argumentName") for a in element.iter(X + "ArgumentAssignment")}
        assert {a.get("name") for a in base.iter(X + "Argument")} <= assigned | initial, command.name
        # the command's own arguments: an initial value exactly where the declaration has a default
        own = {a.get("name"): a.get("initialValue") for a in element.iter(X + "Argument")}
        assert own == {f.name: None if f.default is None else str(f.default) for f in command.args}


def test_every_fixed_size_command_built_from_the_export_is_the_packet_the_ground_sends():
    built = 0
    for command in DICTIONARY.commands.values():
        if any(f.type in ("bytes", "list") for f in command.args):
            continue        # their length depends on the value: the sender computes it
        args = {f.name: _sample(f) for f in command.args}
        expected = encode_tc(DICTIONARY.build_tc(command.name, args))
        typed = {f.name: _label(f, _sample(f)) for f in command.args if f.default is None}   # defaults from the export
        assert encode_from_export(command.name, typed) == expected, command.name
        built += 1
    assert built == len(DICTIONARY.commands) - 1          # all but schedule_insert


# -- telemetry: decoded from the export alone --

class _Reader:
    def __init__(self, data: bytes):
        self.data, self.value, self.left = data, int.from_bytes(data, "big"), len(data) * 8

    def take(self, bits: int) -> int:
        assert bits <= self.left, "read past the end of the packet"
        self.left -= bits
        return self.value >> self.left & ((1 << bits) - 1)


def _dynamic(element: ET.Element, values: dict) -> float:
    reference = next(e for e in element if _local(e.tag).endswith("InstanceRef"))
    adjustment = element.find(X + "LinearAdjustment")
    slope = float(adjustment.get("slope", 1)) if adjustment is not None else 1
    intercept = float(adjustment.get("intercept", 0)) if adjustment is not None else 0
    return values[reference.get("parameterRef")] * slope + intercept


def _read(type_name: str, reader: _Reader, values: dict):
    element = TM_TYPES[type_name]
    tag = _local(element.tag)
    if tag == "ArrayParameterType":
        dimension = element.find(f"{X}DimensionList/{X}Dimension")
        start = int(dimension.find(f"{X}StartingIndex/{X}FixedValue").text)
        end = int(_dynamic(dimension.find(f"{X}EndingIndex/{X}DynamicValue"), values))
        return [_read(element.get("arrayTypeRef"), reader, values) for _ in range(start, end + 1)]
    if tag == "AggregateParameterType":
        return {m.get("name"): _read(m.get("typeRef"), reader, values) for m in element.iter(X + "Member")}
    if tag == "BinaryParameterType":
        size = int(_dynamic(element.find(f".//{X}DynamicValue"), values))
        return reader.take(size).to_bytes(size // 8, "big")
    if element.find(X + "FloatDataEncoding") is not None:
        return struct.unpack(">f", reader.take(32).to_bytes(4, "big"))[0]
    encoding = element.find(X + "IntegerDataEncoding")
    size = int(encoding.get("sizeInBits"))
    crc = _crc(encoding, reader.data[:len(reader.data) - reader.left // 8])
    raw = reader.take(size)
    if crc is not None:
        assert raw == crc, f"{type_name}: CRC 0x{raw:04X}, computed 0x{crc:04X}"
    if encoding.get("encoding") == "twosComplement" and raw >> (size - 1):
        raw -= 1 << size
    if tag == "EnumeratedParameterType":
        return next(e.get("label") for e in element.iter(X + "Enumeration") if int(e.get("value")) == raw)
    if tag == "BooleanParameterType":
        return bool(raw)
    terms = encoding.findall(f".//{X}Term")
    if terms:
        return sum(float(t.get("coefficient")) * raw ** int(t.get("exponent")) for t in terms)
    return raw


def decode_from_export(packet: bytes) -> tuple[str, dict]:
    """(most derived container, parameter values): follow the containers whose restrictions hold."""
    reader, values, name = _Reader(packet), {}, "ccsds_packet"
    while True:
        for parameter in _entries(CONTAINERS[name]):
            values[parameter] = _read(PARAMETER_TYPES[parameter], reader, values)
        matches = [
            child for child, element in CONTAINERS.items()
            if _base(element)[0] == name and all(str(values[p]) == v for p, v in _base(element)[1])
        ]
        assert len(matches) <= 1, f"{matches} all match"
        if not matches:
            assert reader.left == 0 and _entries(CONTAINERS[name])[-1] == "pus_crc", name
            return name, values
        name = matches[0]


def _tm(service: int, subtype: int, data: bytes) -> bytes:
    return encode_tm(TmPacket(0x020, service, subtype, data, time=757_000_000.5))


def test_every_restriction_is_on_a_parameter_its_base_container_carries():
    for name, element in CONTAINERS.items():
        base, comparisons = _base(element)
        if name.startswith("event_"):
            assert base == "pus_event"
        inherited, ancestor = set(), base
        while ancestor:
            inherited |= set(_entries(CONTAINERS[ancestor]))
            ancestor = _base(CONTAINERS[ancestor])[0]
        assert {p for p, _ in comparisons} <= inherited, name


def test_every_event_decodes_from_the_export_to_its_own_container():
    for event in DICTIONARY.events.values():
        args = {f.name: _sample(f) for f in event.args}
        subtype, data = DICTIONARY.encode_event(event.name, args)
        name, values = decode_from_export(_tm(5, subtype, data))
        assert name == f"event_{event.name}"
        assert values["event_id"] == event.id and values["pus_subtype"] == int(event.severity)
        expected = DICTIONARY.decode_tm(TmPacket(0x020, 5, subtype, data))["fields"]
        assert {k: values[f"{name}_{k}"] for k in expected} == expected


def test_lists_decode_as_arrays_sized_by_their_count():
    images = [
        {"image_id": 3, "time": 757_000_000, "filters": 7, "size": 4096, "segments": 5},
        {"image_id": 4, "time": 757_000_100, "filters": 8, "size": 100, "segments": 1},
    ]
    report = DICTIONARY.report("image_list")
    name, values = decode_from_export(_tm(report.service, report.subtype,
                                          DICTIONARY.encode_report("image_list", {"images": images})))
    assert name == "image_list" and values["image_list_images_count"] == 2
    assert [item["image_id"] for item in values["image_list_images"]] == [3, 4]
    assert [item["segments"] for item in values["image_list_images"]] == [5, 1]
    name, values = decode_from_export(_tm(report.service, report.subtype,
                                          DICTIONARY.encode_report("image_list", {"images": []})))
    assert values["image_list_images_count"] == 0 and values["image_list_images"] == []

    schedule = DICTIONARY.report("schedule_report")
    entry = {f.name: _sample(f) for f in schedule.fields[0].items}
    data = DICTIONARY.encode_report("schedule_report", {"entries": [entry] * 3})
    name, values = decode_from_export(_tm(schedule.service, schedule.subtype, data))
    decoded = DICTIONARY.decode_tm(TmPacket(0x020, schedule.service, schedule.subtype, data))["fields"]
    assert name == "schedule_report" and values["schedule_report_entries"] == decoded["entries"]


def test_housekeeping_decodes_from_the_export_with_calibration():
    for sid, parameters in DICTIONARY.structures.items():
        raw = {p.name: (p.enum[0][0] if p.enum else 5 if p.flags else 1) for p in parameters}
        data = DICTIONARY.encode_hk(sid, raw)
        name, values = decode_from_export(_tm(3, 25, data))
        assert name == f"hk_sid{sid}"
        expected = DICTIONARY.calibrate(DICTIONARY.decode_tm(TmPacket(0x020, 3, 25, data))["fields"])
        masks = {p.name for p in parameters if p.flags}
        assert {n: values[n] for n in masks} == {n: _label(DICTIONARY.parameters[n], expected[n]) for n in masks}
        assert {n: values[n] for n in expected if n not in masks} == pytest.approx(
            {n: v for n, v in expected.items() if n not in masks})


def test_the_filter_mask_is_an_enumeration_of_its_flag_combinations():
    configure = META_COMMANDS["cam_configure"]
    argument = next(a for a in configure.iter(X + "Argument") if a.get("name") == "filters")
    mask_type = TC_TYPES[argument.get("argumentTypeRef")]
    labels = {e.get("label"): int(e.get("value")) for e in mask_type.iter(X + "Enumeration")}
    assert len(labels) == 15 and "none" not in labels            # the argument's range is 1 .. 15
    assert labels["red+green+blue"] == 7 and labels["red+green+blue+methane"] == 15 and labels["methane"] == 8
    assert mask_type.find(X + "LongDescription").text == "bit mask: 1 red, 2 green, 4 blue, 8 methane"
    hk_type = TM_TYPES[PARAMETER_TYPES["cam_filters"]]
    assert {e.get("label"): int(e.get("value")) for e in hk_type.iter(X + "Enumeration")} == labels | {"none": 0}
    meta = DICTIONARY.report("image_meta")
    fields = {f.name: _sample(f) for f in meta.fields} | {"filters": 10}
    _, values = decode_from_export(_tm(meta.service, meta.subtype, DICTIONARY.encode_report("image_meta", fields)))
    assert values["image_meta_filters"] == "green+methane"

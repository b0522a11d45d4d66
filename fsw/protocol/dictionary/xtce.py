"""The dictionary as an XTCE 1.2 SpaceSystem (OMG XTCE, namespace 20180204), for tools like Yamcs.

Parameters and arguments get one type each (units, encodings, calibrators, alarms, valid ranges).
Telemetry containers: the CCSDS primary header, the PUS TM secondary header, then one container
per housekeeping structure, report and event, restricted by service/subtype (and sid or event
id). Telecommands: an abstract PUS TC meta-command carrying the headers, and one meta-command per
command that fixes APID, service and subtype. XTCE names may not contain '.', so nested names
join with '_'.

    python -m fsw.protocol.dictionary.xtce > perijove.xtce.xml
"""

import xml.etree.ElementTree as ET

from . import EVENT_SERVICE, HK_REPORT, Dictionary
from .model import FLOAT_TYPES, Field, Parameter

NAMESPACE = "http://www.omg.org/spec/XTCE/20180204"
_BITS = {"u8": 8, "u16": 16, "u32": 32, "i8": 8, "i16": 16, "i32": 32, "f32": 32, "bool": 8, "enum": 8}

# (name, bits) of the headers every packet starts with; values are fixed by restrictions
PRIMARY_HEADER = (("ccsds_version", 3), ("ccsds_type", 1), ("ccsds_sec_header", 1), ("ccsds_apid", 11),
                  ("ccsds_seq_flags", 2), ("ccsds_seq_count", 14), ("ccsds_length", 16))
TM_SECONDARY = (("pus_version", 4), ("pus_time_ref", 4), ("pus_service", 8), ("pus_subtype", 8),
                ("pus_message_counter", 16), ("pus_destination", 16), ("pus_time_coarse", 32),
                ("pus_time_fine", 16))
TC_SECONDARY = (("pus_version", 4), ("pus_ack", 4), ("pus_service", 8), ("pus_subtype", 8),
                ("pus_source_id", 16))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.rstrip("_"): str(v) for k, v in attributes.items()})
    if text:
        element.text = text
    return element


def _described(attributes: dict, description: str) -> dict:
    if description:
        attributes["shortDescription"] = description
    return attributes


def _integer_encoding(parent, field_type: str, bits: int | None = None) -> ET.Element:
    signed = field_type.startswith("i")
    return _sub(parent, "IntegerDataEncoding", sizeInBits=bits or _BITS[field_type],
                encoding="twosComplement" if signed else "unsigned")


def _units(parent, unit: str) -> None:
    unit_set = _sub(parent, "UnitSet")
    if unit:
        _sub(unit_set, "Unit", unit)


def _data_type(parent, kind: str, name: str, field: Field, description: str = "",
               calibration: tuple = (), bits: int | None = None, rest_offset: int = 0) -> ET.Element:
    """One XTCE parameter or argument type (kind is 'Parameter' or 'Argument').

    rest_offset: for a field that takes the rest of the packet, the octets of secondary header
    and fields before it."""
    attributes = _described({"name": name}, description)
    if field.type == "enum":
        element = _sub(parent, f"Enumerated{kind}Type", **attributes)
        _units(element, field.unit)
        _integer_encoding(element, "u8")
        values = _sub(element, "EnumerationList")
        for label, number in field.enum:
            _sub(values, "Enumeration", value=number, label=label)
        return element
    if field.type == "bool":
        element = _sub(parent, f"Boolean{kind}Type", **attributes)
        _units(element, field.unit)
        _integer_encoding(element, "u8")
        return element
    if field.type in ("bytes", "list"):
        element = _sub(parent, f"Binary{kind}Type", **attributes)
        _units(element, field.unit)
        # the rest of the packet (bytes, or a u16-counted list): its size follows from the
        # packet length field, less the headers, the fields before it and the CRC
        dynamic = _sub(_sub(_sub(element, "BinaryDataEncoding"), "SizeInBits"), "DynamicValue")
        _sub(dynamic, f"{kind}InstanceRef", **{f"{kind.lower()}Ref": "ccsds_length"})
        _sub(dynamic, "LinearAdjustment", slope=8, intercept=8 * (1 - rest_offset - 2))
        return element
    if field.type in FLOAT_TYPES or calibration:
        element = _sub(parent, f"Float{kind}Type", **attributes, sizeInBits=64 if calibration else 32)
        _units(element, field.unit)
        if field.type in FLOAT_TYPES:
            _sub(element, "FloatDataEncoding", sizeInBits=32)
        else:
            encoding = _integer_encoding(element, field.type, bits)
            polynomial = _sub(_sub(encoding, "DefaultCalibrator"), "PolynomialCalibrator")
            for power, coefficient in enumerate(calibration):
                _sub(polynomial, "Term", coefficient=coefficient, exponent=power)
    else:
        element = _sub(parent, f"Integer{kind}Type", **attributes, signed=str(field.type.startswith("i")).lower(),
                       sizeInBits=bits or _BITS[field.type])
        _units(element, field.unit)
        _integer_encoding(element, field.type, bits)
    if kind == "Argument" and (field.min is not None or field.max is not None):
        low, high = field.bounds
        _sub(_sub(element, "ValidRangeSet"), "ValidRange", minInclusive=low, maxInclusive=high)
    return element


def _alarms(element: ET.Element, parameter: Parameter) -> None:
    if not (parameter.yellow or parameter.red):
        return
    ranges = _sub(_sub(element, "DefaultAlarm"), "StaticAlarmRanges")
    if parameter.yellow:
        _sub(ranges, "WarningRange", minInclusive=parameter.yellow[0], maxInclusive=parameter.yellow[1])
    if parameter.red:
        _sub(ranges, "CriticalRange", minInclusive=parameter.red[0], maxInclusive=parameter.red[1])


def _header_parameters(types, parameters, fields) -> None:
    for name, bits in fields:
        _data_type(types, "Parameter", f"{name}_Type", Field(name, "u32"), bits=bits)
        _sub(parameters, "Parameter", name=name, parameterTypeRef=f"{name}_Type")


def _offsets(fields, start: int) -> list[int]:
    """Octets from the secondary header's start to each field (fixed-size fields before it)."""
    offsets, offset = [], start
    for field in fields:
        offsets.append(offset)
        offset += _BITS.get(field.type, 0) // 8
    return offsets


def _container(parent, name: str, entries, base: str | None = None, conditions=(), description="") -> None:
    container = _sub(parent, "SequenceContainer", **_described({"name": name}, description))
    entry_list = _sub(container, "EntryList")
    for entry in entries:
        _sub(entry_list, "ParameterRefEntry", parameterRef=entry)
    if base:
        base_element = _sub(container, "BaseContainer", containerRef=base)
        if conditions:
            comparisons = _sub(_sub(base_element, "RestrictionCriteria"), "ComparisonList")
            for parameter, value in conditions:
                _sub(comparisons, "Comparison", parameterRef=parameter, value=value)


def build(dictionary: Dictionary) -> ET.Element:
    root = ET.Element("SpaceSystem", {"xmlns": NAMESPACE, "name": "Perijove"})
    _sub(root, "Header", version=f"{dictionary.version:08x}", validationStatus="Working",
         classification="NotClassified")
    telemetry = _sub(root, "TelemetryMetaData")
    types = _sub(telemetry, "ParameterTypeSet")
    parameters = _sub(telemetry, "ParameterSet")
    containers = _sub(telemetry, "ContainerSet")

    _header_parameters(types, parameters, PRIMARY_HEADER + TM_SECONDARY + (("hk_sid", 8), ("event_id", 16)))
    _container(containers, "ccsds_packet", [n for n, _ in PRIMARY_HEADER],
               description="CCSDS 133.0-B-2 primary header")
    _container(containers, "pus_tm", [n for n, _ in TM_SECONDARY], "ccsds_packet",
               [("ccsds_type", 0), ("ccsds_sec_header", 1)], "PUS-C TM secondary header, CUC 4+2 time")
    _container(containers, "hk_report", ["hk_sid"], "pus_tm", [("pus_service", HK_REPORT[0]), ("pus_subtype", HK_REPORT[1])])

    for parameter in dictionary.parameters.values():
        element = _data_type(types, "Parameter", f"{parameter.name}_Type", parameter.as_field(),
                             parameter.description, parameter.calibration)
        _alarms(element, parameter)
        _sub(parameters, "Parameter", **_described(
            {"name": parameter.name, "parameterTypeRef": f"{parameter.name}_Type"}, parameter.description))
    for sid, members in sorted(dictionary.structures.items()):
        _container(containers, f"hk_sid{sid}", [p.name for p in members], "hk_report", [("hk_sid", sid)],
                   f"housekeeping structure {sid}")

    def field_parameters(prefix: str, fields, start: int) -> list[str]:
        names = []
        for field, offset in zip(fields, _offsets(fields, start)):
            name = f"{prefix}_{field.name}"
            _data_type(types, "Parameter", f"{name}_Type", field, field.description, rest_offset=offset)
            _sub(parameters, "Parameter", **_described({"name": name, "parameterTypeRef": f"{name}_Type"},
                                                       field.description))
            names.append(name)
        return names

    for report in dictionary.reports.values():
        _container(containers, report.name, field_parameters(report.name, report.fields, 13), "pus_tm",
                   [("pus_service", report.service), ("pus_subtype", report.subtype)], report.description)
    for event in sorted(dictionary.events.values(), key=lambda e: e.id):
        _container(containers, f"event_{event.name}", ["event_id", *field_parameters(f"event_{event.name}", event.args, 15)],
                   "pus_tm", [("pus_service", EVENT_SERVICE), ("pus_subtype", int(event.severity)), ("event_id", event.id)],
                   event.description)

    commanding = _sub(root, "CommandMetaData")
    argument_types = _sub(commanding, "ArgumentTypeSet")
    meta_commands = _sub(commanding, "MetaCommandSet")
    header_fields = PRIMARY_HEADER + TC_SECONDARY
    for name, bits in header_fields:
        _data_type(argument_types, "Argument", f"tc_{name}_Type", Field(name, "u32"), bits=bits)
    base = _sub(meta_commands, "MetaCommand", name="pus_tc", abstract="true",
                shortDescription="CCSDS primary header and PUS-C TC secondary header; CRC-16 follows the arguments")
    argument_list = _sub(base, "ArgumentList")
    for name, _ in header_fields:
        _sub(argument_list, "Argument", name=name, argumentTypeRef=f"tc_{name}_Type")
    entries = _sub(_sub(base, "CommandContainer", name="pus_tc_container"), "EntryList")
    for name, _ in header_fields:
        _sub(entries, "ArgumentRefEntry", argumentRef=name)

    for command in dictionary.commands.values():
        element = _sub(meta_commands, "MetaCommand", **_described({"name": command.name}, command.description))
        assignments = _sub(_sub(element, "BaseMetaCommand", metaCommandRef="pus_tc"), "ArgumentAssignmentList")
        for name, value in (("ccsds_version", 0), ("ccsds_type", 1), ("ccsds_sec_header", 1),
                            ("ccsds_apid", command.apid), ("ccsds_seq_flags", 3), ("pus_version", 2),
                            ("pus_service", command.service), ("pus_subtype", command.subtype)):
            _sub(assignments, "ArgumentAssignment", argumentName=name, argumentValue=value)
        arguments = _sub(element, "ArgumentList")
        for field, offset in zip(command.args, _offsets(command.args, 5)):
            type_name = f"{command.name}_{field.name}_Type"
            _data_type(argument_types, "Argument", type_name, field, field.description, rest_offset=offset)
            attributes = {"name": field.name, "argumentTypeRef": type_name}
            if field.default is not None:
                attributes["initialValue"] = field.default
            _sub(arguments, "Argument", **attributes)
        container = _sub(element, "CommandContainer", name=f"{command.name}_container")
        entry_list = _sub(container, "EntryList")
        for field in command.args:
            _sub(entry_list, "ArgumentRefEntry", argumentRef=field.name)
        _sub(container, "BaseContainer", containerRef="pus_tc_container")
        if command.hazardous:
            _sub(element, "DefaultSignificance", consequenceLevel="critical",
                 reasonForWarning="hazardous: needs a preceding arm")
    return root


def to_xml(dictionary: Dictionary) -> str:
    root = build(dictionary)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


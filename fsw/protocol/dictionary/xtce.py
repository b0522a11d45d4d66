"""The dictionary as an XTCE 1.2 SpaceSystem (OMG XTCE, namespace 20180204), for tools like Yamcs.

Parameters and arguments get one type each (xtce_types.py: units, encodings, calibrators, alarms,
valid ranges, arrays). Telemetry containers: the CCSDS primary header, the PUS TM secondary
header, then one container per housekeeping structure and report, restricted by service/subtype
(and sid); events inherit from one service-5 container carrying the event id, restricted on it.
Telecommands: an abstract PUS TC meta-command carrying the headers (values fixed per command,
or initial values), and one meta-command per command that fixes APID, service, subtype and,
where the arguments have a fixed size, the packet length. Every concrete container, TM or TC,
ends with the packet's CRC, its encoding carrying the CRC's definition (ErrorDetectCorrect). XTCE names may not contain '.', so
nested names join with '_'. Validated against the OMG schema by the tests.

    ground dict --xtce > perijove.xtce.xml
"""

import xml.etree.ElementTree as ET

from . import EVENT_SERVICE, HK_REPORT, Dictionary
from .codec import FieldCodec
from .model import Field, Parameter
from .xtce_types import BITS, array_types, crc_type, data_type, described, sub

NAMESPACE = "http://www.omg.org/spec/XTCE/20180204"

# (name, bits) of the headers every packet starts with; values are fixed by restrictions
PRIMARY_HEADER = (("ccsds_version", 3), ("ccsds_type", 1), ("ccsds_sec_header", 1), ("ccsds_apid", 11),
                  ("ccsds_seq_flags", 2), ("ccsds_seq_count", 14), ("ccsds_length", 16))
TM_SECONDARY = (("pus_version", 4), ("pus_time_ref", 4), ("pus_service", 8), ("pus_subtype", 8),
                ("pus_message_counter", 16), ("pus_destination", 16), ("pus_time_coarse", 32),
                ("pus_time_fine", 16))
TC_SECONDARY = (("pus_version", 4), ("pus_ack", 4), ("pus_service", 8), ("pus_subtype", 8),
                ("pus_source_id", 16))
TC_SECONDARY_OCTETS = 5
CRC_OCTETS = 2

# TC header arguments no command fixes: what a sender uses unless told otherwise (pus.TcPacket's
# defaults). A ground system with a CCSDS post-processor (Yamcs) overwrites the counter.
TC_INITIAL = {
    "ccsds_seq_count": (0, "packet sequence count: the sender's per-APID counter"),
    "ccsds_length": (0, "octets after the primary header - 1: fixed per command where its arguments "
                        "have a fixed size; for the others the sender computes it"),
    "pus_ack": (0b1111, "acknowledgements asked for: acceptance, start, progress, completion"),
    "pus_source_id": (0, "source id: the ground"),
    "pus_crc": (0, "CRC-16 of the packet before it: its encoding names the algorithm, the sender computes it"),
}
CRC = "pus_crc"   # the last entry of every concrete packet container


def _offsets(fields, start: int) -> list[int]:
    """Octets from the secondary header's start to each field (fixed-size fields before it)."""
    offsets, offset = [], start
    for field in fields:
        offsets.append(offset)
        offset += BITS.get(field.type, 0) // 8
    return offsets


def _container(parent, name: str, entries, base: str | None = None, conditions=(), description="",
               crc: bool = False) -> None:
    """A SequenceContainer; crc: a concrete packet, whose entries end with the packet's CRC."""
    container = sub(parent, "SequenceContainer", **described({"name": name}, description))
    entry_list = sub(container, "EntryList")
    for entry in [*entries, CRC] if crc else entries:
        sub(entry_list, "ParameterRefEntry", parameterRef=entry)
    if base:
        base_element = sub(container, "BaseContainer", containerRef=base)
        if conditions:
            comparisons = sub(sub(base_element, "RestrictionCriteria"), "ComparisonList")
            for parameter, value in conditions:
                sub(comparisons, "Comparison", parameterRef=parameter, value=value)


def _alarms(element: ET.Element, parameter: Parameter) -> None:
    if not (parameter.yellow or parameter.red):
        return
    ranges = sub(sub(element, "DefaultAlarm"), "StaticAlarmRanges")
    if parameter.yellow:
        sub(ranges, "WarningRange", minInclusive=parameter.yellow[0], maxInclusive=parameter.yellow[1])
    if parameter.red:
        sub(ranges, "CriticalRange", minInclusive=parameter.red[0], maxInclusive=parameter.red[1])


class _Telemetry:
    """The TelemetryMetaData element and the parameters it declares."""

    def __init__(self, root: ET.Element):
        telemetry = sub(root, "TelemetryMetaData")
        self.types = sub(telemetry, "ParameterTypeSet")
        self.parameters = sub(telemetry, "ParameterSet")
        self.containers = sub(telemetry, "ContainerSet")

    def parameter(self, name: str, description: str = "") -> None:
        sub(self.parameters, "Parameter", **described({"name": name, "parameterTypeRef": f"{name}_Type"},
                                                      description))

    def header(self, fields) -> None:
        for name, bits in fields:
            data_type(self.types, "Parameter", f"{name}_Type", Field(name, "u32"), bits=bits)
            self.parameter(name)

    def fields(self, prefix: str, fields, start: int) -> list[str]:
        """Parameters for a report's or event's fields; the container entries, in wire order."""
        names = []
        for field, offset in zip(fields, _offsets(fields, start)):
            name = f"{prefix}_{field.name}"
            if field.type == "list":
                count = f"{name}_count"
                data_type(self.types, "Parameter", f"{count}_Type", Field(count, "u16"))
                self.parameter(count, f"number of {field.name}")
                array_types(self.types, name, field, count)
                names.append(count)
            else:
                data_type(self.types, "Parameter", f"{name}_Type", field, field.description, rest_offset=offset)
            self.parameter(name, field.description)
            names.append(name)
        return names


def _telemetry(root: ET.Element, dictionary: Dictionary) -> None:
    tm = _Telemetry(root)
    tm.header(PRIMARY_HEADER + TM_SECONDARY + (("hk_sid", 8), ("event_id", 16)))
    crc_type(tm.types, "Parameter", f"{CRC}_Type")
    tm.parameter(CRC, "CRC-16/CCITT-FALSE of the packet before it")
    _container(tm.containers, "ccsds_packet", [n for n, _ in PRIMARY_HEADER],
               description="CCSDS 133.0-B-2 primary header")
    _container(tm.containers, "pus_tm", [n for n, _ in TM_SECONDARY], "ccsds_packet",
               [("ccsds_type", 0), ("ccsds_sec_header", 1)], "PUS-C TM secondary header, CUC 4+2 time")
    _container(tm.containers, "hk_report", ["hk_sid"], "pus_tm",
               [("pus_service", HK_REPORT[0]), ("pus_subtype", HK_REPORT[1])])
    # the subtype is the severity (1..4); the event id is what tells events apart
    _container(tm.containers, "pus_event", ["event_id"], "pus_tm", [("pus_service", EVENT_SERVICE)],
               "PUS-5 event report: subtype = severity, then the event id")

    for parameter in dictionary.parameters.values():
        element = data_type(tm.types, "Parameter", f"{parameter.name}_Type", parameter.as_field(),
                            parameter.description, parameter.calibration)
        _alarms(element, parameter)
        tm.parameter(parameter.name, parameter.description)
    for sid, members in sorted(dictionary.structures.items()):
        _container(tm.containers, f"hk_sid{sid}", [p.name for p in members], "hk_report", [("hk_sid", sid)],
                   f"housekeeping structure {sid}", crc=True)
    for report in dictionary.reports.values():
        _container(tm.containers, report.name, tm.fields(report.name, report.fields, 13), "pus_tm",
                   [("pus_service", report.service), ("pus_subtype", report.subtype)], report.description, crc=True)
    for event in sorted(dictionary.events.values(), key=lambda e: e.id):
        name = f"event_{event.name}"
        _container(tm.containers, name, tm.fields(name, event.args, 15), "pus_event",
                   [("event_id", event.id)], f"{event.severity.name.lower()}: {event.description}", crc=True)


def _tc_length(codec: FieldCodec) -> int | None:
    """The CCSDS data length of a command whose arguments have a fixed size."""
    if codec.size is None:
        return None
    return TC_SECONDARY_OCTETS + codec.size + CRC_OCTETS - 1


def _commanding(root: ET.Element, dictionary: Dictionary) -> None:
    commanding = sub(root, "CommandMetaData")
    argument_types = sub(commanding, "ArgumentTypeSet")
    meta_commands = sub(commanding, "MetaCommandSet")
    header_fields = PRIMARY_HEADER + TC_SECONDARY
    for name, bits in header_fields:
        data_type(argument_types, "Argument", f"tc_{name}_Type", Field(name, "u32"), bits=bits)
    crc_type(argument_types, "Argument", f"tc_{CRC}_Type")
    base = sub(meta_commands, "MetaCommand", name="pus_tc", abstract="true",
               shortDescription="CCSDS primary header and PUS-C TC secondary header; CRC-16 follows the arguments")
    argument_list = sub(base, "ArgumentList")
    for name, _ in (*header_fields, (CRC, 16)):
        attributes = {"name": name, "argumentTypeRef": f"tc_{name}_Type"}
        if name in TC_INITIAL:
            value, description = TC_INITIAL[name]
            attributes.update(shortDescription=description, initialValue=value)
        sub(argument_list, "Argument", **attributes)
    entries = sub(sub(base, "CommandContainer", name="pus_tc_container"), "EntryList")
    for name, _ in header_fields:
        sub(entries, "ArgumentRefEntry", argumentRef=name)

    for command in dictionary.commands.values():
        element = sub(meta_commands, "MetaCommand", **described({"name": command.name}, command.description))
        assignments = sub(sub(element, "BaseMetaCommand", metaCommandRef="pus_tc"), "ArgumentAssignmentList")
        fixed = [("ccsds_version", 0), ("ccsds_type", 1), ("ccsds_sec_header", 1), ("ccsds_apid", command.apid),
                 ("ccsds_seq_flags", 3), ("pus_version", 2), ("pus_service", command.service),
                 ("pus_subtype", command.subtype)]
        length = _tc_length(FieldCodec(command.args))
        if length is not None:
            fixed.append(("ccsds_length", length))
        for name, value in fixed:
            sub(assignments, "ArgumentAssignment", argumentName=name, argumentValue=value)
        if command.args:   # the schema wants at least one Argument in a list
            arguments = sub(element, "ArgumentList")
        for field, offset in zip(command.args, _offsets(command.args, TC_SECONDARY_OCTETS)):
            type_name = f"{command.name}_{field.name}_Type"
            data_type(argument_types, "Argument", type_name, field, field.description, rest_offset=offset)
            attributes = described({"name": field.name, "argumentTypeRef": type_name}, field.description)
            if field.default is not None:
                attributes["initialValue"] = field.default
            sub(arguments, "Argument", **attributes)
        container = sub(element, "CommandContainer", name=f"{command.name}_container")
        entry_list = sub(container, "EntryList")
        for field in command.args:
            sub(entry_list, "ArgumentRefEntry", argumentRef=field.name)
        sub(entry_list, "ArgumentRefEntry", argumentRef=CRC)
        sub(container, "BaseContainer", containerRef="pus_tc_container")
        if command.hazardous:
            sub(element, "DefaultSignificance", consequenceLevel="critical",
                reasonForWarning="hazardous: needs a preceding arm")


def build(dictionary: Dictionary) -> ET.Element:
    root = ET.Element("SpaceSystem", {"xmlns": NAMESPACE, "name": "Perijove"})
    sub(root, "Header", version=f"{dictionary.version:08x}", validationStatus="Working",
        classification="NotClassified")
    _telemetry(root, dictionary)
    _commanding(root, dictionary)
    return root


def to_xml(dictionary: Dictionary) -> str:
    root = build(dictionary)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

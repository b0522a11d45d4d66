"""The XTCE export: well-formed, complete, and faithful to the declarations."""

import xml.etree.ElementTree as ET

from fsw.dictionary import load
from fsw.protocol.dictionary.xtce import NAMESPACE, to_xml

DICTIONARY = load()
X = f"{{{NAMESPACE}}}"
ROOT = ET.fromstring(to_xml(DICTIONARY).encode())


def named(tag: str) -> dict[str, ET.Element]:
    return {e.get("name"): e for e in ROOT.iter(X + tag)}


def test_a_space_system_with_the_dictionary_version():
    assert ROOT.tag == X + "SpaceSystem" and ROOT.get("name") == "Perijove"
    assert ROOT.find(X + "Header").get("version") == f"{DICTIONARY.version:08x}"
    assert [child.tag for child in ROOT] == [X + "Header", X + "TelemetryMetaData", X + "CommandMetaData"]


def test_every_parameter_and_command_is_there():
    assert set(DICTIONARY.parameters) <= set(named("Parameter"))
    commands = named("MetaCommand")
    assert set(DICTIONARY.commands) | {"pus_tc"} == set(commands)


def test_names_are_unique_and_valid_xtce_names():
    for tag in ("Parameter", "SequenceContainer", "MetaCommand"):
        names = [e.get("name") for e in ROOT.iter(X + tag)]
        assert len(names) == len(set(names)), tag
        assert not any(c in name for name in names for c in "./:[] ")
    types = [e.get("name") for e in ROOT.iter() if e.tag.endswith("ParameterType") or e.tag.endswith("ArgumentType")]
    assert len(types) == len(set(types))


def test_every_type_reference_resolves():
    types = {e.get("name") for e in ROOT.iter() if e.tag.endswith("Type") and e.get("name")}
    refs = [e.get("parameterTypeRef") for e in ROOT.iter(X + "Parameter")] + [
        e.get("argumentTypeRef") for e in ROOT.iter(X + "Argument")
    ]
    assert set(refs) <= types
    parameters = set(named("Parameter"))
    assert {e.get("parameterRef") for e in ROOT.iter(X + "ParameterRefEntry")} <= parameters
    assert {e.get("parameterRef") for e in ROOT.iter(X + "Comparison")} <= parameters
    containers = set(named("SequenceContainer")) | {"pus_tc_container"}
    assert {e.get("containerRef") for e in ROOT.iter(X + "BaseContainer")} <= containers


def test_housekeeping_structures_are_containers_in_declaration_order():
    containers = named("SequenceContainer")
    for sid, parameters in DICTIONARY.structures.items():
        container = containers[f"hk_sid{sid}"]
        entries = [e.get("parameterRef") for e in container.iter(X + "ParameterRefEntry")]
        assert entries == [p.name for p in parameters] + ["pus_crc"]   # the packet's CRC ends it
        comparison = container.find(f"{X}BaseContainer/{X}RestrictionCriteria/{X}ComparisonList/{X}Comparison")
        assert (comparison.get("parameterRef"), comparison.get("value")) == ("hk_sid", str(sid))


def test_units_calibrators_and_alarms():
    cam_temp = named("FloatParameterType")["cam_temp_Type"]
    assert cam_temp.find(f"{X}UnitSet/{X}Unit").text == "degC"
    terms = cam_temp.findall(f".//{X}PolynomialCalibrator/{X}Term")
    assert [(t.get("exponent"), float(t.get("coefficient"))) for t in terms] == [("0", 0.0), ("1", 0.01)]
    assert cam_temp.find(f".//{X}IntegerDataEncoding").get("encoding") == "twosComplement"
    ranges = cam_temp.find(f"{X}DefaultAlarm/{X}StaticAlarmRanges")
    assert ranges.find(X + "WarningRange").attrib == {"minInclusive": "-30", "maxInclusive": "55"}
    assert ranges.find(X + "CriticalRange").attrib == {"minInclusive": "-40", "maxInclusive": "65"}
    states = named("EnumeratedParameterType")["cam_state_Type"]
    assert [e.get("label") for e in states.iter(X + "Enumeration")] == ["off", "warming", "ready", "capturing", "fault"]


def test_meta_commands_fix_the_opcode_and_check_argument_ranges():
    capture = named("MetaCommand")["cam_capture"]
    assignments = {a.get("argumentName"): a.get("argumentValue") for a in capture.iter(X + "ArgumentAssignment")}
    assert (assignments["ccsds_apid"], assignments["pus_service"], assignments["pus_subtype"]) == ("32", "130", "3")
    [argument] = capture.iter(X + "Argument")
    assert (argument.get("name"), argument.get("initialValue")) == ("framelets", "15")
    argument_type = named("IntegerArgumentType")[argument.get("argumentTypeRef")]
    assert argument_type.find(f"{X}ValidRangeSet/{X}ValidRange").attrib == {"minInclusive": "1", "maxInclusive": "64"}
    for command in DICTIONARY.commands.values():
        element = named("MetaCommand")[command.name]
        assert [a.get("name") for a in element.iter(X + "Argument")] == [f.name for f in command.args]
        assert (element.find(X + "DefaultSignificance") is not None) == command.hazardous

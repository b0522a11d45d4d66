"""The mission dictionary: uniqueness, identity (version hash), lookups and parse_args errors."""

import dataclasses
import json
import subprocess
import sys

import pytest

from fsw.dictionary import COMPONENTS, load
from fsw.protocol.dictionary import Dictionary
from fsw.protocol.dictionary.model import Application, Command, Event, Parameter, Report, Severity
from fsw.protocol.pus import TmPacket
from fsw.protocol.reasons import ProtocolError, Reason

DICTIONARY = load()


def test_load_is_cached_and_complete():
    assert load() is DICTIONARY
    assert len(DICTIONARY.components) == len(COMPONENTS)
    assert sum(len(c.commands) for c in COMPONENTS) == len(DICTIONARY.commands)
    assert sum(len(c.parameters) for c in COMPONENTS) == len(DICTIONARY.parameters)
    assert sum(len(c.events) for c in COMPONENTS) == len(DICTIONARY.events)


def test_nothing_is_declared_twice():
    commands = [c.name for comp in COMPONENTS for c in comp.commands]
    opcodes = [(comp.apid, c.service, c.subtype) for comp in COMPONENTS for c in comp.commands]
    events = [e.id for comp in COMPONENTS for e in comp.events]
    apids = [comp.apid for comp in COMPONENTS if comp.apid is not None]
    sids = [comp.sid for comp in COMPONENTS if comp.sid is not None]
    for values in (commands, opcodes, events, apids, sids):
        assert len(values) == len(set(values))
    assert 0x7FF not in apids                       # the idle APID is never an application's


def test_apids_services_and_subtypes_fit_their_fields():
    for command in DICTIONARY.commands.values():
        assert 0 <= command.apid < 0x7FF
        assert 0 <= command.service <= 255 and 0 <= command.subtype <= 255
        assert command.service in (3, 5, 9, 11, 17) or 128 <= command.service <= 255


@pytest.mark.parametrize(
    "extra, message",
    [
        (Application("x", "", apid=0x010), "APID 16 declared twice"),
        (Application("x", "", apid=0x050, commands=(Command("ping", 17, 9, ""),)), "command 'ping' declared twice"),
        (Application("x", "", apid=0x010 + 0x40, events=(Event(100, "e", Severity.INFO, ""),)), "event id 100 declared twice"),
        (Application("x", "", apid=0x051, sid=1, parameters=(Parameter("p", "u8"),)), "structure id 1 declared twice"),
        (Application("x", "", apid=0x052, parameters=(Parameter("p", "u8"),)), "has parameters but no structure id"),
        (Application("x", "", reports=(Report("r", 17, 2, ""),)), "report type (17, 2) declared twice"),
    ],
)
def test_a_duplicate_declaration_is_refused_by_name(extra, message):
    with pytest.raises(ValueError, match=r".*".join(map(__import__("re").escape, message.split("*")))):
        Dictionary([*COMPONENTS, extra])


def test_an_opcode_used_twice_on_one_apid_is_refused():
    component = Application("x", "", apid=0x60, commands=(Command("a", 200, 1, ""), Command("b", 200, 1, "")))
    with pytest.raises(ValueError, match="opcode"):
        Dictionary([component])


def test_version_is_stable_across_builds_and_processes():
    assert Dictionary(COMPONENTS).version == DICTIONARY.version
    script = "from fsw.dictionary import load; print(load().version)"
    outputs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": seed}).stdout.strip()
        for seed in ("1", "2")
    }
    assert outputs == {str(DICTIONARY.version)}


def test_version_changes_when_any_declaration_changes():
    camera = next(c for c in COMPONENTS if c.name == "camera")
    changed_command = dataclasses.replace(camera.commands[0], description="different")
    changed_range = dataclasses.replace(
        camera.commands[1], args=(dataclasses.replace(camera.commands[1].args[0], max=2001), *camera.commands[1].args[1:])
    )
    for variant in (
        dataclasses.replace(camera, commands=(changed_command, *camera.commands[1:])),
        dataclasses.replace(camera, commands=(camera.commands[0], changed_range, *camera.commands[2:])),
        dataclasses.replace(camera, parameters=camera.parameters[:-1]),
    ):
        components = [variant if c is camera else c for c in COMPONENTS]
        assert Dictionary(components).version != DICTIONARY.version


def test_to_json_carries_the_version_and_every_component():
    exported = json.loads(json.dumps(DICTIONARY.to_json()))
    assert exported["version"] == f"{DICTIONARY.version:08x}"
    assert [c["name"] for c in exported["components"]] == [c.name for c in DICTIONARY.components]


def test_declarations_inherit_apid_sid_and_component():
    assert DICTIONARY.command("cam_capture").apid == 0x020
    assert DICTIONARY.parameters["cam_temp"].sid == 20
    assert DICTIONARY.events_by_name["boot"].component == "executive"
    assert DICTIONARY.report("image_list").apid == 0x020
    assert DICTIONARY.report("acceptance_success").apid is None   # sent from the TC's APID


@pytest.mark.parametrize(
    "apid, service, subtype, reason",
    [
        (0x7FE, 130, 3, Reason.UNKNOWN_APID),
        (0x020, 131, 3, Reason.UNKNOWN_SERVICE),
        (0x020, 130, 99, Reason.UNKNOWN_SUBTYPE),
        (0x010, 130, 3, Reason.UNKNOWN_SERVICE),    # camera service on the executive's APID
    ],
)
def test_command_for_names_the_first_unknown_level(apid, service, subtype, reason):
    with pytest.raises(ProtocolError) as caught:
        DICTIONARY.command_for(apid, service, subtype)
    assert caught.value.reason == reason


def test_parse_args_turns_words_into_checked_values():
    assert DICTIONARY.parse_args("cam_configure", ["exposure=0x64", "filters=7", "tdi=4", "compression=none"]) == {
        "exposure": 100, "filters": 7, "tdi": 4, "compression": "none",
    }
    assert DICTIONARY.parse_args("cam_capture", []) == {}
    # a bit mask by number or by its flags' names
    named = DICTIONARY.parse_args("cam_configure", ["exposure=5", "filters=red+green+blue", "tdi=2"])
    assert named == DICTIONARY.parse_args("cam_configure", ["exposure=5", "filters=7", "tdi=2"])
    assert named["filters"] == 7


def test_the_filter_mask_is_declared_once_for_command_housekeeping_and_reports():
    configure = {f.name: f for f in DICTIONARY.command("cam_configure").args}["filters"]
    masks = [configure, DICTIONARY.parameters["cam_filters"].as_field(),
             {f.name: f for f in DICTIONARY.report("image_meta").fields}["filters"],
             {f.name: f for f in DICTIONARY.report("image_list").fields[0].items}["filters"]]
    assert all(m.flags == (("red", 1), ("green", 2), ("blue", 4), ("methane", 8)) for m in masks)
    assert configure.flag_names(10) == ("green", "methane")


@pytest.mark.parametrize(
    "name, words, reason, text",
    [
        ("cam_zoom", [], Reason.UNKNOWN_SUBTYPE, "unknown command 'cam_zoom'"),
        ("cam_capture", ["framelets"], Reason.BAD_ARGUMENT, "'framelets' is not name=value"),
        ("cam_capture", ["frames=3"], Reason.BAD_ARGUMENT,
         "cam_capture has no argument 'frames' (did you mean framelets?) (arguments: framelets)"),
        ("ping", ["x=1"], Reason.BAD_ARGUMENT, "(arguments: none)"),
        ("cam_capture", ["framelets=many"], Reason.BAD_ARGUMENT, "framelets='many' is not a valid u8"),
        ("cam_capture", ["framelets=65"], Reason.ARG_OUT_OF_RANGE, "framelets=65 outside [1, 64]"),
        ("cam_configure", ["exposure=10"], Reason.BAD_ARGUMENT, "missing arguments filters, tdi"),
        ("cam_power", ["state=dim"], Reason.ARG_OUT_OF_RANGE, "not one of off, on"),
        ("cam_configure", ["exposure=5", "filters=red+uv", "tdi=1"], Reason.ARG_OUT_OF_RANGE,
         "'uv' is not one of red, green, blue, methane"),
        ("cam_configure", ["exposure=5", "filters=none", "tdi=1"], Reason.ARG_OUT_OF_RANGE, "filters=0 outside [1, 15]"),
    ],
)
def test_parse_args_errors_name_the_problem(name, words, reason, text):
    with pytest.raises(ProtocolError) as caught:
        DICTIONARY.parse_args(name, words)
    assert caught.value.reason == reason and text in str(caught.value)


def test_build_tc_uses_the_commands_opcode_and_header_options():
    tc = DICTIONARY.build_tc("cam_capture", {"framelets": 8}, seq_count=5)
    assert (tc.apid, tc.service, tc.subtype, tc.app_data, tc.seq_count) == (0x020, 130, 3, b"\x08", 5)


@pytest.mark.parametrize(
    "tm, reason",
    [
        (TmPacket(0x11, 3, 25, b""), Reason.BAD_ARGUMENT),              # no structure id
        (TmPacket(0x11, 3, 25, b"\xee"), Reason.BAD_ARGUMENT),          # unknown structure id
        (TmPacket(0x11, 3, 25, b"\x01"), Reason.BAD_LENGTH),            # structure without values
        (TmPacket(0x12, 5, 1, b"\x00"), Reason.BAD_LENGTH),             # event without an id
        (TmPacket(0x12, 5, 1, b"\xff\xff"), Reason.BAD_ARGUMENT),       # unknown event id
        (TmPacket(0x10, 200, 200), Reason.UNKNOWN_SUBTYPE),             # no such report
    ],
)
def test_decode_tm_rejects_what_the_dictionary_does_not_know(tm, reason):
    with pytest.raises(ProtocolError) as caught:
        DICTIONARY.decode_tm(tm)
    assert caught.value.reason == reason


def test_calibrate_keeps_enum_names_and_applies_polynomials():
    assert DICTIONARY.calibrate({"cam_temp": 2550, "heater_mode": "anneal", "anneals": 3}) == {
        "cam_temp": pytest.approx(25.5), "heater_mode": "anneal", "anneals": 3,
    }

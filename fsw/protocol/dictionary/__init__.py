"""The dictionary model: commands, telemetry parameters, events and reports, indexed.

A Dictionary takes the components' declarations (the mission's are assembled in fsw/dictionary.py),
indexes them, checks that no name, opcode, APID, structure id or event id is used twice, and
hashes the whole to a 32-bit version that flight reports and ground compares.
"""

import difflib
import hashlib
import json
import math
import struct
from dataclasses import asdict, dataclass, replace
from functools import cached_property

from ..pus import TcPacket, TmPacket
from ..reasons import ProtocolError, Reason
from .codec import FieldCodec, parse_text
from .model import Application, Command, Event, Field, Parameter, Report, Severity, enum, flags

__all__ = [
    "Command", "Application", "Dictionary", "Event", "Field", "FieldCodec", "HkLayout", "Parameter",
    "Report", "Severity", "did_you_mean", "enum", "flags", "parse_text",
]

HK_REPORT = (3, 25)
EVENT_SERVICE = 5


def did_you_mean(name: str, known) -> str:
    """ ' (did you mean X?)' for a misspelt name, or nothing."""
    near = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {near[0]}?)" if near else ""


@dataclass(frozen=True)
class HkLayout:
    """One housekeeping parameter's place in its reports, and its raw values made engineering ones
    a batch at a time, checked as decode_tm checks them: what a reader of many reports needs to
    take one value from each without decoding the rest (an archive query)."""

    parameter: Parameter
    offset: int                 # in the report's data, the structure id octet included
    number: struct.Struct       # the raw value's wire form
    size: int                   # the report data's length: one of another length is another layout

    def engineering(self, raws: list) -> list:
        """Engineering values of raw ones (enum names, calibrated numbers); None where a raw value
        is not one the declaration allows."""
        parameter = self.parameter
        if parameter.enum:
            return list(map(dict((number, name) for name, number in parameter.enum).get, raws))
        low, high = parameter.as_field().bounds
        if not raws or (low <= min(raws) and max(raws) <= high and all(map(math.isfinite, raws))):
            allowed = raws      # the whole batch in range: one pass in C, not one check per value
        else:
            allowed = [raw if low <= raw <= high and math.isfinite(raw) else None for raw in raws]
        if parameter.type == "bool":
            return [None if raw is None else bool(raw) for raw in allowed]
        calibration = parameter.calibration
        if len(calibration) == 2:
            offset, gain = calibration
            return [None if raw is None else offset + gain * raw for raw in allowed]
        if calibration:
            return [None if raw is None else parameter.calibrate(raw) for raw in allowed]
        return allowed


class Dictionary:
    def __init__(self, components: list[Application]):
        self.components = tuple(self._own(c) for c in components)
        self.commands: dict[str, Command] = {}
        self._by_opcode: dict[tuple[int, int, int], Command] = {}
        self.parameters: dict[str, Parameter] = {}
        self.structures: dict[int, tuple[Parameter, ...]] = {}
        self.events: dict[int, Event] = {}
        self.events_by_name: dict[str, Event] = {}
        self.reports: dict[str, Report] = {}
        self._reports_by_type: dict[tuple[int, int], Report] = {}
        self.apids: dict[int, Application] = {}
        for component in self.components:
            self._index(component)
        self._command_codecs = {name: FieldCodec(c.args, strict_flags=True) for name, c in self.commands.items()}
        self._report_codecs = {name: FieldCodec(r.fields) for name, r in self.reports.items()}
        self._event_codecs = {i: FieldCodec(e.args) for i, e in self.events.items()}
        self._hk_codecs = {
            sid: FieldCodec(tuple(p.as_field() for p in params))
            for sid, params in self.structures.items()
        }

    @staticmethod
    def _own(component: Application) -> Application:
        """Stamp each declaration with what it inherits from its component."""
        return replace(
            component,
            commands=tuple(replace(c, apid=component.apid) for c in component.commands),
            parameters=tuple(replace(p, sid=component.sid) for p in component.parameters),
            events=tuple(replace(e, component=component.name) for e in component.events),
            reports=tuple(
                r if r.apid is not None or component.apid is None else replace(r, apid=component.apid)
                for r in component.reports
            ),
        )

    def _index(self, component: Application) -> None:
        def claim(table, key, value, what):
            if key in table:
                raise ValueError(f"{what} {key!r} declared twice ({component.name})")
            table[key] = value

        if component.apid is not None:
            claim(self.apids, component.apid, component, "APID")
        if component.parameters:
            if component.sid is None:
                raise ValueError(f"{component.name} has parameters but no structure id")
            claim(self.structures, component.sid, component.parameters, "structure id")
        for command in component.commands:
            claim(self.commands, command.name, command, "command")
            claim(self._by_opcode, (command.apid, command.service, command.subtype), command, "opcode")
        for parameter in component.parameters:
            claim(self.parameters, parameter.name, parameter, "parameter")
        for event in component.events:
            claim(self.events, event.id, event, "event id")
            claim(self.events_by_name, event.name, event, "event")
        for report in component.reports:
            claim(self.reports, report.name, report, "report")
            claim(self._reports_by_type, (report.service, report.subtype), report, "report type")

    # -- commands --
    def command(self, name: str) -> Command:
        try:
            return self.commands[name]
        except KeyError:
            raise ProtocolError(Reason.UNKNOWN_SUBTYPE, f"unknown command {name!r}{did_you_mean(name, self.commands)}"
                                ) from None

    def command_for(self, apid: int, service: int, subtype: int) -> Command:
        """The command a TC addresses, or ProtocolError naming the first unknown level."""
        command = self._by_opcode.get((apid, service, subtype))
        if command is not None:
            return command
        if apid not in self.apids:
            raise ProtocolError(Reason.UNKNOWN_APID, f"APID 0x{apid:03X}")
        if not any(k[0] == apid and k[1] == service for k in self._by_opcode):
            raise ProtocolError(Reason.UNKNOWN_SERVICE, f"service {service} on APID 0x{apid:03X}")
        raise ProtocolError(Reason.UNKNOWN_SUBTYPE, f"subtype {service},{subtype} on APID 0x{apid:03X}")

    def encode_args(self, name: str, args: dict) -> bytes:
        return self._command_codecs[self.command(name).name].encode(args)

    def decode_args(self, command: Command, app_data: bytes) -> dict:
        return self._command_codecs[command.name].decode(app_data)

    def check_args(self, name: str, args: dict) -> dict:
        return self._command_codecs[self.command(name).name].check_values(args)

    def parse_args(self, name: str, words: list[str]) -> dict:
        """`name=value` words typed by a person into checked argument values."""
        command = self.command(name)
        fields = {f.name: f for f in command.args}
        values = {}
        for word in words:
            key, sep, text = word.partition("=")
            if not sep:
                raise ProtocolError(Reason.BAD_ARGUMENT, f"{word!r} is not name=value")
            if key not in fields:
                known = ", ".join(fields) or "none"
                raise ProtocolError(Reason.BAD_ARGUMENT, f"{name} has no argument {key!r}"
                                    f"{did_you_mean(key, fields)} (arguments: {known})")
            if key in values:
                # the last would silently win: a person who typed two values meant one of them
                raise ProtocolError(Reason.BAD_ARGUMENT, f"{key} given twice ({name} takes one {key}=)")
            values[key] = parse_text(fields[key], text)
        self.check_args(name, values)
        return values

    def build_tc(self, name: str, args: dict | None = None, **header) -> TcPacket:
        command = self.command(name)
        return TcPacket(command.apid, command.service, command.subtype, self.encode_args(name, args or {}), **header)

    # -- telemetry --
    def report(self, name: str) -> Report:
        return self.reports[name]

    def report_for(self, service: int, subtype: int) -> Report | None:
        return self._reports_by_type.get((service, subtype))

    def check_report(self, name: str, values: dict) -> dict:
        return self._report_codecs[name].check_values(values)

    def encode_report(self, name: str, values: dict) -> bytes:
        return self._report_codecs[name].encode(values)

    def encode_hk(self, sid: int, values: dict) -> bytes:
        return bytes([sid]) + self._hk_codecs[sid].encode(values)

    def hk_layout(self, name: str) -> HkLayout:
        """Where a housekeeping parameter sits in its report's data (the structure id first), so
        that a reader of many reports can take that one value from each (an archive query)."""
        parameter = self.parameters[name]
        codec = self._hk_codecs[parameter.sid]
        offset, number = codec.field_layout(name)
        return HkLayout(parameter, 1 + offset, number, 1 + codec.size)

    def encode_event(self, name: str, args: dict) -> tuple[int, bytes]:
        """(PUS-5 subtype, data) for an event."""
        event = self.events_by_name[name]
        return int(event.severity), event.id.to_bytes(2, "big") + self._event_codecs[event.id].encode(args)

    def decode_tm(self, tm: TmPacket) -> dict:
        """What a TM packet says, by the dictionary: kind, name and fields."""
        key = (tm.service, tm.subtype)
        if key == HK_REPORT:
            if not tm.data or tm.data[0] not in self._hk_codecs:
                raise ProtocolError(Reason.BAD_ARGUMENT, "unknown housekeeping structure")
            raw = self._hk_codecs[tm.data[0]].decode(tm.data[1:])
            return {"kind": "housekeeping", "name": f"sid{tm.data[0]}", "sid": tm.data[0], "fields": raw}
        if tm.service == EVENT_SERVICE and 1 <= tm.subtype <= 4:
            if len(tm.data) < 2:
                raise ProtocolError(Reason.BAD_LENGTH, "event report without an id")
            event_id = int.from_bytes(tm.data[:2], "big")
            event = self.events.get(event_id)
            if event is None:
                raise ProtocolError(Reason.BAD_ARGUMENT, f"unknown event id {event_id}")
            args = self._event_codecs[event_id].decode(tm.data[2:])
            return {"kind": "event", "name": event.name, "severity": event.severity.name.lower(), "fields": args}
        report = self._reports_by_type.get(key)
        if report is None:
            raise ProtocolError(Reason.UNKNOWN_SUBTYPE, f"no report {tm.service},{tm.subtype} in the dictionary")
        return {"kind": "report", "name": report.name, "fields": self._report_codecs[report.name].decode(tm.data)}

    def calibrate(self, sid_fields: dict) -> dict:
        """Housekeeping raw values to engineering values (enums stay names)."""
        return {
            name: raw if isinstance(raw, str) else self.parameters[name].calibrate(raw)
            for name, raw in sid_fields.items()
        }

    # -- identity and exports --
    def to_json(self) -> dict:
        return {"version": f"{self.version:08x}", "components": [asdict(c) for c in self.components]}

    @cached_property
    def version(self) -> int:
        canonical = json.dumps([asdict(c) for c in self.components], sort_keys=True, default=str)
        return int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:4], "big")


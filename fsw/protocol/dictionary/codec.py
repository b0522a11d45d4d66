"""Encode and decode typed field lists (command arguments, report fields, event arguments).

Each field list becomes one compiled construct Struct. Decoding untrusted bytes checks the exact
length, every range and every enum explicitly, because compiled parsers check nothing.
"""

import math
import struct
from datetime import datetime
from functools import cached_property
from io import BytesIO
from operator import le

import construct

from ..compiled import Flat
from ..cuc import datetime_to_cuc_seconds
from ..reasons import ProtocolError, Reason
from .model import FLOAT_TYPES, Field

_WIRE = {
    "u8": construct.Int8ub,
    "u16": construct.Int16ub,
    "u32": construct.Int32ub,
    "i8": construct.Int8sb,
    "i16": construct.Int16sb,
    "i32": construct.Int32sb,
    "f32": construct.Float32b,
    "bool": construct.Int8ub,
    "enum": construct.Int8ub,
    "bytes": construct.GreedyBytes,
}
_CONTEXT = {"_params": {}}


def _construct_for(field: Field):
    if field.type == "list":
        return construct.PrefixedArray(construct.Int16ub, _struct_for(field.items))
    return _WIRE[field.type]


def _struct_for(fields: tuple[Field, ...]) -> construct.Struct:
    return construct.Struct(*(f.name / _construct_for(f) for f in fields))


class FieldCodec:
    """The wire form of an ordered tuple of fields.

    strict_flags: refuse bit masks with undeclared bits set. Commands are strict (flight must not
    act on a bit nobody defined); telemetry shows what flight sent, undeclared bits included.
    """

    def __init__(self, fields: tuple[Field, ...], strict_flags: bool = False):
        self.fields = fields
        self.strict_flags = strict_flags
        self.declaration = _struct_for(fields)
        variable = any(f.type in ("bytes", "list") for f in fields)
        self.size = None if variable else self.declaration.sizeof()
        # fixed layouts of numbers (most reports, every housekeeping structure) pack in one call
        self._flat = None if variable else Flat(*self.declaration.subcons)
        if self._flat is not None:
            # what decode() checks, laid out for one pass over all the values at once
            self._names = tuple(f.name for f in fields)
            self._lows, self._highs = zip(*(f.bounds for f in fields)) if fields else ((), ())
            self._enum_names = tuple((f.name, {n: label for label, n in f.enum}) for f in fields if f.type == "enum")
            self._bools = tuple(f.name for f in fields if f.type == "bool")
            self._checks_flags = strict_flags and any(f.flags for f in fields)

    def field_layout(self, name: str) -> tuple[int, struct.Struct]:
        """(offset, struct.Struct) of one field of a fixed layout."""
        if self._flat is None:
            raise ValueError(f"{name}: not in a fixed layout")
        return self._flat.field(name)

    def _decode_in_range(self, values: tuple) -> dict | None:
        """The fields of a flat layout when every value is one its field allows (checked for all
        fields in one pass in C: NaN and infinities fail the range too), else None."""
        if self._checks_flags or not (all(map(le, self._lows, values)) and all(map(le, values, self._highs))):
            return None
        decoded = dict(zip(self._names, values))
        for name, labels in self._enum_names:
            label = labels.get(decoded[name])
            if label is None:
                return None
            decoded[name] = label
        for name in self._bools:
            decoded[name] = bool(decoded[name])
        return decoded

    @cached_property
    def _compiled(self):
        # compiled when first needed: most layouts are flat and never need it, and compiling every
        # one cost each ground process start tens of milliseconds
        return self.declaration.compile()

    # -- building (trusted side: values were checked by check_values) --
    def encode(self, values: dict) -> bytes:
        checked = self.check_values(values)
        if self._flat is not None:
            return self._flat.pack(*checked.values())
        stream = BytesIO()
        self._compiled.buildfunc(checked, stream, _CONTEXT)
        return stream.getvalue()

    def check_values(self, values: dict) -> dict:
        """Complete defaults, map enum names to numbers, check types and ranges."""
        unknown = set(values) - {f.name for f in self.fields}
        if unknown:
            raise ProtocolError(Reason.BAD_ARGUMENT, f"unknown argument(s): {', '.join(sorted(unknown))}")
        missing = [f.name for f in self.fields if values.get(f.name, f.default) is None]
        if missing:     # all of them at once: one try, not one per missing argument
            raise ProtocolError(Reason.BAD_ARGUMENT, f"missing argument{'s' * (len(missing) > 1)} {', '.join(missing)}")
        return {f.name: _check_value(f, values.get(f.name, f.default), self.strict_flags) for f in self.fields}

    # -- parsing (untrusted side) --
    def decode(self, data: bytes) -> dict:
        if self.size is not None and len(data) != self.size:
            raise ProtocolError(Reason.BAD_LENGTH, f"expected {self.size} octets of fields, got {len(data)}")
        if self._flat is not None:
            values = self._flat.unpack_from(data)
            decoded = self._decode_in_range(values)
            if decoded is not None:
                return decoded
            # something out of range: the check of each field, which says which and why
            return {f.name: _check_decoded(f, v, self.strict_flags) for f, v in zip(self.fields, values)}
        stream = BytesIO(data)
        try:
            parsed = self._compiled.parsefunc(stream, _CONTEXT)
        except struct.error:
            # compiled parsers read with struct: a count or prefix that runs past the end
            raise ProtocolError(Reason.BAD_LENGTH, "fields end before their declared items") from None
        except (construct.ConstructError, ValueError) as error:
            raise ProtocolError(Reason.BAD_ARGUMENT, f"fields do not decode: {error}") from None
        if stream.tell() != len(data):
            raise ProtocolError(Reason.BAD_LENGTH, f"{len(data) - stream.tell()} octet(s) left over")
        return {f.name: _check_decoded(f, parsed[f.name], self.strict_flags) for f in self.fields}


def _check_value(field: Field, value, strict_flags: bool = False):
    if value is None:
        raise ProtocolError(Reason.BAD_ARGUMENT, f"missing argument {field.name}")
    if field.type == "bytes":
        if not isinstance(value, (bytes, bytearray)):
            raise ProtocolError(Reason.BAD_ARGUMENT, f"{field.name} must be bytes")
        return bytes(value)
    if field.type == "list":
        codec = FieldCodec(field.items, strict_flags)
        return [codec.check_values(item) for item in value]
    if field.type == "enum" and isinstance(value, str):
        number = _enum_number(field, value)
        if number is None:
            choices = ", ".join(name for name, _ in field.enum)
            raise ProtocolError(Reason.ARG_OUT_OF_RANGE, f"{field.name}={value!r} is not one of {choices}")
        return number
    if field.type == "bool" and isinstance(value, bool):
        return int(value)
    if is_time(field) and isinstance(value, (str, datetime)):     # a date, from a script or a request
        value = _onboard_seconds(field, value) if isinstance(value, str) else int(datetime_to_cuc_seconds(value))
    if field.type in FLOAT_TYPES:
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ProtocolError(Reason.BAD_ARGUMENT, f"{field.name} must be a finite number")
        value = float(value)
    elif not isinstance(value, int) or isinstance(value, bool):
        raise ProtocolError(Reason.BAD_ARGUMENT, f"{field.name} must be an integer")
    _check_range(field, value)
    if strict_flags:
        _check_flags(field, value)
    return value


def _enum_number(field: Field, text: str) -> int | None:
    """An enum's number by its name, whatever the case (state=ON is state=on)."""
    number = field.enum_value(text)
    if number is None:
        number = next((n for label, n in field.enum if label.lower() == text.lower()), None)
    return number


def _flags_value(field: Field, names: list[str]) -> int:
    """A mask from flag names, whatever their case ('none' alone is no bit, unless a flag has that name)."""
    lowered = {label.lower(): label for label, _ in field.flags}
    names = [lowered.get(name.lower(), name) for name in names]
    if names == ["none"] and "none" not in dict(field.flags):
        return 0
    try:
        return field.flag_value(names)
    except ValueError as error:
        raise ProtocolError(Reason.ARG_OUT_OF_RANGE, str(error)) from None


def _check_flags(field: Field, value: int) -> None:
    if field.flags and field.undeclared_bits(value):
        declared = ", ".join(f"{bit} {name}" for name, bit in field.flags)
        raise ProtocolError(Reason.ARG_OUT_OF_RANGE,
                            f"{field.name}={value} sets undeclared bits 0x{field.undeclared_bits(value):X} "
                            f"(bits: {declared})")


def _check_range(field: Field, value) -> None:
    low, high = field.bounds
    if not low <= value <= high:
        raise ProtocolError(Reason.ARG_OUT_OF_RANGE, f"{field.name}={value} outside [{low}, {high}]")
    if field.type == "enum" and field.enum_name(value) is None:
        raise ProtocolError(Reason.ARG_OUT_OF_RANGE, f"{field.name}={value} is not a declared value")


def _check_decoded(field: Field, value, strict_flags: bool = False):
    if field.type == "bytes":
        return bytes(value)
    if field.type == "list":
        return [{f.name: _check_decoded(f, item[f.name], strict_flags) for f in field.items} for item in value]
    if field.type in FLOAT_TYPES and not math.isfinite(value):
        raise ProtocolError(Reason.ARG_OUT_OF_RANGE, f"{field.name} is not a finite number")
    _check_range(field, value)
    if strict_flags:
        _check_flags(field, value)
    if field.type == "enum":
        return field.enum_name(value)
    if field.type == "bool":
        return bool(value)
    return value


def parse_text(field: Field, text: str):
    """A value typed by a person (command line, console) as the field's Python type.

    A bit mask takes a number or its flags' names joined by '+' (filters=red+green or filters=3)."""
    if field.flags and not _is_int(text):
        return _flags_value(field, text.split("+"))
    if field.type == "enum" and not _is_int(text):
        # ProtocolError is a ValueError: raise it outside the try below
        number = _enum_number(field, text)
        if number is None:
            choices = ", ".join(name for name, _ in field.enum)
            raise ProtocolError(Reason.ARG_OUT_OF_RANGE, f"{field.name}={text!r} is not one of {choices}")
        return field.enum_name(number)
    if is_time(field) and not _is_number(text):
        return _onboard_seconds(field, text)
    try:
        if field.type == "enum":
            return int(text, 0)
        if field.type == "bool":
            lowered = text.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(text)
        if field.type in FLOAT_TYPES:
            return float(text)
        if field.type == "bytes":
            return bytes.fromhex(text)
        if field.type == "list":
            raise ValueError("lists cannot be typed")
        return int(text, 0)
    except ValueError:
        raise ProtocolError(
            Reason.BAD_ARGUMENT, f"{field.name}={text!r} is not a valid {field.type}"
        ) from None


def is_time(field: Field) -> bool:
    """An on-board time (CUC seconds since 2000-01-01), as opposed to a duration in seconds."""
    return field.unit == "s" and "CUC" in field.description


def _onboard_seconds(field: Field, text: str) -> int:
    """An ISO date-time (UTC unless it says otherwise) as on-board seconds."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ProtocolError(Reason.BAD_ARGUMENT, f"{field.name}={text!r} is neither on-board seconds nor an "
                            "ISO date-time (2023-12-30T08:21:00)") from None
    return int(datetime_to_cuc_seconds(when))


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return _is_int(text)


def _is_int(text: str) -> bool:
    try:
        int(text, 0)
        return True
    except ValueError:
        return False

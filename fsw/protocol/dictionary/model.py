"""The dictionary's vocabulary: commands, telemetry parameters, events and report packets.

Components declare these beside their behaviour (fsw/<component>/dictionary.py); the
Dictionary collects them and everything else derives from it: ground validation, the argument
codecs, docs/ICD.md, the XTCE export and the firmware header.
"""

from dataclasses import dataclass, field
from enum import IntEnum

# wire types: name -> (construct field name, low, high)
INTEGER_TYPES = {
    "u8": (0, 0xFF),
    "u16": (0, 0xFFFF),
    "u32": (0, 0xFFFFFFFF),
    "i8": (-0x80, 0x7F),
    "i16": (-0x8000, 0x7FFF),
    "i32": (-0x80000000, 0x7FFFFFFF),
    "bool": (0, 1),
    "enum": (0, 0xFF),
}
FLOAT_TYPES = {"f32": (-3.4e38, 3.4e38)}
# octets of each fixed-size wire type (variable types have none): one table for every layout
WIRE_SIZE = {"u8": 1, "i8": 1, "bool": 1, "enum": 1, "u16": 2, "i16": 2, "u32": 4, "i32": 4, "f32": 4}
VARIABLE_TYPES = ("bytes", "list")   # bytes: the rest of the packet; list: u16 count + items
WIRE_TYPES = (*INTEGER_TYPES, *FLOAT_TYPES, *VARIABLE_TYPES)
FLAG_TYPES = {"u8": 8, "u16": 16, "u32": 32}   # wire types a bit mask may use, with their widths


class Severity(IntEnum):
    """PUS-5 event report subtypes."""

    INFO = 1
    LOW = 2
    MEDIUM = 3
    HIGH = 4


def _check_flags(name: str, wire_type: str, flags: tuple, enum_values: tuple) -> None:
    if not flags:
        return
    if wire_type not in FLAG_TYPES or enum_values:
        raise ValueError(f"{name}: flag bits need an unsigned integer wire type (u8, u16, u32) and no enum")
    names = [label for label, _ in flags]
    bits = [bit for _, bit in flags]
    if len(set(names)) != len(names) or len(set(bits)) != len(bits):
        raise ValueError(f"{name}: flag names and bits must be unique")
    if any(not label or "+" in label for label in names):
        raise ValueError(f"{name}: flag names are not empty and have no '+' (it joins them)")
    if any(bit <= 0 or bit & (bit - 1) or bit >> FLAG_TYPES[wire_type] for bit in bits):
        raise ValueError(f"{name}: each flag is one bit of the {wire_type}")


class FlagBits:
    """Names for the bits of a mask (a Field's or Parameter's `flags`), both ways."""

    name: str
    flags: tuple[tuple[str, int], ...]

    def flag_names(self, value: int) -> tuple[str, ...]:
        """The names of the declared bits set in value, lowest bit first; other bits are ignored."""
        return tuple(label for label, bit in sorted(self.flags, key=lambda f: f[1]) if value & bit)

    def flag_value(self, names) -> int:
        """The mask with the named bits set; ValueError names an unknown flag."""
        bits = dict(self.flags)
        value = 0
        for label in names:
            if label not in bits:
                raise ValueError(f"{self.name}: {label!r} is not one of {', '.join(bits)}")
            value |= bits[label]
        return value

    def undeclared_bits(self, value: int) -> int:
        """The bits of value that no flag names (0 when all are declared)."""
        return value & ~sum(bit for _, bit in self.flags)


@dataclass(frozen=True)
class Field(FlagBits):
    """One typed value on the wire: a command argument, a report field or an event argument."""

    name: str
    type: str
    unit: str = ""
    description: str = ""
    min: float | None = None
    max: float | None = None
    enum: tuple[tuple[str, int], ...] = ()
    default: object = None
    items: tuple["Field", ...] = ()   # the fields of each item of a list
    flags: tuple[tuple[str, int], ...] = ()   # a bit mask: (name, bit value) per declared bit

    def __post_init__(self):
        if self.type not in WIRE_TYPES:
            raise ValueError(f"{self.name}: unknown wire type {self.type!r}")
        if self.type == "enum" and not self.enum:
            raise ValueError(f"{self.name}: an enum needs its values")
        if self.type == "list" and not self.items:
            raise ValueError(f"{self.name}: a list needs its item fields")
        _check_flags(self.name, self.type, self.flags, self.enum)

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The accepted range: the declared one, else what the wire type can hold."""
        natural = INTEGER_TYPES.get(self.type) or FLOAT_TYPES.get(self.type)
        if natural is None:
            return None
        low = natural[0] if self.min is None else self.min
        high = natural[1] if self.max is None else self.max
        return low, high

    def enum_name(self, value: int) -> str | None:
        return next((name for name, number in self.enum if number == value), None)

    def enum_value(self, name: str) -> int | None:
        return next((number for label, number in self.enum if label == name), None)


def enum(*names: str) -> tuple[tuple[str, int], ...]:
    """Enum values numbered from 0 in the order given."""
    return tuple((name, number) for number, name in enumerate(names))


def flags(*names: str) -> tuple[tuple[str, int], ...]:
    """Flag bits from the least significant up, in the order given: 1, 2, 4, ..."""
    return tuple((name, 1 << bit) for bit, name in enumerate(names))


@dataclass(frozen=True)
class Command:
    name: str
    service: int
    subtype: int
    description: str
    args: tuple[Field, ...] = ()
    hazardous: bool = False     # needs a preceding `arm` naming it
    safe: bool = False          # accepted in safe mode
    apid: int = 0               # filled in from the owning component


@dataclass(frozen=True)
class Parameter(FlagBits):
    """A housekeeping parameter. Raw values go on the wire; calibration makes engineering units."""

    name: str
    type: str
    unit: str = ""
    description: str = ""
    calibration: tuple[float, ...] = ()   # polynomial raw -> engineering, lowest order first
    yellow: tuple[float, float] | None = None
    red: tuple[float, float] | None = None
    enum: tuple[tuple[str, int], ...] = ()
    flags: tuple[tuple[str, int], ...] = ()
    sid: int = 0                # filled in from the owning component

    def __post_init__(self):
        if self.type not in INTEGER_TYPES and self.type not in FLOAT_TYPES:
            raise ValueError(f"{self.name}: housekeeping parameters are fixed-size numbers")
        _check_flags(self.name, self.type, self.flags, self.enum)

    def calibrate(self, raw: float) -> float:
        if not self.calibration:
            return raw
        return sum(c * raw**power for power, c in enumerate(self.calibration))

    def decalibrate(self, value: float) -> float:
        """Engineering value back to raw, for the linear calibrations the flight side uses."""
        if not self.calibration:
            return value
        if len(self.calibration) != 2:
            raise ValueError(f"{self.name}: only linear calibrations invert")
        offset, gain = self.calibration
        return (value - offset) / gain

    def limit_state(self, value: float) -> str:
        """'red', 'yellow' or 'nominal' for an engineering value."""
        if self.red and not self.red[0] <= value <= self.red[1]:
            return "red"
        if self.yellow and not self.yellow[0] <= value <= self.yellow[1]:
            return "yellow"
        return "nominal"

    def as_field(self) -> Field:
        return Field(self.name, self.type, self.unit, self.description, enum=self.enum, flags=self.flags)


@dataclass(frozen=True)
class Event:
    id: int
    name: str
    severity: Severity
    description: str
    args: tuple[Field, ...] = ()
    component: str = ""         # filled in from the owning component


@dataclass(frozen=True)
class Report:
    """A TM packet type with a fixed layout of fields (other than housekeeping and events)."""

    name: str
    service: int
    subtype: int
    description: str
    fields: tuple[Field, ...] = ()
    apid: int | None = None     # None: sent from the APID of the command it answers


@dataclass(frozen=True)
class Application:
    """What one on-board application owns: its APID, housekeeping structure and dictionary."""

    name: str
    description: str
    apid: int | None = None
    sid: int | None = None      # housekeeping structure id for its parameters
    commands: tuple[Command, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    events: tuple[Event, ...] = ()
    reports: tuple[Report, ...] = field(default_factory=tuple)

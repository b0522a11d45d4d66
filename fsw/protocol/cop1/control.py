"""Frame types and the two COP-1 control commands (CCSDS 232.0-B 4.1.3.3, 232.1-B-2 2.2.3).

The TC frame header's flags give the type: bypass 0 control 0 = Type-AD (sequence-controlled),
bypass 1 control 0 = Type-BD (expedited), bypass 1 control 1 = Type-BC (a control command);
bypass 0 control 1 is no type at all. A Type-BC frame's data field holds one command:
Unlock = 0x00, Set V(R) = 0x82 0x00 N.
"""

from dataclasses import dataclass
from enum import Enum

UNLOCK = "unlock"
SET_VR = "set_vr"


class FrameType(Enum):
    AD = "AD"
    BD = "BD"
    BC = "BC"
    INVALID = "invalid"     # bypass 0 with control 1


def frame_type(bypass: bool, control: bool) -> FrameType:
    if control:
        return FrameType.BC if bypass else FrameType.INVALID
    return FrameType.BD if bypass else FrameType.AD


@dataclass(frozen=True, slots=True)
class ControlCommand:
    kind: str               # UNLOCK or SET_VR
    value: int = 0          # the new V(R) of a Set V(R)


def unlock() -> bytes:
    return b"\x00"


def set_vr(value: int) -> bytes:
    if not 0 <= value <= 0xFF:
        raise ValueError(f"V(R) {value} is not 0..255")
    return bytes((0x82, 0x00, value))


def decode_control(data: bytes) -> ControlCommand | None:
    """The control command a Type-BC data field holds, or None when it holds none."""
    if data == b"\x00":
        return ControlCommand(UNLOCK)
    if len(data) == 3 and data[0] == 0x82 and data[1] == 0x00:
        return ControlCommand(SET_VR, data[2])
    return None

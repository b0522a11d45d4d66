"""COP-1 (CCSDS 232.1-B-2): the FARM-1 receiving end (on board) and the FOP-1 sending end (ground).

Pure state machines over frames and CLCWs: no I/O, no clocks of their own (the FOP is given the
time), so flight, ground, the HIL suite and the benchmarks drive the same engines.
"""

from .control import SET_VR, UNLOCK, ControlCommand, FrameType, decode_control, frame_type, set_vr, unlock
from .farm import DEFAULT_WINDOW, Farm, FarmVerdict
from .fop import DirectiveRejected, Fdu, Fop, FopOutput, FopSettings

__all__ = ["DEFAULT_WINDOW", "SET_VR", "UNLOCK", "ControlCommand", "DirectiveRejected", "Farm", "FarmVerdict",
           "Fdu", "Fop", "FopOutput", "FopSettings", "FrameType",
           "decode_control", "frame_type", "set_vr", "unlock"]

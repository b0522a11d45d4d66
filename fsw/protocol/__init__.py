"""The ICD as code: packets, frames, byte-stream framing, CRC and the dictionary.

Pure functions and small state machines over bytes; no I/O and no threads. Flight, ground,
the HIL suite and the firmware header generator all import it.
"""

from .crc import crc16, crc_ok
from .framing import ASM, Deframer, Rejected, tc_deframer, tm_deframer
from .pus import TcPacket, TmPacket, decode_tc, decode_tm, encode_tc, encode_tm
from .reasons import ProtocolError, Reason
from .stack import Received, TcReceiver, TcSender, TmReceiver, TmSender
from .tcframe import SPACECRAFT_ID, TcFrame, decode_tc_frame, encode_tc_frame
from .tmframe import TM_FRAME_LEN, TM_FRAME_LEN_SMALL, TmDemultiplexer, TmFrame, TmMultiplexer

__all__ = [
    "ASM", "Deframer", "ProtocolError", "Reason", "Received", "Rejected", "SPACECRAFT_ID",
    "TM_FRAME_LEN", "TM_FRAME_LEN_SMALL", "TcFrame", "TcPacket", "TcReceiver", "TcSender",
    "TmDemultiplexer", "TmFrame", "TmMultiplexer", "TmPacket", "TmReceiver", "TmSender",
    "crc16", "crc_ok", "decode_tc", "decode_tc_frame", "decode_tm", "encode_tc",
    "encode_tc_frame", "encode_tm", "tc_deframer", "tm_deframer",
]

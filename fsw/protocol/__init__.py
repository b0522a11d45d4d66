"""The ICD as code: packets, frames, byte-stream framing, CRC and the dictionary.

Pure functions and small state machines over bytes; no I/O and no threads. Flight, ground,
the HIL suite and the firmware header generator all import it.
"""

# Names are imported from their modules on first use (PEP 562): a tool that needs one constant
# does not pay for construct and every layer's parsers at start-up.
_HOME = {
    "ASM": "framing",
    "Deframer": "framing",
    "ProtocolError": "reasons",
    "Reason": "reasons",
    "Received": "stack",
    "Rejected": "framing",
    "SPACECRAFT_ID": "constants",
    "TM_FRAME_LEN": "constants",
    "TM_FRAME_LEN_SMALL": "constants",
    "TcFrame": "tcframe",
    "TcPacket": "pus",
    "TcReceiver": "stack",
    "TcSender": "stack",
    "TmDemultiplexer": "tmframe",
    "TmFrame": "tmframe",
    "TmMultiplexer": "tmframe",
    "TmPacket": "pus",
    "TmReceiver": "stack",
    "TmSender": "stack",
    "crc16": "crc",
    "crc_ok": "crc",
    "decode_tc": "pus",
    "decode_tc_frame": "tcframe",
    "decode_tm": "pus",
    "encode_tc": "pus",
    "encode_tc_frame": "tcframe",
    "encode_tm": "pus",
    "tc_deframer": "framing",
    "tm_deframer": "framing",
}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_HOME})

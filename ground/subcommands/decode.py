"""`ground decode [HEX | -]`: packets, frames or a framed byte stream as JSON lines.

One line per packet, with the dictionary's reading of it (command and arguments, report,
event or housekeeping fields with calibrated values and limit states); one line per rejected
byte span, frame or packet, with its reason. Exit status: 0 all decoded, 1 something was
rejected, 2 the input itself was unusable (not hex, empty).
"""

import json
import sys

from fsw.dictionary import load
from fsw.protocol.clcw import Clcw
from fsw.protocol.cuc import cuc_to_datetime
from fsw.protocol.framing import ASM, tc_deframer, tm_deframer
from fsw.protocol.pus import decode_tc, decode_tm
from fsw.protocol.reasons import ProtocolError, Reason
from fsw.protocol.spacepacket import PRIMARY_HEADER_LEN, packet_length
from fsw.protocol.tcframe import decode_tc_frame, tc_frame_length
from fsw.protocol.tmframe import TM_FRAME_LEN, TmDemultiplexer, decode_tm_frame

from ..cli import UsageError

# PUS-1 failure reports carry a reason code: name it
_REASON_FIELDS = {"reason", "last_reason"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "decode",
        help="decode packets, frames or a framed stream into JSON lines",
        description="Decode a TC or TM packet, a TC or TM frame, or an ASM-framed byte stream. "
        "Input: a hex argument, or raw bytes on standard input (`-` or no argument).",
    )
    parser.add_argument("data", nargs="?", default="-", metavar="HEX", help="hex digits, or - for raw stdin")
    parser.add_argument("--tm-frame-len", type=int, default=TM_FRAME_LEN, metavar="N",
                        help=f"TM frame length of the link (default {TM_FRAME_LEN})")
    parser.set_defaults(run=run)


def run(args) -> int:
    if not 16 <= args.tm_frame_len <= 2048:
        raise UsageError(f"--tm-frame-len {args.tm_frame_len} outside [16, 2048]")
    data = _read_input(args.data)
    decoder = _Decoder(args.tm_frame_len)
    for line in decoder.decode(data):
        print(json.dumps(line, default=_jsonable))
    return 1 if decoder.rejections else 0


def _read_input(text: str) -> bytes:
    if text == "-":
        data = sys.stdin.buffer.read()
        if not data:
            raise UsageError("no input on standard input")
        return data
    digits = "".join(text.split()).replace(":", "")
    if digits[:2].lower() == "0x":
        digits = digits[2:]
    if not digits:
        raise UsageError("no hex digits given")
    if len(digits) % 2:
        raise UsageError(f"odd number of hex digits ({len(digits)})")
    try:
        return bytes.fromhex(digits)
    except ValueError:
        bad = next(i for i, c in enumerate(digits) if c not in "0123456789abcdefABCDEF")
        raise UsageError(f"not hex: {digits[bad]!r} at position {bad}") from None


def _jsonable(value):
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return str(value)


def _rejected(layer: str, error: ProtocolError, **where) -> dict:
    return {"kind": "rejected", "layer": layer, "reason": error.reason.label, "code": int(error.reason),
            "detail": error.detail, **where}


class _Decoder:
    def __init__(self, tm_frame_len: int):
        self.tm_frame_len = tm_frame_len
        self.dictionary = load()
        self.rejections = 0

    def decode(self, data: bytes) -> list[dict]:
        lines = self._stream(data) if ASM in data else self._single(data)
        self.rejections = sum(1 for line in lines if line["kind"] == "rejected")
        return lines

    # -- one packet or one frame, no ASM --
    def _single(self, data: bytes) -> list[dict]:
        attempts = [("packet", self._packet), ("tc_frame", self._tc_frame), ("tm_frame", self._tm_frame)]
        failures = {}
        for layer, attempt in attempts:
            try:
                return attempt(data)
            except ProtocolError as error:
                failures[layer] = error
        # report the failure of what the bytes claim to be
        if len(data) >= PRIMARY_HEADER_LEN and packet_length(data) == len(data):
            return [_rejected("packet", failures["packet"])]
        if len(data) >= 5 and tc_frame_length(data) == len(data):
            return [_rejected("tc_frame", failures["tc_frame"])]
        if len(data) == self.tm_frame_len:
            return [_rejected("tm_frame", failures["tm_frame"])]
        return [_rejected("input", ProtocolError(
            Reason.BAD_LENGTH, f"{len(data)} octets are not a packet, a TC frame, a "
            f"{self.tm_frame_len}-octet TM frame or an ASM-framed stream"))]

    def _packet(self, data: bytes) -> list[dict]:
        is_tc = len(data) > 0 and bool(data[0] & 0x10)
        return [self.tc_line(decode_tc(data)) if is_tc else self.tm_line(decode_tm(data))]

    def _tc_frame(self, data: bytes) -> list[dict]:
        frame = decode_tc_frame(data, scid=None)
        return self._tc_in_frame(frame)

    def _tm_frame(self, data: bytes) -> list[dict]:
        decode_tm_frame(data, len(data), scid=None)   # raises before anything is printed
        return self._tm_frames([data], TmDemultiplexer(len(data), scid=None), frame_lines=True)

    # -- a framed byte stream --
    def _stream(self, data: bytes) -> list[dict]:
        """TC or TM: whichever deframer finds more frames (a TM stream is junk to a TC deframer)."""
        tc_spans, tm_spans = [], []
        tc = tc_deframer(on_reject=tc_spans.append)
        tm = tm_deframer(self.tm_frame_len, on_reject=tm_spans.append)
        tc_frames = tc.feed(data) + tc.flush()
        tm_frames = tm.feed(data) + tm.flush()
        if tm_frames and len(tm_frames) > len(tc_frames):
            lines = self._tm_frames(tm_frames, TmDemultiplexer(self.tm_frame_len, scid=None))
            spans = tm_spans
        else:
            lines = []
            for raw in tc_frames:
                try:
                    lines += self._tc_in_frame(decode_tc_frame(raw, scid=None))
                except ProtocolError as error:
                    lines.append(_rejected("tc_frame", error))
            spans = tc_spans
        lines += [
            _rejected("stream", ProtocolError(span.reason, str(span)), offset=span.offset, length=span.length)
            for span in spans
        ]
        return lines

    def _tc_in_frame(self, frame) -> list[dict]:
        where = {"frame": {"vcid": frame.vcid, "sequence": frame.sequence, "scid": frame.scid,
                           "bypass": frame.bypass, "control": frame.control}}
        try:
            return [{**self.tc_line(decode_tc(frame.data)), **where}]
        except ProtocolError as error:
            return [_rejected("packet", error, **where)]

    def _tm_frames(self, frames: list[bytes], demux: TmDemultiplexer, frame_lines: bool = False) -> list[dict]:
        lines = []
        for raw in frames:
            result = demux.feed(raw)
            if frame_lines and result.frame is not None:
                lines.append(self.tm_frame_line(result.frame))
            lines += [_rejected("tm_frame", error) for error in result.errors]
            for packet in result.packets:
                try:
                    lines.append({**self.tm_line(decode_tm(packet)), "vcid": result.frame.vcid})
                except ProtocolError as error:
                    lines.append(_rejected("packet", error))
        return lines

    # -- what one packet or frame says --
    def tc_line(self, tc) -> dict:
        line = {"kind": "tc", "apid": tc.apid, "seq_count": tc.seq_count, "seq_flags": tc.seq_flags,
                "service": tc.service, "subtype": tc.subtype, "ack": tc.ack, "source_id": tc.source_id,
                "request_id": f"{tc.request_id:08x}"}
        try:
            command = self.dictionary.command_for(tc.apid, tc.service, tc.subtype)
            line["command"] = command.name
            line["args"] = self.dictionary.decode_args(command, tc.app_data)
        except ProtocolError as error:
            line["app_data"] = tc.app_data.hex()
            line["error"] = {"reason": error.reason.label, "code": int(error.reason), "detail": error.detail}
        return line

    def tm_line(self, tm) -> dict:
        line = {"kind": "tm", "apid": tm.apid, "seq_count": tm.seq_count, "service": tm.service,
                "subtype": tm.subtype, "message_counter": tm.message_counter,
                "destination_id": tm.destination_id, "time": tm.time,
                "utc": cuc_to_datetime(tm.time).isoformat().replace("+00:00", "Z")}
        try:
            meaning = self.dictionary.decode_tm(tm)
        except ProtocolError as error:
            line["data"] = tm.data.hex()
            line["error"] = {"reason": error.reason.label, "code": int(error.reason), "detail": error.detail}
            return line
        meaning = dict(meaning)
        line["type"] = meaning.pop("kind")        # housekeeping, event or report
        line.update(meaning)
        fields = meaning["fields"]
        for name in _REASON_FIELDS & fields.keys():
            if fields[name] in Reason._value2member_map_:
                line.setdefault("reason_names", {})[name] = Reason(fields[name]).label
        if line["type"] == "housekeeping":
            values = self.dictionary.calibrate(fields)
            line["values"] = values
            limits = {
                name: self.dictionary.parameters[name].limit_state(value)
                for name, value in values.items() if not isinstance(value, str)
            }
            line["limits"] = {name: state for name, state in limits.items() if state != "nominal"}
        return line

    @staticmethod
    def tm_frame_line(frame) -> dict:
        line = {"kind": "tm_frame", "scid": frame.scid, "vcid": frame.vcid, "mc_count": frame.mc_count,
                "vc_count": frame.vc_count, "first_header_pointer": frame.first_header_pointer}
        if frame.ocf is not None:
            clcw = Clcw.decode(frame.ocf)
            line["clcw"] = {"word": f"{frame.ocf:08x}", "vcid": clcw.vcid, "report_value": clcw.report_value,
                            "lockout": clcw.lockout, "wait": clcw.wait, "retransmit": clcw.retransmit}
        return line

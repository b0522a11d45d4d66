"""The whole stack in each direction, for both ends: one implementation, used by flight and ground.

Uplink:   TcSender (ground)   packet -> TC frame -> ASM-prefixed bytes
          TcReceiver (flight) bytes -> deframer -> TC frame -> TC packet (or a reason)
Downlink: TmSender (flight)   packet -> TM frames on a virtual channel -> ASM-prefixed bytes
          TmReceiver (ground) bytes -> deframer -> demultiplexer -> TM packets (or reasons)
"""

from collections import Counter
from dataclasses import dataclass

from .cop1.farm import BAD_CONTROL, INVALID_TYPE, Farm
from .framing import ASM, Rejected, tc_deframer, tm_deframer
from .pus import TcPacket, TmPacket, decode_tc, decode_tm, encode_tc, encode_tm
from .reasons import ProtocolError, Reason
from .spacepacket import PRIMARY_HEADER_LEN, TYPE_TC, TYPE_TM, check_primary_header, encode_packet, packet_apid
from .tcframe import PLAIN, SPACECRAFT_ID, TC_MAX_FRAME_LEN, TcFrame, TcLayout, decode_tc_frame, encode_tc_frame
from .tmframe import TM_FRAME_LEN, VC_IDLE, TmDemultiplexer, TmMultiplexer


@dataclass(slots=True)
class RawPacket:
    """A packet without a PUS secondary header (a CFDP PDU's): its APID and data field."""

    apid: int
    data: bytes

    @property
    def octets(self) -> int:
        return PRIMARY_HEADER_LEN + len(self.data)


class _SequenceCounters:
    """14-bit packet sequence counts, one per APID."""

    def __init__(self):
        self._next: dict[int, int] = {}

    def take(self, apid: int) -> int:
        count = self._next.get(apid, 0)
        self._next[apid] = (count + 1) & 0x3FFF
        return count

    def peek(self, apid: int) -> int:
        return self._next.get(apid, 0)


class TcSender:
    def __init__(self, scid: int = SPACECRAFT_ID, vcid: int = 0, layout: TcLayout = PLAIN):
        self.scid = scid
        self.vcid = vcid
        self.layout = layout
        self.frame_sequence = 0
        self._counts = _SequenceCounters()

    def number(self, tc: TcPacket) -> TcPacket:
        """Give a packet the next sequence count of its APID."""
        tc.seq_count = self._counts.take(tc.apid)
        return tc

    def frame(self, packet: bytes) -> bytes:
        """A Type-BD frame (expedited: the FARM takes it in any state, whatever its N(S))."""
        frame = TcFrame(self.vcid, packet, self.frame_sequence, self.scid)
        self.frame_sequence = (self.frame_sequence + 1) & 0xFF
        return ASM + encode_tc_frame(frame, self.layout)

    def send_raw_packet(self, packet: RawPacket) -> bytes:
        """Number and frame a packet without a secondary header (a CFDP PDU)."""
        return self.frame(encode_packet(TYPE_TC, packet.apid, self._counts.take(packet.apid), packet.data))

    def ad_frame(self, data: bytes, sequence: int) -> bytes:
        """A Type-AD frame with N(S) = sequence (the FOP's V(S) when it was first sent)."""
        frame = TcFrame(self.vcid, data, sequence & 0xFF, self.scid, bypass=False)
        return ASM + encode_tc_frame(frame, self.layout)

    def bc_frame(self, control: bytes) -> bytes:
        """A Type-BC frame carrying a control command (fsw.protocol.cop1.control)."""
        frame = TcFrame(self.vcid, control, 0, self.scid, bypass=True, control=True)
        return ASM + encode_tc_frame(frame, self.layout)

    def send_bytes(self, tc: TcPacket) -> bytes:
        """Number, encode and frame a packet: the bytes to write to the link."""
        return self.frame(encode_tc(self.number(tc)))

    def counters(self) -> dict:
        """The next frame sequence number and packet sequence counts (for a ground that must
        never reuse them after a restart)."""
        return {"frame_sequence": self.frame_sequence,
                "packets": {str(apid): count for apid, count in sorted(self._counts._next.items())}}

    def resume(self, counters: dict, ahead: int = 0) -> None:
        """Go on from saved counters, `ahead` of them (counts that may have been used unsaved)."""
        self.frame_sequence = (int(counters.get("frame_sequence", 0)) + ahead) & 0xFF
        for apid, count in dict(counters.get("packets", {})).items():
            self._counts._next[int(apid)] = (int(count) + ahead) & 0x3FFF

    def next_count(self, apid: int) -> int:
        return self._counts.peek(apid)


@dataclass(slots=True)
class Received:
    """One TC packet out of the uplink: decoded, or the reason it was not (with what was readable)."""

    raw: bytes
    packet: TcPacket | None = None
    error: ProtocolError | None = None
    frame_sequence: int = 0
    raw_apid: int | None = None     # a packet on one of the receiver's raw APIDs: not PUS, not decoded

    @property
    def readable_header(self) -> tuple[int, int] | None:
        """(APID, request id) from the raw primary header, for a failure report, when present."""
        if len(self.raw) < PRIMARY_HEADER_LEN:
            return None
        packet_id = int.from_bytes(self.raw[0:2], "big")
        sequence = int.from_bytes(self.raw[2:4], "big")
        return packet_id & 0x7FF, (packet_id << 16) | sequence


# FARM discards of frames that are malformed rather than out of sequence: rejected with a reason
MALFORMED = {INVALID_TYPE: Reason.BAD_FRAME_HEADER, BAD_CONTROL: Reason.BAD_ARGUMENT}


class TcReceiver:
    """Flight side of the uplink. Byte spans and frames that carry no packet are counted by
    reason and passed to on_reject(reason, octets) as they happen; packets that fail come out
    as Received items with their error. Every good frame goes through FARM-1 first: only an
    accepted Type-AD or Type-BD frame's data field reaches the packet layer (a control command,
    or a frame the FARM discarded, never does)."""

    def __init__(self, scid: int = SPACECRAFT_ID, layout: TcLayout = PLAIN, max_frame: int = TC_MAX_FRAME_LEN,
                 on_reject=None, raw_apids: frozenset = frozenset(), farm: Farm | None = None):
        self.scid = scid
        self.raw_apids = raw_apids
        self.layout = layout
        self.on_reject = on_reject
        self.farm = farm or Farm()
        self.counts: Counter[Reason] = Counter()
        self.frames_received = 0
        # ProcessSecurity (SDLS): frame bytes -> clear frame data, or ProtocolError; runs before
        # the FARM or anything else reads the frame (fsw.security.component.Security.unprotect)
        self.security = None
        self.deframer = tc_deframer(max_frame, on_reject=lambda span: self._reject(span.reason, span.length))

    def _reject(self, reason: Reason, octets: int) -> None:
        self.counts[reason] += 1
        if self.on_reject:
            self.on_reject(reason, octets)

    def feed(self, data: bytes) -> list[Received]:
        out = []
        for frame_bytes in self.deframer.feed(data):
            try:
                frame = decode_tc_frame(frame_bytes, self.scid, self.layout, fecf_checked=True)
                if self.security is not None:
                    frame.data = self.security(frame_bytes)
            except ProtocolError as error:
                self._reject(error.reason, len(frame_bytes))
                continue
            if frame.vcid != self.farm.vcid:     # the one TC virtual channel
                self._reject(Reason.BAD_FRAME_HEADER, len(frame_bytes))
                continue
            self.frames_received += 1
            verdict = self.farm.receive(frame.bypass, frame.control, frame.sequence, frame.data)
            if verdict.reason in MALFORMED:      # not a window matter: a frame no sender should build
                self._reject(MALFORMED[verdict.reason], len(frame_bytes))
            if not verdict.deliver:
                continue
            if self.raw_apids and len(frame.data) >= PRIMARY_HEADER_LEN and packet_apid(frame.data) in self.raw_apids:
                out.append(self._raw(frame))
                continue
            try:
                out.append(Received(frame.data, decode_tc(frame.data), frame_sequence=frame.sequence))
            except ProtocolError as error:
                self.counts[error.reason] += 1
                out.append(Received(frame.data, error=error, frame_sequence=frame.sequence))
        return out

    def _raw(self, frame) -> Received:
        try:
            check_primary_header(frame.data)
        except ProtocolError as error:
            self.counts[error.reason] += 1
            return Received(frame.data, error=error, frame_sequence=frame.sequence)
        return Received(frame.data, frame_sequence=frame.sequence, raw_apid=packet_apid(frame.data))

    @property
    def rejected(self) -> int:
        return sum(self.counts.values())

    @property
    def next_expected(self) -> int:
        """N(R) for the CLCW: the FARM's V(R)."""
        return self.farm.v_r


class TmSender:
    """Flight side of the downlink: numbers packets, packs them into frames, adds the ASM."""

    def __init__(self, frame_len: int = TM_FRAME_LEN, scid: int = SPACECRAFT_ID, clcw=lambda: 0):
        self.multiplexer = TmMultiplexer(frame_len, scid, clcw)
        self._counts = _SequenceCounters()
        self._message_counters: Counter[tuple[int, int]] = Counter()

    def push(self, tm: TmPacket | RawPacket, vcid: int = 0) -> None:
        if isinstance(tm, RawPacket):
            self.multiplexer.push(encode_packet(TYPE_TM, tm.apid, self._counts.take(tm.apid), tm.data), vcid)
            return
        tm.seq_count = self._counts.take(tm.apid)
        key = (tm.apid, tm.service)
        tm.message_counter = self._message_counters[key] & 0xFFFF
        self._message_counters[key] += 1
        self.multiplexer.push(encode_tm(tm), vcid)

    def output(self, flush: bool = True) -> bytes:
        """The bytes of every frame ready (with flush, nothing is left waiting)."""
        return b"".join(ASM + frame for frame in self.multiplexer.frames(flush))

    def frame(self, vcid: int, pad: bool = False) -> bytes | None:
        """One frame of one virtual channel, ASM first (see TmMultiplexer.next_frame)."""
        frame = self.multiplexer.next_frame(vcid, pad)
        return None if frame is None else ASM + frame

    def idle_frame(self) -> bytes:
        return ASM + self.multiplexer.idle_frame(VC_IDLE)

    def pending(self, vcid: int) -> int:
        """Octets of packets not yet in a frame on that channel."""
        return self.multiplexer.waiting(vcid)


class TmReceiver:
    """Ground side of the downlink. Rejections of every layer are counted by reason."""

    def __init__(self, frame_len: int = TM_FRAME_LEN, scid: int | None = SPACECRAFT_ID,
                 raw_apids: frozenset = frozenset()):
        self.raw_apids = raw_apids
        self.on_raw = None      # callback(packet bytes) for packets on raw_apids (else they are dropped)
        self.counts: Counter[Reason] = Counter()
        self.frames_received = 0
        self.packets_received = 0
        self.errors: list[ProtocolError] = []
        self.deframer = tm_deframer(frame_len, on_reject=self._on_reject)
        self.demultiplexer = TmDemultiplexer(frame_len, scid)
        self.on_frame = None    # callback(frame_bytes) for archives

    def _on_reject(self, rejected: Rejected) -> None:
        self._count(ProtocolError(rejected.reason, str(rejected)))

    def _count(self, error: ProtocolError) -> None:
        self.counts[error.reason] += 1
        self.errors.append(error)
        del self.errors[:-100]

    def feed(self, data: bytes) -> list[TmPacket]:
        packets = []
        for frame_bytes in self.deframer.feed(data):
            if self.on_frame:
                self.on_frame(frame_bytes)
            result = self.demultiplexer.feed(frame_bytes, fecf_checked=True)
            if result.frame is not None:
                self.frames_received += 1
            for error in result.errors:
                self._count(error)
            for raw in result.packets:
                if self.raw_apids and packet_apid(raw) in self.raw_apids:
                    if self.on_raw is not None:
                        self.on_raw(raw)
                    continue
                try:
                    packets.append(decode_tm(raw))
                except ProtocolError as error:
                    self._count(error)
        self.packets_received += len(packets)
        return packets

    @property
    def last_clcw(self) -> int | None:
        return self.demultiplexer.last_clcw

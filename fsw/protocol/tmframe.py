"""TM Transfer Frame (CCSDS 132.0-B), downlink, and the packet (de)multiplexing over it.

Primary header, 6 octets:
  version(2)=00 | spacecraft id(10) | virtual channel id(3) | OCF flag(1)
  master channel frame count(8) | virtual channel frame count(8)
  data field status: secondary header(1)=0 | sync(1)=0 | packet order(1)=0 |
                     segment length id(2)=11 | first header pointer(11)
then the packet zone, the 4-octet OCF (a CLCW) and the 2-octet FECF. Frames have one fixed
length per link; packets span frames, and the first header pointer says where the first packet
starting in this frame begins (0x7FF: none starts here, 0x7FE: idle data only).
"""

from dataclasses import dataclass, field

from construct import Int8ub, Int16ub, Int32ub

from .compiled import Flat
from .constants import SPACECRAFT_ID, TM_FRAME_LEN
from .crc import crc16
from .reasons import ProtocolError, Reason
from .spacepacket import IDLE_APID, MIN_PACKET_LEN, PRIMARY_HEADER_LEN, idle_packet, packet_apid, packet_length

TM_HEADER_LEN = 6
OCF_LEN = 4
FECF_LEN = 2
# virtual channels, in the order the downlink serves them (docs/ICD.md, "Virtual channels")
VC_REALTIME = 0         # PUS-1 reports, events, replies to commands: always first
VC_BULK = 1             # periodic housekeeping (thinned newest-wins), then bulk data, paced
VC_IDLE = 7             # idle frames (FHP 0x7FE), sent only to keep the CLCW flowing
FHP_NO_PACKET_START = 0x7FF
FHP_IDLE_ONLY = 0x7FE
_SEGMENT_LENGTH_ID = 0b11 << 11

TmFrameHeader = Flat(
    "id" / Int16ub,         # version(2) scid(10) vcid(3) ocf flag(1)
    "mc_count" / Int8ub,
    "vc_count" / Int8ub,
    "status" / Int16ub,     # sec hdr(1) sync(1) order(1) segment length id(2) fhp(11)
)
Ocf = Flat("clcw" / Int32ub)


def zone_length(frame_len: int) -> int:
    return frame_len - TM_HEADER_LEN - OCF_LEN - FECF_LEN


@dataclass(slots=True)
class TmFrame:
    vcid: int
    mc_count: int
    vc_count: int
    first_header_pointer: int
    zone: bytes
    ocf: int | None = 0
    scid: int = SPACECRAFT_ID


def encode_tm_frame(frame: TmFrame) -> bytes:
    has_ocf = frame.ocf is not None
    body = TmFrameHeader.pack(
        ((frame.scid & 0x3FF) << 4) | ((frame.vcid & 0x7) << 1) | int(has_ocf),
        frame.mc_count & 0xFF,
        frame.vc_count & 0xFF,
        _SEGMENT_LENGTH_ID | (frame.first_header_pointer & 0x7FF),
    ) + frame.zone
    if has_ocf:
        body += Ocf.pack(frame.ocf)
    return body + crc16(body).to_bytes(2, "big")


def decode_tm_frame(data: bytes, frame_len: int = TM_FRAME_LEN, scid: int | None = SPACECRAFT_ID,
                    fecf_checked: bool = False) -> TmFrame:
    """fecf_checked: the deframer already verified the FECF (no second CRC over the frame)."""
    if len(data) != frame_len:
        raise ProtocolError(Reason.BAD_FRAME_LENGTH, f"TM frame of {len(data)} octets, link uses {frame_len}")
    if frame_len < TM_HEADER_LEN + FECF_LEN:
        raise ProtocolError(Reason.BAD_FRAME_LENGTH, f"TM frame of {frame_len} octets is shorter than its header")
    ident, mc_count, vc_count, status = TmFrameHeader.unpack_from(data)
    if ident >> 14:
        raise ProtocolError(Reason.BAD_FRAME_HEADER, f"TM frame version {ident >> 14}")
    if not fecf_checked and crc16(data):
        raise ProtocolError(Reason.BAD_FECF, "TM frame FECF mismatch")
    if scid is not None and (ident >> 4) & 0x3FF != scid:
        raise ProtocolError(Reason.BAD_SCID, f"spacecraft id {(ident >> 4) & 0x3FF}, expected {scid}")
    has_ocf = bool(ident & 1)
    end = frame_len - FECF_LEN - (OCF_LEN if has_ocf else 0)
    if end < TM_HEADER_LEN:
        raise ProtocolError(Reason.BAD_FRAME_LENGTH, f"TM frame of {frame_len} octets has no room for its OCF")
    return TmFrame(
        vcid=(ident >> 1) & 0x7,
        mc_count=mc_count,
        vc_count=vc_count,
        first_header_pointer=status & 0x7FF,
        zone=bytes(data[TM_HEADER_LEN:end]),
        ocf=Ocf.unpack_from(data, end)[0] if has_ocf else None,
        scid=(ident >> 4) & 0x3FF,
    )


@dataclass
class _OutboundChannel:
    pending: bytearray = field(default_factory=bytearray)
    starts: list[int] = field(default_factory=list)   # offsets of packet starts in pending
    count: int = 0
    idle_tail: int = 0      # trailing octets of pending that are the spilt tail of an idle packet


class TmMultiplexer:
    """Packs packets of several virtual channels into fixed-length TM frames (flight side).

    Packets are queued per virtual channel; `frames()` returns every full frame, and with
    flush=True also completes a partial frame with an idle packet, so nothing waits.
    `next_frame(vcid)` gives one frame of one channel, for a sender that chooses the order.
    """

    def __init__(self, frame_len: int = TM_FRAME_LEN, scid: int = SPACECRAFT_ID, clcw=lambda: 0):
        self.frame_len = frame_len
        self.zone_len = zone_length(frame_len)
        self.scid = scid
        self.clcw = clcw
        self.mc_count = 0
        self._channels: dict[int, _OutboundChannel] = {}

    def push(self, packet: bytes, vcid: int = 0) -> None:
        channel = self._channels.setdefault(vcid, _OutboundChannel())
        channel.starts.append(len(channel.pending))
        channel.pending += packet
        channel.idle_tail = 0

    def pending(self, vcid: int = 0) -> int:
        channel = self._channels.get(vcid)
        return len(channel.pending) if channel else 0

    def waiting(self, vcid: int = 0) -> int:
        """Octets of packets waiting on a channel (a spilt idle tail alone does not count)."""
        channel = self._channels.get(vcid)
        return len(channel.pending) - channel.idle_tail if channel else 0

    def frames(self, flush: bool = False) -> list[bytes]:
        out = []
        for vcid, channel in self._channels.items():
            if flush and channel.starts:
                self._pad(channel)
            while len(channel.pending) >= self.zone_len:
                out.append(self._next_frame(vcid, channel))
        return out

    def next_frame(self, vcid: int, pad: bool = False) -> bytes | None:
        """The channel's next full frame; with pad, a partial one completed with idle data."""
        channel = self._channels.get(vcid)
        if channel is None or len(channel.pending) <= channel.idle_tail:
            return None
        if len(channel.pending) < self.zone_len:
            if not pad:
                return None
            self._pad(channel)
        return self._next_frame(vcid, channel)

    def _pad(self, channel: _OutboundChannel) -> None:
        gap = -len(channel.pending) % self.zone_len
        if gap:
            # a gap too small for an idle packet gets a longer one that spills its
            # tail into the next frame; the tail is dropped by APID on the ground
            size = max(gap, MIN_PACKET_LEN)
            channel.starts.append(len(channel.pending))
            channel.pending += idle_packet(size)
            channel.idle_tail = size - gap

    def idle_frame(self, vcid: int = 0) -> bytes:
        """A frame of idle data only, to keep the CLCW flowing when there is nothing to send."""
        channel = self._channels.setdefault(vcid, _OutboundChannel())
        return self._encode(vcid, channel, FHP_IDLE_ONLY, idle_packet(self.zone_len))

    def _next_frame(self, vcid: int, channel: _OutboundChannel) -> bytes:
        zone = bytes(channel.pending[: self.zone_len])
        del channel.pending[: self.zone_len]
        starts = channel.starts
        fhp = starts[0] if starts and starts[0] < self.zone_len else FHP_NO_PACKET_START
        channel.starts = [s - self.zone_len for s in starts if s >= self.zone_len]
        return self._encode(vcid, channel, fhp, zone)

    def _encode(self, vcid: int, channel: _OutboundChannel, fhp: int, zone: bytes) -> bytes:
        frame = TmFrame(vcid, self.mc_count, channel.count, fhp, zone, self.clcw(), self.scid)
        self.mc_count = (self.mc_count + 1) & 0xFF
        channel.count = (channel.count + 1) & 0xFF
        return encode_tm_frame(frame)


@dataclass
class _InboundChannel:
    buffer: bytearray = field(default_factory=bytearray)
    in_sync: bool = False
    expected_count: int | None = None


@dataclass(slots=True)
class Demuxed:
    packets: list[bytes]
    errors: list[ProtocolError]
    frame: TmFrame | None = None


class TmDemultiplexer:
    """Rebuilds packets from TM frames (ground side): frame counts, first header pointers, gaps.

    A lost frame (virtual channel count jump) drops the packet in progress and resynchronises
    at the next frame's first header pointer. Idle packets are dropped here.
    """

    def __init__(self, frame_len: int = TM_FRAME_LEN, scid: int | None = SPACECRAFT_ID):
        self.frame_len = frame_len
        self.scid = scid
        self._channels: dict[int, _InboundChannel] = {}
        self.last_clcw: int | None = None

    def feed(self, frame_bytes: bytes, fecf_checked: bool = False) -> Demuxed:
        errors: list[ProtocolError] = []
        try:
            frame = decode_tm_frame(frame_bytes, self.frame_len, self.scid, fecf_checked)
        except ProtocolError as error:
            return Demuxed([], [error])
        if frame.ocf is not None:
            self.last_clcw = frame.ocf
        channel = self._channels.setdefault(frame.vcid, _InboundChannel())
        if channel.expected_count is not None and frame.vc_count != channel.expected_count:
            lost = (frame.vc_count - channel.expected_count) & 0xFF
            errors.append(ProtocolError(Reason.FRAME_GAP, f"VC{frame.vcid}: {lost} frame(s) lost"))
            channel.buffer.clear()
            channel.in_sync = False
        channel.expected_count = (frame.vc_count + 1) & 0xFF
        fhp = frame.first_header_pointer
        zone = frame.zone
        if fhp == FHP_IDLE_ONLY:
            return Demuxed([], errors, frame)
        if channel.in_sync and fhp != FHP_NO_PACKET_START and len(channel.buffer) >= PRIMARY_HEADER_LEN:
            expected = packet_length(channel.buffer) - len(channel.buffer)
            if expected != fhp:
                errors.append(ProtocolError(Reason.BAD_LENGTH, f"VC{frame.vcid}: packet boundary disagrees with the first header pointer"))
                channel.buffer.clear()
                channel.in_sync = False
        if not channel.in_sync:
            if fhp >= len(zone):
                return Demuxed([], errors, frame)
            channel.buffer += zone[fhp:]
            channel.in_sync = True
        else:
            channel.buffer += zone
        return Demuxed(self._extract(channel), errors, frame)

    @staticmethod
    def _extract(channel: _InboundChannel) -> list[bytes]:
        packets = []
        buffer = channel.buffer
        offset = 0
        while len(buffer) - offset >= PRIMARY_HEADER_LEN:
            length = packet_length(buffer, offset)
            if len(buffer) - offset < length:
                break
            if packet_apid(buffer, offset) != IDLE_APID:
                packets.append(bytes(buffer[offset : offset + length]))
            offset += length
        del buffer[:offset]
        return packets

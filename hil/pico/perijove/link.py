"""The link: CRC-16, the uplink deframer (ASM hunt, TC frames), FARM-1 and the downlink (TM packets
with PUS-C headers in fixed-length TM frames, the CLCW in every frame's OCF). docs/ICD.md has the
wire format; CCSDS 232.1-B-2 the FARM-1 state table.
"""

import struct
from array import array

import pj_dictionary as D
from micropython import const

# CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF): packets' error control and the frames' FECF
_TABLE = array("H", [0] * 256)
for _i in range(256):
    _c = _i << 8
    for _ in range(8):
        _c = ((_c << 1) ^ 0x1021) if _c & 0x8000 else (_c << 1)
    _TABLE[_i] = _c & 0xFFFF


def crc16(data, crc=0xFFFF):
    table = _TABLE
    for octet in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ octet]
    return crc


# -- uplink ------------------------------------------------------------------------------------

_ASM = D.ASM
_ASM_LEN = const(4)
TRUNCATED_AFTER_MS = const(50)   # a frame whose rest does not come within this is given up


class Uplink:
    """Finds TC frames in the byte stream: ASM, a length in bounds, a good FECF. A failed candidate
    is skipped one octet at a time (never by its claimed length); every rejected span is reported
    once, with the reason of its first octet, when sync returns."""

    def __init__(self, on_frame, on_rejected):
        self.buffer = bytearray()
        self.on_frame = on_frame
        self.on_rejected = on_rejected
        self.span_reason = 0
        self.span_octets = 0

    def _close_span(self):
        if self.span_reason:
            self.on_rejected(self.span_reason, self.span_octets)
        self.span_reason = 0
        self.span_octets = 0

    def _skip(self, count, reason=0):
        if reason:
            self._close_span()
            self.span_reason = reason
        elif not self.span_reason:
            self.span_reason = D.REASON_JUNK
        self.span_octets += count
        self.buffer = self.buffer[count:]

    def feed(self, data, quiet_ms=0):
        """Take octets (may be empty); quiet_ms: how long the line has been silent."""
        if data:
            self.buffer += data
        buffer = self.buffer
        while buffer:
            at = buffer.find(_ASM)
            if at < 0:
                # keep a tail that may be the start of an ASM
                keep = 0
                for n in (3, 2, 1):
                    if len(buffer) >= n and buffer[-n:] == _ASM[:n]:
                        keep = n
                        break
                if len(buffer) > keep:
                    self._skip(len(buffer) - keep)
                if keep and quiet_ms >= TRUNCATED_AFTER_MS:
                    self._skip(keep)
                break
            if at:
                self._skip(at)
                buffer = self.buffer
            if len(buffer) < _ASM_LEN + D.TC_HEADER_LEN:
                if quiet_ms >= TRUNCATED_AFTER_MS:
                    self._skip(1, D.REASON_TRUNCATED)
                    buffer = self.buffer
                    continue
                break
            length = (((buffer[_ASM_LEN + 2] & 0x03) << 8) | buffer[_ASM_LEN + 3]) + 1
            if length < D.TC_MIN_FRAME_LEN or length > D.TC_MAX_FRAME_LEN:
                self._skip(1, D.REASON_BAD_FRAME_LENGTH)
                buffer = self.buffer
                continue
            if len(buffer) < _ASM_LEN + length:
                if quiet_ms >= TRUNCATED_AFTER_MS:
                    self._skip(1, D.REASON_TRUNCATED)
                    buffer = self.buffer
                    continue
                break
            frame = bytes(buffer[_ASM_LEN:_ASM_LEN + length])
            if crc16(frame):
                self._skip(1, D.REASON_BAD_FECF)
                buffer = self.buffer
                continue
            self._close_span()
            self.buffer = buffer = buffer[_ASM_LEN + length:]
            self.on_frame(frame)

    def pending(self):
        return len(self.buffer)


# -- FARM-1 (CCSDS 232.1-B-2 section 6, the contract in docs/ICD.md) -----------------------------

WINDOW = const(10)                 # W: fixed on microcontroller ports
POSITIVE_WINDOW = const(5)         # PW = W / 2
NEGATIVE_WINDOW = const(5)         # NW = W / 2
UNLOCK = b"\x00"
SET_VR = b"\x82\x00"
OPEN = D.FARM_STATE_OPEN           # farm_state in housekeeping 2
WAIT = D.FARM_STATE_WAIT
LOCKOUT = D.FARM_STATE_LOCKOUT

ACCEPT = const(0)                  # the frame's data goes on to the packet layer
CONTROL = const(1)                 # a control command was carried out; no data
DISCARD = const(2)                 # discarded (a duplicate, out of window, lockout, wait)
MALFORMED = const(3)               # discarded: a frame no sender should build (rejected, with a reason)


class Farm:
    """The receiving end of COP-1 for TC virtual channel 0, as the host's (fsw/protocol/cop1/farm.py):
    V(R), the state (Open, Wait, Lockout), the Retransmit flag and the FARM-B counter, reported in
    the CLCW, and the counts of housekeeping 2. A reset starts at V(R) = 0, Open.
    notice(event spec, *args): Lockout entered or left, V(R) set."""

    def __init__(self, notice):
        self.notice = notice
        self.vr = 0
        self.state = OPEN
        self.retransmit = False
        self.farm_b = 0
        # accepted, lockouts, retransmit, duplicates, locked_out, invalid: housekeeping 2's order
        self.counts = [0] * 6

    def clcw(self):
        # control word type 0, version 0, status 0, COP-1 in effect (01), VC 0, flags, N(R) = V(R)
        return (0x01000000 | ((self.state == LOCKOUT) << 13) | ((self.state == WAIT) << 12)
                | (self.retransmit << 11) | (self.farm_b << 9) | self.vr)

    def _count(self, which):
        self.counts[which] = (self.counts[which] + 1) & 0xFFFF

    def frame(self, bypass, control, ns, data, room):
        """Decide on one valid frame (good FECF and header). room: the board can take a frame now.
        Returns ACCEPT, CONTROL, DISCARD or MALFORMED (with the reason to reject it for)."""
        if bypass:
            if not control:                            # E6: Type-BD
                self.farm_b = (self.farm_b + 1) & 3
                return ACCEPT, 0
            unlock = data == UNLOCK
            if not unlock and not (len(data) == 3 and data[:2] == SET_VR):
                self._count(5)
                return MALFORMED, D.REASON_BAD_ARGUMENT
            self.farm_b = (self.farm_b + 1) & 3
            if unlock:                                 # E7
                if self.state == LOCKOUT:
                    self.notice(D.EVENT_FARM_UNLOCKED, self.vr)
            elif self.state == LOCKOUT:                # E8 in Lockout: nothing changes
                return CONTROL, 0
            else:                                      # E8
                self.vr = data[2]
                self.notice(D.EVENT_FARM_VR_SET, self.vr)
            self.state = OPEN
            self.retransmit = False
            return CONTROL, 0
        if control:                                    # bypass 0 with control 1: no such type
            self._count(5)
            return MALFORMED, D.REASON_BAD_FRAME_HEADER
        ahead = (ns - self.vr) & 0xFF
        if ahead == 0:
            if self.state == OPEN and room:            # E1
                self.vr = (self.vr + 1) & 0xFF
                self.retransmit = False
                self._count(0)
                return ACCEPT, 0
            if self.state == OPEN:                     # E2: no buffer free
                self.state = WAIT
                self.retransmit = True
            self._count(4 if self.state == LOCKOUT else 5)
            return DISCARD, 0
        if ahead <= POSITIVE_WINDOW - 1:               # E3
            if self.state == OPEN:
                self.retransmit = True
            self._count(2)
            return DISCARD, 0
        if ahead >= 256 - NEGATIVE_WINDOW:             # E4: a duplicate
            self._count(3)
            return DISCARD, 0
        if self.state != LOCKOUT:                      # E5
            self.state = LOCKOUT
            self._count(1)
            self.notice(D.EVENT_FARM_LOCKOUT, self.vr, ns)
        self._count(4)
        return DISCARD, 0

    def room_again(self):
        """E9, the standard's buffer release: the board can take frames again, Wait ends."""
        if self.state == WAIT:
            self.state = OPEN

    def housekeeping(self):
        c = self.counts
        return {"farm_vr": self.vr, "farm_state": self.state, "farm_accepted": c[0], "farm_lockouts": c[1],
                "farm_retransmit": c[2], "farm_duplicates": c[3], "farm_locked_out": c[4], "farm_invalid": c[5]}


# -- downlink ----------------------------------------------------------------------------------

ZONE_LEN = const(244)              # D.TM_FRAME_LEN - header - OCF - FECF (checked at import below)
assert ZONE_LEN == D.TM_FRAME_LEN - D.TM_HEADER_LEN - D.OCF_LEN - D.FECF_LEN
REALTIME_CAP = const(2048)         # octets of replies and events waiting: beyond, dropped and counted
BULK_CAP = const(4 * 244)          # housekeeping and CFDP PDUs wait in at most four frames' worth
HK_ROOM = const(2 * 244)           # bulk data leaves this much to housekeeping, which goes first
FLUSH_QUIET_MS = const(2)          # uplink silent this long: complete a partial frame now
FLUSH_MAX_AGE_MS = const(25)       # no partial frame waits longer (about one frame time at 115200)
CLCW_EVERY_MS = const(1000)        # an idle frame when nothing else went for this long
BULK_EVERY = const(4)              # after this many real-time frames in a row, bulk goes first once


def packet_len(data_len):
    return D.PRIMARY_HEADER_LEN + D.TM_SECONDARY_LEN + data_len + D.CRC_LEN


def _idle_packet(length):
    return struct.pack(">HHH", 0x0000 | D.IDLE_APID, 0xC000, length - D.PRIMARY_HEADER_LEN - 1) \
        + b"\x55" * (length - D.PRIMARY_HEADER_LEN)


class _Channel:
    def __init__(self, vcid, cap):
        self.vcid = vcid
        self.cap = cap
        self.pending = bytearray()
        self.starts = []          # offsets in pending where packets start
        self.count = 0            # virtual channel frame count
        self.first_ms = 0         # when the oldest pending octet was queued
        self.idle_tail = 0        # octets at the head of pending that are the rest of an idle packet


class Downlink:
    """Packets into TM frames: real-time (VC 0: verification, events, replies) always first, then
    bulk (VC 1: periodic housekeeping, CFDP PDUs), then idle frames (VC 7) only to keep the
    CLCW flowing. One frame goes to the UART when the line has taken the last one."""

    def __init__(self, board, clock, clcw):
        self.board = board
        self.clock = clock        # () -> (CUC seconds, 16-bit fraction)
        self.clcw = clcw          # () -> the CLCW now
        self.realtime = _Channel(D.VC_REALTIME, REALTIME_CAP)
        self.bulk = _Channel(D.VC_BULK, BULK_CAP)
        self.idle_count = 0
        self.mc_count = 0
        self.own_apids = {spec[0] for spec in D.COMMANDS} | {D.APID_EVENTS, D.APID_HOUSEKEEPING, D.CFDP_APID}
        self.sequence = {}        # APID -> next sequence count
        self.messages = {}        # (APID, service) -> next message type counter
        self.dropped = 0          # octets of packets that found no room
        self.sent_clcw = -1
        self.sent_ms = 0
        self.frames_sent = 0
        self.realtime_run = 0     # real-time frames sent in a row

    def room(self, bulk=False):
        channel = self.bulk if bulk else self.realtime
        return channel.cap - len(channel.pending)

    def _sequence(self, apid):
        # each APID of the board counts on its own; any other (a failure report to an unknown APID)
        # shares one slot, so a stream of unknown APIDs cannot grow these tables
        slot = apid if apid in self.own_apids else -1
        sequence = self.sequence.get(slot, 0)
        self.sequence[slot] = (sequence + 1) & 0x3FFF
        return slot, sequence

    def _room_for(self, channel, length):
        if len(channel.pending) + length > channel.cap:
            self.dropped += length
            return False
        if len(channel.pending) <= channel.idle_tail:
            channel.first_ms = self.board.ticks_ms()
        channel.starts.append(len(channel.pending))
        return True

    def packet(self, apid, service, subtype, data, bulk=False):
        """Queue one TM packet; False when it found no room (its sequence count is spent: the
        ground sees the gap, and the octets are counted in downlink_dropped)."""
        slot, sequence = self._sequence(apid)
        key = (slot << 8) | service if slot >= 0 else -1 - (service == 1)
        message = self.messages.get(key, 0)
        self.messages[key] = (message + 1) & 0xFFFF
        length = packet_len(len(data))
        channel = self.bulk if bulk else self.realtime
        if not self._room_for(channel, length):
            return False
        seconds, fraction = self.clock()
        head = struct.pack(">HHHBBBHHIH", 0x0800 | apid, 0xC000 | sequence, length - D.PRIMARY_HEADER_LEN - 1,
                           D.PUS_VERSION << 4, service, subtype, message, 0, seconds & 0xFFFFFFFF, fraction)
        crc = crc16(data, crc16(head))
        channel.pending += head
        channel.pending += data
        channel.pending += struct.pack(">H", crc)
        return True

    def raw_packet(self, apid, data, bulk=True):
        """Queue a packet with neither secondary header nor error control (a CFDP PDU, which
        carries its own CRC); False when it found no room, as packet()."""
        _slot, sequence = self._sequence(apid)
        channel = self.bulk if bulk else self.realtime
        if not self._room_for(channel, D.PRIMARY_HEADER_LEN + len(data)):
            return False
        channel.pending += struct.pack(">HHH", apid, 0xC000 | sequence, len(data) - 1)
        channel.pending += data
        return True

    def _frame(self, vcid, count, fhp, zone):
        clcw = self.clcw()
        head = struct.pack(">HBBH", (D.SPACECRAFT_ID << 4) | (vcid << 1) | 1, self.mc_count, count,
                           (0x3 << 11) | fhp)
        self.mc_count = (self.mc_count + 1) & 0xFF
        body = head + zone + struct.pack(">I", clcw)
        self.sent_clcw = clcw
        return D.ASM + body + struct.pack(">H", crc16(body))

    def _take(self, channel, pad):
        pending = channel.pending
        spill = 0
        if len(pending) < ZONE_LEN:
            if not pad:
                return None
            gap = ZONE_LEN - len(pending)
            # a gap too small for an idle packet takes a longer one that spills into the next frame
            spill = 0 if gap >= D.MIN_PACKET_LEN else ZONE_LEN
            channel.starts.append(len(pending))
            pending += _idle_packet(gap + spill)
        starts = channel.starts
        fhp = starts[0] if starts and starts[0] < ZONE_LEN else D.FHP_NO_PACKET_START
        zone = bytes(pending[:ZONE_LEN])
        channel.pending = pending[ZONE_LEN:]
        channel.starts = [s - ZONE_LEN for s in starts if s >= ZONE_LEN]
        channel.idle_tail = spill      # what stays is only idle: it waits for real packets to follow it
        channel.first_ms = self.board.ticks_ms()
        frame = self._frame(channel.vcid, channel.count, fhp, zone)
        channel.count = (channel.count + 1) & 0xFF
        return frame

    def poll(self, uplink_quiet_ms, bulk_coming):
        """Send one frame if the line is free: full real-time, a real-time partial once the uplink
        is quiet (or it is old), bulk likewise (unless more bulk is coming), else idle for the CLCW."""
        board = self.board
        if not board.tx_idle():
            return
        now = board.ticks_ms()
        frame = None
        order = ((self.realtime, False), (self.bulk, bulk_coming))
        if self.realtime_run >= BULK_EVERY:
            order = (order[1], order[0])  # a real-time backlog never starves housekeeping for long
        for channel, more in order:
            if not channel.pending:
                continue
            if len(channel.pending) <= channel.idle_tail:
                continue                           # only an idle packet's spilled tail: nothing to say
            old = now - channel.first_ms >= FLUSH_MAX_AGE_MS
            pad = (uplink_quiet_ms >= FLUSH_QUIET_MS and not more) or old
            frame = self._take(channel, pad)
            if frame:
                break
        if frame is None and (self.clcw() != self.sent_clcw or now - self.sent_ms >= CLCW_EVERY_MS):
            frame = self._frame(D.VC_IDLE, self.idle_count, D.FHP_IDLE_ONLY, _idle_packet(ZONE_LEN))
            self.idle_count = (self.idle_count + 1) & 0xFF
        if frame:
            self.realtime_run = self.realtime_run + 1 if frame[5] >> 1 & 7 == D.VC_REALTIME else 0
            board.write(frame)
            self.sent_ms = now
            self.frames_sent += 1

"""FARM-1 on board (CCSDS 232.1-B-2 section 6): TC frames built by hand, the CLCW read from every
TM frame that comes down.

The expectations are worked out by hand from the standard's FARM-1 state table (table 6-1) for
the sliding window W = 10 (PW = NW = 5), every sum modulo 256:

- Type-AD with N(S) = V(R): accepted, V(R) + 1, Retransmit off (E2);
- V(R) < N(S) <= V(R) + PW - 1: discarded, Retransmit on (E3);
- V(R) - NW <= N(S) < V(R): discarded, nothing else (E4);
- anywhere else: discarded, Lockout on (E5); in Lockout every Type-AD frame is discarded;
- Type-BD and Type-BC: FARM-B counter + 1 in every state (E6-E8); Unlock clears Lockout, Wait
  and Retransmit (E7); Set V(R) sets V(R) and clears Wait and Retransmit, and in Lockout is only
  counted (E8); bypass 0 with control 1 is no frame type at all (CCSDS 232.0-B): refused.

CLCW layout (232.0-B 4.2): type 0, version 00, status 000, COP in effect 01, VCID, spare,
no RF, no bit lock, lockout (bit 13 from the right), wait (12), retransmit (11), FARM-B counter
(10-9), spare, N(R) (7-0).
"""

import time
from collections import Counter, defaultdict

import pytest

from fsw.dictionary import load
from fsw.link import open_link
from fsw.protocol import ASM, TcFrame, TcPacket, TmDemultiplexer, decode_tm, encode_tc, encode_tc_frame, tm_deframer
from fsw.protocol.cfdp import CFDP_APID
from fsw.protocol.clcw import Clcw
from fsw.protocol.pus import ACK_ALL
from fsw.protocol.spacepacket import packet_apid
from hil.plugin import needs, new_target
from hil.tests.test_commands import bulk_downlink

W = 10
PW = NW = W // 2
UNLOCK = b"\x00"                      # CCSDS 232.1-B-2 2.2.3: the Unlock control command


def set_vr(value: int) -> bytes:      # ... and Set V(R): 0x82 0x00 then the new V(R)
    return bytes((0x82, 0x00, value))


DICTIONARY = load()
EVENT = {event.name: event.id for event in DICTIONARY.events.values()}
FRAME_REJECTED = EVENT["frame_rejected"]
SEGMENT = (DICTIONARY.report("image_segment").service, DICTIONARY.report("image_segment").subtype)
COMPLETION = 7


class Line:
    """A raw line to a board: frames go up exactly as built; TM frames come down one at a time,
    each one's CLCW kept with the reports and events it carried."""

    def __init__(self, target):
        self.link = target.link if target.link is not None else open_link(
            target.port, getattr(target, "baud", None) or 115200)
        frame_len = target.capabilities.frame_len
        self.deframer = tm_deframer(frame_len)
        self.demux = TmDemultiplexer(frame_len)
        self.packet_count = 0
        self.clcw: Clcw | None = None
        self.reports: dict[int, list[tuple[int, Clcw]]] = defaultdict(list)   # request id -> (subtype, CLCW)
        self.events: list[tuple[int, bytes]] = []
        self.other: Counter[tuple[int, int]] = Counter()                    # other packets by (service, subtype)
        self.pdus = 0                                                       # CFDP PDUs (no PUS header)
        self.frames: list[tuple[float, Clcw, int]] = []                      # (arrival, CLCW, packets)
        # a board that authenticates its uplink (SDLS) gets each frame protected as it goes, as
        # the ground's own: the FARM only ever sees frames that passed ProcessSecurity
        self.security = None
        if "sdls" in target.capabilities.features:
            from ground.uplink_security import load

            self.security = load(target.key_file)

    def close(self) -> None:
        self.link.close()

    # uplink
    def frame(self, sequence: int, data: bytes, bypass: bool = False, control: bool = False) -> None:
        self.send(TcFrame(vcid=0, data=data, sequence=sequence & 0xFF, bypass=bypass, control=control))

    def encoded(self, frames: list[TcFrame]) -> bytes:
        """Frames on the byte stream, each behind its ASM, protected afresh on a secured uplink."""
        if self.security is None:
            return b"".join(ASM + encode_tc_frame(tc) for tc in frames)
        return b"".join(self.security.protect([ASM + encode_tc_frame(tc, self.security.layout) for tc in frames]))

    def send(self, tc: TcFrame) -> None:
        """A frame as built (protected afresh on a secured uplink: a resent frame is the same
        frame to the FARM, not a replay to SDLS)."""
        self.last_tc = tc
        self.link.write(self.encoded([tc]))

    def packet(self, name: str, ack: int = ACK_ALL, **args) -> tuple[int, bytes]:
        """A command (every verification report asked for, by default): its request id and packet."""
        spec = DICTIONARY.commands[name]
        tc = TcPacket(spec.apid, spec.service, spec.subtype, DICTIONARY.encode_args(name, args),
                      seq_count=self.packet_count, ack=ack)
        self.packet_count = (self.packet_count + 1) & 0x3FFF
        return tc.request_id, encode_tc(tc)

    def command(self, sequence: int, name: str = "ping", *, bypass: bool = False, control: bool = False,
                **args) -> int:
        """One command in a frame, sent: its request id."""
        request, packet = self.packet(name, **args)
        self.frame(sequence, packet, bypass=bypass, control=control)
        return request

    def control(self, data: bytes) -> None:
        self.frame(0, data, bypass=True, control=True)

    # downlink
    def poll(self, timeout: float = 0.05) -> None:
        for frame in self.deframer.feed(self.link.read(4096, timeout)):
            result = self.demux.feed(frame, fecf_checked=True)
            if result.frame is None or result.frame.ocf is None:
                continue
            self.clcw = Clcw.decode(result.frame.ocf)
            self.frames.append((time.monotonic(), self.clcw, len(result.packets)))
            for raw in result.packets:
                if packet_apid(raw) == CFDP_APID:
                    self.pdus += 1
                    continue
                packet = decode_tm(raw)
                if packet.service == 1:
                    self.reports[int.from_bytes(packet.data[:4], "big")].append((packet.subtype, self.clcw))
                elif packet.service == 5:
                    self.events.append((int.from_bytes(packet.data[:2], "big"), packet.data[2:]))
                else:
                    self.other[packet.service, packet.subtype] += 1

    def until(self, condition, timeout: float = 10.0, what: str = "the board"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.poll()
            value = condition()
            if value:
                return value
        raise AssertionError(f"{what}: not seen within {timeout} s (last CLCW {self.clcw})")

    def completed(self, request_id: int) -> Clcw:
        """Wait for the command's completion report: the CLCW of the frame that carried it, which
        left after the board had taken the command's frame."""
        def clcw():
            return next((c for subtype, c in self.reports[request_id] if subtype == COMPLETION), None)
        return self.until(clcw, what=f"completion of request 0x{request_id:08x}")

    def clcw_where(self, **fields) -> Clcw:
        return self.until(lambda: self.clcw if self.clcw and all(
            getattr(self.clcw, k) == v for k, v in fields.items()) else None, what=f"a CLCW with {fields}")

    def reset_farm(self, vr: int) -> int:
        """Unlock, then Set V(R): the FARM Open, expecting vr. Returns the FARM-B counter after
        (read with a Type-BD ping behind them: its reply's frame left after both were taken)."""
        self.control(UNLOCK)
        self.control(set_vr(vr))
        clcw = self.completed(self.command(0, bypass=True))
        assert (clcw.report_value, clcw.lockout, clcw.wait, clcw.retransmit) == (vr, False, False, False)
        return clcw.farm_b_counter


def expected(n_r: int, farm_b: int, lockout: bool = False, retransmit: bool = False) -> Clcw:
    return Clcw(vcid=0, report_value=n_r & 0xFF, cop_in_effect=1, lockout=lockout, retransmit=retransmit,
                farm_b_counter=farm_b & 3)


def open_line(target) -> Line:
    line = Line(target)
    line.until(lambda: line.clcw, what="a first TM frame")
    return line


@pytest.fixture(scope="module")
def line(hil_target, request):
    """A board of its own for this module (the FARM tests move V(R) and lock it out)."""
    needs(hil_target, "farm")
    target = new_target(hil_target, request)
    target.start()
    probe = open_line(target)
    yield probe
    probe.close()
    target.stop()


@pytest.fixture
def farm(hil_target):
    """Skips a test on a target without FARM-1 before any fixture after it starts a board."""
    needs(hil_target, "farm")


def test_a_board_out_of_reset_expects_frame_zero_and_takes_type_ad_from_there(farm, fresh_target):
    line = open_line(fresh_target)
    try:
        # Open, V(R) = 0, no flags, no Type-B frame counted: the whole word worked out by hand
        assert line.clcw.encode() == 0x01000000 and line.clcw == expected(0, 0)
        assert line.completed(line.command(0)) == expected(1, 0)
        assert line.completed(line.command(1)) == expected(2, 0)
    finally:
        line.close()


def test_type_ad_frames_in_sequence_are_accepted_across_the_wrap(line):
    farm_b = line.reset_farm(253)
    for sequence in (253, 254, 255, 0, 1):
        clcw = line.completed(line.command(sequence))
        assert clcw == expected(sequence + 1, farm_b)   # V(R) + 1 each, modulo 256
    assert clcw.encode() == 0x01000002 | (farm_b << 9)


def test_a_frame_ahead_in_the_positive_window_is_discarded_and_asks_for_retransmission(line):
    farm_b = line.reset_farm(10)
    skipped = line.command(12)                                  # 10 < 12 <= 10 + PW - 1: E3
    assert line.clcw_where(retransmit=True) == expected(10, farm_b, retransmit=True)
    assert line.completed(line.command(10)) == expected(11, farm_b)     # E2 clears Retransmit
    assert line.completed(line.command(11)) == expected(12, farm_b)
    assert line.reports[skipped] == []                          # the discarded frame never ran


def test_a_frame_in_the_negative_window_is_a_duplicate_and_discarded(line):
    farm_b = line.reset_farm(20)
    first = line.command(20)
    line.completed(first)
    line.send(line.last_tc)                                     # the same frame again: N(S) = V(R) - 1
    edge = line.command(21 - NW)                                # the window's far edge, V(R) - NW
    assert line.completed(line.command(21)) == expected(22, farm_b)     # no Lockout, no Retransmit
    assert [subtype for subtype, _ in line.reports[first]].count(COMPLETION) == 1
    assert line.reports[edge] == []


@pytest.mark.parametrize("offset, lockout, retransmit", [
    (PW - 1, False, True),     # V(R) + PW - 1: the positive window's last number
    (PW, True, False),         # V(R) + PW: outside, E5
    (-NW, False, False),       # V(R) - NW: the negative window's last number, E4
    (-NW - 1, True, False),    # V(R) - NW - 1: outside, E5
])
def test_the_window_edges(line, offset, lockout, retransmit):
    farm_b = line.reset_farm(100)
    discarded = line.command(100 + offset)
    # a BD ping after it: its completion's frame left after the AD frame was judged
    clcw = line.completed(line.command(0, bypass=True))
    assert clcw == expected(100, farm_b + 1, lockout=lockout, retransmit=retransmit)
    assert line.reports[discarded] == []


def test_lockout_holds_until_unlock(line):
    farm_b = line.reset_farm(30)
    line.command(30 + PW)                                       # E5: Lockout
    assert line.clcw_where(lockout=True).encode() == 0x01002000 | ((farm_b & 3) << 9) | 30
    in_sequence = line.command(30)                              # discarded in Lockout, even N(S) = V(R)
    line.control(set_vr(40))                                    # E8 in Lockout: counted, not executed
    bypass = line.command(0, bypass=True)                       # E6: Type-BD still goes through
    assert line.completed(bypass) == expected(30, farm_b + 2, lockout=True)
    assert line.reports[in_sequence] == []
    line.control(UNLOCK)                                        # E7: Open again, V(R) kept
    assert line.clcw_where(lockout=False) == expected(30, farm_b + 3)
    assert line.completed(line.command(30)) == expected(31, farm_b + 3)


def test_set_v_r_moves_the_expected_number_and_clears_retransmit(line):
    farm_b = line.reset_farm(0)
    line.command(2)                                             # E3: Retransmit on
    line.clcw_where(retransmit=True)
    line.control(set_vr(200))                                   # E8 in Open
    assert line.clcw_where(report_value=200) == expected(200, farm_b + 1)
    assert line.completed(line.command(200)) == expected(201, farm_b + 1)


def test_the_farm_b_counter_counts_type_bd_and_bc_frames_only(line):
    farm_b = line.reset_farm(50)
    assert line.completed(line.command(50)).farm_b_counter == farm_b & 3       # Type-AD: not counted
    for step in range(1, 5):                                                    # BD, BC, BD, BC
        if step % 2:
            assert line.completed(line.command(0, bypass=True)) == expected(51, farm_b + step)
        else:
            line.control(set_vr(51))
            assert line.clcw_where(farm_b_counter=(farm_b + step) & 3) == expected(51, farm_b + step)
    # a Type-BC frame that holds no control command: refused, counted as rejected, not by FARM-B
    line.control(b"\x01")
    line.until(lambda: any(event == FRAME_REJECTED for event, _ in line.events), what="frame_rejected")
    assert line.completed(line.command(51)) == expected(52, farm_b + 4)


def test_a_control_flag_without_bypass_is_refused(line):
    farm_b = line.reset_farm(60)
    line.events.clear()
    refused = line.command(60, control=True)                    # bypass 0, control 1: no type
    line.until(lambda: any(event == FRAME_REJECTED for event, _ in line.events), what="frame_rejected")
    assert line.completed(line.command(60)) == expected(61, farm_b)     # V(R) and FARM-B untouched
    assert line.reports[refused] == []


def test_idle_frames_carry_the_clcw_at_least_once_a_second(line, hil_target):
    farm_b = line.reset_farm(70)
    sids = sorted(hil_target.capabilities.hk_sids)
    for sid in sids:                                            # a quiet board: no periodic telemetry
        line.completed(line.command(0, "hk_disable", bypass=True, sid=sid))
    farm_b += len(sids)
    try:
        time.sleep(0.5)
        line.poll()
        start = len(line.frames)
        line.until(lambda: time.monotonic() - line.frames[start - 1][0] > 3.0 and len(line.frames) > start,
                   timeout=10, what="3 s of quiet")
        quiet = line.frames[start - 1:]
        gaps = [later[0] - earlier[0] for earlier, later in zip(quiet, quiet[1:])]
        assert max(gaps) <= 1.5, gaps                           # at least once a second, with margin
        assert all(clcw == expected(70, farm_b) for _, clcw, _ in quiet)
        # a change goes down at once: a discarded frame changes only the CLCW
        sent, seen = time.monotonic(), len(line.frames)
        line.command(72)
        line.clcw_where(retransmit=True)
        arrived = next(at for at, clcw, _ in line.frames[seen:] if clcw.retransmit)
        assert arrived - sent < 0.8
    finally:
        for sid in sids:
            line.completed(line.command(0, "hk_enable", bypass=True, sid=sid))


def test_a_window_of_type_ad_frames_during_an_image_downlink_runs_each_command_once(line, hil_target):
    # K = PW frames with long replies, back to back, while an image downlink keeps the TM buffers
    # busy. Should one arrive in sequence with no room for its replies, it is discarded with Wait
    # and Retransmit on (E1) and Wait goes off once there is room (E10): sending again from N(R),
    # as FOP-1 does, every command runs exactly once
    needs(hil_target, commands=("cam_power", "cam_configure", "cam_capture", "hk_oneshot"))
    if hil_target.capabilities.file_delivery == "segments":
        needs(hil_target, commands=("cam_downlink",))
    farm_b = line.reset_farm(150)
    line.completed(line.command(0, "cam_power", bypass=True, state="on"))
    line.until(lambda: any(event == EVENT["cam_ready"] for event, _ in line.events), timeout=60, what="cam_ready")
    line.completed(line.command(0, "cam_configure", bypass=True, exposure=20, filters=7, tdi=1))
    line.events.clear()
    line.completed(line.command(0, "cam_capture", bypass=True, framelets=1))
    image_id = line.until(lambda: next((int.from_bytes(args[:2], "big") for event, args in line.events
                                        if event == EVENT["image_captured"]), None), what="image_captured")
    name, args = bulk_downlink(hil_target, image_id)
    line.command(0, name, bypass=True, **args)
    line.until(lambda: line.other[SEGMENT] or line.pdus, what="the downlink's first segment or PDU")
    first, count = 150, PW
    frames = {}
    for sequence in range(first, first + count):          # K = PW frames, back to back
        request, packet = line.packet("hk_oneshot", sid=max(hil_target.capabilities.hk_sids))
        frames[sequence] = (request, TcFrame(0, packet, sequence, bypass=False))
    line.link.write(line.encoded([frame for _, frame in frames.values()]))
    deadline = time.monotonic() + 60
    while line.clcw.report_value != (first + count) & 0xFF:
        assert time.monotonic() < deadline, f"stuck at {line.clcw}"
        line.poll()
        if line.clcw.retransmit and not line.clcw.wait:   # as FOP-1 does: again from N(R)
            line.link.write(line.encoded([frames[n][1] for n in range(line.clcw.report_value, first + count)]))
            line.until(lambda: not line.clcw.retransmit or line.clcw.wait, what="the retransmission taken")
    for request, _ in frames.values():
        line.completed(request)
        assert [subtype for subtype, _ in line.reports[request]].count(COMPLETION) == 1
    assert line.clcw == expected(first + count, farm_b + 4)


def test_a_frame_the_board_cannot_take_sets_wait_until_it_can(line, hil_target):
    # Type-BD one-shot reports with no verification asked (70 octets down for 25 up) outrun the
    # downlink until the board has no room for a command's replies; Type-AD frames in sequence
    # among them: one that arrives then is discarded with Wait and Retransmit on (E1), Wait goes
    # off once there is room (E10), and sent again from N(R) each command runs once
    # farm_wait: a board whose downlink a flood of one-shot reports outruns (the Arduino at 115200
    # baud); a host's keeps up, so its Wait flag never rises this way
    needs(hil_target, "farm_wait", commands=("hk_oneshot",))
    sid = max(hil_target.capabilities.hk_sids)

    def flood(count: int) -> bytes:
        return b"".join(ASM + encode_tc_frame(TcFrame(0, line.packet("hk_oneshot", ack=0, sid=sid)[1], 0))
                        for _ in range(count))

    refusals = 0
    for first in (180, 200, 220):             # which frame meets a full downlink varies: up to three tries
        line.reset_farm(first)
        end = (first + PW) & 0xFF
        frames = {}
        for sequence in range(first, first + PW):
            request, packet = line.packet("ping")
            frames[sequence] = (request, ASM + encode_tc_frame(TcFrame(0, packet, sequence, bypass=False)))
        line.link.write(flood(20) + b"".join(flood(6) + frame for _, frame in frames.values()) + flood(6))
        deadline = time.monotonic() + 60
        resent = 0.0
        while line.clcw.report_value != end or line.clcw.retransmit:
            assert time.monotonic() < deadline, f"stuck at {line.clcw}"
            line.poll()
            assert not line.clcw.lockout, line.clcw
            # refused in sequence (E1): Retransmit on, and Wait until there is room (E10); once
            # Wait is off, again from N(R), as FOP-1 would (and again after T1 = 0.5 s)
            if line.clcw.retransmit and not line.clcw.wait and time.monotonic() - resent > 0.5:
                refusals += 1
                resent = time.monotonic()
                line.link.write(b"".join(frames[n][1] for n in range(line.clcw.report_value, first + PW)))
        for request, _ in frames.values():
            line.completed(request)
            assert [subtype for subtype, _ in line.reports[request]].count(COMPLETION) == 1
        if refusals:
            break
    assert refusals, "the board took every frame: the flood never filled its downlink"

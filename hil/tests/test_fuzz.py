"""Fuzzing behind the checksums, on every target: frames with a good FECF around random packet
bytes; packets with a good CRC around random APIDs, services, subtypes and ack flags, or real
commands with arguments of the wrong length or out of range; frames of every length up to the
maximum and beyond. Nothing may be accepted, every readable packet gets its PUS-1 failure report,
every rejection its tc_rejected event, the counters add up, and a ping still completes. Seeded
(the same bytes every run) and paced: a batch of frames, then its reports, as the board's 128-octet
receive ring and two TM frames allow."""

import random
import struct
import threading

from fsw.protocol import ASM, Reason
from fsw.protocol.crc import append_crc
from fsw.protocol.dictionary.model import WIRE_SIZE
from fsw.protocol.pus import decode_tc
from fsw.protocol.tcframe import SPACECRAFT_ID

SEED = 61
MAX_FRAME = 1024
BATCH = 4
# part 3 groups frames so a group fits the board's receive ring (128 octets) even when the
# board is busy sending telemetry; longer frames go alone. A group of long junk frames would
# overrun the ring while the rejection events of the first ones go out, and lost octets merge
# rejected spans, so the counters could no longer account for every frame.
GROUP_OCTETS = 96
IDLE_APID = 0x7FF
BYPASS = 0x2000            # the TC frame header's bypass flag: Type-BD
FULL_RANGE = {"u8": (0, 0xFF), "i8": (-0x80, 0x7F), "enum": (0, 0xFF), "bool": (0, 0xFF),
              "u16": (0, 0xFFFF), "i16": (-0x8000, 0x7FFF), "u32": (0, 0xFFFFFFFF),
              "i32": (-0x80000000, 0x7FFFFFFF)}
PACK = {"u8": ">B", "i8": ">b", "enum": ">B", "bool": ">B", "u16": ">H", "i16": ">h", "u32": ">I", "i32": ">i"}
UNKNOWN = {Reason.UNKNOWN_APID, Reason.UNKNOWN_SERVICE, Reason.UNKNOWN_SUBTYPE}
BAD_ARGS = {Reason.BAD_LENGTH, Reason.ARG_OUT_OF_RANGE, Reason.BAD_ARGUMENT}


def groups(frames: list[bytes], octets: int) -> list[list[bytes]]:
    """Consecutive frames in groups of at most `octets` (a longer frame is a group of its own)."""
    out: list[list[bytes]] = []
    for frame in frames:
        if out and sum(map(len, out[-1])) + len(frame) <= octets:
            out[-1].append(frame)
        else:
            out.append([frame])
    return out


class Watch:
    """What comes down: acceptance failures by request id, and the tc_rejected events."""

    def __init__(self, gs):
        self.gs = gs
        self.reports: list[tuple[int, int]] = []
        self.rejected_events = 0
        self.changed = threading.Condition()
        gs.session.listeners.append(self)

    def __call__(self, record):
        with self.changed:
            if record.kind == "report" and record.name == "acceptance_failure":
                self.reports.append((record.fields["request_id"], record.fields["reason"]))
            elif record.kind == "event" and record.name == "tc_rejected":
                self.rejected_events += 1
            self.changed.notify_all()

    def wait_events(self, count: int, timeout: float = 30.0) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.rejected_events >= count, timeout), \
                f"{self.rejected_events} tc_rejected events of {count}"

    def close(self):
        self.gs.session.listeners.remove(self)


def tc_packet(apid: int, service: int, subtype: int, ack: int, data: bytes, rng) -> bytes:
    body = bytes([0x20 | ack, service, subtype]) + rng.randbytes(2) + data
    header = struct.pack(">HHH", 0x1800 | apid, 0xC000 | rng.randrange(0x4000), len(body) + 2 - 1)
    return append_crc(header + body)


def frame_bytes(gs, data: bytes, length: int | None = None) -> bytes:
    """A Type-BD TC frame around data with a good FECF (the FARM passes it in any state, so the
    fuzz reaches the packet layer); length: what its header claims (10 bits). On a secured uplink a
    frame of honest length is protected (SDLS), so what is behind it is tested."""
    sender = gs.session.sender
    security = gs.session.security
    if security is not None and length is None and len(data) + sender.layout.overhead <= MAX_FRAME:
        return security.protect([sender.frame(data)])[0]
    length = len(data) + 7 if length is None else length
    header = struct.pack(">H", BYPASS | SPACECRAFT_ID) + bytes([((length - 1) >> 8) & 0x03, (length - 1) & 0xFF,
                                                                    sender.frame_sequence])
    sender.frame_sequence = (sender.frame_sequence + 1) & 0xFF
    return ASM + append_crc(header + data)


def random_packet_bytes(rng) -> bytes:
    """Random octets that are not a valid TC (a good CRC and header by chance get one flipped)."""
    data = rng.randbytes(rng.randrange(1, 42))   # an empty one makes a frame below the minimum
    try:
        decode_tc(data)
    except Exception:
        return data
    return data[:-1] + bytes([data[-1] ^ 0xFF])


def broken_command(gs, rng, implemented) -> tuple[bytes, set]:
    """A real command with arguments of a wrong length or out of range; the reasons allowed."""
    commands = [c for c in gs.dictionary.commands.values()]
    command = rng.choice(commands)
    fixed = sum(WIRE_SIZE.get(a.type, 0) for a in command.args)
    variable = any(a.type not in PACK for a in command.args)
    narrow = [i for i, a in enumerate(command.args) if a.type in PACK and not variable and a.bounds
              and (a.type == "enum" or tuple(a.bounds) != FULL_RANGE[a.type])]
    if narrow and rng.random() < 0.5:
        data = b""
        target = rng.choice(narrow)
        for i, arg in enumerate(command.args):
            low, high = FULL_RANGE[arg.type]
            if i == target:
                bounds = (0, len(arg.enum) - 1) if arg.type == "enum" else arg.bounds
                choices = [v for v in (low, int(bounds[0]) - 1, int(bounds[1]) + 1, high)
                           if low <= v <= high and not bounds[0] <= v <= bounds[1]]
                value = rng.choice(choices)
            else:
                value = rng.randint(low, high)
            data += struct.pack(PACK[arg.type], value)
    else:
        lengths = [n for n in range(0, fixed + 6) if n != fixed] if not variable else list(range(fixed))
        data = rng.randbytes(rng.choice(lengths))
    # a board without the command answers not_implemented, whatever its arguments
    allowed = set(BAD_ARGS) if command.name in implemented else {Reason.NOT_IMPLEMENTED}
    packet = tc_packet(command.apid, command.service, command.subtype, rng.randrange(16), data, rng)
    return packet, allowed


def random_command(gs, rng) -> tuple[bytes, set]:
    known = {(c.apid, c.service, c.subtype) for c in gs.dictionary.commands.values()}
    while True:
        triple = (rng.randrange(IDLE_APID), rng.randrange(256), rng.randrange(256))
        if triple not in known:
            break
    data = rng.randbytes(rng.randrange(0, 28))   # frames of at most 48 octets: the board takes them
    return tc_packet(*triple, rng.randrange(16), data, rng), UNKNOWN


def test_fuzz_behind_the_checksums(gs, hil_target):
    rng = random.Random(SEED)
    implemented = hil_target.capabilities.commands
    watch = Watch(gs)
    try:
        before = gs.request_hk(2)
        events_before = watch.rejected_events
        # 1 and 2: good frames, every one carrying a packet that must be rejected at acceptance
        expected: dict[int, list[set | None]] = {}
        sent = 0
        for i in range(240):
            kind = i % 3
            if kind == 0:
                packet, allowed = random_packet_bytes(rng), None
            elif kind == 1:
                packet, allowed = random_command(gs, rng)
            else:
                packet, allowed = broken_command(gs, rng, implemented)
            if len(packet) >= 6 and int.from_bytes(packet[:2], "big") & 0x7FF != IDLE_APID:
                expected.setdefault(int.from_bytes(packet[:4], "big"), []).append(allowed)
            with gs.session._send_lock:
                gs.session.link.write(frame_bytes(gs, packet))
            sent += 1
            if sent % BATCH == 0:
                watch.wait_events(events_before + sent)
        watch.wait_events(events_before + sent)
        assert gs.send("ping").outcome == "completed"
        after = gs.request_hk(2)
        delta = {name: after[name] - before[name] for name in before
                 if name != "last_reason" and not name.startswith("farm_")}
        # the ping and this hk_oneshot were accepted; the ping completed (and the previous
        # hk_oneshot, where the structure is sampled before its completion is counted)
        executed = delta.pop("tc_executed")
        assert delta == {"tc_accepted": 2, "tc_rejected": sent, "tc_failed": 0,
                         "frames_received": sent + 2, "frames_rejected": 0}, delta
        assert executed in (1, 2), executed
        assert watch.rejected_events - events_before == sent
        got: dict[int, list[int]] = {}
        for request_id, reason in watch.reports:
            if request_id in expected:
                got.setdefault(request_id, []).append(reason)
        assert sorted(got) == sorted(expected), "a readable packet without its failure report"
        for request_id, reasons in got.items():
            assert len(reasons) == len(expected[request_id])
            for reason, allowed in zip(reasons, expected[request_id]):
                assert allowed is None or reason in allowed, (hex(request_id), Reason(reason).label, allowed)

        # 3: frames of every length up to 64, then up to the maximum, and beyond (the 10-bit
        # length field wraps); a ping after every few closes the board's rejected spans
        lengths = list(range(7, 65)) + [100, 128, 255, 256, 257, 512, 777, 1023, MAX_FRAME]
        frames = [frame_bytes(gs, rng.randbytes(n - 7)) for n in lengths]
        frames += [frame_bytes(gs, rng.randbytes(n - 7), length=n) for n in (MAX_FRAME + 1, 1100)]
        frames += [ASM + bytes([0x00, SPACECRAFT_ID, 0x00, n - 1, 0]) + rng.randbytes(n) for n in range(1, 7)]
        pings = 0
        for group in groups(frames, GROUP_OCTETS):
            with gs.session._send_lock:
                gs.session.link.write(b"".join(group))
            assert gs.send("ping").outcome == "completed"
            pings += 1
        final = gs.request_hk(2)
        delta = {name: final[name] - after[name] for name in after
                 if name != "last_reason" and not name.startswith("farm_")}
        assert delta["tc_accepted"] == pings + 1, delta
        assert delta["tc_failed"] == 0, delta
        assert delta["frames_received"] <= len(frames) + pings + 1, delta
        assert delta["frames_received"] + delta["frames_rejected"] >= len(frames) + pings + 1, delta
        assert delta["tc_rejected"] == delta["frames_received"] - pings - 1, delta
    finally:
        watch.close()
    stats = hil_target.stats() if hasattr(hil_target, "stats") else {}
    if "stack_free" in stats:           # an AVR's (avr-sim); MicroPython keeps its frames on the heap
        # the deepest the stack has been in this run, with every command and all the fuzz above
        assert stats["stack_free"] >= 256, stats

"""Packet codec speed against spacepackets, in one run: ./scripts/bench codec [--repeats N] [--packets N]

TC decode + validate: our decode_tc + Dictionary.command_for + decode_args (every check, and
the arguments decoded and range-checked) against spacepackets' PusTc.unpack (header parse and
CRC only) on the same bytes. TM encode: TmPacket(...) + encode_tm against PusTm(...).pack() of
the same packets, checked to give equal bytes. A mix of every command and a realistic downlink
(housekeeping, events, verification reports, image segments); the median of several repeats.
Goals (docs/PERFORMANCE.md): decode >= 2x spacepackets, encode >= 1x.
"""

import argparse
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from importlib.metadata import version  # noqa: E402

from spacepackets.ecss import PusTc, PusTm  # noqa: E402

from fsw.dictionary import load  # noqa: E402
from fsw.protocol.cuc import encode_cuc  # noqa: E402
from fsw.protocol.pus import TmPacket, decode_tc, encode_tc, encode_tm  # noqa: E402

DICTIONARY = load()


def tc_mix(rng: random.Random) -> list[bytes]:
    """Every command, arguments at random within their declared ranges."""
    packets = []
    for seq, command in enumerate(DICTIONARY.commands.values()):
        args = {}
        for field in command.args:
            if field.enum:
                args[field.name] = rng.choice(field.enum)[0]
            elif field.type == "bytes":
                args[field.name] = encode_tc(DICTIONARY.build_tc("ping"))
            elif field.type == "f32":
                args[field.name] = rng.uniform(-1000, 1000)
            else:
                low, high = field.bounds
                args[field.name] = rng.randint(int(low), int(high))
        packets.append(encode_tc(DICTIONARY.build_tc(command.name, args, seq_count=seq)))
    return packets


def plain_value(field):
    """A valid, unremarkable value for a field."""
    if field.enum:
        return field.enum[0][0]
    if field.type == "bytes":
        return b"perijove"
    if field.type == "list":
        return []
    if field.type == "f32":
        return 1.5
    low, high = field.bounds
    return int(min(max(1, low), high))


def tm_mix(rng: random.Random) -> list[tuple]:
    """(apid, service, subtype, data, time, seq_count, message_counter) of a downlink's packets."""
    fields = []
    now = 757_209_600.5
    for sid, parameters in DICTIONARY.structures.items():
        values = {p.name: plain_value(p.as_field()) for p in parameters}
        fields.append((0x11, 3, 25, DICTIONARY.encode_hk(sid, values)))
    for event in list(DICTIONARY.events.values())[:6]:
        args = {f.name: plain_value(f) for f in event.args}
        subtype, data = DICTIONARY.encode_event(event.name, args)
        fields.append((0x12, 5, subtype, data))
    fields.append((0x20, 1, 1, DICTIONARY.encode_report("acceptance_success", {"request_id": 0x1820C005})))
    fields.append((0x20, 1, 7, DICTIONARY.encode_report("completion_success", {"request_id": 0x1820C005})))
    fields.append((0x10, 17, 2, b""))
    segment = {"image_id": 1, "segment": 3, "segments": 40, "data": rng.randbytes(900)}
    fields.append((0x20, 130, 8, DICTIONARY.encode_report("image_segment", segment)))
    return [(*f, now + n, n, n) for n, f in enumerate(fields)]


def timed(function, items, loops: int) -> float:
    """Items per second for one repeat."""
    start = time.perf_counter()
    for _ in range(loops):
        function(items)
    return loops * len(items) / (time.perf_counter() - start)


def compare(ours, theirs, items_ours, items_theirs, repeats: int, loops: int) -> tuple[float, float, float]:
    """Median rates and the median of per-repeat ratios; the two run alternately, so a busy
    machine slows both alike."""
    pairs = [(timed(ours, items_ours, loops), timed(theirs, items_theirs, loops)) for _ in range(repeats)]
    return (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs),
            statistics.median(p[0] / p[1] for p in pairs))


def our_decode(packets):
    command_for, decode_args = DICTIONARY.command_for, DICTIONARY.decode_args
    for raw in packets:
        tc = decode_tc(raw)
        decode_args(command_for(tc.apid, tc.service, tc.subtype), tc.app_data)


def their_decode(packets):
    unpack = PusTc.unpack
    for raw in packets:
        unpack(raw)


def our_encode(packets):
    for apid, service, subtype, data, when, seq, counter in packets:
        encode_tm(TmPacket(apid, service, subtype, data, when, seq, counter))


def their_encode(stamped):
    for apid, service, subtype, data, stamp, seq, counter in stamped:
        PusTm(service, subtype, timestamp=stamp, source_data=data, apid=apid, seq_count=seq,
              message_counter=counter).pack()


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench codec", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--loops", type=int, default=300, help="passes over the mix per repeat")
    args = parser.parse_args()
    rng = random.Random(61)
    tcs = tc_mix(rng)
    tms = tm_mix(rng)
    stamped = [(a, s, t, d, encode_cuc(w), q, c) for a, s, t, d, w, q, c in tms]

    # same packets, same bytes: once, before timing
    for raw in tcs:
        theirs = PusTc.unpack(raw)
        ours = decode_tc(raw)
        assert (theirs.apid, theirs.service, theirs.message_subtype, theirs.app_data) == (
            ours.apid, ours.service, ours.subtype, ours.app_data)
    for (apid, service, subtype, data, when, seq, counter), stamp in zip(tms, (s[4] for s in stamped)):
        ours = encode_tm(TmPacket(apid, service, subtype, data, when, seq, counter))
        theirs = PusTm(service, subtype, timestamp=stamp, source_data=data, apid=apid, seq_count=seq,
                       message_counter=counter).pack()
        assert ours == theirs, (service, subtype)

    decode = compare(our_decode, their_decode, tcs, tcs, args.repeats, args.loops)
    encode = compare(our_encode, their_encode, tms, stamped, args.repeats, args.loops)

    print(f"codec benchmark: Python {platform.python_version()}, spacepackets {version('spacepackets')}, "
          f"median of {args.repeats} repeats x {args.loops} passes")
    print(f"  mix: {len(tcs)} TCs (every command), {len(tms)} TMs (housekeeping, events, PUS-1, ping, image segment)")
    verdicts = []
    for label, (ours, theirs, ratio), goal in (("TC decode+validate", decode, 2.0), ("TM encode", encode, 1.0)):
        verdict = "meets" if ratio >= goal else "MISSES"
        verdicts.append(ratio >= goal)
        print(f"  {label:19} ours {ours:>10,.0f} packets/s   spacepackets {theirs:>10,.0f} packets/s   "
              f"ratio {ratio:5.2f}x   ({verdict} goal {goal:g}x)")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Fuzzing behind the checksums: valid frames (good FECF) carrying valid packets (good CRC) that
say absurd things. Random bytes rarely pass the FECF, so these are built with the real TmSender.

Every example goes through the ground's whole downlink path (deframer, demultiplexer, dictionary,
telemetry state, archive, image reassembly) and must leave it working: nothing raised, every
undecodable packet counted with a reason and archived as it came, earlier rows intact, and a good
housekeeping report afterwards still read.
"""

import json
import sqlite3
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsw.dictionary import load
from fsw.link import link_pair
from fsw.protocol import ASM, TmPacket, TmSender
from fsw.protocol.dictionary.model import WIRE_SIZE
from fsw.protocol.reasons import Reason
from fsw.protocol.spacepacket import IDLE_APID
from ground.archive import Archive
from ground.images import ImageAssembly, ImageError, assemble
from ground.session import Session
from ground.subcommands.decode import _Decoder

D = load()
FRAME_LEN = 256            # small frames: more packets span frames, more boundaries to get wrong
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
IMAGE_META = D.report("image_meta")
IMAGE_SEGMENT = D.report("image_segment")


def _hk_packet(sid=20, **values) -> TmPacket:
    full = {p.name: (p.enum[0][0] if p.enum else 1) for p in D.structures[sid]}
    full.update(values)
    return TmPacket(0x011, 3, 25, D.encode_hk(sid, full), time=2000.0)


def _u(bits):
    return st.integers(0, (1 << bits) - 1)


# what a hostile (or broken) flight might put in a well-formed packet
_data = st.binary(max_size=300)
_random_packet = st.builds(
    TmPacket, apid=st.integers(0, IDLE_APID - 1), service=_u(8), subtype=_u(8), data=_data,
    time=st.floats(0, 2**32 - 1))
_hk = st.builds(lambda sid, body: TmPacket(0x011, 3, 25, bytes([sid]) + body),
                st.sampled_from(sorted(D.structures) + [0, 255]), _data)
_event = st.builds(lambda subtype, eid, body: TmPacket(0x012, 5, subtype, eid.to_bytes(2, "big") + body),
                   st.integers(1, 4), st.one_of(st.sampled_from(sorted(D.events)), _u(16)), _data)
_known_report = st.builds(lambda report, body: TmPacket(0x020, report.service, report.subtype, body),
                          st.sampled_from(list(D.reports.values())), _data)
# image metadata and segments with valid encodings and absurd values
_meta = st.fixed_dictionaries({
    "image_id": st.integers(1, 3), "time": _u(32), "width": _u(16), "height": _u(16), "filters": _u(8),
    "exposure": _u(16), "tdi": _u(8), "compression": st.sampled_from([n for n, _ in IMAGE_META.fields[7].enum]),
    "io_range": st.floats(-1e30, 1e30), "hot_pixels": _u(32), "dark_level": st.floats(-1e30, 1e30),
    "noise": st.floats(-1e30, 1e30), "stripes": st.floats(-1e30, 1e30), "dropouts": _u(32),
    "companding": st.sampled_from(["linear", "sqrt"]), "framelets": _u(8),
    "dose": st.floats(-1e30, 1e30), "size": _u(32), "segments": _u(16),
    "checksum": _u(32)})
_segment = st.fixed_dictionaries({"image_id": st.integers(1, 3), "segment": _u(16), "segments": _u(16),
                                  "data": st.binary(max_size=200)})
_image_packet = st.one_of(
    _meta.map(lambda v: TmPacket(0x020, IMAGE_META.service, IMAGE_META.subtype, D.encode_report("image_meta", v))),
    _segment.map(lambda v: TmPacket(0x020, IMAGE_SEGMENT.service, IMAGE_SEGMENT.subtype,
                                    D.encode_report("image_segment", v))))
_FLOAT_SIDS = sorted(sid for sid, ps in D.structures.items() if any(p.type == "f32" for p in ps))
_nan_hk = st.builds(lambda sid, value: _nan_in(sid, value), st.sampled_from(_FLOAT_SIDS),
                    st.sampled_from([float("nan"), float("inf"), -float("inf")]))


def _nan_in(sid, value):
    """A housekeeping report with a non-finite float (encoded by hand: encoders refuse it)."""
    import struct
    packet = _hk_packet(sid)
    layout = D._hk_codecs[sid]
    offset = 1
    for f in layout.fields:
        size = WIRE_SIZE[f.type]
        if f.type == "f32":
            data = bytearray(packet.data)
            data[offset:offset + 4] = struct.pack(">f", value)
            packet.data = bytes(data)
            return packet
        offset += size
    raise ValueError(f"structure {sid} has no float")


# one step of the downlink: a packet, raw octets in the packet zone, a lost frame, or junk
_step = st.one_of(
    st.tuples(st.just("packet"), st.one_of(_random_packet, _hk, _event, _known_report, _image_packet, _nan_hk)),
    st.tuples(st.just("zone"), st.binary(min_size=1, max_size=80)),
    st.tuples(st.just("drop"), st.integers(1, 3)),
    st.tuples(st.just("junk"), st.binary(min_size=1, max_size=40)),
)


def _downlink(steps) -> bytes:
    """The octet stream for a list of steps: frames are encoded honestly, then some are lost."""
    sender = TmSender(FRAME_LEN)
    out = bytearray()
    for kind, value in steps:
        if kind == "packet":
            sender.push(value)
        elif kind == "zone":
            sender.multiplexer.push(value)
        frames = sender.multiplexer.frames(flush=kind != "packet")
        if kind == "drop":
            frames = frames[value:] if frames else []
            sender.multiplexer.mc_count += value                       # frames that never arrive
            for channel in sender.multiplexer._channels.values():
                channel.count = (channel.count + value) & 0xFF
        for frame in frames:
            out += ASM + frame
        if kind == "junk":
            out += value
    for frame in sender.multiplexer.frames(flush=True):
        out += ASM + frame
    return bytes(out), sender


def _rows(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT id, kind, name, data FROM packets ORDER BY id").fetchall()
    finally:
        db.close()


def _images(session):
    assemblies = {}

    def listener(record):
        if record.name in ("image_meta", "image_segment"):
            assembly = assemblies.setdefault(record.fields["image_id"], ImageAssembly(record.fields["image_id"]))
            (assembly.add_meta if record.name == "image_meta" else assembly.add_segment)(record.fields)
    session.listeners.append(listener)
    return assemblies


@FUZZ
@given(steps=st.lists(_step, max_size=25), split=st.integers(1, 700))
def test_hostile_downlink_leaves_ground_working(tmp_path_factory, steps, split):
    path = tmp_path_factory.mktemp("fuzz") / "a.sqlite"
    warnings = []
    flight_end, ground_end = link_pair()
    session = Session(ground_end, FRAME_LEN, archive=Archive(path, D), on_warning=warnings.append)
    session.ingest.archive = session.archive
    assemblies = _images(session)
    try:
        # a good report first: it must survive everything after it
        good, sender = _downlink([("packet", _hk_packet(20))])
        session.feed(good)
        session.archive.flush(wait=True)
        before = _rows(path)
        assert [r[2] for r in before] == ["sid20"]

        stream, _ = _downlink(steps)
        counted = sum(session.ingest.receiver.counts.values())
        records = []
        for i in range(0, len(stream), split):          # arbitrary read boundaries
            records += session.feed(stream[i:i + split])
        assert not warnings, warnings
        undecodable = [r for r in records if r.kind == "undecodable"]
        for record in undecodable:
            assert record.error                          # a reason, in words
        assert sum(session.ingest.receiver.counts.values()) >= counted + len(undecodable)
        assert session.state.stats.counts == dict(session.ingest.receiver.counts)

        # images: whatever came, the assembly answers without raising anything but ImageError
        for assembly in assemblies.values():
            assembly.missing()
            if assembly.complete:
                try:
                    assemble(assembly)
                except ImageError:
                    pass

        # afterwards a good report, in its own frames, still updates telemetry
        after = TmSender(FRAME_LEN)
        after.multiplexer.mc_count = 0
        after.push(_hk_packet(20, heater_power=7))
        session.feed(after.output())
        assert session.state.latest["heater_power"].raw == 7

        session.archive.flush(wait=True)
        rows = _rows(path)
        assert rows[:len(before)] == before              # nothing stored is lost or changed
        stored = [r for r in rows if r[1] == "undecodable"]
        # kept as they came (the reason is found again on read, by the dictionary then in use)
        assert [r[3] for r in stored] == [u.packet.data for u in undecodable]
    finally:
        session.archive.close()
        flight_end.close()
        ground_end.close()


def test_reader_thread_survives_hostile_downlink():
    """The same through the live reader thread: it keeps reading and says nothing went wrong."""
    warnings = []
    flight_end, ground_end = link_pair()
    session = Session(ground_end, FRAME_LEN, archive=None, on_warning=warnings.append).start()
    try:
        steps = [("drop", 2),
                 ("packet", TmPacket(0x020, 5, 1, b"\xff\xff" + b"x" * 9)),
                 ("packet", _nan_in(_FLOAT_SIDS[0], float("nan"))),
                 ("junk", b"\x1a\xcf\xfc\x1d\x00"),
                 ("packet", TmPacket(0x020, IMAGE_META.service, IMAGE_META.subtype, b"\x00" * 5))]
        stream, _ = _downlink(steps)
        flight_end.write(stream)
        after = TmSender(FRAME_LEN)
        after.push(_hk_packet(20, heater_power=9))
        flight_end.write(after.output())
        with session.state.changed:
            session.state.changed.wait_for(lambda: "heater_power" in session.state.latest
                                           and session.state.latest["heater_power"].raw == 9, timeout=5)
        assert session.state.latest["heater_power"].raw == 9
        assert session.connected and not warnings, warnings
        assert session.state.stats.count(Reason.ARG_OUT_OF_RANGE, Reason.BAD_ARGUMENT, Reason.BAD_LENGTH) >= 3
    finally:
        session.close()
        flight_end.close()


# -- image reassembly from a hostile sender --

def _meta_fields(**overrides):
    fields = {"image_id": 1, "time": 0, "width": 4, "height": 2, "filters": 1, "exposure": 1, "tdi": 1,
              "compression": "none", "io_range": 1.0, "hot_pixels": 0, "dark_level": 0.0, "noise": 0.0,
              "stripes": 0.0, "dropouts": 0, "companding": "linear", "framelets": 0, "dose": 0.0, "size": 8, "segments": 2,
              "checksum": zlib.crc32(bytes(8))}
    fields.update(overrides)
    return fields


@FUZZ
@given(meta=st.one_of(st.none(), _meta),
       segments=st.lists(_segment, max_size=40))
def test_image_assembly_from_hostile_sender(meta, segments):
    assembly = ImageAssembly(1)
    if meta is not None:
        assembly.add_meta(meta)
    for segment in segments:
        assembly.add_segment(segment)
    held = sum(len(d) for d in assembly.segments.values())
    if assembly.total is not None:
        assert all(0 <= i < assembly.total for i in assembly.segments)   # out of range: refused
    assert held == assembly.stored <= sum(len(s["data"]) for s in segments)
    if meta is not None:
        assert held <= meta["size"]
    assert len(assembly.missing()) <= 65535
    if assembly.complete:
        try:
            assemble(assembly)
        except ImageError:
            pass


def test_image_segments_outside_the_total_are_refused():
    assembly = ImageAssembly(1)
    assembly.add_meta(_meta_fields(segments=2))
    assert not assembly.add_segment({"segment": 7, "segments": 2, "data": b"x" * 100})
    assert not assembly.add_segment({"segment": 0, "segments": 9, "data": b"y" * 4})   # total changed
    assert assembly.segments == {}
    assert assembly.refused == 2


def test_image_segments_beyond_the_stated_size_are_refused():
    assembly = ImageAssembly(1)
    assembly.add_meta(_meta_fields(size=8, segments=3))
    assert assembly.add_segment({"segment": 0, "segments": 3, "data": bytes(4)})
    assert not assembly.add_segment({"segment": 1, "segments": 3, "data": bytes(10_000)})
    assert assembly.segments.keys() == {0}


def test_decompression_bomb_is_refused_without_inflating_it():
    bomb = zlib.compress(bytes(200_000_000), 9)            # ~200 kB of octets claimed as 4x2 pixels
    assembly = ImageAssembly(1)
    assembly.add_meta(_meta_fields(compression="lossless", size=len(bomb), segments=1,
                                   checksum=zlib.crc32(bomb)))
    assembly.add_segment({"segment": 0, "segments": 1, "data": bomb})
    with pytest.raises(ImageError, match="more than"):
        assemble(assembly)


# -- `ground decode` on random input --

@FUZZ
@given(data=st.one_of(st.binary(max_size=600),
                      st.lists(_step, max_size=6).map(lambda steps: _downlink(steps)[0])))
def test_decode_any_input(data):
    lines = list(_Decoder(FRAME_LEN).decode(data))
    for line in lines:
        json.dumps(line, default=lambda v: v.hex() if isinstance(v, bytes) else str(v))

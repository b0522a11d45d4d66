"""The ASM deframer: junk, truncation, bit flips, bad lengths, split reads, and a reason for every rejected span."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from fsw.protocol.framing import ASM, Rejected, add_asm, tc_deframer, tm_deframer
from fsw.protocol.reasons import Reason
from fsw.protocol.tcframe import TC_MAX_FRAME_LEN, TcFrame, encode_tc_frame
from fsw.protocol.tmframe import TmMultiplexer


def tc_frame(sequence: int, size: int = 12) -> bytes:
    return encode_tc_frame(TcFrame(0, bytes([sequence]) * size, sequence))


FRAMES = [tc_frame(n, 8 + 3 * n) for n in range(4)]


def deframe(stream: bytes, deframer=None, chunks=None):
    """Feed a stream (in chunks if given) and flush; return frames and rejected spans."""
    spans = []
    deframer = deframer or tc_deframer()
    deframer.on_reject = spans.append
    frames = []
    pieces = chunks if chunks is not None else [stream]
    for piece in pieces:
        frames += deframer.feed(piece)
    frames += deframer.flush() or []
    return frames, spans, deframer


def assert_partition(stream: bytes, frames, spans):
    """Accepted frames (with their ASMs) and rejected spans account for every octet, once."""
    assert sum(len(ASM) + len(f) for f in frames) + sum(s.length for s in spans) == len(stream)
    for earlier, later in zip(spans, spans[1:]):
        assert earlier.offset + earlier.length <= later.offset


def test_asm_is_1acffc1d():
    assert ASM == bytes([0x1A, 0xCF, 0xFC, 0x1D])
    assert add_asm(b"\x01") == b"\x1a\xcf\xfc\x1d\x01"


def test_back_to_back_frames_are_all_found_and_nothing_is_rejected():
    stream = b"".join(map(add_asm, FRAMES))
    frames, spans, deframer = deframe(stream)
    assert frames == FRAMES and spans == []
    assert deframer.frames == 4 and deframer.octets == len(stream)


def test_junk_between_frames_is_one_span_each_with_its_offset():
    stream = b"noise" + add_asm(FRAMES[0]) + b"\x1a\xcf" + add_asm(FRAMES[1]) + b"tail"
    frames, spans, deframer = deframe(stream)
    assert frames == FRAMES[:2]
    second = 5 + 4 + len(FRAMES[0])
    assert spans == [
        Rejected(Reason.JUNK, 0, 5),
        Rejected(Reason.JUNK, second, 2),
        Rejected(Reason.JUNK, len(stream) - 4, 4),
    ]
    assert deframer.counts == Counter({Reason.JUNK: 3})
    assert str(spans[0]) == "junk: 5 octet(s) at stream offset 0"


def test_a_frame_truncated_at_the_end_of_the_stream():
    stream = add_asm(FRAMES[0]) + add_asm(FRAMES[1])[:-3]
    frames, spans, _ = deframe(stream)
    assert frames == FRAMES[:1]
    assert spans == [Rejected(Reason.TRUNCATED, 4 + len(FRAMES[0]), 4 + len(FRAMES[1]) - 3)]


def test_a_truncated_frame_followed_by_good_ones_costs_only_itself():
    stream = add_asm(FRAMES[0])[:10] + add_asm(FRAMES[1]) + add_asm(FRAMES[2])
    frames, spans, _ = deframe(stream)
    assert frames == FRAMES[1:3]
    assert [s.reason for s in spans] == [Reason.BAD_FECF]
    assert_partition(stream, frames, spans)


def test_a_truncated_long_frame_does_not_swallow_the_short_frame_after_it():
    long = encode_tc_frame(TcFrame(0, bytes(500)))
    stream = add_asm(long)[:40] + add_asm(FRAMES[0])
    frames, spans, _ = deframe(stream)
    # the long candidate waits for its 507 octets until the stream ends; then the hunt
    # resumes after its ASM and finds the short frame
    assert frames == FRAMES[:1]
    assert [s.reason for s in spans] == [Reason.TRUNCATED]
    assert spans[0] == Rejected(Reason.TRUNCATED, 0, 40)


def test_a_corrupted_length_costs_one_frame():
    bad = bytearray(FRAMES[1])
    bad[3] ^= 0x01                           # claimed length one off
    stream = add_asm(FRAMES[0]) + add_asm(bytes(bad)) + add_asm(FRAMES[2]) + add_asm(FRAMES[3])
    frames, spans, _ = deframe(stream)
    assert frames == [FRAMES[0], FRAMES[2], FRAMES[3]]
    assert [s.reason for s in spans] == [Reason.BAD_FECF]
    assert spans[0].offset == 4 + len(FRAMES[0]) and spans[0].length == 4 + len(FRAMES[1])


def test_a_length_below_the_minimum_or_above_the_link_maximum_is_bad_frame_length():
    big = encode_tc_frame(TcFrame(0, bytes(100)))
    tiny = bytearray(FRAMES[0])
    tiny[2:4] = b"\x00\x05"                  # claims 6 octets: below header + 1 + FECF
    stream = add_asm(big) + add_asm(bytes(tiny)) + add_asm(FRAMES[1])
    frames, spans, deframer = deframe(stream, tc_deframer(max_len=64))
    assert frames == FRAMES[1:2]
    assert [s.reason for s in spans] == [Reason.BAD_FRAME_LENGTH, Reason.BAD_FRAME_LENGTH]
    assert deframer.counts[Reason.BAD_FRAME_LENGTH] == 2
    assert_partition(stream, frames, spans)


def test_the_largest_tc_frame_passes():
    largest = encode_tc_frame(TcFrame(0, bytes(TC_MAX_FRAME_LEN - 7)))
    frames, spans, _ = deframe(add_asm(largest) + add_asm(FRAMES[0]))
    assert frames == [largest, FRAMES[0]] and spans == []


def test_a_missing_asm_octet_loses_that_frame_only():
    for missing in range(4):
        damaged = add_asm(FRAMES[1])
        damaged = damaged[:missing] + damaged[missing + 1 :]
        stream = add_asm(FRAMES[0]) + damaged + add_asm(FRAMES[2])
        frames, spans, _ = deframe(stream)
        assert frames == [FRAMES[0], FRAMES[2]]
        assert [s.reason for s in spans] == [Reason.JUNK]
        assert_partition(stream, frames, spans)


def test_an_asm_in_junk_claiming_a_short_length_fails_at_once():
    stream = b"xx" + ASM + b"\x00\x00\x00\x00" + b"\xee" * 26 + add_asm(FRAMES[0])
    frames, spans, _ = deframe(stream)
    assert frames == FRAMES[:1]
    # header 00 00 00 00 claims 1 octet: below the minimum
    assert spans == [Rejected(Reason.JUNK, 0, 2), Rejected(Reason.BAD_FRAME_LENGTH, 2, 34)]


def test_a_false_candidate_claiming_1024_octets_does_not_hold_the_next_frame_back():
    # header FF FF FF FF claims (0x3FF + 1) = 1024 octets; the good frame right after it
    # is delivered at once, not after 1024 more octets have come
    deframer = tc_deframer()
    frames = deframer.feed(b"xx" + ASM + b"\xff" * 30 + add_asm(FRAMES[0]))
    assert frames == FRAMES[:1]
    assert [r.reason for r in deframer.rejected] == [Reason.JUNK, Reason.TRUNCATED]
    assert deframer.rejected[1] == Rejected(Reason.TRUNCATED, 2, 34)


def test_a_length_corrupted_upwards_does_not_hold_back_a_live_stream():
    bad = bytearray(FRAMES[0])
    bad[2] |= 0x03                            # +768 octets
    deframer = tc_deframer()
    assert deframer.feed(add_asm(bytes(bad))) == []       # could still be a long frame
    assert deframer.feed(add_asm(FRAMES[1])) == [FRAMES[1]]
    assert deframer.counts == Counter({Reason.TRUNCATED: 1})


@given(st.data())
def test_a_bit_flip_anywhere_in_a_frame_costs_that_frame_only(data):
    target = data.draw(st.integers(0, 3))
    framed = [add_asm(f) for f in FRAMES]
    bit = data.draw(st.integers(0, len(framed[target]) * 8 - 1))
    flipped = bytearray(framed[target])
    flipped[bit // 8] ^= 0x80 >> (bit % 8)
    framed[target] = bytes(flipped)
    stream = b"".join(framed)
    frames, spans, deframer = deframe(stream)
    assert frames == FRAMES[:target] + FRAMES[target + 1 :]
    assert spans and {s.reason for s in spans} <= {Reason.JUNK, Reason.BAD_FECF, Reason.BAD_FRAME_LENGTH, Reason.TRUNCATED}
    assert deframer.counts == Counter(s.reason for s in spans)
    assert_partition(stream, frames, spans)


pieces = st.one_of(
    st.sampled_from(FRAMES).map(add_asm),
    st.binary(max_size=20),                                  # junk
    st.sampled_from(FRAMES).map(lambda f: add_asm(f)[: len(f) // 2]),   # truncated
    st.just(ASM),                                            # a lone sync marker
)


@settings(max_examples=150)
@given(st.lists(pieces, max_size=8), st.data())
def test_split_reads_at_any_boundaries_give_the_same_result(parts, data):
    stream = b"".join(parts)
    whole_frames, whole_spans, whole = deframe(stream)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)])]
    frames, spans, split = deframe(stream, chunks=chunks)
    assert frames == whole_frames
    # a candidate cut short by a good frame is "truncated" while it waits for octets and
    # "bad FECF" once they are all there: which one depends on where the reads split
    assert [cut_short(s) for s in spans] == [cut_short(s) for s in whole_spans]
    assert split.counts == Counter(s.reason for s in spans)
    assert_partition(stream, frames, spans)


def cut_short(span: Rejected) -> Rejected:
    if span.reason == Reason.TRUNCATED:
        return Rejected(Reason.BAD_FECF, span.offset, span.length)
    return span


def test_one_octet_at_a_time_at_every_boundary():
    stream = b"ab" + add_asm(FRAMES[0]) + b"\x1a\xcf\xfc" + add_asm(FRAMES[1])
    expected = deframe(stream)[:2]
    for cut in range(len(stream) + 1):
        assert deframe(stream, chunks=[stream[:cut], stream[cut:]])[:2] == expected
    assert deframe(stream, chunks=[bytes([b]) for b in stream])[:2] == expected


def test_recent_rejections_are_kept_and_all_are_counted():
    deframer = tc_deframer()
    for _ in range(150):
        deframer.feed(b"junk" + add_asm(FRAMES[0]))
    assert deframer.counts[Reason.JUNK] == 150
    assert len(deframer.rejected) == 100
    assert deframer.buffered == 0


def test_tm_frames_have_the_links_fixed_length():
    mux = TmMultiplexer(256)
    mux.push(bytes(300))
    tm_frames = mux.frames(flush=True)
    stream = b"\x00" * 7 + b"".join(map(add_asm, tm_frames))
    frames, spans, _ = deframe(stream, tm_deframer(256))
    assert frames == tm_frames
    assert spans == [Rejected(Reason.JUNK, 0, 7)]


@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data):
    frames, spans, deframer = deframe(data)
    assert_partition(data, frames, spans)
    assert deframer.buffered == 0

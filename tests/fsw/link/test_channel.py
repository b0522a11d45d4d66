"""The channel emulator: each impairment does what it says, at its rate, seeded; bad options refused."""

import re
import subprocess
import sys
import time

import numpy as np
import pytest

from fsw.link import ChannelLink, Impairments, link_pair, open_link
from fsw.link.channel import ASM, Impairer

FRAME = ASM + bytes(range(60))                     # a 64-octet frame behind its marker


def through(spec: str, data: bytes, stream: int = 0) -> tuple[bytes, dict]:
    impairer = Impairer(Impairments.parse(spec), stream)
    return impairer.apply(data), impairer.counts


def test_a_clean_channel_changes_nothing():
    data = FRAME * 100
    assert through("seed=1", data)[0] == data


def test_bit_errors_come_at_the_rate_asked():
    out, counts = through("ber=1e-3,seed=1", bytes(125_000))          # a million bits
    flipped = sum(bin(octet).count("1") for octet in out)
    assert flipped == counts["bits_flipped"]
    assert abs(flipped - 1000) < 5 * np.sqrt(1000)                     # binomial, five sigma


def test_dropped_frames_are_whole_frames_and_the_rest_arrive_intact():
    frames = [ASM + bytes([i]) * 60 for i in range(200)]
    out, counts = through("drop=0.1,seed=2", b"".join(frames))
    arrived = [ASM + chunk for chunk in out.split(ASM)[1:]]
    assert len(arrived) == 200 - counts["frames_dropped"]
    assert 5 <= counts["frames_dropped"] <= 40
    assert all(frame in frames for frame in arrived)                    # none damaged
    assert arrived == sorted(arrived, key=frames.index)                 # none reordered


def test_duplicated_frames_arrive_twice_in_a_row():
    frames = [ASM + bytes([i]) * 60 for i in range(200)]
    out, counts = through("dup=0.05,seed=3", b"".join(frames))
    arrived = [ASM + chunk for chunk in out.split(ASM)[1:]]
    assert len(arrived) == 200 + counts["frames_duplicated"] and counts["frames_duplicated"] > 0
    repeats = sum(1 for a, b in zip(arrived, arrived[1:]) if a == b)
    assert repeats == counts["frames_duplicated"]


def test_a_frame_read_in_pieces_is_lost_whole_or_not_at_all():
    # a serial port hands over what has arrived: ten octets a read, not a frame
    frames = [ASM + bytes([i]) * 60 for i in range(200)]
    stream = b"".join(frames)
    whole, whole_counts = through("drop=0.05,dup=0.05,seed=6", stream)
    impairer = Impairer(Impairments.parse("drop=0.05,dup=0.05,seed=6"), 0)
    cuts = [at for at in range(0, len(stream), 10) if at % 64 not in (1, 2, 3)] + [len(stream)]   # no ASM split
    pieces = b"".join(impairer.apply(stream[at:end]) for at, end in zip(cuts, cuts[1:]))
    assert pieces == whole and impairer.counts == whole_counts
    arrived = [ASM + chunk for chunk in pieces.split(ASM)[1:]]
    assert all(frame in frames for frame in arrived)                    # none damaged
    assert len(arrived) == 200 - whole_counts["frames_dropped"] + whole_counts["frames_duplicated"]
    assert whole_counts["frames_dropped"] <= 25                         # about 5% of 200, not 2 in 3


def test_octet_drops_shorten_the_stream():
    out, counts = through("octet_drop=0.01,seed=4", bytes(range(256)) * 100)
    assert len(out) == 25_600 - counts["octets_dropped"] and 150 < counts["octets_dropped"] < 370


def test_bursts_cluster_their_errors():
    out, counts = through("burst=0.001,burst_len=16,seed=5", bytes(200_000))
    damaged = np.flatnonzero(np.frombuffer(out, np.uint8))
    assert counts["bits_flipped"] > 0
    gaps = np.diff(damaged)
    assert np.median(gaps) <= 4          # damage comes in runs, not spread evenly (median gap ~1000 for BER)


def test_the_same_seed_gives_the_same_line_and_the_directions_differ():
    data = FRAME * 50
    spec = "ber=1e-3,drop=0.05,dup=0.05,octet_drop=1e-3,burst=1e-3,seed=9"
    assert through(spec, data)[0] == through(spec, data)[0]
    assert through(spec, data, stream=0)[0] != through(spec, data, stream=1)[0]


def test_a_delay_holds_every_chunk_back_both_ways():
    ours, theirs = link_pair()
    link = ChannelLink(ours, Impairments.parse("delay=0.2"))
    try:
        start = time.monotonic()
        link.write(b"up")
        assert theirs.read(10, 0.05) == b""                            # not yet
        assert theirs.read(10, 2.0) == b"up" and time.monotonic() - start >= 0.2
        theirs.write(b"down")
        assert link.read(10, 0.05) == b""
        assert link.read(10, 2.0) == b"down"
    finally:
        link.close()


@pytest.mark.parametrize("spec, says", [
    ("bre=1e-3", "unknown impairment 'bre'"),
    ("ber=2", "ber=2.0 is outside [0, 1]"),
    ("drop", "'drop' is not name=value"),
    ("delay=soon", "delay='soon' is not a number"),
    ("burst_len=0", "below one octet"),
])
def test_bad_impairments_are_one_line(spec, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        Impairments.parse(spec)
    with pytest.raises(ValueError, match=re.escape(says)):
        open_link("loop://", channel=spec)


def test_fsw_refuses_a_bad_channel_with_one_line():
    done = subprocess.run([sys.executable, "-m", "fsw.cli", "--port", "pty", "--channel", "ber=7"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "--channel: ber=7.0 is outside [0, 1]" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.timeout(150)
def test_flight_behind_a_bad_line_keeps_flying_and_the_damage_is_seen(tmp_path):
    from fsw import launch
    from fsw.protocol.reasons import Reason
    from ground.procedures import CommandTimeout, connect

    with launch.start("--clock", "sim", "--speed", "10", "--channel", "ber=3e-5,drop=0.05,seed=3",
                      state=tmp_path / "fsw") as fsw, connect(fsw.port, archive=False, on_warning=lambda m: None,
                                                              key_file=fsw.key_file) as gs:
        completed = 0
        for _ in range(30):
            try:
                gs.send("ping", timeout=3.0)        # COP-1 resends a lost frame after T1 (2 s)
                completed += 1
            except CommandTimeout:
                pass                                  # the TC or its reports were lost on the way
        stats = gs.state.stats
        assert completed >= 15
        assert stats.count(Reason.BAD_FECF, Reason.FRAME_GAP, Reason.JUNK) > 0   # the line did damage
        assert fsw.process.poll() is None             # and flight flies on

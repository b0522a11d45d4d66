"""The ground's CFDP entity in a session: images down as files over a lossy line (the channel
emulator), files up, and a spacecraft without CFDP served the camera's segments."""

import os
import time

import pytest

from fsw.app import FlightSoftware
from fsw.link import link_pair
from fsw.link.channel import ChannelLink, Impairments
from fsw.topology import MISSION
from ground.procedures import connect


def flight_and_ground(tmp_path, link_filter=lambda link: link, **options):
    flight_end, ground_end = link_pair("files")
    fs = FlightSoftware(flight_end, state_dir=tmp_path / "fsw", clock="sim", speed=100, **options).start()
    gs = connect(link=link_filter(ground_end), archive=False, timeout=10, on_warning=lambda _m: None)
    return fs, gs


def capture(gs) -> int:
    gs.send("cam_power", state="on")
    gs.await_event("cam_ready", timeout=60)
    gs.send("cam_configure", exposure=5, filters=7, tdi=1)
    gs.send("cam_capture", framelets=4, timeout=30)
    return gs.await_event("image_captured", timeout=60).fields["image_id"]


@pytest.mark.timeout(120)
def test_an_image_comes_down_byte_exact_through_ten_percent_frame_loss_each_way(tmp_path):
    fs, gs = flight_and_ground(tmp_path)
    try:
        image_id = capture(gs)
    finally:
        gs.close()
        fs.stop()
    # the same flight (its state kept), now seen through a bad line both ways
    fs, gs = flight_and_ground(tmp_path, lambda link: ChannelLink(link, Impairments(drop=0.1, seed=4)))
    try:
        seen = []
        image = gs.downlink_image(image_id, timeout=90, progress=lambda got, total: seen.append(got))
        stored = fs.components["camera"].images.blob(image_id)
        assert (gs.session.files.entity.received / f"image_{image_id:05d}.pjim").read_bytes() == stored
        assert image.meta["image_id"] == image_id and set(image.planes) == {"red", "green", "blue"}
        assert seen and seen == sorted(seen)
        assert gs.session.link.counts["read"]["frames_dropped"] > 0     # the line did lose frames
    finally:
        gs.close()
        fs.stop()


@pytest.mark.timeout(120)
def test_a_spacecraft_without_cfdp_gets_its_images_asked_for_in_segments(tmp_path):
    fs, gs = flight_and_ground(tmp_path, topology=MISSION.without("files"))
    try:
        image_id = capture(gs)
        image = gs.downlink_image(image_id, timeout=60)
        assert image.segments == image.meta["segments"] and image.requests >= 1
        assert gs._has_cfdp() is False               # remembered: the next image goes the same way
    finally:
        gs.close()
        fs.stop()


@pytest.mark.timeout(120)
def test_a_file_goes_up_and_a_class_1_image_comes_down(tmp_path):
    fs, gs = flight_and_ground(tmp_path)
    try:
        data = os.urandom(30_000)
        (tmp_path / "up.bin").write_bytes(data)
        transfer = gs.upload(tmp_path / "up.bin", "up.bin", timeout=60)
        assert transfer.ok and transfer.condition == "no_error"
        assert (tmp_path / "fsw" / "files" / "received" / "up.bin").read_bytes() == data
        image_id = capture(gs)
        image = gs.downlink_image(image_id, via="cfdp", cfdp_class=1, timeout=60)
        assert image.meta["image_id"] == image_id
    finally:
        gs.close()
        fs.stop()


@pytest.mark.timeout(120)
def test_uploads_from_two_sessions_one_after_the_other_are_both_stored(tmp_path):
    flight_end, ground_end = link_pair("files")
    fs = FlightSoftware(flight_end, state_dir=tmp_path / "fsw", clock="sim", speed=100).start()
    try:
        for number in (1, 2):
            (tmp_path / "up.bin").write_bytes(bytes([number]) * 5000)
            gs = connect(link=ground_end, archive=False, timeout=10, on_warning=lambda _m: None)
            transfer = gs.upload(tmp_path / "up.bin", f"up{number}.bin", timeout=60)
            gs.session._stop.set()                   # the next session takes the same link
            gs.session._thread.join(2)
            assert transfer.ok, transfer
            time.sleep(1.1)                          # a new session, a second later
        assert (tmp_path / "fsw" / "files" / "received" / "up2.bin").read_bytes() == bytes([2]) * 5000
    finally:
        fs.stop()

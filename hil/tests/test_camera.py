"""The camera: capture, then downlink (as a CFDP file, or in segments where the target has no
CFDP), reassembled and checked on the ground."""

import random
import time
from itertools import combinations

import numpy as np
import pytest

from fsw.link import Link, open_link
from fsw.protocol.cfdp import FLIGHT_ENTITY
from fsw.protocol.cop1.fop import ACTIVE
from fsw.protocol.imagefile import image_rows
from ground.cop1 import CopRefused
from ground.procedures import connect
from hil.plugin import needs
from hil.tests.helpers import write_bytes
from hil.tests.test_commands import captured_image, ready_camera
from hil.tests.test_cop1 import Relink, station, wait_until
from hil.tests.test_link import BURST_JUNK, junk_frame, octets_lost, rejected_span, send_in_window

MAX_STRIPS = 24   # framelets times filters the smallest board (the Arduino) takes in one capture


def test_capture_and_downlink(gs, hil_target):
    needs(hil_target, commands=("cam_power", "cam_configure", "cam_capture"))
    if hil_target.capabilities.file_delivery == "segments":
        needs(hil_target, commands=("cam_downlink",))
    image_id = captured_image(gs)
    # CFDP class 2, or class 1 where that is all the target offers (the ground learns which)
    image = gs.downlink_image(image_id, timeout=300, via=hil_target.capabilities.file_delivery)
    meta = image.meta
    if hil_target.capabilities.image_size is not None:
        assert (meta["width"], meta["height"]) == hil_target.capabilities.image_size
    assert meta["image_id"] == image_id
    assert len(image.planes) == bin(meta["filters"]).count("1")
    for plane in image.planes.values():
        assert plane.shape == (meta["height"], meta["width"])
    if hil_target.capabilities.file_delivery == "cfdp":
        # cfdp-py, the ground's receiving entity, took it whole, in the class the target offers
        name = f"image_{image_id:05d}.pjim"
        transfer = next(t for _, t in reversed(gs.session.files.ended) if t.name == name)
        assert (transfer.ok, transfer.mode, transfer.source) == (True, hil_target.capabilities.cfdp_class,
                                                                 FLIGHT_ENTITY)


def test_the_four_filter_strips_come_down_lined_up(gs, hil_target):
    # a push-frame image on the reduced camera: the four strips sit at their places on one chip,
    # so each filter saw a row of sky in a different framelet and chip row. Reassembled on the
    # ground, a person sees Io at the same place in every filter, stripes that differ from filter
    # to filter, and, decompanded, a sky at the dark level the board reports
    needs(hil_target, "push_frame", commands=("cam_power", "cam_configure", "cam_capture", "file_downlink"))
    ready_camera(gs)
    gs.send("cam_configure", exposure=100, filters=15, tdi=1)
    gs.send("cam_capture", framelets=5)
    image_id = gs.await_event("image_captured", timeout=60).fields["image_id"]
    dark_level = gs.request_hk(10)["dark_level"]
    image = gs.downlink_image(image_id, timeout=120)
    assert (image.meta["companding"], image.meta["framelets"]) == ("sqrt", 5)
    assert image.filters == ["red", "green", "blue", "methane"]
    dn = image.dn
    # summed 4 x 4: 32-row strips, the red one 117 rows below methane's, so 5 x 32 - 117 rows
    assert {plane.shape for plane in dn.values()} == {(image_rows(5, summing=4), image.meta["width"])}
    lit = {name: np.argwhere(plane > dark_level + 400).mean(axis=0) for name, plane in dn.items()}
    for name, centre in lit.items():
        assert np.abs(centre - lit["red"]).max() < 1.5, (name, centre, lit["red"])
    sky = {name: np.median(np.hstack([plane[:, :8], plane[:, -8:]]), axis=1) for name, plane in dn.items()}
    for a, b in combinations(sky, 2):
        assert np.abs(sky[a] - sky[b]).mean() > 10, (a, b)        # stripes of their own
    for name, rows in sky.items():
        assert abs(np.median(rows) - dark_level) < 25, (name, np.median(rows), dark_level)


class Fade(Link):
    """The line going silent for a moment, as a fade would: what arrives meanwhile is lost."""

    def __init__(self, link: Link):
        self.link = link
        self.until = 0.0

    def read(self, max_bytes: int = 4096, timeout: float | None = 0.1) -> bytes:
        data = self.link.read(max_bytes, timeout)
        return b"" if time.monotonic() < self.until else data

    def write(self, data: bytes) -> None:
        self.link.write(data)

    def close(self) -> None:
        self.link.close()


def test_a_class_1_image_that_lost_frames_on_the_way_is_asked_for_again(fresh_target):
    # class 1 sends nothing again by itself: the file comes down incomplete, fails its check on
    # the ground (check_limit_reached), and the ground asks for it again, with no operator action
    needs(fresh_target, commands=("cam_power", "cam_configure", "cam_capture", "file_downlink"))
    if fresh_target.capabilities.cfdp_class != 1:
        pytest.skip(f"{fresh_target.name} sends class 2: lost data is sent again within the transfer")
    line = Fade(open_link(fresh_target.port, 115200))
    with connect(link=line, frame_len=fresh_target.capabilities.frame_len, archive=False, timeout=20,
                 on_warning=lambda _message: None, cop1="farm" in fresh_target.capabilities.features,
                 key_file=fresh_target.key_file if "sdls" in fresh_target.capabilities.features else None) as gs:
        gs.await_board()
        ready_camera(gs)
        gs.send("cam_configure", exposure=50, filters=15, tdi=1)
        gs.send("cam_capture", framelets=1)              # 8 KB: a second of line
        image_id = gs.await_event("image_captured", timeout=60).fields["image_id"]
        faded = []

        def fade_once(got: int, total: int) -> None:
            if not faded and got > total // 3:
                faded.append(got)
                line.until = time.monotonic() + 0.2     # ~9 frames of the line lost

        image = gs.downlink_image(image_id, timeout=60, progress=fade_once)
        conditions = [t.condition for _, t in gs.session.files.ended if t.name == f"image_{image_id:05d}.pjim"]
    assert faded and conditions == ["check_limit_reached", "no_error"]
    assert set(image.planes) == {"red", "green", "blue", "methane"}


def test_the_uplink_is_heard_while_a_capture_is_stored(gs, hil_target):
    # the largest capture the board takes, then junk longer than its receive ring and a window of
    # commands while it stores (and checksums) the image: every command completes once and every
    # junk frame is one rejection, so not an uplink octet was lost meanwhile
    needs(hil_target, commands=("cam_power", "cam_configure", "cam_capture"))
    ready_camera(gs)
    gs.send("cam_configure", exposure=20, filters=15, tdi=1)
    rejected = []

    def on_event(record):
        if record.name == "frame_rejected":
            rejected.append(rejected_span(record))

    before = gs.request_hk(2)
    with gs.session.listening(on_event):
        capture = gs.send("cam_capture", wait=False, framelets=MAX_STRIPS // 4)
        write_bytes(gs, b"".join(junk_frame(random.Random(59), n) for n in BURST_JUNK))
        sent, _ = send_in_window(gs, hil_target.capabilities.window, 8, "ping")
        assert gs.wait_for(capture, timeout=120).outcome == "completed"
    assert [v.outcome for v in sent] == ["completed"] * 8
    assert not octets_lost(rejected), rejected
    after = gs.request_hk(2)
    assert after["frames_rejected"] - before["frames_rejected"] == len(BURST_JUNK), rejected
    assert after["tc_accepted"] - before["tc_accepted"] == 8 + 2   # the capture and this hk_oneshot


@pytest.mark.timeout(180)      # two captures and downlinks, and a boot
def test_after_a_board_reset_its_first_file_comes_at_the_first_request(fresh_target):
    # the boards number their CFDP transactions from 0 at each boot: the ground hears the boot
    # event and forgets the transactions it ended, so the new transaction 0 is not refused as a
    # repeat. The host's flight software keeps its numbers on disk, each before its first PDU goes:
    # killed right after a class 2 file, it must not number the next one the same
    needs(fresh_target, "reset", commands=("cam_power", "cam_configure", "cam_capture", "file_downlink"))
    link = Relink(fresh_target)
    with station(fresh_target, link) as gs:
        gs.downlink_image(captured_image(gs), timeout=120, via="cfdp")
        reset_at = time.time()
        fresh_target.reset()
        link.reopen()
        gs.await_event("boot", timeout=30, since=reset_at)
        cop1 = gs.session.cop1
        assert wait_until(lambda: cop1.fop.state == ACTIVE and cop1.fop.last_clcw is not None
                          and cop1.fop.last_clcw.report_value == cop1.fop.v_s, timeout=30)
        try:
            gs.send("ping")
        except CopRefused:              # a late CLCW from before the reset: one resynchronisation more
            assert wait_until(lambda: cop1.fop.state == ACTIVE)
        image_id = captured_image(gs)
        image = gs.downlink_image(image_id, timeout=120, via="cfdp", retries=0)
        assert image.meta["image_id"] == image_id
        assert gs.session.files.entity.refused["ended_transaction"] == 0

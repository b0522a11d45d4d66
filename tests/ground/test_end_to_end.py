"""The procedures API against the real `fsw`, a subprocess on a pty in simulated time."""

import numpy as np
import pytest
from lossy import FrameDroppingLink

from fsw.link import open_link
from fsw.protocol.imagefile import MAX_LAG, STRIP_ROWS
from fsw.protocol.reasons import Reason
from ground.archive import ArchiveReader
from ground.procedures import CommandFailed, connect


def test_ping_housekeeping_and_the_dictionary_agree(fsw_port, tmp_path):
    warnings = []
    with connect(fsw_port, archive=tmp_path / "a.sqlite", on_warning=warnings.append) as gs:
        gs.send("ping")
        executive = gs.request_hk(1)
        assert executive["dictionary_version"] == gs.dictionary.version
        assert gs.request_hk(3)["mode"] == "nominal"
        gs.assert_limits_nominal("mode")
    assert warnings == []
    reader = ArchiveReader(tmp_path / "a.sqlite", gs.dictionary)
    assert reader.parameter("dictionary_version")[-1][1] == gs.dictionary.version
    assert any(row["name"] == "ping" and row["dir"] == "up" for row in reader.packets())


def test_failures_carry_their_reason(fsw_port):
    with connect(fsw_port, archive=False) as gs:
        gs.expect_failed("cam_capture", Reason.EXECUTION_FAILED)          # camera is off
        gs.expect_rejected("cam_delete", Reason.NOT_ARMED, image_id=1)     # hazardous, not armed
        with pytest.raises(CommandFailed) as caught:
            gs.send("cam_downlink", image_id=999)
        assert caught.value.reason is Reason.NO_SUCH_ITEM


def _capture(gs) -> int:
    gs.send("cam_power", state="on")
    gs.await_event("cam_ready", timeout=30)
    gs.send("cam_configure", exposure=5, filters=7, tdi=2)
    gs.send("cam_capture", framelets=4, timeout=30)
    return gs.await_event("image_captured", timeout=10).fields["image_id"]


def test_an_image_survives_lost_frames(fsw_port):
    # lose frames 20..24 and every 50th of the first 400: segments go missing, ground asks again
    link = FrameDroppingLink(open_link(fsw_port), lambda i: 20 <= i < 25 or (i < 400 and i % 50 == 49))
    with connect(link=link, archive=False, timeout=15) as gs:
        image_id = _capture(gs)
        first_frame = link.index
        link.drop = lambda i, start=first_frame: start + 5 <= i < start + 9 or (i - start) % 60 == 59 and i < start + 300
        image = gs.downlink_image(image_id)
        assert link.dropped > 0
        assert image.requests >= 2
        # four framelets as read (meta height), reassembled: one strip where every filter saw the sky
        assert image.meta["height"] == 4 * STRIP_ROWS
        assert image.planes["red"].shape == ((4 - MAX_LAG) * STRIP_ROWS, image.meta["width"])
        assert image.planes["red"].dtype == np.uint8
        assert image.meta["io_range"] > 0


def test_scheduled_commands_are_verified_when_released(fsw_port):
    with connect(fsw_port, archive=False) as gs:
        gs.request_hk(1)
        now = gs.onboard_time()
        released = gs.schedule(now + 30, "ping")
        assert released.outcome == "pending"
        gs.wait_for(released, timeout=10)
        assert released.outcome == "completed"
        assert gs.onboard_time() >= int(now + 30)
        gs.await_event("schedule_released", timeout=5)

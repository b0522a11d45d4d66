"""The procedures API against the real `fsw`, a subprocess on a pty in simulated time."""

import numpy as np
import pytest
from lossy import FrameDroppingLink, LosesOnce

from fsw.link import open_link
from fsw.protocol.imagefile import STRIP_ROWS, image_rows
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
    gs.send("cam_configure", exposure=5, filters=7, tdi=2, readout="sum4")
    gs.send("cam_capture", framelets=4, timeout=30)
    return gs.await_event("image_captured", timeout=10).fields["image_id"]


def test_an_image_survives_lost_frames(fsw_port):
    # during the downlink, frames of every channel are lost: segments go missing, ground asks again
    # (not while capturing: replies share VC 1 frames with housekeeping, and a lost event is lost
    # for good, which is not what this is about)
    link = FrameDroppingLink(open_link(fsw_port), lambda i, frame: False)
    with connect(link=link, archive=False, timeout=15) as gs:
        image_id = _capture(gs)
        first_frame = link.index
        link.drop = lambda i, frame, start=first_frame: (start + 5 <= i < start + 9
                                                         or (i - start) % 60 == 59 and i < start + 300)
        image = gs.downlink_image(image_id, via="segments")   # the camera's own protocol, re-asking
        assert link.dropped > 0
        assert image.requests >= 2
        # four framelets as read (meta height), 4 x 4 summed; reassembled: the rows every filter saw
        assert image.meta["height"] == 4 * STRIP_ROWS // 4
        assert image.planes["red"].shape == (image_rows(4, 4), image.meta["width"]) == (11, 412)
        assert image.planes["red"].dtype == np.uint8
        assert image.meta["io_range"] > 0


def test_an_image_survives_losing_its_last_segment_and_its_completion_report(fsw_port):
    # the repro of issue 11: two frames lost, one with the last segment, one with the completion
    # report: the ground notices the silence and asks for what is missing
    link = FrameDroppingLink(open_link(fsw_port), lambda i, frame: False)
    with connect(link=link, archive=False, timeout=15) as gs:
        image_id = _capture(gs)
        segment = gs.dictionary.report("image_segment")

        def kind(packet) -> str | None:
            if (packet.service, packet.subtype) == (1, 7):
                return "completion"
            if (packet.service, packet.subtype) == (segment.service, segment.subtype):
                fields = gs.dictionary.decode_tm(packet)["fields"]
                return "last segment" if fields["segment"] == fields["segments"] - 1 else None
            return None

        link.drop = losses = LosesOnce(kind)
        image = gs.downlink_image(image_id, quiet=1.0, via="segments")
        assert sorted(losses.lost) == ["completion", "last segment"]
        assert image.requests == 2
        assert image.planes["red"].shape == (image_rows(4, 4), image.meta["width"])


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


def test_times_are_taken_as_iso_dates_wherever_a_time_is_taken(fsw_port):
    with connect(fsw_port, archive=False) as gs:
        gs.send("time_set", seconds="2023-12-30T08:21:00")                 # the command's argument
        gs.await_onboard_time("2023-12-30T08:21:00", timeout=10)             # the procedures API's waits
        released = gs.schedule("2023-12-30T08:22:00Z", "ping")               # and the schedule
        gs.wait_for(released, timeout=10)
        assert released.outcome == "completed" and gs.onboard_time() >= 757_239_720
        with pytest.raises(ValueError, match="not an ISO date-time"):
            gs.schedule("next tuesday", "ping")

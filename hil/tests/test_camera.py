"""The camera: capture, then downlink (as a CFDP file, or in segments where the target has no
CFDP), reassembled and checked on the ground."""

from hil.plugin import needs
from hil.tests.test_commands import captured_image


def test_capture_and_downlink(gs, hil_target):
    needs(hil_target, commands=("cam_power", "cam_configure", "cam_capture"))
    if hil_target.capabilities.file_delivery == "segments":
        needs(hil_target, commands=("cam_downlink",))
    image_id = captured_image(gs)
    image = gs.downlink_image(image_id, timeout=300, via=hil_target.capabilities.file_delivery,
                              cfdp_class=hil_target.capabilities.cfdp_class)
    meta = image.meta
    if hil_target.capabilities.image_size is not None:
        assert (meta["width"], meta["height"]) == hil_target.capabilities.image_size
    assert meta["image_id"] == image_id
    assert len(image.planes) == bin(meta["filters"]).count("1")
    for plane in image.planes.values():
        assert plane.shape == (meta["height"], meta["width"])

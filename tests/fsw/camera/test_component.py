import zlib

import pytest

from fsw import mission
from fsw.camera.component import WARMUP_S
from fsw.hw.sim.detector import WIDTH
from fsw.protocol import imagefile
from fsw.protocol.imagefile import SEGMENT_OCTETS
from fsw.protocol.reasons import Reason


def ready(bench):
    bench.command("cam_power", state="on")
    bench.run(WARMUP_S + 1, dt=1.0)
    return bench


def capture(bench, framelets=4):
    verify = bench.command("cam_capture", framelets=framelets)
    assert verify.deferred, verify.detail
    bench.run(60, until=lambda: verify.done)
    assert verify.completed
    return bench.camera.last_image


def test_housekeeping_is_complete_and_encodable(bench):
    values = bench.housekeeping(bench.camera)
    assert {p.name for p in bench.camera.COMPONENT.parameters} == set(values)


def test_capture_needs_power_and_warm_up(bench):
    off = bench.command("cam_capture", framelets=4)
    assert off.failed == Reason.EXECUTION_FAILED and "off" in off.detail
    bench.command("cam_power", state="on")
    assert bench.housekeeping(bench.camera)["cam_state"] == "warming"
    warming = bench.command("cam_capture", framelets=4)
    assert warming.failed == Reason.EXECUTION_FAILED and "warming" in warming.detail
    bench.run(WARMUP_S - 10, dt=1.0)
    assert not bench.named("cam_ready")
    bench.run(11, dt=1.0)
    assert bench.named("cam_ready") and bench.camera.camera_state == "ready"


def test_capture_builds_an_image_from_framelets_and_stores_it(bench):
    ready(bench)
    bench.command("cam_configure", exposure=10, filters=15, tdi=1, compression="lossless")
    verify = bench.command("cam_capture", framelets=6)
    assert bench.command("cam_capture", framelets=6).failed == Reason.BUSY
    bench.run(60, until=lambda: verify.done)
    assert verify.completed
    assert [step for step, _ in verify.progress_log] == [1, 2, 3, 4, 5]
    image_id = bench.camera.last_image
    captured = bench.named("image_captured")[-1]
    assert captured["image_id"] == image_id
    meta = bench.camera.images.index[image_id]
    rows = 6 * imagefile.STRIP_ROWS                # six framelets of each filter's strip, as read
    assert (meta["width"], meta["height"], meta["filters"], meta["framelets"]) == (WIDTH, rows, 15, 6)
    planes = imagefile.unpack_planes(bench.camera.images.payload(image_id), WIDTH, rows, 4, "lossless")
    assert planes.shape == (4, rows, WIDTH)
    assert bench.housekeeping(bench.camera)["images_stored"] == 1


def test_a_summed_readout_is_chosen_by_command_and_stated_with_the_image(bench):
    ready(bench)
    bench.command("cam_configure", exposure=10, filters=1, tdi=1, readout="sum2")
    image_id = capture(bench, framelets=5)
    meta = bench.camera.images.index[image_id]
    # 2 x 2 summed: half the chip's 1648 columns, 64 of each strip's 128 rows a framelet
    assert (meta["width"], meta["height"], meta["readout"]) == (WIDTH // 2, 5 * 64, "sum2")
    assert imagefile.summing_of(meta["height"], meta["framelets"]) == 2
    planes = imagefile.unpack_planes(bench.camera.images.payload(image_id), WIDTH // 2, 5 * 64, 1, "lossless")
    assert imagefile.reassemble({"red": planes[0]}, 5)["red"].shape == (5 * 64 - 234, WIDTH // 2)
    bench.command("cam_configure", exposure=10, filters=1, tdi=1)        # the default: full scale again
    assert bench.camera.images.index[capture(bench, framelets=1)]["width"] == WIDTH == 1648


def test_list_downlink_and_reassembly(bench):
    ready(bench)
    first, second = capture(bench), capture(bench)
    bench.command("cam_list")
    listed = bench.reports("image_list")[-1]["images"]
    assert [item["image_id"] for item in listed] == [first, second]

    verify = bench.command("cam_downlink", image_id=first, first_segment=0)
    assert verify.deferred
    assert bench.command("cam_downlink", image_id=second, first_segment=0).failed == Reason.BUSY
    bench.run(1, dt=0.1)
    sent_after_one_tick_group = len(bench.reports("image_segment"))
    assert 0 < sent_after_one_tick_group <= 30     # paced, not all at once
    bench.run(300, until=lambda: verify.done)
    assert verify.completed
    steps = [step for step, _ in verify.progress_log]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) >= 5   # numbered, every ~10 %
    meta = bench.reports("image_meta")[-1]
    segments = bench.reports("image_segment")
    assert [s["segment"] for s in segments] == list(range(meta["segments"]))
    assert all(len(s["data"]) <= SEGMENT_OCTETS for s in segments)
    payload = b"".join(s["data"] for s in segments)
    assert len(payload) == meta["size"] and zlib.crc32(payload) == meta["checksum"]
    assert bench.named("downlink_complete")[-1] == {"image_id": first, "segments": meta["segments"]}


def test_downlink_resumes_from_a_segment(bench):
    ready(bench)
    image_id = capture(bench)
    segments = bench.camera.images.index[image_id]["segments"]
    verify = bench.command("cam_downlink", image_id=image_id, first_segment=segments - 3)
    bench.run(10, until=lambda: verify.done)
    assert [s["segment"] for s in bench.reports("image_segment")] == [segments - 3, segments - 2, segments - 1]
    assert bench.command("cam_downlink", image_id=image_id, first_segment=segments).failed == Reason.ARG_OUT_OF_RANGE
    assert bench.command("cam_downlink", image_id=999, first_segment=0).failed == Reason.NO_SUCH_ITEM


def test_an_image_packet_fits_a_tm_frame(bench):
    ready(bench)
    image_id = capture(bench)
    bench.command("cam_downlink", image_id=image_id, first_segment=0)
    bench.run(0.1)
    segment = bench.reports("image_segment")[0]
    fields = bench_module_dictionary().encode_report("image_segment", segment)
    assert 6 + 13 + len(fields) + 2 < 1024 - 12     # primary + PUS TM header + CRC in a frame's zone


def bench_module_dictionary():
    from fsw.dictionary import load

    return load()


def test_delete(bench):
    ready(bench)
    image_id = capture(bench)
    assert bench.command("cam_delete", image_id=image_id).completed
    assert bench.named("image_deleted") == [{"image_id": image_id}]
    assert bench.command("cam_delete", image_id=image_id).failed == Reason.NO_SUCH_ITEM


def test_store_full_refuses_capture(bench):
    ready(bench)
    bench.camera.images.max_images = 2
    capture(bench)
    capture(bench)
    verify = bench.command("cam_capture", framelets=4)
    assert verify.failed == Reason.STORE_FULL
    assert bench.named("store_full")
    assert bench.housekeeping(bench.camera)["store_used"] == 100


def test_a_corrupt_image_is_left_out_with_an_event(tmp_path, bench_module):
    first = bench_module.Bench(tmp_path)
    ready(first)
    good, bad = capture(first), capture(first)
    path = tmp_path / "data" / f"image-{bad:05d}"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    again = bench_module.Bench(tmp_path, state=first.state())
    again.command("cam_list")
    assert [i["image_id"] for i in again.reports("image_list")[-1]["images"]] == [good]
    assert again.named("image_lost") == [{"image_id": bad}]
    assert again.housekeeping(again.camera)["images_lost"] == 1
    assert ready(again) and capture(again) not in (good, bad)


def test_state_round_trips_through_json(tmp_path, bench_module):
    import json

    first = bench_module.Bench(tmp_path)
    ready(first)
    capture(first)
    state = json.loads(json.dumps(first.state()))
    again = bench_module.Bench(tmp_path, state=state)
    assert again.camera.camera_state == "ready"
    assert again.services.hardware.camera.damage == first.services.hardware.camera.damage
    # measured afresh from a new dark frame: the same detector, so nearly the same count
    assert again.housekeeping(again.camera)["hot_pixels"] == pytest.approx(
        first.housekeeping(first.camera)["hot_pixels"], rel=0.1)


def test_safe_mode_switches_the_camera_off_and_aborts_a_capture(bench):
    ready(bench)
    verify = bench.command("cam_capture", framelets=64)
    bench.camera.enter_safe()
    assert verify.failed == Reason.EXECUTION_FAILED
    assert bench.camera.camera_state == "off"


def test_perijove_passes_add_dose_and_damage(tmp_path, bench_module):
    bench = bench_module.Bench(tmp_path, start=mission.PJ57 - 60)
    before = bench.housekeeping(bench.camera)
    assert before["perijove"] == 56
    bench.run(120, dt=1.0)
    passes = bench.named("perijove_pass")
    assert [p["perijove"] for p in passes] == [57]
    after = bench.housekeeping(bench.camera)
    assert after["dose"] > before["dose"]
    assert after["hot_pixels"] > before["hot_pixels"]


def test_a_young_camera_is_clean(tmp_path, bench_module):
    bench = bench_module.Bench(tmp_path, start=mission.PJ1 - 86400)
    values = bench.housekeeping(bench.camera)
    assert values["perijove"] == 0 and values["hot_pixels"] == 0 and values["noise"] < 5 and values["stripes"] < 1

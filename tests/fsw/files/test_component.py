"""The files component in the flight software (stepped, simulated time), with the ground's CFDP
entity of the test on the other end of the real frames: images down, files up, hostile PDUs."""

import os

import pytest

from fsw.loopback import Loopback
from fsw.protocol.cfdp import CFDP_APID, FLIGHT_ENTITY, GROUND_ENTITY
from fsw.protocol.cfdp.entity import Entity, copy_in
from fsw.protocol.cfdp.packets import unwrap
from fsw.protocol.stack import RawPacket


class Ground:
    """A ground CFDP entity on the loopback's ground end, on the flight's simulated time."""

    def __init__(self, loop: Loopback, root):
        self.loop = loop
        self.entity = Entity(GROUND_ENTITY, FLIGHT_ENTITY, root, loop.flight.elapsed)
        loop.receiver.raw_apids = frozenset({CFDP_APID})
        loop.receiver.on_raw = lambda packet: self.entity.receive(unwrap(packet))

    def run(self, seconds: float, done=lambda: False) -> None:
        for _ in range(int(seconds / 0.1)):
            for pdu in self.entity.poll():
                self.loop.send_bytes(self.loop.sender.send_raw_packet(RawPacket(CFDP_APID, pdu)))
            self.loop.advance(0.1)
            if done():
                return


@pytest.fixture
def loop():
    with Loopback(seed=0) as loop:
        yield loop


def capture(loop) -> int:
    loop.send("cam_power", {"state": "on"})
    loop.advance(200)
    loop.send("cam_capture", {"framelets": 4})
    loop.advance(20)
    return loop.events("image_captured")[-1]["fields"]["image_id"]


@pytest.mark.parametrize("cfdp_class", [2, 1])
def test_an_image_comes_down_as_its_stored_file(loop, tmp_path, cfdp_class):
    image_id = capture(loop)
    ground = Ground(loop, tmp_path / "ground")
    tc = loop.send("file_downlink", {"image_id": image_id, "cfdp_class": cfdp_class})
    ground.run(30, done=lambda: "completion_success" in loop.verification(tc))
    assert loop.verification(tc)[-1] == "completion_success"
    received = ground.entity.receiving
    assert received.ok and received.name == f"image_{image_id:05d}.pjim"
    assert received.path.read_bytes() == loop.flight.components["camera"].images.blob(image_id)
    assert loop.events("file_sent")[-1]["fields"]["octets"] == received.size


def test_no_image_and_a_busy_sender_are_rejected_with_their_reasons(loop, tmp_path):
    from fsw.protocol.reasons import Reason

    missing = loop.send("file_downlink", {"image_id": 99})
    loop.advance(0.1)
    assert loop.failure_reason(missing) == Reason.NO_SUCH_ITEM
    image_id = capture(loop)
    loop.send("file_downlink", {"image_id": image_id})
    loop.advance(0.1)
    second = loop.send("file_downlink", {"image_id": image_id})
    loop.advance(0.1)
    assert loop.failure_reason(second) == Reason.BUSY


def test_without_a_ground_the_transfer_fails_with_its_condition_in_bounded_time(loop):
    image_id = capture(loop)
    tc = loop.send("file_downlink", {"image_id": image_id})
    loop.advance(200)
    assert loop.verification(tc)[-1] == "completion_failure"
    failed = loop.events("file_failed")[-1]["fields"]
    assert failed["condition"] in ("positive_ack_limit_reached", "inactivity_detected") and failed["sending"] == 1


def test_a_file_from_the_ground_is_stored_complete(loop, tmp_path):
    ground = Ground(loop, tmp_path / "ground")
    data = os.urandom(20_000)
    (tmp_path / "f.bin").write_bytes(data)
    sending = ground.entity.put(copy_in(ground.entity, tmp_path / "f.bin", "table.dat"), "table.dat")
    ground.run(30, done=lambda: sending.done)
    assert sending.ok
    stored = loop.flight.state_dir / "files" / "received" / "table.dat"
    assert stored.read_bytes() == data
    assert loop.events("file_received")[-1]["fields"]["octets"] == len(data)
    assert loop.flight.components["files"].housekeeping()["files_stored"] == 1


def test_a_file_over_the_upload_limit_is_refused_at_its_metadata(loop, tmp_path, monkeypatch):
    files = loop.flight.components["files"]
    monkeypatch.setattr(files.entity, "max_receive", lambda: 1000)
    ground = Ground(loop, tmp_path / "ground")
    (tmp_path / "f.bin").write_bytes(os.urandom(5000))
    sending = ground.entity.put(copy_in(ground.entity, tmp_path / "f.bin", "big.dat"), "big.dat")
    ground.run(30, done=lambda: sending.done)
    assert sending.state == "failed" and sending.condition == "filestore_rejection"
    assert not (loop.flight.state_dir / "files" / "received" / "big.dat").exists()
    assert loop.events("pdu_refused")[-1]["fields"]["reason"] == "file_too_large"


def test_hostile_pdus_are_refused_counted_and_flight_goes_on(loop):
    for junk in (b"\x00", b"\xff" * 40, os.urandom(300), b"\x20" + os.urandom(600)):
        loop.send_bytes(loop.sender.send_raw_packet(RawPacket(CFDP_APID, junk)))
    loop.advance(1.0)
    assert loop.flight.components["files"].refused == 4
    assert {e["fields"]["reason"] for e in loop.events("pdu_refused")} <= {"malformed", "too_long", "no_crc",
                                                                           "wrong_entity", "ignored"}
    tc = loop.send("ping")
    loop.advance(0.2)
    assert loop.verification(tc)[-1] == "completion_success"


def test_suspend_holds_the_transfer_and_resume_finishes_it(loop, tmp_path):
    image_id = capture(loop)
    ground = Ground(loop, tmp_path / "ground")
    loop.send("file_suspend")
    tc = loop.send("file_downlink", {"image_id": image_id})
    ground.run(100)
    assert ground.entity.receiving is None           # nothing went while suspended
    loop.send("file_resume")
    ground.run(30, done=lambda: "completion_success" in loop.verification(tc))
    assert ground.entity.receiving.ok


def test_a_transaction_number_is_on_disk_before_its_first_pdu_goes_down(loop, tmp_path):
    # a kill -9 after the first PDU must not let the next boot number another file the same: the
    # ground's Finished PDU for the first, sent again until acknowledged, would close the second
    from fsw.storage.atomic import AtomicStore
    from fsw.storage.state import StateFile

    image_id = capture(loop)
    on_disk = StateFile(AtomicStore(loop.flight.state_dir))
    heard = []
    loop.receiver.raw_apids = frozenset({CFDP_APID})
    loop.receiver.on_raw = lambda packet: heard.append(on_disk.load()["components"]["files"]["next_sequence"])
    loop.send("file_downlink", {"image_id": image_id})
    for _ in range(50):
        loop.advance(0.02)
        if heard:
            break
    assert heard and heard[0] == 1

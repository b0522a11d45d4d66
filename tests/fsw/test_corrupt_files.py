"""Every file under a state directory damaged between restarts: flight starts, quarantines the
damaged file with an event, and keeps everything that is still good."""

import shutil

import pytest

from fsw.loopback import Loopback
from fsw.storage import AtomicStore
from fsw.storage.state import STATE_NAME

OK = ["acceptance_success", "start_success", "completion_success"]
FILES = [STATE_NAME, "data/image-00001", "data/image-00002"]


def truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def truncate_to_nothing(data: bytes) -> bytes:
    return b""


def flip_a_bit_in_the_header(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x01]) + data[1:]


def flip_a_bit_in_the_payload(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x80]) + data[middle + 1:]


def flip_a_bit_in_the_last_octet(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0x10])


def garbage(data: bytes) -> bytes:
    return bytes((i * 151 + 7) & 0xFF for i in range(len(data)))


def garbage_with_the_magic(data: bytes) -> bytes:
    return data[:4] + garbage(data[4:])


DAMAGE = [truncate, truncate_to_nothing, flip_a_bit_in_the_header, flip_a_bit_in_the_payload,
          flip_a_bit_in_the_last_octet, garbage, garbage_with_the_magic]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A state directory after a session: counters, a schedule entry, two images."""
    root = tmp_path_factory.mktemp("pristine")
    with Loopback(state_dir=root) as loop:
        loop.send("cam_power", {"state": "on"})
        loop.send("hk_interval", {"sid": 4, "interval": 30})
        loop.advance(181)
        for _ in range(2):
            loop.send("cam_capture", {"framelets": 1})
            loop.advance(3)
        assert sorted(loop.flight.components["camera"].images.index) == [1, 2]
    return root


def restart(state_dir):
    loop = Loopback(state_dir=state_dir)
    loop.advance(0.2)
    return loop


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", FILES)
def test_a_damaged_file_is_quarantined_and_the_rest_kept(pristine, tmp_path, name, damage):
    state_dir = tmp_path / "state"
    shutil.copytree(pristine, state_dir)
    path = state_dir / name
    path.write_bytes(damage(path.read_bytes()))
    with restart(state_dir) as loop:
        quarantined = [e["fields"]["file"] for e in loop.events("state_quarantined")]
        assert quarantined == [path.name.encode()]
        assert (path.parent / "quarantine" / path.name).exists() and not path.exists()
        camera = loop.flight.components["camera"]
        good_images = [i for i in (1, 2) if f"data/image-{i:05d}" != name]
        assert sorted(camera.images.index) == good_images
        if name == STATE_NAME:
            assert loop.flight.dispatcher.counters["tc_accepted"] == 0     # a first boot again
        else:
            assert loop.flight.dispatcher.counters["tc_accepted"] == 4     # the session's state kept
            assert loop.flight.components["housekeeping"].interval_ds[4] == 30
            assert [e["fields"]["image_id"] for e in loop.events("image_lost")] == [int(name[-5:])]
        # what is still good comes down whole; a new image does not reuse a quarantined id
        tc = loop.send("cam_downlink", {"image_id": good_images[0]})
        loop.advance(30)
        assert loop.verification(tc)[-1] == "completion_success"
        assert camera._take_id() not in (1, 2)
        ping = loop.send("ping")
        loop.advance(0.1)
        assert loop.verification(ping) == OK


def test_every_file_damaged_at_once(pristine, tmp_path):
    state_dir = tmp_path / "state"
    shutil.copytree(pristine, state_dir)
    for name in FILES:
        (state_dir / name).write_bytes(garbage((state_dir / name).read_bytes()))
    with restart(state_dir) as loop:
        assert len(loop.events("state_quarantined")) == len(FILES)
        assert loop.flight.components["camera"].images.index == {}
        ping = loop.send("ping")
        loop.advance(0.1)
        assert loop.verification(ping) == OK
    # the next boot finds a clean directory: nothing more to quarantine, the new state loads
    with restart(state_dir) as loop:
        assert loop.events("state_quarantined") == []
        assert loop.flight.dispatcher.counters["tc_accepted"] == 1


def test_the_same_file_damaged_twice_keeps_both_copies(pristine, tmp_path):
    state_dir = tmp_path / "state"
    shutil.copytree(pristine, state_dir)
    for _ in range(2):
        path = state_dir / STATE_NAME
        path.write_bytes(truncate(path.read_bytes()))
        restart(state_dir).close()
    assert sorted(p.name for p in (state_dir / "quarantine").iterdir()) == [STATE_NAME, f"{STATE_NAME}.1"]


@pytest.mark.parametrize("blob", [b"", b"not an image", b"PJIM\x00\x00\x00\x02{}", b"PJIM\x00\x00\x00\x02[]"])
def test_a_well_checksummed_file_that_is_not_an_image_is_quarantined(pristine, tmp_path, blob):
    state_dir = tmp_path / "state"
    shutil.copytree(pristine, state_dir)
    AtomicStore(state_dir / "data").put("image-00003", blob)
    with restart(state_dir) as loop:
        assert [e["fields"]["file"] for e in loop.events("state_quarantined")] == [b"image-00003"]
        assert [e["fields"]["image_id"] for e in loop.events("image_lost")] == [3]
        assert sorted(loop.flight.components["camera"].images.index) == [1, 2]
        listing = loop.send("cam_list")
        loop.advance(0.1)
        assert loop.verification(listing)[-1] == "completion_success"
    assert (state_dir / "data" / "quarantine" / "image-00003").exists()
    with restart(state_dir) as loop:      # reported once, not at every boot
        assert loop.events("image_lost") == []

import numpy

from fsw.storage import AtomicStore, StateFile
from fsw.storage.state import STATE_NAME


def test_state_round_trips_with_numpy_values(tmp_path):
    state = StateFile(AtomicStore(tmp_path))
    assert state.load() is None
    state.save({"kind": "sim", "onboard": 1.5},
               {"camera": {"dose": numpy.float32(2.5), "pixels": numpy.arange(3), "ids": {3, 1}}})
    loaded = StateFile(AtomicStore(tmp_path)).load()
    assert loaded["clock"] == {"kind": "sim", "onboard": 1.5}
    assert loaded["components"]["camera"] == {"dose": 2.5, "pixels": [0, 1, 2], "ids": [1, 3]}


def test_a_component_whose_state_cannot_be_saved_is_left_out(tmp_path):
    state = StateFile(AtomicStore(tmp_path))
    state.save({}, {"good": {"n": 1}, "bad": {"thing": object()}})
    assert StateFile(AtomicStore(tmp_path)).load()["components"] == {"good": {"n": 1}}


def test_a_corrupt_state_file_is_quarantined_and_reported(tmp_path):
    reported = []
    store = AtomicStore(tmp_path, on_corrupt=reported.append)
    StateFile(store).save({}, {"modes": {"mode": "safe"}})
    path = tmp_path / STATE_NAME
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x55
    path.write_bytes(bytes(data))
    assert StateFile(store).load() is None
    assert not path.exists() and (tmp_path / "quarantine" / STATE_NAME).exists()
    assert reported[0].name == STATE_NAME and "checksum" in reported[0].why


def test_a_well_formed_file_that_is_not_a_state_document_is_quarantined(tmp_path):
    reported = []
    store = AtomicStore(tmp_path, on_corrupt=reported.append)
    store.put(STATE_NAME, b"[1, 2, 3]")
    assert StateFile(store).load() is None
    assert reported and (tmp_path / "quarantine" / STATE_NAME).exists()

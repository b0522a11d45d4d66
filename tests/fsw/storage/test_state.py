import numpy

from fsw.storage import AtomicStore, StateFile
from fsw.storage.state import JOURNAL_NAME, STATE_NAME


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
    StateFile(store, journal_limit=0).save({}, {"modes": {"mode": "safe"}})     # straight to the snapshot
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


def save(state: StateFile, n: int) -> None:
    state.save({}, {"commanding": {"tc_executed": n}})


def executed(tmp_path, **options) -> int:
    return StateFile(AtomicStore(tmp_path), **options).load()["components"]["commanding"]["tc_executed"]


def test_each_save_is_one_journal_record_and_the_newest_is_loaded(tmp_path):
    state = StateFile(AtomicStore(tmp_path))
    for n in range(1, 6):
        save(state, n)
    assert not (tmp_path / STATE_NAME).exists()
    assert executed(tmp_path) == 5


def test_a_full_journal_becomes_the_snapshot_and_starts_again(tmp_path):
    state = StateFile(AtomicStore(tmp_path), journal_limit=600)
    for n in range(1, 40):
        save(state, n)
        assert executed(tmp_path) == n
    assert (tmp_path / STATE_NAME).exists()
    assert (tmp_path / JOURNAL_NAME).stat().st_size <= 600


def test_an_older_snapshot_loses_to_the_journal_and_a_newer_one_wins(tmp_path):
    state = StateFile(AtomicStore(tmp_path), journal_limit=0)
    save(state, 1)                                    # the snapshot, sequence 1
    journalled = StateFile(AtomicStore(tmp_path))
    save(journalled, 2)                               # numbered after the snapshot: sequence 2
    assert executed(tmp_path) == 2
    save(StateFile(AtomicStore(tmp_path), journal_limit=0), 3)   # a newer snapshot; the journal emptied
    assert executed(tmp_path) == 3


def test_a_torn_last_record_leaves_the_one_before_and_is_set_aside(tmp_path):
    reported = []
    state = StateFile(AtomicStore(tmp_path))
    save(state, 1)
    save(state, 2)
    state.close()
    journal = tmp_path / JOURNAL_NAME
    journal.write_bytes(journal.read_bytes()[:-7])       # a kill -9 in the middle of the write
    reopened = StateFile(AtomicStore(tmp_path, on_corrupt=reported.append))
    assert reopened.load()["components"]["commanding"]["tc_executed"] == 1
    assert reported and reported[0].name == JOURNAL_NAME
    assert list((tmp_path / "quarantine").glob(JOURNAL_NAME + ".tail-*"))
    save(reopened, 3)                                 # appends after the last whole record
    assert executed(tmp_path) == 3


def test_garbage_in_the_journal_never_stops_a_load(tmp_path):
    (tmp_path / JOURNAL_NAME).write_bytes(b"PJR1" + bytes(range(200)))
    assert StateFile(AtomicStore(tmp_path)).load() is None

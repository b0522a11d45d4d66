"""The CFDP entity (cfdp-py inside) against itself over a scripted wire: every case other users of
cfdp-py, cFS CF, Yamcs and cfdp-rs reported as a stall ends, in bounded simulated time, with the
file byte for byte or with an explicit fault. Timers are the ICD's (fsw.protocol.cfdp.TIMERS)."""

import os

import pytest
from cfdp_wire import Wire

from fsw.protocol.cfdp import FLIGHT_ENTITY, GROUND_ENTITY, TIMERS
from fsw.protocol.cfdp.entity import Entity

DATA = os.urandom(60_000)          # ~125 file data PDUs
BOUND = 4 * TIMERS.inactivity      # no case may take longer than this, whatever it ends with


def delivered(wire: Wire) -> bytes:
    transfer = wire.ground.receiving
    assert transfer is not None and transfer.ok, transfer
    return transfer.path.read_bytes()


def test_a_clean_class_2_transfer_is_the_file_and_both_ends_say_so(tmp_path):
    wire = Wire(tmp_path)
    sending = wire.send_file(tmp_path, DATA)
    assert wire.run(BOUND) < 1.0
    assert sending.ok and sending.condition == "no_error"
    assert delivered(wire) == DATA
    assert wire.kinds("up") == ["ack_eof", "finished"] and wire.kinds("down")[-1] == "ack_finished"


def test_class_1_is_one_pass_with_closure_and_no_acknowledgements(tmp_path):
    wire = Wire(tmp_path)
    sending = wire.send_file(tmp_path, DATA, mode=1)
    wire.run(BOUND)
    assert sending.ok and delivered(wire) == DATA
    assert wire.kinds("up") == ["finished"] and "ack_eof" not in wire.kinds("up")


def test_class_1_with_a_lost_segment_fails_explicitly_with_the_check_limit(tmp_path):
    wire = Wire(tmp_path, drop=lambda way, kind, n: kind == "file_data" and n == 10)
    sending = wire.send_file(tmp_path, DATA, mode=1)
    assert wire.run(BOUND) < BOUND
    assert wire.ground.receiving.state == "failed"
    assert wire.ground.receiving.condition == "check_limit_reached"
    assert sending.done and not sending.ok
    assert not list(wire.ground.received.iterdir())       # nothing half-made is handed over


def test_a_duplicate_eof_after_a_lost_ack_is_acknowledged_again(tmp_path):
    # the ACK and the first Finished lost: the sender knows nothing, and sends its EOF again
    wire = Wire(tmp_path, drop=lambda way, kind, n: kind in ("ack_eof", "finished") and n == 0)
    sending = wire.send_file(tmp_path, DATA)
    took = wire.run(BOUND)
    assert sending.ok and delivered(wire) == DATA
    assert wire.kinds("down").count("eof") == 2 and wire.kinds("up").count("ack_eof") == 2
    assert took < TIMERS.ack_interval * 2


def test_every_eof_ack_lost_a_while_still_ends_complete(tmp_path):
    wire = Wire(tmp_path, drop=lambda way, kind, n: kind == "ack_eof" and n < 4)
    sending = wire.send_file(tmp_path, DATA)
    wire.run(BOUND)
    assert sending.ok and delivered(wire) == DATA


def test_metadata_arriving_during_the_deferred_nak_procedure(tmp_path):
    # the metadata is held back: file data and EOF come first, the receiver NAKs for the metadata,
    # then the original metadata arrives in the middle of that procedure
    held = []

    def drop(way, kind, n):
        if kind == "metadata" and n == 0:
            held.append(wire.t)
            return True
        return False

    wire = Wire(tmp_path, drop=drop)
    sending = wire.send_file(tmp_path, DATA)
    wire.run(0.2, done=lambda: wire.ground.receiving is not None)
    assert "nak" in wire.kinds("up")            # it asked for the metadata
    wire.run(BOUND)
    assert sending.ok and delivered(wire) == DATA
    assert wire.kinds("down").count("metadata") >= 2


def test_a_nak_for_more_gaps_than_one_pdu_holds_is_split_and_the_file_completes(tmp_path):
    # every other segment lost: ~60 gaps, more segment requests than one 512-octet NAK carries
    wire = Wire(tmp_path, drop=lambda way, kind, n: kind == "file_data" and n % 2 == 1 and n < 125)
    sending = wire.send_file(tmp_path, DATA)
    wire.run(BOUND)                              # the wire asserts every PDU is within the size
    assert sending.ok and delivered(wire) == DATA
    assert wire.kinds("up").count("nak") >= 2


def test_the_receiver_tells_its_gaps_and_both_ends_count_the_naks(tmp_path):
    # file data PDUs 10, 11 and 40 lost: two gaps, three segments' octets, each asked for by NAK
    wire = Wire(tmp_path, drop=lambda way, kind, n: kind == "file_data" and n in (10, 11, 40))
    sending = wire.send_file(tmp_path, DATA)
    seen = set()
    while wire.t < BOUND and not (wire.t > 0 and wire.quiet()):
        wire.step()
        if wire.ground.receiving is not None:
            seen.add((wire.ground.receiving.gaps, wire.ground.receiving.missing))
    segment = 512 - 4 - 2 * 2 - 2 - 4 - 2   # PDU header (fixed part, entity ids, sequence), offset, CRC
    assert (2, 3 * segment) in seen
    receiving = wire.ground.receiving
    assert receiving.ok and (receiving.gaps, receiving.missing) == (0, 0) and delivered(wire) == DATA
    assert receiving.naks == wire.kinds("up").count("nak") >= 2
    assert sending.naks == receiving.naks


def test_a_transfer_after_a_failed_one_asks_for_nothing_the_failed_one_lacked(tmp_path):
    wire = Wire(tmp_path, drop=lambda way, kind, n: kind == "file_data" and n == 10)
    first = wire.send_file(tmp_path, DATA)
    wire.run(0.1, done=lambda: False)
    assert wire.ground.receiving.gaps == 1               # a gap, then the line goes for good
    wire.silent_until = BOUND
    wire.run(BOUND)
    assert first.state == wire.ground.receiving.state == "failed"
    wire.silent_until = -1.0
    second = wire.send_file(tmp_path, DATA, name="image_00002.pjim")
    wire.run(wire.t + BOUND)
    assert second.ok and delivered(wire) == DATA
    assert wire.ground.receiving.naks == second.naks == 0    # a clean line: nothing to ask for


def test_eof_received_while_suspended_is_answered_after_resume(tmp_path):
    wire = Wire(tmp_path)
    sending = wire.send_file(tmp_path, DATA)
    wire.ground.suspend()
    wire.run(30.0, done=lambda: "eof" in wire.kinds("down") and not wire.in_flight["down"])
    wire.run(wire.t + 10 * TIMERS.ack_interval, done=lambda: False)
    assert wire.kinds("up") == []                # suspended: nothing sent, however long
    assert not sending.done                      # and the sender still waits (its EOF re-sent)
    wire.ground.resume()
    wire.run(BOUND)
    assert sending.ok and delivered(wire) == DATA


def test_resume_with_no_gaps_finishes_without_a_nak(tmp_path):
    wire = Wire(tmp_path)
    sending = wire.send_file(tmp_path, DATA)
    wire.step()
    wire.flight.suspend()
    wire.run(wire.t + 20.0, done=lambda: False)
    assert not sending.done and wire.flight.timer_now() < 1.0   # its clock stood still
    wire.flight.resume()
    wire.run(BOUND)
    assert sending.ok and delivered(wire) == DATA
    assert "nak" not in wire.kinds("up")


def test_loss_of_signal_mid_transfer_resumes_at_the_next_contact(tmp_path):
    wire = Wire(tmp_path)
    sending = wire.send_file(tmp_path, DATA)
    wire.step()
    wire.flight.suspend()                        # end of the contact, both ends (the contact plan)
    wire.ground.suspend()
    wire.silent_until = wire.t + 600.0
    wire.run(wire.t + 600.0, done=lambda: False)
    assert not sending.done
    wire.flight.resume()
    wire.ground.resume()
    wire.run(wire.t + BOUND)
    assert sending.ok and delivered(wire) == DATA


def test_loss_of_signal_without_suspension_is_a_fault_in_bounded_time(tmp_path):
    wire = Wire(tmp_path)
    sending = wire.send_file(tmp_path, DATA)
    wire.step()                                  # the metadata and the first file data get through
    wire.silent_until = float("inf")
    wire.run(BOUND, done=lambda: sending.done and wire.ground.receiving.done)
    assert sending.state == "failed" and sending.condition in ("positive_ack_limit_reached", "inactivity_detected")
    assert wire.ground.receiving.state == "failed"
    assert wire.t < BOUND


def test_out_of_order_delivery_gives_the_file(tmp_path):
    wire = Wire(tmp_path, reorder=True, seed=7)
    sending = wire.send_file(tmp_path, DATA)
    wire.run(BOUND)
    assert sending.ok and delivered(wire) == DATA


def test_a_lost_finished_pdu_is_sent_again_and_acknowledged(tmp_path):
    wire = Wire(tmp_path, drop=lambda way, kind, n: kind == "finished" and n < 2)
    sending = wire.send_file(tmp_path, DATA)
    took = wire.run(BOUND)
    assert sending.ok and delivered(wire) == DATA
    assert wire.kinds("up").count("finished") == 3 and wire.kinds("down").count("ack_finished") == 1
    assert took < TIMERS.ack_interval * 4


def test_a_lost_ack_of_finished_is_answered_from_the_history(tmp_path):
    wire = Wire(tmp_path, drop=lambda way, kind, n: kind == "ack_finished" and n == 0)
    sending = wire.send_file(tmp_path, DATA)
    wire.run(BOUND)
    assert sending.ok and delivered(wire) == DATA
    assert wire.kinds("down").count("ack_finished") == 2
    assert wire.quiet()


@pytest.mark.parametrize("seed", range(3))
def test_ten_percent_loss_each_way_gives_the_file(tmp_path, seed):
    import random

    rng = random.Random(seed)
    wire = Wire(tmp_path, drop=lambda way, kind, n: rng.random() < 0.1)
    sending = wire.send_file(tmp_path, DATA)
    wire.run(BOUND)
    assert sending.ok and delivered(wire) == DATA


def test_a_stored_file_is_replaced_only_by_a_complete_one(tmp_path):
    wire = Wire(tmp_path)
    wire.send_file(tmp_path, DATA)
    wire.run(BOUND)
    stored = wire.ground.received / "image_00001.pjim"
    assert stored.read_bytes() == DATA
    # the same name again, cut off half-way: the stored file stays as it was
    wire.silent_until = float("inf")
    second = wire.send_file(tmp_path, os.urandom(len(DATA)))
    wire.run(wire.t + BOUND, done=lambda: second.done and wire.ground.receiving.done)
    assert second.state == "failed"
    assert stored.read_bytes() == DATA


def restart_flight(wire: Wire, tmp_path, n: int) -> None:
    """The flight entity boots again with nothing kept: its transactions numbered from 0 again,
    as the boards do; the ground is told (its session sees the boot event)."""
    wire.flight = Entity(FLIGHT_ENTITY, GROUND_ENTITY, tmp_path / f"flight-boot-{n}", wire.now)
    wire.in_flight = {"down": [], "up": []}
    wire.ground.peer_restarted()


def test_a_restarted_peer_numbering_from_0_again_is_heard(tmp_path):
    wire = Wire(tmp_path)
    wire.send_file(tmp_path, DATA[:5000], mode=1)
    wire.run(BOUND)
    assert delivered(wire) == DATA[:5000] and wire.ground.receiving.sequence == 0
    restart_flight(wire, tmp_path, 1)
    sending = wire.send_file(tmp_path, DATA[5000:9000], mode=1, name="image_00002.pjim")
    wire.run(BOUND)
    assert sending.ok and wire.ground.receiving.sequence == 0
    assert delivered(wire) == DATA[5000:9000]
    assert not wire.ground.refused


def test_without_word_of_the_restart_its_first_transaction_is_refused_as_a_repeat(tmp_path):
    # what peer_restarted is for: the ground remembers transaction 0 as ended
    wire = Wire(tmp_path)
    wire.send_file(tmp_path, DATA[:5000], mode=1)
    wire.run(BOUND)
    wire.flight = Entity(FLIGHT_ENTITY, GROUND_ENTITY, tmp_path / "flight-boot", wire.now)
    wire.send_file(tmp_path, DATA[5000:9000], mode=1, name="image_00002.pjim")
    wire.run(BOUND)
    assert wire.ground.refused["ended_transaction"] > 0
    assert wire.ground.receiving.name == "image_00001.pjim"


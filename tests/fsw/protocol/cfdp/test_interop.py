"""Our entity against cfdp-py's own handlers, unmodified, as the independent implementation: what
our code builds itself (the acknowledgement of a repeated EOF, the space packet around a PDU) is
what cfdp-py accepts, and a file goes through either way."""

import os
import time
from pathlib import Path

from cfdppy import (
    CfdpState,
    CfdpUserBase,
    IndicationConfig,
    LocalEntityConfig,
    PutRequest,
    RemoteEntityConfig,
    RemoteEntityConfigTable,
    get_packet_destination,
)
from cfdppy.filestore import NativeFilestore
from cfdppy.handler import DestHandler, SourceHandler
from cfdppy.handler.common import PacketDestination
from cfdppy.mib import CheckTimerProvider, DefaultFaultHandlerBase
from spacepackets.cfdp import ChecksumType, ConditionCode, TransmissionMode
from spacepackets.cfdp.pdu import PduFactory
from spacepackets.countdown import Countdown
from spacepackets.seqcount import SeqCountProvider
from spacepackets.util import UnsignedByteField

from fsw.protocol.cfdp import FLIGHT_ENTITY, GROUND_ENTITY, MAX_PDU_OCTETS
from fsw.protocol.cfdp.entity import Entity

DATA = os.urandom(20_000)


class Faults(DefaultFaultHandlerBase):
    def notice_of_suspension_cb(self, *args): pass
    def notice_of_cancellation_cb(self, *args): pass
    def abandoned_cb(self, *args): pass
    def ignore_cb(self, *args): pass


class User(CfdpUserBase):
    def __init__(self):
        super().__init__(NativeFilestore())
        self.finished = []

    def transaction_indication(self, params): pass
    def eof_sent_indication(self, transaction_id): pass
    def transaction_finished_indication(self, params): self.finished.append(params.finished_params)
    def metadata_recv_indication(self, params): pass
    def file_segment_recv_indication(self, params): pass
    def report_indication(self, transaction_id, status_report): pass
    def suspended_indication(self, transaction_id, cond_code): pass
    def resumed_indication(self, transaction_id, progress): pass
    def fault_indication(self, transaction_id, cond_code, progress): pass
    def abandoned_indication(self, transaction_id, cond_code, progress): pass
    def eof_recv_indication(self, transaction_id): pass


class Timers(CheckTimerProvider):
    def provide_check_timer(self, *args) -> Countdown:
        return Countdown.from_seconds(0.05)


def plain_handlers(local: int, remote: int):
    """cfdp-py as its documentation shows it, timers on the wall clock, short ones."""
    config = LocalEntityConfig(UnsignedByteField(local, 2), IndicationConfig(), Faults())
    table = RemoteEntityConfigTable([RemoteEntityConfig(
        entity_id=UnsignedByteField(remote, 2), max_file_segment_len=None, max_packet_len=MAX_PDU_OCTETS,
        closure_requested=True, crc_on_transmission=True, default_transmission_mode=TransmissionMode.ACKNOWLEDGED,
        crc_type=ChecksumType.CRC_32, positive_ack_timer_interval_seconds=0.05, positive_ack_timer_expiration_limit=50,
        nak_timer_interval_seconds=0.05, nak_timer_expiration_limit=50)])
    user = User()
    return (SourceHandler(config, user, table, Timers(), SeqCountProvider(16)),
            DestHandler(config, user, table, Timers()), user)


def drain(handler) -> list[bytes]:
    out = []
    while (holder := handler.get_next_packet()) is not None:
        out.append(bytes(holder.pdu.pack()))
    return out


def test_a_plain_cfdp_py_sender_accepts_the_ack_we_build_for_a_repeated_eof(tmp_path):
    source, dest, user = plain_handlers(FLIGHT_ENTITY, GROUND_ENTITY)
    ground = Entity(GROUND_ENTITY, FLIGHT_ENTITY, tmp_path / "ground", time.monotonic)
    path = tmp_path / "source.bin"
    path.write_bytes(DATA)
    source.put_request(PutRequest(destination_id=UnsignedByteField(GROUND_ENTITY, 2), source_file=path,
                                  dest_file=Path("image_00002.pjim"), trans_mode=TransmissionMode.ACKNOWLEDGED,
                                  closure_requested=True))
    dropped = {"ack_eof": 0, "finished": 0}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and source.state != CfdpState.IDLE:
        source.state_machine()
        for pdu in drain(source):
            ground.receive(pdu)
        for pdu in ground.poll():
            packet = PduFactory.from_raw(pdu)
            kind = type(packet).__name__
            # the first ACK of the EOF and the first Finished are lost: the sender repeats its
            # EOF, and our entity (its receiver done already) acknowledges it itself
            key = "ack_eof" if kind == "AckPdu" and packet.directive_code_of_acked_pdu == 4 else \
                "finished" if kind == "FinishedPdu" else None
            if key and dropped[key] == 0:
                dropped[key] += 1
                continue
            assert get_packet_destination(packet) == PacketDestination.SOURCE_HANDLER or kind == "AckPdu"
            source.state_machine(packet)
            for reply in drain(source):
                ground.receive(reply)
        time.sleep(0.01)
    assert source.state == CfdpState.IDLE
    assert user.finished and user.finished[-1].condition_code == ConditionCode.NO_ERROR
    assert ground.receiving.ok and ground.receiving.path.read_bytes() == DATA


def test_a_plain_cfdp_py_receiver_takes_a_file_from_our_entity(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)             # the plain receiver writes the plain name where it runs
    source, dest, user = plain_handlers(GROUND_ENTITY, FLIGHT_ENTITY)
    flight = Entity(FLIGHT_ENTITY, GROUND_ENTITY, tmp_path / "flight", time.monotonic)
    (tmp_path / "flight" / "outgoing").mkdir(parents=True)
    path = tmp_path / "flight" / "outgoing" / "f.bin"
    path.write_bytes(DATA)
    target = tmp_path / "received.bin"
    sending = flight.put(path, "received.bin")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not sending.done:
        for pdu in flight.poll():
            dest.state_machine(PduFactory.from_raw(pdu))
            for reply in drain(dest):
                flight.receive(reply)
        dest.state_machine()
        for reply in drain(dest):
            flight.receive(reply)
        time.sleep(0.005)
    assert sending.ok
    assert target.read_bytes() == DATA

"""One CFDP entity: cfdp-py's source and destination handlers, driven by the caller's clock.

    entity = Entity(FLIGHT_ENTITY, GROUND_ENTITY, root, now=clock.elapsed)
    entity.put(path, "image_0001.pjim", mode=2)       # a Transfer; EntityBusy while one is sending
    entity.receive(pdu)                               # from the link; refusals counted with reasons
    for pdu in entity.poll(room): ...                 # what to send now, as room() allows

What this adds to cfdp-py, and why:
- timers on `now` (cfdp-py's own read the wall clock): flight's run on the on-board clock, so a
  stepped simulation fires them in simulated time, and a suspended entity's stand still;
- suspend()/resume() (727.0-B-5 4.6.7, which cfdp-py lacks): PDUs still received and handled,
  nothing sent and no timer running until resume; a loss of signal is a suspension too;
- an inactivity limit for every busy handler (4.6.5.3.2): nothing heard for `inactivity`
  seconds is a fault (the transaction is cancelled), and a second period abandons it, so no
  transfer ever waits silently;
- received files are written in a staging directory and moved into `received/` only once
  complete and their checksum verified: a stored file is never overwritten by a partial one;
- every PDU checked before a handler sees it (packets.parse), and against the transfer in
  progress (no data beyond the file the metadata announced).
"""

import os
import shutil
from collections import Counter, deque
from datetime import timedelta
from pathlib import Path

from cfdppy import (
    CfdpState,
    CfdpUserBase,
    IndicationConfig,
    LocalEntityConfig,
    PacketDestination,
    PutRequest,
    RemoteEntityConfig,
    RemoteEntityConfigTable,
    RestrictedFilestore,
    get_packet_destination,
)
from cfdppy.handler import DestHandler, SourceHandler
from cfdppy.handler.dest import LostSegmentTracker
from cfdppy.handler.dest import TransactionStep as DestStep
from cfdppy.handler.source import TransactionStep as SourceStep
from cfdppy.mib import CheckTimerProvider, DefaultFaultHandlerBase
from spacepackets.cfdp import (
    ChecksumType,
    ConditionCode,
    DeliveryCode,
    DirectiveType,
    EntityIdTlv,
    FileStatus,
    TransmissionMode,
)
from spacepackets.cfdp.pdu import AckPdu, EofPdu, FileDataPdu, FinishedPdu, MetadataPdu, NakPdu
from spacepackets.cfdp.pdu.ack import TransactionStatus
from spacepackets.countdown import Countdown
from spacepackets.seqcount import ProvidesSeqCount
from spacepackets.util import UnsignedByteField

from . import (
    CLASS_1,
    CLASS_2,
    ENTITY_ID_OCTETS,
    MAX_FILE_OCTETS,
    SEQUENCE_OCTETS,
    TIMERS,
    UPLINK_PDU_OCTETS,
    Timers,
    Transfer,
)
from .packets import PduRefused, condition_code, parse, plain_name

_MODES = {CLASS_1: TransmissionMode.UNACKNOWLEDGED, CLASS_2: TransmissionMode.ACKNOWLEDGED}
ENDED_KEPT = 64            # transactions remembered after they end, to answer repeats of their PDUs
OUTPUT_LIMIT = 64           # PDUs held for sending: the source makes file data only below this


class EntityBusy(RuntimeError):
    """A file is being sent already (one transaction per direction at a time)."""


def _key(packet) -> tuple[int, int]:
    return packet.source_entity_id.value, packet.transaction_seq_num.value


def _key_of(transaction_id) -> tuple[int, int] | None:
    return None if transaction_id is None else (transaction_id.source_id.value, transaction_id.seq_num.value)


def _eof_ack(eof: EofPdu, status: TransactionStatus) -> bytes:
    """ACK(EOF) for a received EOF (AckPdu sets the direction from the directive it acknowledges)."""
    return AckPdu(eof.pdu_header.pdu_conf, DirectiveType.EOF_PDU, condition_code(eof.condition_code), status).pack()


def _finished_as_eof_ack(finished: FinishedPdu) -> AckPdu:
    return AckPdu(finished.pdu_header.pdu_conf, DirectiveType.EOF_PDU, ConditionCode.NO_ERROR, TransactionStatus.ACTIVE)


def condition_label(code: int) -> str:
    return condition_code(code).name.lower()


class ClockCountdown(Countdown):
    """A cfdp-py timer that reads the entity's clock."""

    def __init__(self, seconds: float, now):
        self._clock = now
        super().__init__(timedelta(seconds=seconds))
        self.start()

    def _ms(self) -> int:
        return round(self._clock() * 1000)

    def timed_out(self) -> bool:
        return self._ms() - self._start_time_ms >= self._timeout_ms

    def start(self) -> None:
        self._start_time_ms = self._ms()

    def time_out(self) -> None:
        self._start_time_ms = self._ms() - self._timeout_ms

    def remaining_time(self) -> timedelta:
        return timedelta(milliseconds=max(0, self._start_time_ms + self._timeout_ms - self._ms()))


class _Timers(CheckTimerProvider):
    def __init__(self, entity: "Entity"):
        self.entity = entity

    def provide_check_timer(self, local_entity_id, remote_entity_id, entity_type) -> Countdown:
        return self.entity.timer(self.entity.timers.check_interval)


class _Sequence(ProvidesSeqCount):
    def __init__(self, first: int):
        self.count = first

    @property
    def max_bit_width(self) -> int:
        return SEQUENCE_OCTETS * 8

    @max_bit_width.setter
    def max_bit_width(self, width: int) -> None:
        raise ValueError("the sequence number width is fixed")

    def get_and_increment(self) -> int:
        count = self.count
        self.count = (count + 1) % (1 << (SEQUENCE_OCTETS * 8))
        return count


class _Source(SourceHandler):
    timer = None

    def _start_positive_ack_procedure(self) -> None:
        super()._start_positive_ack_procedure()
        self._params.positive_ack_params.ack_timer = self.timer(self._params.remote_cfg.positive_ack_timer_interval_seconds)


class _Dest(DestHandler):
    timer = None

    @property
    def _params(self):
        return self.__dict__["_params"]

    @_params.setter
    def _params(self, params) -> None:
        # cfdp-py gives every transaction one lost-segment list (a mutable default, shared by all
        # its handlers): what a failed transfer lacked would be asked for again in the next one
        params.acked_params.lost_seg_tracker = LostSegmentTracker()
        self.__dict__["_params"] = params

    def _start_positive_ack_procedure(self) -> None:
        super()._start_positive_ack_procedure()
        self._params.positive_ack_params.ack_timer = self.timer(self._params.remote_cfg.positive_ack_timer_interval_seconds)

    def _deferred_lost_segment_handling(self) -> None:
        acked = self._params.acked_params
        first = acked.procedure_timer is None
        super()._deferred_lost_segment_handling()
        if first and acked.procedure_timer is not None:
            acked.procedure_timer = self.timer(self._params.remote_cfg.nak_timer_interval_seconds)

    def _handle_eof_without_previous_metadata(self, eof_pdu) -> None:
        super()._handle_eof_without_previous_metadata(eof_pdu)
        self._params.fp.crc32 = bytes(eof_pdu.file_checksum)   # cfdp-py forgets it: the file would fail its check

    @property
    def lost_segments(self) -> list[tuple[int, int]]:
        """(start, end) of each stretch of the file known missing so far (class 2: what NAKs ask
        for), merged and sorted (cfdp-py's own list may hold a stretch twice, or overlapping)."""
        merged: list[list[int]] = []
        for start, end in sorted(self._params.acked_params.lost_seg_tracker.lost_segments):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            elif end > start:
                merged.append([start, end])
        return [(start, end) for start, end in merged]

    def _lost_octets(self) -> int:
        return sum(end - start for start, end in self.lost_segments)

    def state_machine(self, packet=None):
        before = self._lost_octets() if isinstance(packet, FileDataPdu) else None
        result = super().state_machine(packet)
        acked = self._params.acked_params
        if before is not None and acked.procedure_timer is not None and self._lost_octets() < before:
            # missing data arrived: the NAK timer starts again and its limit counts only rounds
            # that brought nothing, so a long retransmission on a slow or
            # busy line is never cut short by timers that expire while it is still coming
            self._reset_nak_activity_parameters()
        if self.states.step == DestStep.RECEIVING_FILE_DATA and self._params.acked_params.deferred_lost_segment_detection_active:
            # the EOF came before the metadata (the metadata lost, then re-sent on a NAK): cfdp-py
            # would wait here for ever with the file complete; the deferred NAK procedure, which
            # finishes a complete file or asks for what is missing, takes it on from the next call
            self.states.step = DestStep.WAITING_FOR_MISSING_DATA
        return result

    def refuse(self, condition: ConditionCode) -> None:
        """End the transaction as a fault at this entity (the Finished PDU says the condition)."""
        self._trigger_notice_of_completion_canceled(condition, EntityIdTlv(self.cfg.local_entity_id.as_bytes))
        self.states.step = DestStep.TRANSFER_COMPLETION


class _Faults(DefaultFaultHandlerBase):
    def __init__(self, entity: "Entity"):
        super().__init__()
        self.entity = entity

    def notice_of_suspension_cb(self, transaction_id, cond, progress) -> None:
        self.entity._fault(transaction_id, cond)

    def notice_of_cancellation_cb(self, transaction_id, cond, progress) -> None:
        self.entity._fault(transaction_id, cond)

    def abandoned_cb(self, transaction_id, cond, progress) -> None:
        self.entity._fault(transaction_id, cond)

    def ignore_cb(self, transaction_id, cond, progress) -> None:
        pass


class _User(CfdpUserBase):
    """cfdp-py's indications, turned into the Transfer records."""

    def __init__(self, entity: "Entity", vfs, direction: str):
        super().__init__(vfs)
        self.entity = entity
        self.direction = direction

    def transaction_indication(self, params) -> None:
        self.entity._started(self.direction, params.transaction_id)

    def eof_sent_indication(self, transaction_id) -> None:
        pass

    def transaction_finished_indication(self, params) -> None:
        self.entity._finished(self.direction, params.finished_params)

    def metadata_recv_indication(self, params) -> None:
        self.entity._metadata(params)

    def file_segment_recv_indication(self, params) -> None:
        pass

    def report_indication(self, transaction_id, status_report) -> None:
        pass

    def suspended_indication(self, transaction_id, cond_code) -> None:
        pass

    def resumed_indication(self, transaction_id, progress) -> None:
        pass

    def fault_indication(self, transaction_id, cond_code, progress) -> None:
        pass

    def abandoned_indication(self, transaction_id, cond_code, progress) -> None:
        pass

    def eof_recv_indication(self, transaction_id) -> None:
        pass


class Entity:
    def __init__(self, local_id: int, remote_id: int, root: str | Path, now, *, timers: Timers = TIMERS,
                 first_sequence: int = 0, max_receive=MAX_FILE_OCTETS, pdu_octets: int = UPLINK_PDU_OCTETS, on_done=None, on_refused=None):
        self.local_id = local_id
        self.remote_id = remote_id
        self.now = now
        self.timers = timers
        self.max_receive = max_receive    # octets, or a callable saying how many a file may have now
        self.on_done = on_done            # on_done(transfer): a transfer ended, either way
        self.on_refused = on_refused      # on_refused(reason, text): a PDU no handler saw
        self.root = Path(root)
        self.staging = self.root / "staging"
        self.received = self.root / "received"
        for path in (self.staging, self.received):
            path.mkdir(parents=True, exist_ok=True)
        for leftover in self.staging.iterdir():      # a transfer cut by a restart starts over
            leftover.unlink(missing_ok=True)
        self.refused: Counter[str] = Counter()
        self.sending: Transfer | None = None
        self.receiving: Transfer | None = None
        self.suspended = False
        self._frozen_total = 0.0
        self._frozen_at: float | None = None
        self._heard = {"send": 0.0, "receive": 0.0}
        self._inactive_faults = {"send": 0, "receive": 0}
        self._output: deque[bytes] = deque()
        self._ended: dict[str, dict] = {"send": {}, "receive": {}}   # (source, sequence) -> Finished PDU
        self._finished_pdu: bytes | None = None
        self._sequence = _Sequence(first_sequence)

        local = UnsignedByteField(local_id, ENTITY_ID_OCTETS)
        remote = RemoteEntityConfig(
            entity_id=UnsignedByteField(remote_id, ENTITY_ID_OCTETS), max_file_segment_len=None,
            max_packet_len=pdu_octets, closure_requested=True, crc_on_transmission=True,
            default_transmission_mode=TransmissionMode.ACKNOWLEDGED, crc_type=ChecksumType.CRC_32,
            positive_ack_timer_interval_seconds=timers.ack_interval,
            positive_ack_timer_expiration_limit=timers.ack_limit, check_limit=timers.check_limit,
            disposition_on_cancellation=True, immediate_nak_mode=True,
            nak_timer_interval_seconds=timers.nak_interval, nak_timer_expiration_limit=timers.nak_limit)
        config = LocalEntityConfig(local, IndicationConfig(), _Faults(self))
        table = RemoteEntityConfigTable([remote])
        self.source = _Source(config, _User(self, RestrictedFilestore(self.root), "send"), table, _Timers(self),
                              self._sequence)
        self.dest = _Dest(config, _User(self, RestrictedFilestore(self.staging), "receive"), table, _Timers(self))
        self.source.timer = self.dest.timer = self.timer

    # -- the clock --
    def timer_now(self) -> float:
        """The entity's clock, stopped while suspended."""
        now = self.now() if self._frozen_at is None else self._frozen_at
        return now - self._frozen_total

    def timer(self, seconds: float) -> ClockCountdown:
        return ClockCountdown(seconds, self.timer_now)

    @property
    def next_sequence(self) -> int:
        return self._sequence.count

    @next_sequence.setter
    def next_sequence(self, value: int) -> None:
        self._sequence.count = value % (1 << (SEQUENCE_OCTETS * 8))

    # -- requests --
    def put(self, path: str | Path, name: str, mode: int = CLASS_2) -> Transfer:
        """Send a file (a path under root) as `name` at the remote entity."""
        if self.source.state != CfdpState.IDLE or self.sending is not None and not self.sending.done:
            raise EntityBusy(f"sending {self.sending.name if self.sending else 'a file'}")
        if mode not in _MODES:
            raise ValueError(f"class {mode}: CFDP classes are 1 and 2")
        if not plain_name(name):
            raise ValueError(f"{name!r} is not a plain file name")
        path = Path(path)
        transfer = Transfer("send", name, mode, size=path.stat().st_size)
        self.sending = transfer
        self.source.put_request(PutRequest(
            destination_id=UnsignedByteField(self.remote_id, ENTITY_ID_OCTETS), source_file=path,
            dest_file=Path(name), trans_mode=_MODES[mode], closure_requested=True))
        self._heard["send"] = self.timer_now()
        self._inactive_faults["send"] = 0
        return transfer

    def cancel(self) -> None:
        """Cancel every transaction in progress (a Cancel.request at this entity)."""
        for handler in (self.source, self.dest):
            if handler.state != CfdpState.IDLE and handler.transaction_id is not None:
                self._drain(handler)
                handler.cancel_request(handler.transaction_id)
                self._drain(handler)

    def suspend(self) -> None:
        """Nothing sent, timers stopped; received PDUs still handled (their answers wait)."""
        if not self.suspended:
            self.suspended = True
            self._frozen_at = self.now()

    def resume(self) -> None:
        if self.suspended:
            self.suspended = False
            self._frozen_total += self.now() - self._frozen_at
            self._frozen_at = None

    def peer_restarted(self) -> None:
        """The remote entity booted, and may number its transactions afresh (the boards start at 0
        at each boot): its ended ones are forgotten, lest its new ones be refused as repeats. Its
        PDUs from before the boot all came before word of it, on the same link. A transfer it had
        open ends by the timers, as a lost one does: word of a boot can come after a new transfer
        has begun, and must not end that one."""
        ended = self._ended["receive"]
        for key in [key for key in ended if key[0] == self.remote_id]:
            del ended[key]

    @property
    def busy(self) -> bool:
        return self.source.state != CfdpState.IDLE or self.dest.state != CfdpState.IDLE or bool(self._output)

    # -- PDUs in --
    def receive(self, pdu: bytes) -> bool:
        """Hand a received PDU to its handler; False (counted, said) when it was refused."""
        try:
            packet = parse(pdu, self.local_id)
            handler = self.source if get_packet_destination(packet) == PacketDestination.SOURCE_HANDLER else self.dest
            self._check_against_transfer(packet, handler)
        except PduRefused as refusal:
            return self._refuse(refusal.reason, str(refusal))
        direction = "send" if handler is self.source else "receive"
        key = _key(packet)
        if key in self._ended[direction] and (handler.state == CfdpState.IDLE or key != _key_of(handler.transaction_id)):
            return self._answer_ended(direction, key, packet)
        if handler is self.dest and self.dest.state != CfdpState.IDLE and key != _key_of(self.dest.transaction_id):
            if self.dest.step != DestStep.WAITING_FOR_FINISHED_ACK:
                return self._refuse("other_transaction", f"transaction {key} while receiving another")
            self.dest.reset()        # its file is delivered; only the ACK of its Finished was lost
            self._drain(self.dest)
        if handler is self.dest and isinstance(packet, MetadataPdu) and packet.file_size > self._receive_limit():
            return self._refuse_file(packet)
        if handler is self.dest and isinstance(packet, EofPdu) and self.dest.step == DestStep.WAITING_FOR_FINISHED_ACK:
            self._output.append(_eof_ack(packet, TransactionStatus.ACTIVE))   # its ACK was lost (4.7.2)
        if handler is self.source and isinstance(packet, NakPdu) and self.sending is not None and not self.sending.done:
            self.sending.naks += 1
        if handler is self.source and isinstance(packet, FinishedPdu) and self.source.step == SourceStep.WAITING_FOR_EOF_ACK:
            # a Finished PDU says the EOF arrived: its ACK was lost on the way
            self._drain(self.source)
            self.source.state_machine(_finished_as_eof_ack(packet))
            self._drain(self.source)
        try:
            self._drain(handler)
            handler.state_machine(packet)
        except Exception as error:   # cfdp-py raises a class per case (ignored, wrong state): refused
            return self._refuse("ignored", f"{type(error).__name__}: {error}")
        finally:
            self._drain(handler)
        self._heard[direction] = self.timer_now()
        self._inactive_faults[direction] = 0
        self._update_progress()
        return True

    def _answer_ended(self, direction: str, key, packet) -> bool:
        """A PDU of a transaction that ended here: a repeated EOF is acknowledged again and the
        Finished PDU sent again (its ACK or the Finished was lost); a repeated Finished is
        acknowledged again; anything else is refused, so a late PDU never opens a transaction."""
        if isinstance(packet, EofPdu):
            self._output.append(_eof_ack(packet, TransactionStatus.TERMINATED))
            if self._ended[direction][key] is not None:
                self._output.append(self._ended[direction][key])
            return True
        if isinstance(packet, FinishedPdu):
            self._output.append(AckPdu(packet.pdu_header.pdu_conf, DirectiveType.FINISHED_PDU, condition_code(packet.condition_code),
                                       TransactionStatus.TERMINATED).pack())
            return True
        return self._refuse("ended_transaction", f"transaction {key} has ended")

    def _receive_limit(self) -> int:
        return self.max_receive() if callable(self.max_receive) else self.max_receive

    def _check_against_transfer(self, packet, handler) -> None:
        if handler is self.dest and self.dest.state != CfdpState.IDLE and isinstance(packet, FileDataPdu):
            size = self.dest.file_size
            if size is not None and packet.offset + len(packet.file_data) > size:
                raise PduRefused("beyond_file", f"data at {packet.offset}+{len(packet.file_data)} "
                                                f"past the file's {size} octets")
        if handler is self.source and isinstance(packet, NakPdu) and self.sending is not None:
            size = self.sending.size or 0
            for start, end in packet.segment_requests or []:
                if end > size:
                    raise PduRefused("beyond_file", f"NAK asks for {start}-{end} of a {size}-octet file")

    def _refuse(self, reason: str, text: str) -> bool:
        self.refused[reason] += 1
        if self.on_refused is not None:
            self.on_refused(reason, text)
        return False

    def _refuse_file(self, metadata: MetadataPdu) -> bool:
        """A file this entity will not store: started, then ended at once with a filestore
        rejection, so the sender learns it from the Finished PDU."""
        self._refuse("file_too_large", f"{metadata.dest_file_name}: {metadata.file_size} octets, "
                                       f"the limit is {self._receive_limit()}")
        self._drain(self.dest)
        self.dest.state_machine(metadata)
        self._drain(self.dest)
        if self.receiving is not None:
            self.receiving.condition = "file_too_large"
        self.dest.refuse(ConditionCode.FILESTORE_REJECTION)
        self.dest.state_machine()
        self._drain(self.dest)
        return False

    # -- PDUs out --
    def poll(self, room=lambda: True, spend=None) -> list[bytes]:
        """Run the handlers (timers, the next file data) and return the PDUs to send now: as long
        as room() says so (spend(octets) is told of each one taken)."""
        if not self._output and self.source.state == CfdpState.IDLE and self.dest.state == CfdpState.IDLE:
            self._settle()
            return []                     # the common case, every flight tick: nothing to do
        if not self.suspended:
            self._inactivity()
            for handler in (self.dest, self.source):
                if handler.state == CfdpState.IDLE:
                    continue
                self._step(handler)
                while handler is self.source and handler.state != CfdpState.IDLE and room() and \
                        len(self._output) < OUTPUT_LIMIT and self._making_file_data():
                    before = len(self._output)
                    self._step(handler)
                    if len(self._output) == before:
                        break
            self._update_progress()
            self._settle()
        out = []
        while self._output and not self.suspended and room():
            out.append(self._output.popleft())
            if spend is not None:
                spend(len(out[-1]))
        return out

    def _settle(self) -> None:
        """A handler back to idle without a finished indication (cfdp-py resets after some
        faults): its transfer ends here, failed, with the fault it had."""
        for transfer, handler in ((self.sending, self.source), (self.receiving, self.dest)):
            if transfer is not None and not transfer.done and handler.state == CfdpState.IDLE:
                self._end(transfer, "failed", transfer.condition or "abandoned")

    def _making_file_data(self) -> bool:
        return self.source.step in (SourceStep.SENDING_FILE_DATA, SourceStep.RETRANSMITTING)

    def _step(self, handler) -> None:
        try:
            handler.state_machine()
        except Exception as error:   # a fault in the handler ends the transaction, never the entity
            self._abandon("send" if handler is self.source else "receive", f"handler_error: {error}")
        self._drain(handler)

    def _drain(self, handler) -> None:
        while (holder := handler.get_next_packet()) is not None:
            pdu = holder.pdu.pack()
            if isinstance(holder.pdu, FinishedPdu):
                self._finished_pdu = pdu
            elif isinstance(holder.pdu, NakPdu) and self.receiving is not None and not self.receiving.done:
                self.receiving.naks += 1
            self._output.append(pdu)

    # -- time-outs --
    def _inactivity(self) -> None:
        now = self.timer_now()
        for direction, handler in (("send", self.source), ("receive", self.dest)):
            if handler.state == CfdpState.IDLE:
                continue
            if now - self._heard[direction] < self.timers.inactivity:
                continue
            self._heard[direction] = now
            self._inactive_faults[direction] += 1
            if self._inactive_faults[direction] == 1 and handler.transaction_id is not None:
                self._fault(handler.transaction_id, ConditionCode.INACTIVITY_DETECTED, direction)
                self._drain(handler)
                try:
                    if handler is self.dest:
                        handler.refuse(ConditionCode.INACTIVITY_DETECTED)
                    else:
                        handler.cancel_request(handler.transaction_id)
                except Exception:   # cfdp-py may refuse the cancel; the second period abandons it
                    pass
                self._drain(handler)
            else:
                self._abandon(direction, "inactivity_detected")

    def _abandon(self, direction: str, condition: str) -> None:
        handler = self.source if direction == "send" else self.dest
        handler.reset()
        self._drain(handler)
        transfer = self.sending if direction == "send" else self.receiving
        if transfer is not None and not transfer.done:
            self._end(transfer, "failed", transfer.condition or condition)
        for leftover in self.staging.iterdir():
            leftover.unlink(missing_ok=True)

    # -- indications --
    def _started(self, direction: str, transaction_id) -> None:
        if direction == "send" and self.sending is not None:
            self.sending.sequence = transaction_id.seq_num.value
            self.sending.source = self.local_id

    def _metadata(self, params) -> None:
        mode = CLASS_2 if self.dest.transmission_mode == TransmissionMode.ACKNOWLEDGED else CLASS_1
        self.receiving = Transfer("receive", params.dest_file_name or "", mode, size=params.file_size,
                                  sequence=params.transaction_id.seq_num.value,
                                  source=params.source_id.value)
        self._heard["receive"] = self.timer_now()
        self._inactive_faults["receive"] = 0

    def _fault(self, transaction_id, condition: ConditionCode, direction: str | None = None) -> None:
        source = transaction_id.source_id.value if transaction_id is not None else None
        direction = direction or ("send" if source == self.local_id else "receive")
        transfer = self.sending if direction == "send" else self.receiving
        if transfer is not None and not transfer.done and not transfer.condition:
            transfer.condition = condition_label(condition)

    def _finished(self, direction: str, finished) -> None:
        transfer = self.sending if direction == "send" else self.receiving
        if transfer is None or transfer.done:
            return
        complete = (finished.condition_code == ConditionCode.NO_ERROR
                    and finished.delivery_code == DeliveryCode.DATA_COMPLETE)
        if direction == "receive":
            staged = self.staging / transfer.name
            if complete and finished.file_status in (FileStatus.FILE_RETAINED, FileStatus.FILE_STATUS_UNREPORTED) \
                    and staged.is_file():
                transfer.path = self.received / transfer.name
                os.replace(staged, transfer.path)
                transfer.progress, transfer.gaps, transfer.missing = transfer.size or 0, 0, 0
            else:
                complete = False
                staged.unlink(missing_ok=True)
        if complete:
            self._end(transfer, "completed", "no_error")
        else:
            self._end(transfer, "failed", transfer.condition or condition_label(finished.condition_code))

    def _end(self, transfer: Transfer, state: str, condition: str) -> None:
        transfer.state, transfer.condition = state, condition
        ended = self._ended[transfer.direction]
        ended[(transfer.source, transfer.sequence)] = self._finished_pdu if transfer.direction == "receive" else None
        while len(ended) > ENDED_KEPT:
            ended.pop(next(iter(ended)))
        if self.on_done is not None:
            self.on_done(transfer)

    def _update_progress(self) -> None:
        if self.sending is not None and not self.sending.done and self.source.state != CfdpState.IDLE:
            self.sending.progress = self.source.progress
        if self.receiving is not None and not self.receiving.done and self.dest.state != CfdpState.IDLE:
            self.receiving.progress = self.dest.progress
            lost = self.dest.lost_segments
            self.receiving.gaps, self.receiving.missing = len(lost), sum(end - start for start, end in lost)


def copy_in(entity: Entity, source: str | Path, name: str) -> Path:
    """Place a file under the entity's root (outgoing/), ready for put()."""
    outgoing = entity.root / "outgoing"
    outgoing.mkdir(exist_ok=True)
    target = outgoing / name
    shutil.copyfile(source, target)
    return target


__all__ = ["CLASS_1", "CLASS_2", "Entity", "EntityBusy", "Transfer", "copy_in"]

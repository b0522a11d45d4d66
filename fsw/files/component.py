"""The files component: the on-board CFDP entity (fsw/protocol/cfdp/entity.py, cfdp-py inside).

Its PDUs arrive from the dispatcher (packets on CFDP_APID) and leave on the bulk virtual channel
as the line drains (bulk_room), so a file never crowds out a reply or housekeeping. Its timers
run on line time: the flight clock's elapsed seconds divided by the clock's speed-up, summed
tick by tick, so a stepped simulation fires them in simulated time, and at 1000x they still
last as long on the line (where the ground, the peer, lives) as the ICD says.

Files from the ground land in <state>/files/received/ only once complete and verified, within
MAX_UPLOAD_OCTETS each and STORE_OCTETS in all; a file that cannot be stored is refused at its
metadata (the ground's Finished PDU says filestore_rejection).
"""

import shutil
from pathlib import Path

from fsw.component import ExecutionError, FlightComponent, restored_int
from fsw.protocol.cfdp import (
    CFDP_APID,
    DOWNLINK_PDU_OCTETS,
    FLIGHT_ENTITY,
    GROUND_ENTITY,
    MAX_UPLOAD_OCTETS,
    TIMERS,
    image_file_name,
)
from fsw.protocol.cfdp.entity import Entity, EntityBusy
from fsw.protocol.cfdp.packets import PduRefused, unwrap
from fsw.protocol.reasons import Reason

from .dictionary import COMPONENT, CONDITIONS, REFUSALS

STORE_OCTETS = 4 << 20        # everything received from the ground, together


class Files(FlightComponent):
    COMPONENT = COMPONENT

    PORTS = ("camera",)
    RAW_APIDS = (CFDP_APID,)

    def __init__(self, services):
        super().__init__(services)
        self.camera = None
        self.line_time = 0.0
        self.refused = 0
        self._files_stored = 0        # counted when a file arrives, not on every housekeeping report
        self._said: dict[str, float] = {}    # refusal reason -> line time of its last event
        self._job = None          # (transfer, verify, steps) of the file_downlink in progress
        self.root = Path(services.store.root).parent / "files"
        self.entity = Entity(FLIGHT_ENTITY, GROUND_ENTITY, self.root, lambda: self.line_time, timers=TIMERS,
                             max_receive=self._room_for_upload, pdu_octets=DOWNLINK_PDU_OCTETS,
                             on_done=self._done, on_refused=self._refused)
        self._files_stored = len(self._stored())

    # -- state --
    def state(self) -> dict:
        return {"next_sequence": self.entity.next_sequence}

    def restore(self, state: dict) -> None:
        self.entity.next_sequence = restored_int(state, "next_sequence", 0, 0, 0xFFFF)

    def housekeeping(self) -> dict:
        entity = self.entity
        sending = entity.sending is not None and not entity.sending.done
        return {
            "cfdp_sending": int(sending),
            "cfdp_receiving": int(entity.receiving is not None and not entity.receiving.done),
            "cfdp_suspended": int(entity.suspended),
            "cfdp_progress": entity.sending.progress if entity.sending is not None else 0,
            "files_stored": self._files_stored,
            "pdus_refused": min(self.refused, 0xFFFFFFFF),
        }

    # -- PDUs from the ground (the dispatcher hands over every packet on CFDP_APID) --
    def on_packet(self, packet: bytes) -> None:
        try:
            pdu = unwrap(packet)
        except PduRefused as refusal:
            self._refused(refusal.reason, str(refusal))
            return
        self.entity.receive(pdu)

    # -- commands --
    def on_file_downlink(self, args: dict, verify) -> None:
        if self.camera is None:
            raise ExecutionError(Reason.NOT_IMPLEMENTED, "no camera in this build")
        image_id = args["image_id"]
        blob = self.camera.image_file(image_id)
        if blob is None:
            raise ExecutionError(Reason.NO_SUCH_ITEM, f"no image {image_id}")
        name = image_file_name(image_id)
        outgoing = self.root / "outgoing"
        outgoing.mkdir(exist_ok=True)
        path = outgoing / name
        try:
            if self.entity.sending is not None and not self.entity.sending.done:
                raise EntityBusy(self.entity.sending.name)
            path.write_bytes(blob)
            transfer = self.entity.put(path, name, args["cfdp_class"])
        except EntityBusy as busy:
            raise ExecutionError(Reason.BUSY, f"sending {busy}") from None
        except OSError as error:
            raise ExecutionError(Reason.EXECUTION_FAILED, f"cannot stage {name}: {error.strerror}") from None
        self._job = (transfer, verify, [0])
        verify.defer()

    def on_file_cancel(self, args: dict, verify) -> None:
        self.entity.cancel()

    def on_file_suspend(self, args: dict, verify) -> None:
        self.entity.suspend()

    def on_file_resume(self, args: dict, verify) -> None:
        self.entity.resume()

    # -- time --
    def tick(self, dt: float) -> None:
        self.line_time += dt / self.services.clock.speed
        numbered = self.entity.next_sequence
        for pdu in self.entity.poll(self.services.bulk_room):
            self.services.downlink.raw(CFDP_APID, pdu)
        if self.entity.next_sequence != numbered:
            # a transaction took its number: on disk before its first PDU goes, or a kill -9 makes
            # the next boot number another file the same, and the ground's answers to the first
            # (its Finished PDU, sent again until acknowledged) would close the second
            self.services.downlink.hold_until_committed()
        if self._job is not None:
            transfer, verify, steps = self._job
            percent = 100 * transfer.progress // max(1, transfer.size or 1)
            if not transfer.done and percent // 10 > steps[0] and percent < 100:
                steps[0] = percent // 10
                verify.progress(steps[0], percent)

    def enter_safe(self) -> None:
        """Safe mode stops nothing here: getting files down is what a safed spacecraft still does."""

    # -- the entity's indications --
    def _done(self, transfer) -> None:
        sequence = (transfer.sequence or 0) & 0xFFFF
        if transfer.direction == "receive" and transfer.ok:
            self._files_stored = len(self._stored())
            self.services.event("file_received", sequence=sequence, octets=transfer.size or 0)
        elif transfer.ok:
            self.services.event("file_sent", sequence=sequence, octets=transfer.size or 0)
        else:
            condition = transfer.condition if any(transfer.condition == n for n, _ in CONDITIONS) else "filestore_rejection"
            self.services.event("file_failed", sequence=sequence, condition=condition,
                                sending=int(transfer.direction == "send"))
        if transfer.direction == "send":
            shutil.rmtree(self.root / "outgoing", ignore_errors=True)
            if self._job is not None and self._job[0] is transfer:
                verify = self._job[1]
                self._job = None
                if transfer.ok:
                    verify.complete()
                else:
                    verify.fail(Reason.EXECUTION_FAILED)

    def _refused(self, reason: str, text: str) -> None:
        self.refused += 1
        known = reason if any(reason == n for n, _ in REFUSALS) else "ignored"
        if self.line_time - self._said.get(known, -1.0) >= 1.0:   # a flood is counted, said once a second
            self._said[known] = self.line_time
            self.services.event("pdu_refused", reason=known)

    def _room_for_upload(self) -> int:
        """The largest file the store takes now (asked when a file's metadata arrives)."""
        return max(0, min(MAX_UPLOAD_OCTETS, STORE_OCTETS - sum(self._stored().values())))

    def _stored(self) -> dict[str, int]:
        received = self.root / "received"
        if not received.is_dir():
            return {}
        return {path.name: path.stat().st_size for path in received.iterdir() if path.is_file()}

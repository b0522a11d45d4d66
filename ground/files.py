"""The ground's CFDP entity: files from the spacecraft (images) and files to it (`ground upload`).

The session that owns the link owns one GroundFiles: PDUs on CFDP_APID come in from the
downlink (the reader thread), service() runs the entity on every pass of the reader loop (its
timers on the ground's monotonic clock) and radiates what it has to send, a few PDUs a pass, so
that an upload never holds the reader up. Files land in a directory of the session's own and
are handed over complete and checksum-verified only (fsw/protocol/cfdp/entity.py).

Listeners hear of every transfer as it starts, moves (at most every PROGRESS_EVERY seconds) and
ends: the server passes that on to its clients, so a transfer any of them started is seen by all.
"""

import dataclasses
import shutil
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

from cfdppy import CfdpState

from fsw.protocol.cfdp import CLASS_2, FLIGHT_ENTITY, GROUND_ENTITY, TIMERS, Transfer
from fsw.protocol.cfdp.entity import Entity, copy_in
from fsw.protocol.cfdp.packets import PduRefused, plain_name, unwrap

from .remote_files import FileDeliveryError, upload_checked

ENDED_KEPT = 256
UPLINK_RATE = 8000.0          # octets/s of PDUs sent up at most: an upload leaves room on a 115200 line
UPLINK_BURST = 2 * 512        # octets that may go at once
PROGRESS_EVERY = 0.1          # s: a transfer's progress is told no more often (its start and end always)


class GroundFiles:
    def __init__(self, radiate, now=time.monotonic, timers=TIMERS, root: str | Path | None = None,
                 on_warning=None):
        self.radiate = radiate            # radiate(list of PDUs): send them up, in order
        self.on_warning = on_warning
        self._root = root
        self._now = now
        self._timers = timers
        self._temp = None
        self._entity: Entity | None = None
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.ended: deque[tuple[int, Transfer]] = deque(maxlen=ENDED_KEPT)   # (number, transfer)
        self.ended_total = 0
        self._budget = float(UPLINK_BURST)
        self._budget_at = time.monotonic()
        self.listeners: list = []         # fn(Transfer): a copy, on the reader thread (docstring above)
        self._told: dict[str, tuple] = {}   # direction -> (transfer, when, what was told of it)

    @property
    def entity(self) -> Entity:
        """Made when first needed (a PDU arrives, a file goes up): a session that never moves a
        file makes no directory (and a full disk costs it nothing)."""
        with self.lock:
            if self._entity is None:
                root = self._root
                if root is None:
                    self._temp = tempfile.TemporaryDirectory(prefix="ground-cfdp-")
                    root = self._temp.name
                # a new session's transactions must not repeat the last one's (flight remembers
                # ended transactions and refuses their PDUs): numbered on from the wall clock
                self._entity = Entity(GROUND_ENTITY, FLIGHT_ENTITY, root, self._now, timers=self._timers,
                                      first_sequence=int(time.time()) & 0xFFFF,
                                      on_done=self._done, on_refused=self._refused)
            return self._entity

    # -- from the reader thread --
    def packet(self, packet: bytes) -> None:
        try:
            pdu = unwrap(packet)
        except PduRefused as refusal:
            self._refused(refusal.reason, str(refusal))
            return
        with self.lock:
            self.entity.receive(pdu)
            self._tell()
            self.changed.notify_all()

    def service(self) -> None:
        if self._entity is None:
            return
        now = time.monotonic()
        with self.lock:
            self._budget = min(UPLINK_BURST, self._budget + (now - self._budget_at) * UPLINK_RATE)
            self._budget_at = now
            pdus = self.entity.poll(lambda: self._budget > 0, self._spend)
            self._tell()
            self.changed.notify_all()
        if pdus:
            self.radiate(pdus)

    def _spend(self, octets: int) -> None:
        self._budget -= octets

    # -- for procedures --
    def receiving(self, name: str) -> Transfer | None:
        """The transfer of a file of this name coming down now (or that ended last)."""
        with self.lock:
            current = self.entity.receiving
            if current is not None and current.name == name:
                return current
            return None

    def await_start(self, name: str, since: int, timeout: float, stop=lambda: False) -> bool:
        """True once a file is coming down (any transaction: its metadata may be the PDU lost) or
        `name` has come since; False after `timeout` seconds of nothing, or when stop() says so."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while time.monotonic() < deadline and not stop():
                if self.entity.dest.state != CfdpState.IDLE or any(
                        number >= since and transfer.name == name for number, transfer in self.ended):
                    return True
                self.changed.wait(0.05)
        return False

    def await_file(self, name: str, since: int, timeout: float, progress=None, give_up=lambda: False) -> bytes:
        """The contents of the file `name` once it has come down complete (a transfer that
        ended after `since` transfers had), or FileDeliveryError saying why not."""
        deadline = time.monotonic() + timeout
        reported = -1
        with self.changed:
            while True:
                for number, transfer in self.ended:
                    if number >= since and transfer.direction == "receive" and transfer.name == name:
                        if not transfer.ok:
                            raise FileDeliveryError(f"{name}: CFDP transfer failed ({transfer.condition})")
                        if progress is not None:
                            progress(transfer.octets, transfer.size)
                        return transfer.path.read_bytes()
                current = self.entity.receiving
                if progress is not None and current is not None and current.name == name and not current.done \
                        and current.octets != reported:
                    reported = current.octets
                    progress(current.octets, current.size)
                if time.monotonic() > deadline:
                    raise FileDeliveryError(f"{name}: not complete after {timeout:g} s")
                if give_up():
                    raise FileDeliveryError(f"{name}: given up (the request failed)")
                self.changed.wait(0.1)

    def upload(self, path: str | Path, name: str | None = None, mode: int = CLASS_2, timeout: float = 300.0,
               progress=None) -> Transfer:
        """Put a file on board: the Transfer once it ended (ok or not), FileDeliveryError when it
        cannot even start (too large, not a file, a name that is no plain file name)."""
        path, name = upload_checked(path, name)
        if not plain_name(name):
            raise FileDeliveryError(f"{name!r} is not a plain file name (letters, digits, '.', '_', '-')")
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.entity.sending is not None and not self.entity.sending.done:
                if time.monotonic() > deadline:
                    raise FileDeliveryError(f"{name}: another upload is still going on")
                self.changed.wait(0.1)
            transfer = self.entity.put(copy_in(self.entity, path, name), name, mode)
            while not transfer.done:
                if time.monotonic() > deadline:
                    self.entity.cancel()
                    raise FileDeliveryError(f"{name}: not complete after {timeout:g} s (cancelled)")
                if progress is not None:
                    progress(transfer.octets, transfer.size)
                self.changed.wait(0.1)
        return transfer

    def flight_restarted(self) -> None:
        """Flight booted (its `boot` event): its transaction numbers may start again
        (Entity.peer_restarted)."""
        with self.lock:
            if self._entity is None:
                return
            self._entity.peer_restarted()
            self._tell()
            self.changed.notify_all()

    def close(self) -> None:
        if self._temp is not None:
            shutil.rmtree(self._temp.name, ignore_errors=True)

    # -- the entity's indications (under the lock) --
    def _done(self, transfer: Transfer) -> None:
        self.ended.append((self.ended_total, transfer))
        self.ended_total += 1
        self._tell_one(transfer, time.monotonic())
        self.changed.notify_all()

    def _tell(self) -> None:
        if self.listeners and self._entity is not None:
            now = time.monotonic()
            for transfer in (self._entity.sending, self._entity.receiving):
                if transfer is not None:
                    self._tell_one(transfer, now)

    def _tell_one(self, transfer: Transfer, now: float) -> None:
        """A new transfer, or an end, at once; progress, gaps and NAKs every PROGRESS_EVERY s."""
        told = self._told.get(transfer.direction)
        said = (transfer.state, transfer.progress, transfer.gaps, transfer.naks)
        if told is not None and told[0] is transfer and (
                told[2] == said or told[2][0] == said[0] and now - told[1] < PROGRESS_EVERY):
            return
        self._told[transfer.direction] = (transfer, now, said)
        snapshot = dataclasses.replace(transfer)
        for listener in list(self.listeners):
            try:
                listener(snapshot)
            except Exception as error:   # a listener's bug must not stop the transfer
                if self.on_warning is not None:
                    self.on_warning(f"file progress not passed on: {type(error).__name__}: {error}")

    def _refused(self, reason: str, text: str) -> None:
        if self.on_warning is not None and reason not in ("ended_transaction",):
            self.on_warning(f"CFDP PDU refused: {text}")


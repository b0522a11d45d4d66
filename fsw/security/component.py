"""The uplink's security on board: ProcessSecurity on every TC frame, key and association state.

`unprotect(frame)` is the TcReceiver's security hook: it runs after the frame header and FECF
checks and before the FARM or anything else reads the frame data. Sequence numbers are kept per
key: an IV belongs to the key it was used with, whichever association carried it.

The anti-replay windows (the last sequence number accepted with each key) are flight state: they
go into the same journal record, and the same fdatasync, as the effects of the frame's command,
before any report of it goes down (Downlink.hold_until_committed), as FARM-1's V(R) does. A kill -9
before that record loses the frame and its effects together: it never happened, and no report of
it was seen. Besides, a bound above every number accepted with each key is kept in a store file
of its own, written before a frame above the bound is accepted (one write per BOUND_AHEAD frames):
should the flight state itself be lost, the windows start from the bounds, never from zero.

Without a keyring (fsw --insecure-uplink) clear frames are accepted, each one counted, and the
boot says so with an event.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import replace

from fsw.component import ExecutionError, FlightComponent
from fsw.protocol.reasons import ProtocolError, Reason
from fsw.protocol.sdls import Keyring, process_security, read_spi
from fsw.protocol.tcframe import FECF_LEN, TC_HEADER_LEN

from .dictionary import COMPONENT

log = logging.getLogger("fsw.security")
STORE_NAME = "sdls"          # the blob of key states, association states and the windows' bounds
BOUND_AHEAD = 64             # the bound is set this far above the frame that passed it
REFUSALS = {
    Reason.SDLS_UNKNOWN_SPI: "sdls_unknown_spi",
    Reason.SDLS_BAD_MAC: "sdls_bad_mac",
    Reason.SDLS_REPLAY: "sdls_replay",
    Reason.SDLS_OUT_OF_WINDOW: "sdls_out_of_window",
    Reason.SDLS_CLEAR_FRAME: "sdls_clear_refused",
}


class Security(FlightComponent):
    COMPONENT = COMPONENT

    def __init__(self, services):
        super().__init__(services)
        self.store = services.store
        self.keyring: Keyring | None = None
        self.key_states: dict[int, str] = {}
        self.sa_states: dict[int, str] = {}
        self.sa_keys: dict[int, int | None] = {}
        self.last_accepted: dict[int, int] = {}     # key id -> highest sequence number accepted
        self.bound: dict[int, int] = {}             # key id -> above every number ever accepted (on disk)
        self._journalled: dict[int, int] | None = None   # the windows in the flight state, when it had them
        self.refused: Counter[str] = Counter()
        self.accepted = 0
        self.clear_frames = 0
        self.last_spi = 0
        self.last_sequence = 0

    # -- set-up (the composition root) --
    def configure(self, keyring: Keyring | None) -> None:
        """Keys as provisioned; None: clear text accepted (--insecure-uplink)."""
        self.keyring = keyring
        if keyring is None:
            log.warning("uplink is not authenticated (--insecure-uplink): clear frames are accepted")
            self.services.event("uplink_insecure")
            return
        bound = {sa.key_id for sa in keyring.associations.values() if sa.key_id is not None}
        self.key_states = {key_id: "active" if key_id in bound else "preactive" for key_id in keyring.keys}
        self.sa_keys = {spi: sa.key_id for spi, sa in keyring.associations.items()}
        self.sa_states = {spi: "operational" if key_id is not None else "unkeyed" for spi, key_id in self.sa_keys.items()}
        self._load()
        # the flight state's windows; without a flight state (lost, or an older version's), the bounds
        self.last_accepted = dict(self._journalled) if self._journalled is not None else dict(self.bound)

    # -- ProcessSecurity --
    def unprotect(self, frame: bytes) -> bytes:
        """The clear frame data of an accepted frame, or ProtocolError (counted, reported)."""
        if self.keyring is None:
            self.clear_frames += 1
            return frame[TC_HEADER_LEN:-FECF_LEN]
        spi = read_spi(frame)
        association = key = None
        if spi is not None and self.sa_states.get(spi) == "operational":
            key_id = self.sa_keys[spi]
            if self.key_states.get(key_id) == "active":
                association = replace(self.keyring.associations[spi], key_id=key_id)
                key = self.keyring.keys[key_id]
        last = self.last_accepted.get(association.key_id, 0) if association is not None else 0
        try:
            verified = process_security(frame, association, key, last)
        except ProtocolError as error:
            self.refused[REFUSALS[error.reason]] += 1
            self.services.event("sdls_rejected", reason=int(error.reason), spi=spi or 0)
            raise
        key_id, sequence = verified.key_id, verified.sequence
        if sequence > self.bound.get(key_id, 0):
            self.bound[key_id] = sequence + BOUND_AHEAD
            self._save()                 # on disk before the frame acts: a lost flight state restarts above it
        self.last_accepted[key_id] = sequence
        self.services.downlink.hold_until_committed()    # journalled before any report of the frame goes
        self.accepted += 1
        self.last_spi, self.last_sequence = verified.spi, verified.sequence
        return verified.data

    # -- the SDLS-EP management subset --
    def on_key_activate(self, args: dict, verify) -> None:
        key_id = self._key(args["key"], "preactive")
        self._set_key(key_id, "active")

    def on_key_deactivate(self, args: dict, verify) -> None:
        key_id = self._key(args["key"], "active")
        self._unused(key_id, operational_only=True)
        self._set_key(key_id, "deactivated")

    def on_key_destroy(self, args: dict, verify) -> None:
        key_id = self._key(args["key"], "preactive", "deactivated")
        self._unused(key_id, operational_only=False)
        self._set_key(key_id, "destroyed")

    def on_sa_rekey(self, args: dict, verify) -> None:
        spi = self._sa(args["spi"], "unkeyed", "keyed")
        key_id = self._key(args["key"], "active")
        holder = next((other for other, held in self.sa_keys.items() if held == key_id and other != spi), None)
        if holder is not None:
            raise ExecutionError(Reason.SDLS_KEY_STATE, f"key {key_id} is held by SPI {holder}")
        self.sa_keys[spi] = key_id
        self._set_sa(spi, "keyed")

    def on_sa_start(self, args: dict, verify) -> None:
        spi = self._sa(args["spi"], "keyed")
        if self.key_states.get(self.sa_keys[spi]) != "active":
            raise ExecutionError(Reason.SDLS_KEY_STATE, f"SPI {spi}'s key is not active")
        self._set_sa(spi, "operational")

    def on_sa_stop(self, args: dict, verify) -> None:
        spi = self._sa(args["spi"], "operational")
        if spi == self.last_spi:
            raise ExecutionError(Reason.SDLS_KEY_STATE, f"SPI {spi} protects the uplink in use")
        self._set_sa(spi, "keyed")

    def _secured(self) -> None:
        if self.keyring is None:
            raise ExecutionError(Reason.SDLS_KEY_STATE, "no keys on board (--insecure-uplink)")

    def _key(self, key_id: int, *allowed: str) -> int:
        self._secured()
        state = self.key_states.get(key_id)
        if state not in allowed:
            raise ExecutionError(Reason.SDLS_KEY_STATE, f"key {key_id} is {state or 'unknown'}")
        return key_id

    def _sa(self, spi: int, *allowed: str) -> int:
        self._secured()
        state = self.sa_states.get(spi)
        if state not in allowed:
            raise ExecutionError(Reason.SDLS_KEY_STATE, f"SPI {spi} is {state or 'unknown'}")
        return spi

    def _unused(self, key_id: int, operational_only: bool) -> None:
        for spi, held in self.sa_keys.items():
            if held == key_id and (not operational_only or self.sa_states[spi] == "operational"):
                raise ExecutionError(Reason.SDLS_KEY_STATE, f"key {key_id} is in use by SPI {spi}")

    def _set_key(self, key_id: int, state: str) -> None:
        self.key_states[key_id] = state
        self._save()
        self.services.event("key_changed", key=key_id, state=state)

    def _set_sa(self, spi: int, state: str) -> None:
        self.sa_states[spi] = state
        self._save()
        self.services.event("sa_changed", spi=spi, state=state, key=self.sa_keys[spi] or 0)

    # -- persistence: the windows in the flight state (journalled); key and association states and
    # the bounds in one blob, written at once (AtomicStore: fsync and rename) --
    def state(self) -> dict:
        return {"last_accepted": {str(key_id): sequence for key_id, sequence in self.last_accepted.items()}}

    def restore(self, state: dict) -> None:
        try:
            self._journalled = {int(k): int(v) for k, v in state["last_accepted"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            log.error("anti-replay windows not restored (%s): starting from the bounds", error)

    def _save(self) -> None:
        self.store.put(STORE_NAME, json.dumps({
            "keys": self.key_states, "associations": self.sa_states, "sa_keys": self.sa_keys,
            "bound": self.bound}).encode())

    def _load(self) -> None:
        payload = self.store.get(STORE_NAME)
        if payload is None:
            return
        try:
            saved = json.loads(payload)
            keys = {int(k): str(v) for k, v in saved["keys"].items() if int(k) in self.key_states}
            sas = {int(k): str(v) for k, v in saved["associations"].items() if int(k) in self.sa_states}
            sa_keys = {int(k): (None if v is None else int(v)) for k, v in saved["sa_keys"].items()
                       if int(k) in self.sa_states}
            # an older version kept its exact windows here: as bounds they are just as safe
            bound = {int(k): int(v) for k, v in saved.get("bound", saved.get("last_accepted", {})).items()}
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            # never start the windows from zero on a guess: that would accept replays
            self.store.quarantine_file(STORE_NAME, f"unreadable: {error}")
            raise RuntimeError(f"SDLS state unreadable ({error}); quarantined: restore it or re-provision keys") \
                from None
        self.key_states.update(keys)
        self.sa_states.update(sas)
        self.sa_keys.update({spi: key for spi, key in sa_keys.items() if key is None or key in self.key_states})
        self.bound = bound

    # -- telemetry --
    def housekeeping(self) -> dict:
        operational = 0
        for spi, state in self.sa_states.items():
            if state == "operational" and 1 <= spi <= 4:
                operational |= 1 << (spi - 1)
        return {
            "uplink_secure": "no" if self.keyring is None else "yes",
            "sdls_accepted": self.accepted & 0xFFFFFFFF,
            **{name: self.refused[name] & 0xFFFFFFFF for name in REFUSALS.values()},
            "clear_frames": self.clear_frames & 0xFFFFFFFF,
            "last_spi": self.last_spi,
            "last_sequence": self.last_sequence & 0xFFFFFFFF,
            "sa_operational": operational,
        }

"""The one way in for every telecommand: uplink bytes, scheduled releases, all of them.

Acceptance checks, in order: the packet decodes (frame and packet layers, CRC), the dictionary
knows the command, its arguments decode and are in range, the mode allows it, it is not already
running (busy), and a hazardous command was armed. Then the owning component's handler runs and
the verification reports follow its outcome (see fsw.component for the handler contract).
No report leaves before the state it reports on is on disk (Downlink.hold_until_committed).
"""

import logging

from fsw.component import ExecutionError, FlightComponent
from fsw.protocol.cop1 import Farm
from fsw.protocol.cop1.farm import (
    BAD_CONTROL,
    IN_LOCKOUT,
    IN_WAIT,
    INVALID_TYPE,
    LOCKOUT_AREA,
    NEGATIVE_WINDOW,
    POSITIVE_WINDOW,
)
from fsw.protocol.pus import TC_HEADERS_LEN, TcPacket
from fsw.protocol.reasons import ProtocolError, Reason
from fsw.protocol.stack import Received, TcReceiver

from .dictionary import COMPONENT
from .verification import CommandVerification

log = logging.getLogger("fsw.commanding")
COUNTERS = ("tc_accepted", "tc_rejected", "tc_executed", "tc_failed", "frames_received",
            "frames_rejected", "last_reason")


class Dispatcher(FlightComponent):
    COMPONENT = COMPONENT

    PORTS = ("modes", "owners")

    def __init__(self, services):
        super().__init__(services)
        self.dictionary = services.dictionary
        self.downlink = services.downlink
        self.modes = None               # mode, arming and contact: wired by the topology
        self.owners: dict = {}          # component name -> component, whose handlers run commands
        self.raw_owners: dict = {}      # APID -> component, for packets without a PUS header (CFDP)
        self.farm = Farm(getattr(services, "farm_window", None) or 10)
        self.farm.notice = self._farm_notice
        self.receiver = TcReceiver(on_reject=self._frame_rejected, farm=self.farm)
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.running: dict[str, CommandVerification] = {}   # deferred commands, by name
        self.current: CommandVerification | None = None      # the command whose handler is running

    # -- uplink bytes --
    def feed(self, data: bytes) -> None:
        receiver = self.receiver
        frames_before = receiver.frames_received
        received = receiver.feed(data)      # spans and frames without a packet: _frame_rejected
        self.counters["frames_received"] += receiver.frames_received - frames_before
        if receiver.frames_received != frames_before:
            self.downlink.want_clcw()       # a frame the FARM discarded changes no CLCW, yet must be answered
            # the FARM's V(R) the next CLCW reports is on disk first: a restart never goes back on it
            self.downlink.hold_until_committed()
        for item in received:
            self.receive(item)

    def _farm_notice(self, name: str, **values) -> None:
        """What an operator must see: Lockout entered (farm_lockout) or left, V(R) set."""
        self.services.event(f"farm_{name}", **values)

    def _frame_rejected(self, reason: Reason, octets: int) -> None:
        self.counters["frames_rejected"] += 1
        self.counters["last_reason"] = int(reason)
        self.services.event("frame_rejected", reason=int(reason), octets=min(octets, 0xFFFF))

    def connect(self, port: str, provider) -> None:
        super().connect(port, provider)
        if port == "owners":    # packets that are no telecommand (CFDP PDUs) go to who declares their APID
            self.raw_owners = {apid: owner for owner in provider.values() for apid in getattr(owner, "RAW_APIDS", ())}
            self.receiver.raw_apids = frozenset(self.raw_owners)

    def receive(self, item: Received) -> None:
        if item.raw_apid is not None:
            self.raw_owners[item.raw_apid].on_packet(item.raw)
            return
        if item.error is None:
            self.submit(item.packet, from_ground=True)
            return
        header = item.readable_header
        if header is None:
            # not even a primary header: nothing to address a report to
            self._count_rejection(0, 0, item.error.reason)
            return
        apid, request_id = header
        raw = item.raw
        service, subtype = (raw[7], raw[8]) if len(raw) >= TC_HEADERS_LEN else (0, 0)
        self._reject(apid, request_id, service, subtype, item.error.reason)

    # -- acceptance --
    def submit(self, tc: TcPacket, from_ground: bool = False) -> bool:
        """Accept or reject one TC, then execute it. True when it was accepted."""
        # whatever the outcome, counters and effects are on disk before any report of it goes down
        self.downlink.hold_until_committed()
        try:
            command = self.dictionary.command_for(tc.apid, tc.service, tc.subtype)
            args = self.dictionary.decode_args(command, tc.app_data)
        except ProtocolError as error:
            return self._reject(tc.apid, tc.request_id, tc.service, tc.subtype, error.reason)
        owner = self._owner(command.apid)
        if owner is None:
            return self._reject(tc.apid, tc.request_id, tc.service, tc.subtype, Reason.NOT_IMPLEMENTED)
        modes = self.modes
        if modes.mode == "safe" and not command.safe:
            return self._reject(tc.apid, tc.request_id, tc.service, tc.subtype, Reason.NOT_ALLOWED_IN_MODE)
        if command.name in self.running:
            return self._reject(tc.apid, tc.request_id, tc.service, tc.subtype, Reason.BUSY)
        if command.hazardous and not modes.take_arm(command.service, command.subtype):
            return self._reject(tc.apid, tc.request_id, tc.service, tc.subtype, Reason.NOT_ARMED)
        self.counters["tc_accepted"] += 1
        if from_ground:
            modes.contact()
        verification = CommandVerification(self, tc.apid, tc.request_id, tc.ack, command.name)
        verification.accepted()
        self._execute(owner, command, args, verification)
        return True

    def _owner(self, apid: int) -> FlightComponent | None:
        declared = self.dictionary.apids.get(apid)
        if declared is None:
            return None
        return self.owners.get(declared.name)   # None: declared, but not in this build

    @property
    def current_apid(self) -> int | None:
        return None if self.current is None else self.current.apid

    def output_starting(self) -> None:
        """A handler is about to send data: its start report must go first."""
        if self.current is not None:
            self.current.begin()

    def _execute(self, owner, command, args, verification) -> None:
        self.current = verification
        try:
            owner.handler(command.name)(args, verification)
        except ExecutionError as failure:
            if failure.at_start and not verification.started:
                verification.start_failed(failure.reason)
            else:
                verification.fail(failure.reason)
        except Exception:
            # a handler's bug must not take flight down: fail the command, keep running
            log.exception("%s handler raised", command.name)
            verification.fail(Reason.EXECUTION_FAILED)
        else:
            if not verification.deferred:
                verification.complete()
        finally:
            self.current = None

    def _reject(self, apid: int, request_id: int, service: int, subtype: int, reason: Reason) -> bool:
        self.send_report("acceptance_failure", {"request_id": request_id, "reason": int(reason)}, apid)
        self._count_rejection(service, subtype, reason)
        return False

    def _count_rejection(self, service: int, subtype: int, reason: Reason) -> None:
        self.downlink.hold_until_committed()
        self.counters["tc_rejected"] += 1
        self.counters["last_reason"] = int(reason)
        self.services.event("tc_rejected", service=service, subtype=subtype, reason=int(reason))

    # -- called by CommandVerification --
    def send_report(self, name: str, values: dict, apid: int) -> None:
        self.downlink.report(name, values, apid=apid)

    def finished(self, verification: CommandVerification, success: bool, reason: Reason | None) -> None:
        self.downlink.hold_until_committed()     # a deferred command ends in a later cycle
        if success:
            self.counters["tc_executed"] += 1
            return
        self.counters["tc_failed"] += 1
        self.counters["last_reason"] = int(reason)
        command = self.dictionary.command(verification.name)
        self.services.event("tc_failed", service=command.service, subtype=command.subtype, reason=int(reason))

    # -- FlightComponent --
    def housekeeping(self) -> dict:
        farm = self.farm
        discarded = farm.discarded
        return {
            **{name: value & 0xFFFFFFFF for name, value in self.counters.items()},
            "farm_vr": farm.v_r, "farm_state": farm.state,
            **{name: value & 0xFFFF for name, value in (
                ("farm_accepted", farm.accepted), ("farm_lockouts", farm.lockouts),
                ("farm_retransmit", discarded[POSITIVE_WINDOW]), ("farm_duplicates", discarded[NEGATIVE_WINDOW]),
                ("farm_locked_out", discarded[LOCKOUT_AREA] + discarded[IN_LOCKOUT]),
                ("farm_invalid", discarded[IN_WAIT] + discarded[INVALID_TYPE] + discarded[BAD_CONTROL]))},
        }

    def state(self) -> dict:
        return {**self.counters, "farm": self.farm.save()}

    def restore(self, state: dict) -> None:
        for name in COUNTERS:
            if isinstance(state.get(name), int):
                self.counters[name] = state[name]
        if isinstance(state.get("farm"), dict):
            self.farm.load(state["farm"])

    def enter_safe(self) -> None:
        """Commands still running are the owners' business: they fail them in their enter_safe()."""

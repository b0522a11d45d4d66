"""PUS-11 time-based schedule: whole TC packets stored with an on-board release time.

At insertion the stored TC must decode and name a known command (the rest of acceptance, mode
and arming included, happens at release, through the dispatcher like any other command).
Released commands are verified as their own ack flags ask, from their own APID.
"""

from fsw.component import ExecutionError, FlightComponent, restored_int
from fsw.protocol.pus import decode_tc
from fsw.protocol.reasons import ProtocolError, Reason

from .dictionary import COMPONENT

CAPACITY = 255


class Schedule(FlightComponent):
    COMPONENT = COMPONENT

    PORTS = ("dispatcher",)

    def __init__(self, services):
        super().__init__(services)
        self.dictionary = services.dictionary
        self.dispatcher = None          # the commanding component, wired by the topology
        self.entries: dict[int, tuple[float, bytes]] = {}   # entry id -> (release, TC packet)
        self.next_id = 1
        self.enabled = True
        self.released = 0

    def due(self, now: float) -> list[int]:
        ready = [(release, entry) for entry, (release, _) in self.entries.items() if release <= now]
        return [entry for _, entry in sorted(ready)]

    def tick(self, dt: float) -> None:
        if not self.enabled or not self.entries:
            return
        dispatcher = self.dispatcher
        for entry in self.due(self.services.now()):
            if entry not in self.entries:
                continue   # deleted (schedule_delete, schedule_reset) by a command released before it
            _, raw = self.entries.pop(entry)
            tc = decode_tc(raw)   # checked at insertion
            self.released += 1
            self.services.event("schedule_released", entry=entry, service=tc.service, subtype=tc.subtype)
            dispatcher.submit(tc)

    # -- commands --
    def on_schedule_insert(self, args, verify) -> None:
        try:
            tc = decode_tc(args["tc"])
            self.dictionary.command_for(tc.apid, tc.service, tc.subtype)
        except ProtocolError as error:
            raise ExecutionError(Reason.BAD_ARGUMENT, f"scheduled TC: {error}") from None
        if args["release"] <= self.services.now():
            raise ExecutionError(Reason.ARG_OUT_OF_RANGE, "release time is in the past")
        if len(self.entries) >= CAPACITY:
            raise ExecutionError(Reason.STORE_FULL, "schedule full")
        self.entries[self.next_id] = (float(args["release"]), bytes(args["tc"]))
        self.next_id = self.next_id % 0xFFFF + 1
        while self.next_id in self.entries:
            self.next_id = self.next_id % 0xFFFF + 1

    def on_schedule_delete(self, args, verify) -> None:
        if self.entries.pop(args["entry"], None) is None:
            raise ExecutionError(Reason.NO_SUCH_ITEM, f"no schedule entry {args['entry']}")

    def on_schedule_reset(self, args, verify) -> None:
        self.entries.clear()

    def on_schedule_enable(self, args, verify) -> None:
        self.enabled = True

    def on_schedule_disable(self, args, verify) -> None:
        self.enabled = False

    def on_schedule_list(self, args, verify) -> None:
        listed = []
        for entry, (release, raw) in sorted(self.entries.items(), key=lambda item: (item[1][0], item[0])):
            tc = decode_tc(raw)
            listed.append({"entry": entry, "release": int(release), "apid": tc.apid,
                           "service": tc.service, "subtype": tc.subtype})
        self.services.report("schedule_report", {"entries": listed})

    # -- FlightComponent --
    def housekeeping(self) -> dict:
        return {
            "schedule_entries": len(self.entries),
            "schedule_enabled": "yes" if self.enabled else "no",
            "schedule_released": self.released & 0xFFFFFFFF,
        }

    def state(self) -> dict:
        return {
            "entries": [[entry, release, raw.hex()] for entry, (release, raw) in sorted(self.entries.items())],
            "next_id": self.next_id,
            "enabled": self.enabled,
            "released": self.released,
        }

    def restore(self, state: dict) -> None:
        self.entries = {}
        for entry, release, text in state.get("entries", []):
            raw = bytes.fromhex(text)
            try:
                decode_tc(raw)
            except ProtocolError:
                continue   # cannot happen with a checksummed file; never trust it blindly
            if 1 <= int(entry) <= 0xFFFF:
                self.entries[int(entry)] = (float(release), raw)
        self.next_id = restored_int(state, "next_id", 1, 1, 0xFFFF)
        self.enabled = bool(state.get("enabled", True))
        self.released = int(state.get("released", 0))

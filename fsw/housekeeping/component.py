"""PUS-3 housekeeping: each structure (one per component with parameters) reported periodically.

A component's housekeeping() gives raw values; the dictionary encodes them as report 3,25 sent
from the housekeeping APID. Periods are in simulated time and never catch up in bursts: after a
long step, a structure is reported once, then every interval again.
"""

import logging

from fsw.component import ExecutionError, FlightComponent
from fsw.protocol.reasons import ProtocolError, Reason

from .dictionary import APID, COMPONENT

log = logging.getLogger("fsw.housekeeping")
DEFAULT_INTERVAL_DS = 10   # one report per structure per second


class Housekeeping(FlightComponent):
    COMPONENT = COMPONENT

    PORTS = ("providers",)

    def __init__(self, services):
        super().__init__(services)
        self.dictionary = dictionary = services.dictionary
        self.downlink = services.downlink
        self.clock = services.clock
        self.providers: dict = {}      # component name -> component, wired by the topology
        # sid -> owning component name, for the structures the dictionary declares
        self.owners = dict(sorted((c.sid, c.name) for c in dictionary.components if c.sid is not None and c.parameters))
        self.enabled = dict.fromkeys(self.owners, True)
        self.interval_ds = dict.fromkeys(self.owners, DEFAULT_INTERVAL_DS)
        self.next_due = dict.fromkeys(self.owners, 0.0)
        self.sent = 0
        self._complained: set[int] = set()

    def _provider(self, sid: int):
        return self.providers.get(self.owners[sid])

    def send(self, sid: int, periodic: bool = False) -> bool:
        """Periodic reports may be thinned newest-wins by the downlink; a one-shot answers a
        command and goes on the real-time channel with its verification reports."""
        provider = self._provider(sid)
        if provider is None:
            return False
        try:
            data = self.dictionary.encode_hk(sid, provider.housekeeping())
        except (ProtocolError, KeyError, TypeError, ValueError) as error:
            if sid not in self._complained:   # a component's bug: say it once, keep flying
                self._complained.add(sid)
                log.error("structure %d (%s) not reported: %s", sid, self.owners[sid], error)
            return False
        if periodic:
            self.downlink.periodic(sid, APID, 3, 25, data)
        else:
            self.downlink.packet(APID, 3, 25, data)
        self.sent += 1
        return True

    def tick(self, dt: float) -> None:
        now = self.clock.elapsed()
        for sid, enabled in self.enabled.items():
            if enabled and now + 1e-9 >= self.next_due[sid]:
                interval = self.interval_ds[sid] / 10
                due = self.next_due[sid] + interval
                self.next_due[sid] = due if due > now + 1e-9 else now + interval
                self.send(sid, periodic=True)

    def _sid(self, args) -> int:
        sid = args["sid"]
        if sid not in self.owners or self._provider(sid) is None:
            raise ExecutionError(Reason.NO_SUCH_ITEM, f"no housekeeping structure {sid}")
        return sid

    def on_hk_enable(self, args, verify) -> None:
        sid = self._sid(args)
        self.enabled[sid] = True
        self.next_due[sid] = self.clock.elapsed()

    def on_hk_disable(self, args, verify) -> None:
        self.enabled[self._sid(args)] = False

    def on_hk_oneshot(self, args, verify) -> None:
        sid = self._sid(args)
        verify.begin()
        if not self.send(sid):
            raise ExecutionError(Reason.EXECUTION_FAILED, "structure could not be encoded")

    def on_hk_interval(self, args, verify) -> None:
        sid = self._sid(args)
        self.interval_ds[sid] = args["interval"]
        self.next_due[sid] = self.clock.elapsed() + args["interval"] / 10

    def state(self) -> dict:
        return {str(sid): [self.enabled[sid], self.interval_ds[sid]] for sid in self.owners}

    def restore(self, state: dict) -> None:
        for key, value in state.items():
            sid = int(key)
            if sid in self.owners and isinstance(value, list) and len(value) == 2:
                self.enabled[sid] = bool(value[0])
                self.interval_ds[sid] = max(1, min(36000, int(value[1])))

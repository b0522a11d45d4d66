"""PUS-5 event reporting: declared events only, each id can be disabled by command.

Events are sent from the events APID, subtype = severity. A recent history stays in memory
(`recent`) and every event is logged, so the CLI's log and a test can see them too.
"""

import logging
from collections import deque

from fsw.component import ExecutionError, FlightComponent
from fsw.protocol.reasons import ProtocolError, Reason

from .dictionary import APID, COMPONENT

log = logging.getLogger("fsw.events")


class Events(FlightComponent):
    COMPONENT = COMPONENT

    def __init__(self, services):
        super().__init__(services)
        self.dictionary = services.dictionary
        self.downlink = services.downlink
        self.disabled: set[int] = set()
        self.recent: deque[tuple[float, str, dict]] = deque(maxlen=1000)
        self.sent = 0

    def emit(self, name: str, args: dict) -> None:
        event = self.dictionary.events_by_name.get(name)
        if event is None:
            log.error("undeclared event %r dropped", name)
            return
        try:
            subtype, data = self.dictionary.encode_event(name, args)
        except ProtocolError as error:
            log.error("event %s dropped: %s", name, error)
            return
        self.recent.append((self.services.now(), name, dict(args)))
        log.info("%s %s %s", event.severity.name.lower(), name, args)
        if event.id in self.disabled:
            return
        self.downlink.packet(APID, 5, subtype, data)
        self.sent += 1

    def _known(self, event_id: int) -> int:
        if event_id not in self.dictionary.events:
            raise ExecutionError(Reason.NO_SUCH_ITEM, f"no event {event_id}")
        return event_id

    def on_events_enable(self, args, verify) -> None:
        self.disabled.discard(self._known(args["event_id"]))

    def on_events_disable(self, args, verify) -> None:
        self.disabled.add(self._known(args["event_id"]))

    def state(self) -> dict:
        return {"disabled": sorted(self.disabled)}

    def restore(self, state: dict) -> None:
        self.disabled = {i for i in state.get("disabled", []) if i in self.dictionary.events}

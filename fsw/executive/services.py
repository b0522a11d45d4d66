"""What the executive offers every component (the fsw.component.Services protocol)."""

from typing import Any


class FlightServices:
    def __init__(self, *, clock, dictionary, rng, downlink, hardware, store):
        self.clock = clock
        self.dictionary = dictionary
        self.rng = rng
        self.downlink = downlink
        self.hardware = hardware
        self.store = store
        # the components that provide the services, wired by the application from the topology
        self.events: Any = None
        self.modes: Any = None
        self.dispatcher: Any = None

    def now(self) -> float:
        return self.clock.now()

    def event(self, name: str, **args: Any) -> None:
        self.events.emit(name, args)

    def report(self, name: str, values: dict, vcid: int = 0) -> None:
        dispatcher = self.dispatcher
        apid = None
        if dispatcher is not None:
            dispatcher.output_starting()
            apid = dispatcher.current_apid
        self.downlink.report(name, values, apid=apid, vcid=vcid)

    def bulk_room(self) -> bool:
        return self.downlink.room()

    def bulk_sent(self) -> bool:
        return self.downlink.bulk_sent()

    def enter_safe_mode(self, cause: str) -> None:
        self.modes.enter_safe_mode(cause)

    @property
    def mode(self) -> str:
        return self.modes.mode

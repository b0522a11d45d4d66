"""What the executive offers every component (the fsw.component.Services protocol)."""

from typing import Any


class FlightServices:
    def __init__(self, clock, rng, downlink):
        self.clock = clock
        self.rng = rng
        self.downlink = downlink
        self.hardware: Any = None
        self.store = None
        self.components: dict[str, Any] = {}   # filled by the app, in construction order

    def now(self) -> float:
        return self.clock.now()

    def event(self, name: str, **args: Any) -> None:
        self.components["events"].emit(name, args)

    def report(self, name: str, values: dict, vcid: int = 0) -> None:
        dispatcher = self.components.get("commanding")
        apid = None
        if dispatcher is not None:
            dispatcher.output_starting()
            apid = dispatcher.current_apid
        self.downlink.report(name, values, apid=apid, vcid=vcid)

    def component(self, name: str):
        return self.components[name]

    def enter_safe_mode(self, cause: str) -> None:
        self.components["modes"].enter_safe_mode(cause)

    @property
    def mode(self) -> str:
        return self.components["modes"].mode

"""The executive as a component: ping (PUS-17), time management (PUS-9), rate-group health."""

from fsw.component import FlightComponent

from .clock import FAST_HZ, SLOW_HZ
from .cycles import CycleStats
from .dictionary import COMPONENT


def _clamp(value: float, high: int) -> int:
    return max(0, min(high, int(round(value))))


class Executive(FlightComponent):
    COMPONENT = COMPONENT

    def __init__(self, services):
        super().__init__(services)
        self.clock = services.clock
        # rate-group health, recorded by the executive loop
        self.cycles = {FAST_HZ: CycleStats(FAST_HZ), SLOW_HZ: CycleStats(SLOW_HZ)}
        self.slips = 0                  # every cycle that started late, catch-up cycles included
        self.late_max = 0.0             # latest cycle start since the last report, seconds
        self.thinned = lambda: 0        # periodic reports the downlink thinned
        self.dropped = lambda: 0        # octets the downlink dropped: the loop's writer
        self.dictionary_version = services.dictionary.version
        self.restarts = 0

    def on_ping(self, args, verify) -> None:
        self.services.report("ping_reply", {})

    def on_time_set(self, args, verify) -> None:
        old = self.clock.now()
        self.clock.set_onboard(args["seconds"])
        self.services.event("time_set", old=_clamp(old, 0xFFFFFFFF), new=args["seconds"])

    def housekeeping(self) -> dict:
        # cycle_max_* are in units of 10 us (calibration 0.01 ms); reset at every report
        return {
            "uptime": _clamp(self.clock.elapsed(), 0xFFFFFFFF),
            "cycle_max_fast": _clamp(self.cycles[FAST_HZ].take_longest() * 1e5, 0xFFFF),
            "cycle_max_slow": _clamp(self.cycles[SLOW_HZ].take_longest() * 1e5, 0xFFFF),
            "cycle_slips": self.slips & 0xFFFFFFFF,
            "dictionary_version": self.dictionary_version,
            "clock_speed": self.clock.speed,
            "downlink_dropped": self.dropped() & 0xFFFFFFFF,
            "cycle_late_max": _clamp(self.take_late_max() * 1e3, 0xFFFF),
            "hk_thinned": self.thinned() & 0xFFFFFFFF,
        }

    def take_late_max(self) -> float:
        late, self.late_max = self.late_max, 0.0
        return late

    def state(self) -> dict:
        return {"restarts": self.restarts}

    def restore(self, state: dict) -> None:
        self.restarts = int(state.get("restarts", 0))

"""The executive loop in its thread: late cycles are counted, every one of them."""

import threading

from fsw.executive.clock import RealClock
from fsw.executive.cycles import CycleStats
from fsw.executive.loop import ExecutiveLoop, RateGroup
from fsw.link import link_pair


class Stall:
    """A component whose fourth tick takes 0.45 s (a 10 Hz cycle has 0.1 s)."""

    name = "stall"

    def __init__(self, ticks_wanted: int):
        self.ticks = 0
        self.enough = threading.Event()
        self.wanted = ticks_wanted

    def tick(self, dt):
        self.ticks += 1
        if self.ticks == 4:
            threading.Event().wait(0.45)
        if self.ticks >= self.wanted:
            self.enough.set()


class Health:
    def __init__(self):
        self.slips = 0
        self.late_max = 0.0
        self.events = []

    def event(self, name, **args):
        self.events.append((name, args))


class Quiet:
    """The downlink and hardware as far as the loop is concerned."""

    def next_due(self, now):
        return now + 1.0

    def service(self):
        pass

    def flush(self):
        pass

    def step(self, dt, now):
        pass


def test_an_overrun_cycle_and_the_catch_up_cycles_after_it_are_all_counted():
    flight, _ground = link_pair()
    stall, health, quiet = Stall(ticks_wanted=12), Health(), Quiet()
    loop = ExecutiveLoop(clock=RealClock(), link=flight, uplink=lambda data: None,
                         rate_groups=[RateGroup(10, [stall], CycleStats(10))], hardware=quiet,
                         downlink=quiet, health=health, event=health.event, save=lambda: None, save_interval=60.0)
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    assert stall.enough.wait(20)
    stop.set()
    thread.join(5)
    # the cycle after the stall starts >= 0.35 s late, the next catch-up ones >= 0.25 and 0.15 s:
    # three slips at least (the loop used to count one, or none), one event for the run of them
    assert health.slips >= 3
    assert health.late_max >= 0.35
    assert [name for name, _ in health.events].count("cycle_slip") >= 1
    assert health.events[0][1]["duration"] >= 350

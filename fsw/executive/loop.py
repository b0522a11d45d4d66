"""The executive loop: the one thread that touches flight state.

It reads the uplink and dispatches commands as soon as they arrive (so a round trip never waits
for a cycle), runs the rate groups on time (the fastest group every cycle, each slower one every
FAST_HZ/hz cycles), hands the downlink the frames the line can take after each and whenever the
line frees up (fsw/executive/downlink.py), and saves state now and then. Only link writes that
would block happen elsewhere (fsw.executive.downlink.LinkWriter).

Every cycle that starts more than the tolerance after its time is a slip, catch-up cycles
included; the latest start is kept for housekeeping. A loop that fell more than CATCH_UP cycles
behind skips ahead, and the cycles it skipped are slips too.

Not threaded, a sim clock is stepped only by step() and poll(): deterministic, and the downlink
is flushed after every cycle, whatever the line's pace.
"""

from __future__ import annotations

import logging
import math
import threading
import time

from fsw.link import LinkError

from .clock import FAST_HZ

log = logging.getLogger("fsw")
SLIP_TOLERANCE = 0.02      # real seconds a sim-time schedule may lag before it counts as a slip
CATCH_UP = 50              # cycles a loop that fell behind runs back to back before it skips ahead
READ_SIZE = 65536


class RateGroup:
    def __init__(self, hz: int, members: list, stats):
        if FAST_HZ % hz:
            raise ValueError(f"a {hz} Hz rate group does not divide the {FAST_HZ} Hz cycle")
        self.hz = hz
        self.members = members          # components, in tick order
        self.every = FAST_HZ // hz      # fast cycles per run
        self.stats = stats              # CycleStats
        self.last_tick = 0.0            # elapsed time of the last run


class ExecutiveLoop:
    def __init__(self, *, clock, link, uplink, rate_groups: list[RateGroup], hardware, downlink,
                 health, event, save, save_interval: float):
        self.clock = clock
        self.link = link
        self.uplink = uplink            # feeds uplink bytes to the dispatcher
        self.rate_groups = rate_groups
        self.hardware = hardware
        self.downlink = downlink
        self.health = health            # the executive component: slips, latest start
        self.event = event              # services.event: a declared event
        self.save = save
        self.save_interval = save_interval
        self.progress = threading.Condition()   # notified after every cycle
        self._fast_cycles = 0
        self._stepped = True            # until run(): frames flushed after every cycle
        self._late_run = False          # the previous cycle was late too (one event per run)
        self._complaints: set[str] = set()
        for group in rate_groups:
            group.last_tick = clock.elapsed()

    # -- threaded --
    def run(self, stop: threading.Event) -> None:
        clock = self.clock
        period = clock.fast_dt / clock.speed        # real seconds per fast cycle
        tolerance = max(period, SLIP_TOLERANCE if clock.kind == "sim" else period)
        self._stepped = False
        next_cycle = time.monotonic()
        next_save = next_cycle + self.save_interval
        while not stop.is_set():
            if period != clock.fast_dt / clock.speed:     # the speed was changed by command
                period = clock.fast_dt / clock.speed
                tolerance = max(period, SLIP_TOLERANCE if clock.kind == "sim" else period)
            now = time.monotonic()
            wait = next_cycle - now
            if wait > 0:
                wait = min(wait, self.downlink.next_due(now) - now, 0.1)
                data = self._read(max(wait, 0.0))
                if data:
                    self._uplink(data)
                elif time.monotonic() < min(next_cycle, self.downlink.next_due(now)) - 0.001:
                    time.sleep(0.001)     # a closed link returns at once: do not spin
                self.downlink.service()
            else:
                late = -wait
                if late > CATCH_UP * period:
                    skipped = int(late / period)
                    self.health.slips += skipped
                    next_cycle += skipped * period
                self._started(late, tolerance)
                self.cycle()
                next_cycle += period
            if now >= next_save:
                self.save()
                next_save = time.monotonic() + self.save_interval

    # -- stepped --
    def step(self, seconds: float) -> None:
        """Let `seconds` of simulated time pass here and now, reading the uplink before every cycle."""
        cycles = max(0, math.ceil(seconds / self.clock.fast_dt - 1e-9))
        for _ in range(cycles):
            self.read_available()
            self.cycle()
        self.read_available()

    def read_available(self) -> None:
        while True:
            data = self._read(0)
            if not data:
                return
            self._uplink(data)

    # -- one cycle --
    def cycle(self) -> None:
        clock = self.clock
        dt = clock.fast_dt
        clock.advance(dt)
        elapsed = clock.elapsed()
        self._fast_cycles += 1
        for index, group in enumerate(self.rate_groups):
            if self._fast_cycles % group.every:
                continue
            group_dt = elapsed - group.last_tick if clock.kind == "real" else dt * group.every
            group.last_tick = elapsed
            started = time.perf_counter()
            if index == 0:
                self._guarded("hardware.step", self.hardware.step, group_dt, clock.now())
            for component in group.members:
                self._guarded(component.name, component.tick, group_dt)
            group.stats.record(time.perf_counter() - started)
        self._send()
        with self.progress:
            self.progress.notify_all()

    def flush(self) -> None:
        """Everything waiting to go down, now (shutdown)."""
        self.downlink.flush()

    def _send(self) -> None:
        if self._stepped:
            self.downlink.flush()
        else:
            self.downlink.service()

    def _started(self, late: float, tolerance: float) -> None:
        """A cycle starts `late` seconds after its time: a slip beyond the tolerance."""
        health = self.health
        health.late_max = max(health.late_max, late)
        if late <= tolerance:
            self._late_run = False
            return
        health.slips += 1
        if not self._late_run:      # one event per run of late cycles, each of them counted
            self._late_run = True
            self.event("cycle_slip", group_hz=FAST_HZ, duration=min(int(late * 1e3), 0xFFFF))

    def _read(self, timeout: float) -> bytes:
        try:
            return self.link.read(READ_SIZE, timeout)
        except LinkError as error:
            self.complain("read", f"uplink read failed: {error}")
            time.sleep(min(timeout, 0.1))
            return b""

    def _uplink(self, data: bytes) -> None:
        # like a rate group: a bug on the way from uplink bytes to reports must not end the loop
        self._guarded("uplink", self.uplink, data)
        self._send()

    def _guarded(self, what: str, function, *args) -> None:
        try:
            function(*args)
        except Exception:
            # a component's bug must not stop the rate groups: log it once, keep flying
            if what not in self._complaints:
                self._complaints.add(what)
                log.exception("%s raised in a rate group", what)

    def complain(self, key: str, message: str) -> None:
        """Log a recurring failure once."""
        if key not in self._complaints:
            self._complaints.add(key)
            log.error(message)

"""The flight software assembled: components, services, the executive loop, persistence.

One thread (the executive) does everything that touches flight state: it reads the uplink and
dispatches commands as soon as they arrive (so a round trip never waits for a cycle), and runs
the 10 Hz and 1 Hz rate groups on time. Only link writes happen elsewhere (fsw.executive.downlink).

    fs = FlightSoftware(link, state_dir=..., clock="sim", speed=100, seed=0)
    fs.start()            # background thread; or fs.run() to block (the CLI)
    fs.advance(60)        # let 60 simulated seconds pass (steps them itself when not started)
    fs.stop()             # save state, join

Not started, a sim-clock FlightSoftware is stepped only by advance()/poll(): deterministic, the
same seed and the same uplink bytes give the same telemetry (the executive's measured cycle
times excepted).
"""

from __future__ import annotations

import logging
import math
import tempfile
import threading
import time
from pathlib import Path

import numpy

from fsw.camera.component import Camera
from fsw.commanding.dispatcher import Dispatcher
from fsw.events.component import Events
from fsw.executive.clock import FAST_HZ, SLOW_HZ, make_clock
from fsw.executive.component import Executive
from fsw.executive.cycles import CycleStats
from fsw.executive.downlink import Downlink, LinkWriter
from fsw.executive.services import FlightServices
from fsw.housekeeping.component import Housekeeping
from fsw.hw import create_backend
from fsw.link import LinkError
from fsw.modes.component import Modes
from fsw.dictionary import load
from fsw.protocol.tmframe import TM_FRAME_LEN
from fsw.schedule.component import Schedule
from fsw.storage import AtomicStore, StateFile
from fsw.thermal.component import Thermal

log = logging.getLogger("fsw")
SLIP_TOLERANCE = 0.02      # real seconds a sim-time schedule may lag before it counts as a slip
CATCH_UP = 50              # fast cycles run back to back at most before reading the uplink again
READ_SIZE = 65536


class FlightSoftware:
    def __init__(
        self,
        link,
        *,
        state_dir: str | Path | None = None,
        clock: str = "real",
        speed: float = 1.0,
        hw: str = "sim",
        seed: int = 0,
        tm_frame_len: int = TM_FRAME_LEN,
        start_time: float | None = None,
        save_interval: float = 1.0,
        hw_options: dict | None = None,
    ):
        self.link = link
        self.clock = make_clock(clock, speed, start_time)
        self.dictionary = load()
        self.save_interval = save_interval
        self._temp = None
        if state_dir is None:
            self._temp = tempfile.TemporaryDirectory(prefix="fsw-state-")
            state_dir = self._temp.name
        self.state_dir = Path(state_dir)
        self.rng = numpy.random.default_rng(seed)
        self.cycles = {FAST_HZ: CycleStats(FAST_HZ), SLOW_HZ: CycleStats(SLOW_HZ)}
        self.writer = LinkWriter(link)
        self.downlink = Downlink(self.dictionary, self.clock, tm_frame_len,
                                 next_expected=lambda: self.dispatcher.receiver.next_expected)
        self.services = services = FlightServices(self.clock, self.rng, self.downlink)
        self.components = components = services.components
        self.events = components["events"] = Events(services, self.dictionary, self.downlink)
        self.state_file = StateFile(AtomicStore(self.state_dir, on_corrupt=self._quarantined))
        services.store = AtomicStore(self.state_dir / "data", on_corrupt=self._quarantined)
        services.hardware = create_backend(hw, rng=self.rng, options=dict(hw_options or {}))
        self.executive = components["executive"] = Executive(
            services, self.dictionary, self.clock, self.cycles, dropped=lambda: self.writer.dropped)
        self.housekeeping = components["housekeeping"] = Housekeeping(
            services, self.dictionary, self.downlink, self.clock)
        self.schedule = components["schedule"] = Schedule(services, self.dictionary)
        self.modes = components["modes"] = Modes(services, self.dictionary, self.clock, components)
        self.dispatcher = components["commanding"] = Dispatcher(services, self.dictionary, self.downlink)
        components["camera"] = Camera(services)
        components["thermal"] = Thermal(services)
        # tick order: models first, then what reacts to them, housekeeping last to sample it all
        first = ("thermal", "camera")
        self.tick_order = [components[n] for n in first] + [
            c for n, c in components.items() if n not in first and c is not self.housekeeping
        ] + [self.housekeeping]
        self._restore()
        self.services.event("boot", dictionary_version=self.dictionary.version,
                            restarts=min(self.executive.restarts, 0xFFFF))
        self._fast_cycles = 0
        self._last_tick = {FAST_HZ: self.clock.elapsed(), SLOW_HZ: self.clock.elapsed()}
        self._stop = threading.Event()
        self._progress = threading.Condition()
        self._thread: threading.Thread | None = None
        self._shut = False
        self._lock = threading.Lock()     # one thread drives flight at a time
        self._complaints: set[str] = set()

    # -- public API --
    @property
    def mode(self) -> str:
        return self.modes.mode

    def now(self) -> float:
        return self.clock.now()

    def elapsed(self) -> float:
        return self.clock.elapsed()

    def start(self) -> "FlightSoftware":
        """Run the executive in a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="fsw-executive", daemon=True)
            self._thread.start()
        return self

    def run(self) -> None:
        """Run until stop() or request_stop(); then save state and release what was opened."""
        try:
            with self._lock:
                self._loop()
        finally:
            self._shutdown()

    def request_stop(self) -> None:
        """Ask the loop to end (safe from a signal handler)."""
        self._stop.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        else:
            self._shutdown()

    def __enter__(self) -> "FlightSoftware":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def advance(self, seconds: float, timeout: float = 60.0) -> None:
        """Let `seconds` of simulated (or real) time pass.

        Running in its thread: wait until the clock got there. Not started: step the rate groups
        right here, reading the uplink before every cycle (deterministic with a sim clock).
        """
        target = self.clock.elapsed() + seconds
        if self._thread is not None:
            if not self.wait_until(target, timeout) or self.clock.elapsed() < target:
                raise TimeoutError(f"flight did not reach {target:.1f} s of elapsed time")
            return
        if self.clock.kind != "sim":
            raise RuntimeError("advance() steps only a sim clock; start() a real-clock flight")
        cycles = max(0, math.ceil(seconds / self.clock.fast_dt - 1e-9))
        with self._lock:
            for _ in range(cycles):
                self._read_available()
                self._cycle()
            self._read_available()
        self.writer.drain()

    def poll(self) -> None:
        """Handle whatever uplink bytes are waiting, now, without advancing time (not started)."""
        if self._thread is not None:
            return
        with self._lock:
            self._read_available()
        self.writer.drain()

    def wait_until(self, elapsed: float, timeout: float = 60.0) -> bool:
        """Wait (in real time, at most timeout) until elapsed simulated seconds since boot."""
        with self._progress:
            return self._progress.wait_for(
                lambda: self.clock.elapsed() >= elapsed or self._shut, timeout)

    def save(self) -> None:
        self.state_file.save(
            {"kind": self.clock.kind, **self.clock.state()},
            {name: component.state() for name, component in self.components.items()},
        )

    def stats(self) -> dict:
        return {
            "fast": self.cycles[FAST_HZ].summary(),
            "slow": self.cycles[SLOW_HZ].summary(),
            "cycle_slips": self.executive.slips,
            "downlink_dropped": self.writer.dropped,
            "commands": dict(self.dispatcher.counters),
            "elapsed": self.clock.elapsed(),
        }

    # -- the executive --
    def _loop(self) -> None:
        clock = self.clock
        period = clock.fast_dt / clock.speed        # real seconds per fast cycle
        tolerance = max(period, SLIP_TOLERANCE if clock.kind == "sim" else period)
        next_cycle = time.monotonic()
        next_save = next_cycle + self.save_interval
        while not self._stop.is_set():
            now = time.monotonic()
            wait = next_cycle - now
            if wait > 0:
                data = self._read(min(wait, 0.1))
                if data:
                    self._uplink(data)
                elif time.monotonic() < next_cycle - 0.001:
                    time.sleep(0.001)     # a closed link returns at once: do not spin
            else:
                if -wait > tolerance:
                    self._slip(-wait)
                    next_cycle = now
                for _ in range(CATCH_UP):
                    self._cycle()
                    next_cycle += period
                    if next_cycle > time.monotonic():
                        break
            if now >= next_save:
                self._save_quietly()
                next_save = time.monotonic() + self.save_interval

    def _slip(self, late: float) -> None:
        self.executive.slips += 1
        self.services.event("cycle_slip", group_hz=FAST_HZ, duration=min(int(late * 1e3), 0xFFFF))

    def _read(self, timeout: float) -> bytes:
        try:
            return self.link.read(READ_SIZE, timeout)
        except LinkError as error:
            self._complain("read", f"uplink read failed: {error}")
            time.sleep(min(timeout, 0.1))
            return b""

    def _read_available(self) -> None:
        while True:
            data = self._read(0)
            if not data:
                return
            self._uplink(data)

    def _uplink(self, data: bytes) -> None:
        # like a rate group: a bug on the way from uplink bytes to reports must not end the loop
        self._guarded("uplink", self.dispatcher.feed, data)
        self._flush()

    def _flush(self) -> None:
        self.writer.write(self.downlink.take())

    def _cycle(self) -> None:
        clock = self.clock
        dt = clock.fast_dt
        clock.advance(dt)
        elapsed = clock.elapsed()
        fast_dt = elapsed - self._last_tick[FAST_HZ] if clock.kind == "real" else dt
        self._last_tick[FAST_HZ] = elapsed
        started = time.perf_counter()
        self._guarded("hardware.step", self.services.hardware.step, fast_dt)
        for component in self.tick_order:
            self._guarded(component.name, component.tick, FAST_HZ, fast_dt)
        self.cycles[FAST_HZ].record(time.perf_counter() - started)
        self._fast_cycles += 1
        if self._fast_cycles % (FAST_HZ // SLOW_HZ) == 0:
            slow_dt = elapsed - self._last_tick[SLOW_HZ] if clock.kind == "real" else dt * (FAST_HZ / SLOW_HZ)
            self._last_tick[SLOW_HZ] = elapsed
            started = time.perf_counter()
            for component in self.tick_order:
                self._guarded(component.name, component.tick, SLOW_HZ, slow_dt)
            self.cycles[SLOW_HZ].record(time.perf_counter() - started)
        self._flush()
        with self._progress:
            self._progress.notify_all()

    def _guarded(self, what: str, function, *args) -> None:
        try:
            function(*args)
        except Exception:
            # a component's bug must not stop the rate groups: log it once, keep flying
            if what not in self._complaints:
                self._complaints.add(what)
                log.exception("%s raised in a rate group", what)

    def _complain(self, key: str, message: str) -> None:
        if key not in self._complaints:
            self._complaints.add(key)
            log.error(message)

    # -- persistence --
    def _restore(self) -> None:
        state = self.state_file.load()
        if state is None:
            return
        # the file passed its checksum, but its contents may still come from another version
        clock = state.get("clock")
        if isinstance(clock, dict) and clock.get("kind") == self.clock.kind:
            try:
                self.clock.restore(clock)
            except (TypeError, ValueError):
                log.exception("clock: saved state not restored")
        components = state.get("components")
        for name, saved in (components.items() if isinstance(components, dict) else ()):
            component = self.components.get(name)
            if component is not None and isinstance(saved, dict):
                try:
                    component.restore(saved)
                except Exception:
                    log.exception("%s: saved state not restored", name)
        self.executive.restarts += 1

    def _quarantined(self, corrupt) -> None:
        log.warning("quarantined %s", corrupt)
        self.services.event("state_quarantined", file=corrupt.name.encode("ascii", "replace")[:200])

    def _save_quietly(self) -> None:
        try:
            self.save()
        except OSError as error:
            self._complain("save", f"state not saved: {error}")

    def _shutdown(self) -> None:
        if self._shut:
            return
        self._shut = True
        self._flush()
        self._save_quietly()
        self.writer.close()
        try:
            self.services.hardware.close()
        except Exception:
            log.exception("hardware.close raised")
        with self._progress:
            self._progress.notify_all()
        if self._temp is not None:
            self._temp.cleanup()


from fsw.executive.loopback import Loopback  # noqa: E402  (flight + ground in one process)

__all__ = ["FlightSoftware", "Loopback"]

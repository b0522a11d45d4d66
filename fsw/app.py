"""The flight software assembled: the composition root.

Builds the services, the components the topology names (fsw/topology.py), wires their ports,
restores saved state and hands everything to the executive loop (fsw/executive/loop.py).

    fs = FlightSoftware(link, state_dir=..., clock="sim", speed=100, seed=0)
    fs.start()            # background thread; or fs.run() to block (the CLI)
    fs.advance(60)        # let 60 simulated seconds pass (steps them itself when not started)
    fs.stop()             # save state, join

Not started, a sim-clock FlightSoftware is stepped only by advance()/poll(): deterministic, the
same seed and the same uplink bytes give the same telemetry (the executive's measured cycle
times excepted). fsw.loopback puts a ground end beside it in one process.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path

import numpy

from fsw.dictionary import load
from fsw.executive.clock import FAST_HZ, SLOW_HZ, make_clock
from fsw.executive.downlink import Downlink, LinkWriter
from fsw.executive.loop import ExecutiveLoop, RateGroup
from fsw.executive.services import FlightServices
from fsw.hw.backends import create_backend
from fsw.protocol.cop1.farm import DEFAULT_WINDOW, check_window
from fsw.protocol.sdls import Keyring
from fsw.protocol.tmframe import TM_FRAME_LEN
from fsw.storage import AtomicStore, StateFile
from fsw.topology import EVERY, MISSION, Topology

log = logging.getLogger("fsw")


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
        line_rate: float | None = None,
        start_time: float | None = None,
        save_interval: float = 1.0,
        hw_options: dict | None = None,
        topology: Topology = MISSION,
        durable_ack: bool = True,
        farm_window: int = DEFAULT_WINDOW,
        uplink_keys: Keyring | None = None,
    ):
        """uplink_keys: the SDLS keys every uplink frame must be protected with; None accepts
        clear frames (fsw --insecure-uplink), each one counted."""
        self.link = link
        self.clock = make_clock(clock, speed, start_time)
        self.dictionary = load()
        self._temp = None
        if state_dir is None:
            self._temp = tempfile.TemporaryDirectory(prefix="fsw-state-")
            state_dir = self._temp.name
        self.state_dir = Path(state_dir)
        self.rng = numpy.random.default_rng(seed)
        self.writer = LinkWriter(link)
        # line_rate (octets/s): the downlink is paced to it; None: as fast as the link takes it
        self.downlink = Downlink(self.dictionary, self.clock, tm_frame_len,
                                 clcw=lambda: self.dispatcher.receiver.farm.clcw(),
                                 writer=self.writer, line_rate=line_rate)
        self.state_file = StateFile(AtomicStore(self.state_dir, on_corrupt=self._quarantined))
        self.services = services = FlightServices(
            clock=self.clock, dictionary=self.dictionary, rng=self.rng, downlink=self.downlink,
            hardware=create_backend(hw, rng=self.rng, options=dict(hw_options or {}), now=self.clock.now()),
            store=AtomicStore(self.state_dir / "data", on_corrupt=self._quarantined),
        )
        services.farm_window = check_window(farm_window)    # FARM-1's W, read by the dispatcher
        self.components = self._build(topology)
        services.events = self.events = self.components["events"]
        services.modes = self.modes = self.components["modes"]
        services.dispatcher = self.dispatcher = self.components["commanding"]
        self.executive = self.components["executive"]
        self.executive.dropped = lambda: self.writer.dropped
        self.executive.thinned = lambda: self.downlink.thinned
        self._restore()
        if durable_ack:      # False only to measure what durability costs (fsw --unsafe-ack)
            self.downlink.commit = self._save_quietly
        security = self.components.get("security")
        if security is not None:
            security.configure(uplink_keys)
            self.dispatcher.receiver.security = security.unprotect
        self.loop = ExecutiveLoop(
            clock=self.clock, link=link, uplink=self.dispatcher.feed,
            rate_groups=[RateGroup(hz, [self.components[n] for n in order], self.executive.cycles[hz])
                         for hz, order in topology.rate_groups],
            hardware=services.hardware, downlink=self.downlink,
            health=self.executive, event=services.event, save=self._save_quietly, save_interval=save_interval,
        )
        services.event("boot", dictionary_version=self.dictionary.version,
                       restarts=min(self.executive.restarts, 0xFFFF))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shut = False
        self._lock = threading.Lock()     # one thread drives flight at a time

    def _build(self, topology: Topology) -> dict:
        topology.check()
        components = {name: kind(self.services) for name, kind in topology.components}
        for link in topology.connections:
            provider = dict(components) if link.provider == EVERY else components[link.provider]
            components[link.user].connect(link.port, provider)
        return components

    # -- public API --
    @property
    def mode(self) -> str:
        return self.modes.mode

    @property
    def cycles(self) -> dict:
        return self.executive.cycles

    def now(self) -> float:
        return self.clock.now()

    def elapsed(self) -> float:
        return self.clock.elapsed()

    def start(self) -> FlightSoftware:
        """Run the executive in a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="fsw-executive", daemon=True)
            self._thread.start()
        return self

    def run(self) -> None:
        """Run until stop() or request_stop(); then save state and release what was opened."""
        try:
            with self._lock:
                self.loop.run(self._stop)
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

    def __enter__(self) -> FlightSoftware:
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
        with self._lock:
            self.loop.step(seconds)
        self.writer.drain()

    def poll(self) -> None:
        """Handle whatever uplink bytes are waiting, now, without advancing time (not started)."""
        if self._thread is not None:
            return
        with self._lock:
            self.loop.read_available()
        self.writer.drain()

    def wait_until(self, elapsed: float, timeout: float = 60.0) -> bool:
        """Wait (in real time, at most timeout) until elapsed simulated seconds since boot."""
        progress = self.loop.progress
        with progress:
            return progress.wait_for(lambda: self.clock.elapsed() >= elapsed or self._shut, timeout)

    def save(self, snapshot: bool = False) -> None:
        self.state_file.save(
            {"kind": self.clock.kind, **self.clock.state()},
            {name: component.state() for name, component in self.components.items()},
            self.services.hardware.state(),
            snapshot=snapshot,
        )

    def stats(self) -> dict:
        return {
            "fast": self.cycles[FAST_HZ].summary(),
            "slow": self.cycles[SLOW_HZ].summary(),
            "cycle_slips": self.executive.slips,
            "downlink_dropped": self.writer.dropped,
            "hk_thinned": self.downlink.thinned,
            "cycle_late_max_ms": self.executive.late_max * 1e3,
            "commands": dict(self.dispatcher.counters),
            "elapsed": self.clock.elapsed(),
        }

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
        hardware = state.get("hardware")
        if isinstance(hardware, dict):
            try:
                self.services.hardware.restore(hardware)
            except Exception:
                log.exception("hardware: saved state not restored")
        self.executive.restarts += 1

    def _quarantined(self, corrupt) -> None:
        log.warning("quarantined %s", corrupt)
        self.services.event("state_quarantined", file=corrupt.name.encode("ascii", "replace")[:200])

    def _save_quietly(self, snapshot: bool = False) -> None:
        try:
            self.save(snapshot)
        except OSError as error:
            self.loop.complain("save", f"state not saved: {error}")

    def _shutdown(self) -> None:
        if self._shut:
            return
        self._shut = True
        self.loop.flush()
        self._save_quietly(snapshot=True)
        self.state_file.close()
        self.writer.close()
        try:
            self.services.hardware.close()
        except Exception:
            log.exception("hardware.close raised")
        with self.loop.progress:
            self.loop.progress.notify_all()
        if self._temp is not None:
            self._temp.cleanup()


__all__ = ["FlightSoftware"]

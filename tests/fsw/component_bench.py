"""A minimal, checking stand-in for the executive: services, ticks and command calls.

Every event, report and housekeeping set the components produce is encoded with the real
dictionary, so a value the wire cannot carry fails the test that produced it.
"""

import numpy as np

from fsw import mission
from fsw.camera.component import Camera
from fsw.component import ExecutionError
from fsw.dictionary import load
from fsw.hw.backends import create_backend
from fsw.storage import AtomicStore
from fsw.thermal.component import Thermal

DICTIONARY = load()
BULK_PER_CYCLE = 2


class Verify:
    def __init__(self):
        self.started = False
        self.deferred = False
        self.progress_log: list[tuple[int, int]] = []
        self.completed = False
        self.failed = None
        self.detail = ""

    def begin(self):
        self.started = True

    def defer(self):
        self.started = self.deferred = True

    def progress(self, step, percent):
        # the values must fit the progress_success report the dispatcher will build from them
        DICTIONARY.encode_report("progress_success", {"request_id": 0, "step": step, "percent": percent})
        self.progress_log.append((step, percent))

    def complete(self):
        assert not self.done
        self.completed = True

    def fail(self, reason, step=0):
        assert not self.done
        self.failed = reason

    @property
    def done(self):
        return self.completed or self.failed is not None


class Services:
    def __init__(self, root, start, hw_options=None, seed=0):
        self.rng = np.random.default_rng(seed)
        self.hardware = create_backend("sim", rng=self.rng, options=hw_options or {}, now=start)
        self.store = AtomicStore(root / "data")
        self.t = float(start)
        self.events: list[tuple[str, dict]] = []
        self.reports: list[tuple[str, dict]] = []
        self.safe_causes: list[str] = []
        self.mode = "nominal"
        self.safe: dict = {}                 # what safe mode reaches, as the modes component would
        self.dictionary = DICTIONARY
        self.bulk_this_cycle = 0

    def now(self):
        return self.t

    def event(self, name, **args):
        DICTIONARY.encode_event(name, args)
        self.events.append((name, args))

    def report(self, name, values, vcid=0):
        DICTIONARY.encode_report(name, values)
        self.reports.append((name, values))
        self.bulk_this_cycle += vcid == 1

    def bulk_room(self):
        # a line that drains two bulk reports a cycle (about 115200 baud at 10 Hz)
        return self.bulk_this_cycle < BULK_PER_CYCLE

    def bulk_sent(self):
        return True

    def enter_safe_mode(self, cause):
        assert cause in ("over_temperature", "sensor_failure")
        self.safe_causes.append(cause)
        self.mode = "safe"
        for component in self.safe.values():
            component.enter_safe()


class Bench:
    def __init__(self, root, start=mission.PJ57 - 2 * 3600, hw_options=None, seed=0, state=None):
        self.services = Services(root, start, hw_options, seed)
        self.camera = Camera(self.services)
        self.thermal = Thermal(self.services)
        self.services.safe.update(camera=self.camera, thermal=self.thermal)
        self.camera.connect("thermal", self.thermal)
        self.thermal.connect("camera", self.camera)
        if state:
            self.services.hardware.restore(state["hardware"])
            self.camera.restore(state["camera"])
            self.thermal.restore(state["thermal"])
        self._cycles = 0

    @property
    def events(self):
        return self.services.events

    def named(self, name):
        return [args for event, args in self.services.events if event == name]

    def reports(self, name):
        return [values for report, values in self.services.reports if report == name]

    def command(self, name, **args):
        declared = DICTIONARY.command(name)
        decoded = DICTIONARY.decode_args(declared, DICTIONARY.encode_args(name, args))
        owner = self.camera if declared.apid == self.camera.COMPONENT.apid else self.thermal
        verify = Verify()
        try:
            owner.handler(name)(decoded, verify)
        except ExecutionError as failure:
            verify.failed, verify.detail = failure.reason, failure.detail
            return verify
        if not verify.deferred:
            verify.completed = True
        return verify

    def run(self, seconds, dt=0.1, until=None):
        """Step simulated time like the executive: hardware, then the fast rate group's members."""
        steps = max(1, round(seconds / dt))
        for _ in range(steps):
            self.services.t += dt
            self.services.hardware.step(dt, self.services.t)
            self.services.bulk_this_cycle = 0
            for component in (self.thermal, self.camera):
                component.tick(dt)
            self._cycles += 1
            if until is not None and until():
                return True
        return False

    def housekeeping(self, component):
        values = component.housekeeping()
        DICTIONARY.encode_hk(component.COMPONENT.sid, values)
        return values

    def state(self):
        return {"camera": self.camera.state(), "thermal": self.thermal.state(),
                "hardware": self.services.hardware.state()}

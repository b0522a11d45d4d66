"""loop: the flight software in this process, over an in-process link pair (no I/O at all)."""

import tempfile

from fsw.link import link_pair
from fsw.protocol import TM_FRAME_LEN

from .base import ALL_COMMANDS, Capabilities, Target

SPEED = 1000.0   # simulated seconds per wall second: the thermal node's hours become seconds


class LoopTarget(Target):
    name = "loop"
    capabilities = Capabilities(TM_FRAME_LEN, ALL_COMMANDS, None,
                                frozenset({"heater_stuck_on", "sensor_failed"}), speed=SPEED,
                                features=frozenset({"farm", "farm_reporting", "sdls", "reset"}))

    def __init__(self, hw_options: dict | None = None, baud: int | None = None):
        self.hw_options = hw_options or {}
        self.baud = baud            # the downlink is paced to baud/10 octets/s when given
        self.flight = None

    def start(self) -> None:
        from fsw.protocol.constants import SPACECRAFT_ID
        from fsw.security.keyfile import provision

        self._state = tempfile.TemporaryDirectory(prefix="hil-loop-")
        self.key_file, self._keys, _new = provision(self._state.name, SPACECRAFT_ID)   # as fsw's first start does
        self._flight_end, self.link = link_pair()
        self._boot()

    def _boot(self) -> None:
        from fsw.app import FlightSoftware

        self.flight = FlightSoftware(self._flight_end, state_dir=self._state.name, clock="sim", speed=SPEED,
                                     uplink_keys=self._keys,
                                     hw="sim", seed=0, hw_options=self.hw_options,
                                     line_rate=self.baud / 10 if self.baud else None).start()

    def reset(self) -> None:
        """As kill -9 would: the flight stops without its final save (the state on disk is what it
        last committed) and boots again on the same state and the same link."""
        self.flight._save_quietly = lambda snapshot=False: None
        self.flight.stop()
        self._boot()

    def stop(self) -> None:
        if self.flight is not None:
            self.flight.stop()
            self.flight = None
            self._state.cleanup()

    def inject(self, fault: str) -> None:
        """Restart with the fault present from boot (the host simulation's hardware options)."""
        options = {"heater_stuck_on": {"heater": "stuck_on"}, "sensor_failed": {"sensor": "failed"}}[fault]
        self.stop()
        self.hw_options = options
        self.start()

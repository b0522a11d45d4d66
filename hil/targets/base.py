"""What every target is: how to start it, how to talk to it, and what it can do."""

from dataclasses import dataclass, field

from fsw.dictionary import load


@dataclass(frozen=True)
class Capabilities:
    frame_len: int                       # TM frame length of its link
    commands: frozenset[str]             # dictionary commands it implements
    image_size: tuple[int, int] | None   # (width, height) of its images; None: full camera
    faults: frozenset[str] = frozenset()  # faults a test can inject: heater_stuck_on, sensor_failed
    window: int = 100                    # commands a test may have outstanding at once
    hk_sids: frozenset[int] = field(default_factory=lambda: frozenset(load().structures))
    hk_tick: float = 1.0                 # housekeeping runs in this rate group (s): intervals round up
    anneal_hold: int = 600               # a short anneal hold, on-board seconds
    speed: float = 1.0                   # thermal-model seconds per wall-clock second
    simulated_thermal: bool = True       # the thermal node is a model (faults and anneals are quick)
    # protocol features it implements: "farm" (COP-1's FARM-1: the ground sends Type-AD frames
    # through FOP-1), "farm_reporting" (FARM counters in housekeeping, Lockout events), "farm_wait"
    # (a flood of replies outruns its downlink and raises the FARM's Wait flag), "sdls"
    # (authenticated commanding: the ground protects every frame), "reset" (Target.reset()),
    # "push_frame" (a reduced camera whose images are 32-row framelets of four filter strips)
    features: frozenset[str] = frozenset()
    no_sdls_reason: str = "the firmware does not authenticate commands yet (flash/RAM budget not measured)"
    cfdp_class: int = 2                  # the CFDP class its file_downlink offers (the Arduino: 1 only)

    @property
    def file_delivery(self) -> str:
        """How its images come down: "cfdp" (file_downlink) or the camera's "segments"."""
        return "cfdp" if "file_downlink" in self.commands else "segments"


ALL_COMMANDS = frozenset(load().commands)


class Target:
    """A running flight software; `port` is what ground connects to (or `link`)."""

    name = "target"
    capabilities: Capabilities
    skip_reason: str | None = None       # set when the target cannot run here
    port: str | None = None
    link = None
    key_file = None                      # the uplink's SDLS keys (None: clear frames)

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        pass

    def inject(self, fault: str) -> None:
        raise NotImplementedError(f"{self.name} cannot inject {fault}")

    def reset(self) -> None:
        """Reset the board now, as a power cycle or kill -9 would (no goodbye, no final save), and
        let it boot again; `port` or `link` may be new afterwards."""
        raise NotImplementedError(f"{self.name} cannot be reset")

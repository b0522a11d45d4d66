"""The flight topology, as data: which components fly, who is connected to whom, and which rate
group runs whom in what order (F' style: components declare their ports, the topology wires them).

A connection names a user's port and its provider: one component, or "*" for every component of
the topology, in the order listed here (a fan-out, such as "put yourself safe").
"""

from dataclasses import dataclass

from fsw.camera.component import Camera
from fsw.commanding.dispatcher import Dispatcher
from fsw.events.component import Events
from fsw.executive.clock import FAST_HZ, SLOW_HZ
from fsw.executive.component import Executive
from fsw.files.component import Files
from fsw.housekeeping.component import Housekeeping
from fsw.modes.component import Modes
from fsw.schedule.component import Schedule
from fsw.security.component import Security
from fsw.thermal.component import Thermal

EVERY = "*"


@dataclass(frozen=True)
class Connection:
    user: str
    port: str
    provider: str     # a component's name, or EVERY


@dataclass(frozen=True)
class Topology:
    components: tuple[tuple[str, type], ...]          # (name, FlightComponent class), construction order
    connections: tuple[Connection, ...]
    rate_groups: tuple[tuple[int, tuple[str, ...]], ...]   # (Hz, tick order), fastest first

    def without(self, name: str) -> "Topology":
        """A smaller build: one component left out, with its connections and rate-group places.
        What it declared stays in the dictionary, so its commands are refused as not implemented."""
        return Topology(
            components=tuple(c for c in self.components if c[0] != name),
            connections=tuple(c for c in self.connections if name not in (c.user, c.provider)),
            rate_groups=tuple((hz, tuple(n for n in order if n != name)) for hz, order in self.rate_groups),
        )

    def check(self) -> None:
        """Every connection and rate-group member names a component, every port is declared."""
        classes = dict(self.components)
        for link in self.connections:
            if link.user not in classes or link.provider not in (*classes, EVERY):
                raise ValueError(f"connection {link} names an unknown component")
            if link.port not in classes[link.user].PORTS:
                raise ValueError(f"{link.user} has no port {link.port!r}")
        for hz, order in self.rate_groups:
            unknown = [name for name in order if name not in classes]
            if unknown:
                raise ValueError(f"{hz} Hz group names unknown components: {', '.join(unknown)}")


MISSION = Topology(
    components=(
        ("events", Events),
        ("executive", Executive),
        ("housekeeping", Housekeeping),
        ("schedule", Schedule),
        ("modes", Modes),
        ("security", Security),
        ("commanding", Dispatcher),
        ("camera", Camera),
        ("thermal", Thermal),
        ("files", Files),
    ),
    connections=(
        Connection("commanding", "modes", "modes"),          # mode, arming and contact checks
        Connection("commanding", "owners", EVERY),     # whose handler runs a command
        Connection("schedule", "dispatcher", "commanding"),  # released commands go in like uplinked ones
        Connection("modes", "safe", EVERY),            # safe mode reaches every component
        Connection("housekeeping", "providers", EVERY),
        Connection("camera", "thermal", "thermal"),          # no capture while annealing
        Connection("thermal", "camera", "camera"),           # image quality before and after an anneal
        Connection("files", "camera", "camera"),             # images go down as files
    ),
    rate_groups=(
        # the models' readers first, what reacts to them next, housekeeping last to sample it all
        (FAST_HZ, ("thermal", "camera", "files", "schedule", "housekeeping")),
        (SLOW_HZ, ("modes",)),
    ),
)

"""The flight topology: every port wired, every ticking component in a rate group, bad wiring refused."""

from dataclasses import replace

import pytest

from fsw.app import FlightSoftware
from fsw.component import FlightComponent
from fsw.dictionary import load
from fsw.link import link_pair
from fsw.topology import MISSION, Connection


def test_every_declared_port_is_wired_exactly_once():
    wired = [(c.user, c.port) for c in MISSION.connections]
    assert len(wired) == len(set(wired))
    for name, kind in MISSION.components:
        assert {port for user, port in wired if user == name} == set(kind.PORTS), name


def test_every_component_that_ticks_is_in_one_rate_group():
    members = [name for _, order in MISSION.rate_groups for name in order]
    assert len(members) == len(set(members))
    ticking = {name for name, kind in MISSION.components if kind.tick is not FlightComponent.tick}
    assert ticking == set(members)


def test_every_application_of_the_dictionary_flies():
    names = {name for name, _ in MISSION.components}
    assert {c.name for c in load().components} <= names


def test_components_reach_each_other_only_through_their_ports():
    flight_end, _ = link_pair("topology")
    flight = FlightSoftware(flight_end, clock="sim")
    try:
        camera, thermal, modes = (flight.components[n] for n in ("camera", "thermal", "modes"))
        assert camera.thermal is thermal and thermal.camera is camera
        assert list(modes.safe) == [name for name, _ in MISSION.components]
        assert flight.components["schedule"].dispatcher is flight.dispatcher
    finally:
        flight.stop()


@pytest.mark.parametrize("topology, message", [
    (replace(MISSION, connections=(Connection("camera", "lens", "thermal"),)), "camera has no port 'lens'"),
    (replace(MISSION, connections=(Connection("camera", "thermal", "heater"),)), "unknown component"),
    (replace(MISSION, rate_groups=((10, ("thermal", "nobody")),)), "unknown components: nobody"),
])
def test_bad_wiring_is_refused_before_anything_flies(topology, message):
    with pytest.raises(ValueError, match=message):
        topology.check()



def test_every_declared_command_has_a_handler_on_the_component_that_flies_it():
    classes = dict(MISSION.components)
    for application in load().components:
        kind = classes[application.name]
        missing = [c.name for c in application.commands if not callable(getattr(kind, f"on_{c.name}", None))]
        assert not missing, f"{kind.__name__} lacks on_{', on_'.join(missing)}"

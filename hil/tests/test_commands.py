"""Every dictionary command the target implements: accepted, then completed or failed with a
declared reason. Each recipe sets up what its command needs and leaves the target as it was.
Every declared command it lacks: rejected at acceptance with not_implemented."""

import pytest

from fsw.dictionary import load
from fsw.protocol import encode_tc
from fsw.protocol.reasons import Reason
from ground.procedures import CommandFailed
from hil.plugin import needs
from hil.tests.helpers import raw_tc, send_raw_packet

COMPLETED = "completed"


def ready_camera(gs):
    gs.send("cam_power", state="on")
    gs.await_telemetry("cam_state", lambda state: state == "ready", timeout=60)


def captured_image(gs) -> int:
    ready_camera(gs)
    gs.send("cam_configure", exposure=20, filters=1, tdi=1)
    gs.send("cam_capture", framelets=1)
    return gs.await_event("image_captured", timeout=60).fields["image_id"]


def bulk_downlink(target, image_id: int) -> tuple[str, dict]:
    """The command that fills the downlink with an image: the camera's segments where the target
    has them, else its CFDP file in the class it offers (the Arduino firmware: class 1)."""
    if "cam_downlink" in target.capabilities.commands:
        return "cam_downlink", {"image_id": image_id, "first_segment": 0}
    return "file_downlink", {"image_id": image_id, "cfdp_class": target.capabilities.cfdp_class}


def scheduled_ping(gs) -> bytes:
    return encode_tc(gs.session.sender.number(gs.dictionary.build_tc("ping")))


# name -> (setup(gs) -> args, outcomes allowed, clean-up(gs))
RECIPES = {
    "ping": (lambda gs: {}, {COMPLETED}, None),
    "time_set": (lambda gs: {"seconds": 757_000_000}, {COMPLETED}, None),
    # a simulated world flies ahead a minute; real hardware (and a real clock) says it cannot
    "mission_advance": (lambda gs: {"seconds": 60}, {COMPLETED, Reason.EXECUTION_FAILED}, None),
    # the speed it runs at already, so the tests after it see no change
    "clock_speed": (lambda gs: {"speed": max(1.0, gs.await_telemetry("clock_speed", lambda s: s is not None,
                                                                     timeout=30))},
                    {COMPLETED, Reason.EXECUTION_FAILED}, None),
    "hk_enable": (lambda gs: {"sid": 20}, {COMPLETED}, None),
    "hk_disable": (lambda gs: {"sid": 10}, {COMPLETED}, lambda gs: gs.send("hk_enable", sid=10)),
    "hk_oneshot": (lambda gs: {"sid": 20}, {COMPLETED}, None),
    "hk_interval": (lambda gs: {"sid": 20, "interval": 10}, {COMPLETED}, None),
    "events_enable": (lambda gs: {"event_id": 600}, {COMPLETED}, None),
    "events_disable": (lambda gs: {"event_id": 400}, {COMPLETED}, lambda gs: gs.send("events_enable", event_id=400)),
    "schedule_enable": (lambda gs: {}, {COMPLETED}, None),
    "schedule_disable": (lambda gs: {}, {COMPLETED}, lambda gs: gs.send("schedule_enable")),
    "schedule_reset": (lambda gs: {}, {COMPLETED}, None),
    "schedule_insert": (lambda gs: {"release": 0xFFFF_FF00, "tc": scheduled_ping(gs)}, {COMPLETED},
                        lambda gs: gs.arm_and_send("schedule_reset")),
    "schedule_delete": (lambda gs: {"entry": 9999}, {COMPLETED, Reason.NO_SUCH_ITEM}, None),
    "schedule_list": (lambda gs: {}, {COMPLETED}, None),
    "mode_safe": (lambda gs: {}, {COMPLETED}, lambda gs: gs.arm_and_send("mode_nominal")),
    "mode_nominal": (lambda gs: {}, {COMPLETED}, None),
    "arm": (lambda gs: {"service": 140, "subtype": 4}, {COMPLETED}, None),
    "fdir_contact_timeout": (lambda gs: {"seconds": 0}, {COMPLETED}, None),
    "cam_power": (lambda gs: {"state": "on"}, {COMPLETED}, None),
    "cam_configure": (lambda gs: {"exposure": 20, "filters": 1, "tdi": 1}, {COMPLETED}, None),
    "cam_capture": (lambda gs: ready_camera(gs) or {"framelets": 1}, {COMPLETED}, None),
    "cam_list": (lambda gs: {}, {COMPLETED}, None),
    "cam_downlink": (lambda gs: {"image_id": captured_image(gs)}, {COMPLETED}, None),
    "cam_delete": (lambda gs: {"image_id": captured_image(gs)}, {COMPLETED}, None),
    "heater_on": (lambda gs: {}, {COMPLETED}, lambda gs: gs.send("heater_off")),
    "heater_off": (lambda gs: {}, {COMPLETED}, None),
    "heater_setpoint": (lambda gs: {"setpoint": 0, "hysteresis": 100}, {COMPLETED}, None),
    # aborted at once below: what is checked is that it is accepted and ends with a reason
    "anneal": (lambda gs: {"target": 3000, "hold": 1}, {COMPLETED, Reason.EXECUTION_FAILED}, None),
    "anneal_abort": (lambda gs: {}, {COMPLETED}, None),
    # the station's CFDP entity takes the file; completion comes once the ground has it (class 2),
    # or once its last PDU went (class 1: a target's cfdp_class says which it offers)
    "file_downlink": (lambda gs: {"image_id": captured_image(gs), "cfdp_class": 2}, {COMPLETED}, None),
    "file_cancel": (lambda gs: {}, {COMPLETED}, None),
    "file_suspend": (lambda gs: {}, {COMPLETED}, lambda gs: gs.send("file_resume")),
    "file_resume": (lambda gs: {}, {COMPLETED}, None),
    # SDLS management: on a fresh target key 5 is a spare, SPI 4 unkeyed, SPI 2 running but not the
    # ground's; a refusal by the state checks is an outcome too (and all there is without keys)
    "key_activate": (lambda gs: {"key": 5}, {COMPLETED, Reason.SDLS_KEY_STATE}, None),
    "key_deactivate": (lambda gs: {"key": 5}, {COMPLETED, Reason.SDLS_KEY_STATE}, None),
    "key_destroy": (lambda gs: {"key": 5}, {COMPLETED, Reason.SDLS_KEY_STATE}, None),
    "sa_rekey": (lambda gs: {"spi": 4, "key": 6}, {COMPLETED, Reason.SDLS_KEY_STATE}, None),
    "sa_start": (lambda gs: {"spi": 4}, {COMPLETED, Reason.SDLS_KEY_STATE}, None),
    "sa_stop": (lambda gs: {"spi": 2}, {COMPLETED, Reason.SDLS_KEY_STATE}, None),
}


def test_every_command_has_a_recipe():
    assert set(RECIPES) == set(load().commands)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_command_verification(gs, hil_target, name):
    needs(hil_target, commands=(name,))
    setup, allowed, clean_up = RECIPES[name]
    args = setup(gs)
    if name == "file_downlink":
        args["cfdp_class"] = hil_target.capabilities.cfdp_class
    send = gs.arm_and_send if gs.dictionary.command(name).hazardous else gs.send
    verification = send(name, wait=False, **args)
    if name == "anneal":
        gs.send("anneal_abort")
    try:
        gs.wait_for(verification, timeout=120)
        outcome = COMPLETED
    except CommandFailed as error:
        outcome = error.reason
    assert any(stage.stage == "accepted" and stage.ok for stage in verification.stages), verification.describe()
    assert outcome in allowed, verification.describe()
    if clean_up:
        clean_up(gs)


def plain_args(command) -> dict:
    """Arguments ground encodes without the target's help: defaults, else the lowest value."""
    args = {}
    for arg in command.args:
        if arg.default is not None:
            continue
        if arg.enum:
            args[arg.name] = arg.enum[0][0]
        elif arg.bounds:
            args[arg.name] = arg.bounds[0] if arg.type == "f32" else int(arg.bounds[0])
        else:
            args[arg.name] = b"" if arg.type == "bytes" else []
    return args


def test_commands_not_on_the_board_are_not_implemented(gs, hil_target):
    lacking = sorted(set(load().commands) - hil_target.capabilities.commands)
    if not lacking:
        pytest.skip(f"{hil_target.name} implements every declared command")
    for name in lacking:
        command = gs.dictionary.command(name)
        # one answer, at acceptance, before arguments and arming: a good TC (hazardous ones not
        # armed) and one with no argument octets at all
        gs.expect_rejected(name, Reason.NOT_IMPLEMENTED, **plain_args(command))
        packet, request_id = raw_tc(gs, command.apid, command.service, command.subtype)
        report = send_raw_packet(gs, packet, request_id)
        assert (report["report"], report["reason"]) == ("acceptance_failure", Reason.NOT_IMPLEMENTED), name

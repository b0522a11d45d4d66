"""The dispatcher: TC frame checks and FARM-1, packet checks, command lookup in the generated table,
argument checks, mode and arming rules, and the verification of each command."""

import struct

import camera
import cfdp
import core
import pj_dictionary as D
import schedule
import sdls
import thermal
from micropython import const

_PACKET_MIN = const(13)           # primary header, PUS-C TC secondary header, CRC


def check_packet(p):
    """Uplink packet checks in the host's order (fsw/protocol/pus.py decode_tc): 0 or a reason."""
    n = len(p)
    if n < _PACKET_MIN:
        return D.REASON_BAD_LENGTH
    if p[0] >> 5:
        return D.REASON_BAD_VERSION
    if p[0] & 0x18 != 0x18:
        return D.REASON_BAD_TYPE
    if ((p[4] << 8) | p[5]) + D.PRIMARY_HEADER_LEN + 1 != n:
        return D.REASON_BAD_LENGTH
    if core.link.crc16(p):
        return D.REASON_BAD_CRC
    if p[6] >> 4 != D.PUS_VERSION:
        return D.REASON_BAD_VERSION
    return 0


def find_command(p):
    """(0, index) or (reason, None) for the packet's APID, service and subtype."""
    apid = ((p[0] << 8) | p[1]) & 0x7FF
    service, subtype = p[7], p[8]
    apid_known = service_known = False
    for index, spec in enumerate(D.COMMANDS):
        if spec[0] != apid:
            continue
        apid_known = True
        if spec[1] != service:
            continue
        service_known = True
        if spec[2] == subtype:
            return 0, index
    if not apid_known:
        return D.REASON_UNKNOWN_APID, None
    return (D.REASON_UNKNOWN_SUBTYPE if service_known else D.REASON_UNKNOWN_SERVICE), None


def decode_args(index, data):
    """(0, values) or (reason, None): the fixed part by its struct format, a variable tail as bytes."""
    _apid, _service, _subtype, fmt, bounds, flags = D.COMMANDS[index]
    size = struct.calcsize(fmt)
    if len(data) < size if flags & D.CMD_VARIABLE else len(data) != size:
        return D.REASON_BAD_LENGTH, None
    values = struct.unpack(fmt, data[:size])
    for value, limits in zip(values, bounds):
        if limits is not None and not limits[0] <= value <= limits[1]:
            return D.REASON_ARG_OUT_OF_RANGE, None
    if flags & D.CMD_VARIABLE:
        values += (bytes(data[size:]),)
    return 0, values


def _hazardous(service, subtype):
    return any(spec[5] & D.CMD_HAZARDOUS and spec[1] == service and spec[2] == subtype for spec in D.COMMANDS)


# -- the commands of the executive, housekeeping, events and modes (the rest are in their modules) --

def ping(args, request):
    core.downlink.packet(request[0], D.REPORT_PING_REPLY[0], D.REPORT_PING_REPLY[1], b"")
    return 0


def time_set(args, request):
    if args[0] > D.MISSION_END:      # a Unix time sent by mistake would be 2056 on board
        return D.REASON_ARG_OUT_OF_RANGE
    old = core.seconds()
    core.set_time(args[0])
    core.event(D.EVENT_TIME_SET, old, args[0])
    return 0


def mission_advance(args, request):
    return D.REASON_EXECUTION_FAILED   # real hardware: no simulated world to fly ahead


def clock_speed(args, request):
    return 0 if args[0] == 1.0 else D.REASON_EXECUTION_FAILED   # the board runs in real time only


def hk(index):
    return lambda args, request: core.hk_command(index, *args)


def events_enable(args, request):
    core.disabled.discard(args[0])
    return 0


def events_disable(args, request):
    if args[0] not in core.disabled and len(core.disabled) >= core.DISABLED_MAX:
        return D.REASON_STORE_FULL
    core.disabled.add(args[0])
    return 0


def mode_safe(args, request):
    core.enter_safe(D.SAFE_CAUSE_COMMAND)
    return 0


def mode_nominal(args, request):
    core.leave_safe()
    return 0


def arm(args, request):
    service, subtype = args
    if not _hazardous(service, subtype):
        return D.REASON_ARG_OUT_OF_RANGE
    core.arm(service, subtype)
    core.event(D.EVENT_ARMED, service, subtype)
    return 0


def contact_timeout(args, request):
    core.contact_timeout = args[0]
    core.contact()
    return 0


# The board implements exactly these: scripts/firmware_header.py --python reads them (hil/board.py)
# and marks them CMD_ON_BOARD in pj_dictionary.py, and the mpy-sim target takes its list from here.
HANDLERS = {
    D.CMD_PING: ping,
    D.CMD_TIME_SET: time_set,
    D.CMD_MISSION_ADVANCE: mission_advance,
    D.CMD_CLOCK_SPEED: clock_speed,
    D.CMD_HK_ENABLE: hk(D.CMD_HK_ENABLE),
    D.CMD_HK_DISABLE: hk(D.CMD_HK_DISABLE),
    D.CMD_HK_ONESHOT: hk(D.CMD_HK_ONESHOT),
    D.CMD_HK_INTERVAL: hk(D.CMD_HK_INTERVAL),
    D.CMD_EVENTS_ENABLE: events_enable,
    D.CMD_EVENTS_DISABLE: events_disable,
    D.CMD_SCHEDULE_ENABLE: schedule.enable_command,
    D.CMD_SCHEDULE_DISABLE: schedule.disable_command,
    D.CMD_SCHEDULE_RESET: schedule.reset_command,
    D.CMD_SCHEDULE_INSERT: schedule.insert_command,
    D.CMD_SCHEDULE_DELETE: schedule.delete_command,
    D.CMD_SCHEDULE_LIST: schedule.list_command,
    D.CMD_MODE_SAFE: mode_safe,
    D.CMD_MODE_NOMINAL: mode_nominal,
    D.CMD_ARM: arm,
    D.CMD_FDIR_CONTACT_TIMEOUT: contact_timeout,
    D.CMD_CAM_POWER: camera.power_command,
    D.CMD_CAM_CONFIGURE: camera.configure_command,
    D.CMD_CAM_CAPTURE: camera.capture_command,
    D.CMD_CAM_LIST: camera.list_command,
    D.CMD_CAM_DELETE: camera.delete_command,
    D.CMD_HEATER_ON: thermal.heater_on_command,
    D.CMD_HEATER_OFF: thermal.heater_off_command,
    D.CMD_HEATER_SETPOINT: thermal.setpoint_command,
    D.CMD_ANNEAL: thermal.anneal_command,
    D.CMD_ANNEAL_ABORT: thermal.anneal_abort_command,
    D.CMD_FILE_DOWNLINK: cfdp.downlink_command,
}


def packet(p, uplinked=True):
    """One TC packet from an accepted frame (or released by the schedule, not uplinked: no contact)."""
    request = None
    if len(p) >= D.PRIMARY_HEADER_LEN:
        apid = ((p[0] << 8) | p[1]) & 0x7FF
        ident = struct.unpack(">I", p[:4])[0]
        request = (apid, ident, 0, p[7] if len(p) > 8 else 0, p[8] if len(p) > 8 else 0)
    reason = check_packet(p)
    if reason:
        core.rejected(request, reason)
        return
    request = (request[0], request[1], p[6] & 0x0F, request[3], request[4])
    reason, index = find_command(p)
    args = None
    if not reason:
        flags = D.COMMANDS[index][5]
        handler = HANDLERS.get(index)
        if handler is None:   # declared but not on this board: one answer, whatever the rest
            reason = D.REASON_NOT_IMPLEMENTED
        if not reason:
            reason, args = decode_args(index, p[D.PRIMARY_HEADER_LEN + D.TC_SECONDARY_LEN:-D.CRC_LEN])
        if not reason and core.mode == D.MODE_SAFE and not flags & D.CMD_SAFE:
            reason = D.REASON_NOT_ALLOWED_IN_MODE
        if not reason and flags & D.CMD_HAZARDOUS and not core.take_arm(p[7], p[8]):
            reason = D.REASON_NOT_ARMED
    if reason:
        core.rejected(request, reason)
        return
    if uplinked:
        core.contact()
    core.accepted(request)
    reason = handler(args, request)
    if reason != core.DEFERRED:
        core.complete(request, reason)


def frame(f, room):
    """A TC frame with a good FECF: header checks, SDLS, then FARM-1, then its packet."""
    reason = 0
    if f[0] >> 6:
        reason = D.REASON_BAD_FRAME_HEADER
    elif ((f[0] << 8) | f[1]) & 0x3FF != D.SPACECRAFT_ID:
        reason = D.REASON_BAD_SCID
    elif f[2] >> 2:
        reason = D.REASON_BAD_VCID        # COP-1 on TC virtual channel 0 only
    if not reason:
        reason, data = sdls.process(f)    # nothing reads the data of a frame SDLS refuses
    if reason:
        core.frame_rejected(reason, len(f))
        return
    core.counters["frames_received"] += 1
    outcome, reason = core.farm.frame(f[0] & 0x20, f[0] & 0x10, f[4], data, room)
    if outcome == core.link.MALFORMED:      # window discards are the FARM's counts; these are rejections
        core.frame_rejected(reason, len(f))
    elif outcome == core.link.ACCEPT:
        packet(data)

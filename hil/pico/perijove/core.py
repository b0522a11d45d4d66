"""What the components share: on-board time, the downlink, verification reports, events, modes and
arming, the commanding counters and housekeeping. Components register their safe-mode action and
their housekeeping values here; nothing here imports a component.
"""

import struct

import board
import link
import pj_dictionary as D
from micropython import const

DEFERRED = const(0xFF)            # a handler that reports completion itself later (complete())
ARM_WINDOW_MS = const(60000)

# -- on-board time: CUC seconds since 2000-01-01, set by time_set, counted on by the board's clock --
_base_seconds = 0
_base_ms = 0


def now():
    ms = board.ticks_ms() - _base_ms
    return _base_seconds + ms // 1000, (ms % 1000) * 65536 // 1000


def seconds():
    return now()[0]


def set_time(value):
    """The fraction runs on: time_set names the current second."""
    global _base_seconds, _base_ms
    ms = board.ticks_ms()
    _base_ms = ms - (ms - _base_ms) % 1000
    _base_seconds = value


def uptime():
    return board.ticks_ms() // 1000


farm = link.Farm(lambda spec, *args: event(spec, *args))   # its notices: Lockout, Unlock, Set V(R)
downlink = link.Downlink(board, now, farm.clcw)

# -- events ------------------------------------------------------------------------------------
disabled = set()
DISABLED_MAX = const(32)


def event(spec, *args, data=None):
    ident, severity, fmt = spec
    if ident in disabled:
        return
    body = struct.pack(">H", ident) + (struct.pack(fmt, *args) if data is None else data)
    downlink.packet(D.APID_EVENTS, 5, severity, body)


# -- verification (PUS-1) and the commanding counters ------------------------------------------------
counters = {"tc_accepted": 0, "tc_rejected": 0, "tc_executed": 0, "tc_failed": 0,
            "frames_received": 0, "frames_rejected": 0, "last_reason": 0}


def _count(name):
    counters[name] = (counters[name] + 1) & 0xFFFFFFFF


def report(request, subtype, reason=0):
    """request: (apid, packet id and sequence control, ack flags, service, subtype)."""
    apid, ident, ack, service, tc_subtype = request
    failure = subtype % 2 == 0
    flag = D.ACK_ACCEPTANCE if subtype <= 2 else D.ACK_START if subtype <= 4 else D.ACK_COMPLETION
    if failure:
        downlink.packet(apid, 1, subtype, struct.pack(">IH", ident, reason))
        counters["last_reason"] = reason
        spec = D.EVENT_TC_REJECTED if subtype == D.REPORT_ACCEPTANCE_FAILURE[1] else D.EVENT_TC_FAILED
        event(spec, service, tc_subtype, reason)
    elif ack & flag:
        downlink.packet(apid, 1, subtype, struct.pack(">I", ident))


def progress(request, step, percent):
    if request[2] & D.ACK_PROGRESS:
        downlink.packet(request[0], 1, D.REPORT_PROGRESS_SUCCESS[1], struct.pack(">IBB", request[1], step, percent))


def complete(request, reason):
    if reason:
        _count("tc_failed")
        report(request, D.REPORT_COMPLETION_FAILURE[1], reason)
    else:
        _count("tc_executed")
        report(request, D.REPORT_COMPLETION_SUCCESS[1])


def rejected(request, reason):
    _count("tc_rejected")
    if request is None:      # no primary header: nobody to address a report to; counted and logged
        counters["last_reason"] = reason
        event(D.EVENT_TC_REJECTED, 0, 0, reason)
    else:
        report(request, D.REPORT_ACCEPTANCE_FAILURE[1], reason)


def accepted(request):
    _count("tc_accepted")
    report(request, D.REPORT_ACCEPTANCE_SUCCESS[1])
    report(request, D.REPORT_START_SUCCESS[1])


def frame_rejected(reason, octets):
    _count("frames_rejected")
    counters["last_reason"] = reason
    event(D.EVENT_FRAME_REJECTED, reason, min(octets, 0xFFFF))


# -- modes, arming, loss of contact --------------------------------------------------------------
mode = D.MODE_NOMINAL
safe_cause = D.SAFE_CAUSE_NONE
safe_entries = 0
last_contact_ms = 0
contact_timeout = 0               # seconds; 0: loss of contact is not watched
_armed = None                     # (service, subtype, when) of the one armed hazardous command
safe_actions = []                 # the components' safe-mode actions, registered at boot


def enter_safe(cause):
    global mode, safe_cause, safe_entries
    if mode == D.MODE_SAFE:
        return
    mode = D.MODE_SAFE
    safe_cause = cause
    safe_entries += 1
    for action in safe_actions:
        action()
    event(D.EVENT_SAFE_MODE_ENTERED, cause)


def leave_safe():
    global mode, safe_cause
    if mode == D.MODE_SAFE:
        mode = D.MODE_NOMINAL
        safe_cause = D.SAFE_CAUSE_NONE
        event(D.EVENT_SAFE_MODE_EXITED)


def contact():
    global last_contact_ms
    last_contact_ms = board.ticks_ms()


def contact_age():
    return (board.ticks_ms() - last_contact_ms) // 1000


def watch_contact():
    if contact_timeout and mode == D.MODE_NOMINAL and contact_age() >= contact_timeout:
        enter_safe(D.SAFE_CAUSE_LOSS_OF_CONTACT)


def arm(service, subtype):
    global _armed
    _armed = (service, subtype, board.ticks_ms())


def armed():
    return _armed is not None and board.ticks_ms() - _armed[2] < ARM_WINDOW_MS


def take_arm(service, subtype):
    """An arm is spent by the next hazardous command, matching or not."""
    global _armed
    ok = armed() and _armed[0] == service and _armed[1] == subtype
    _armed = None
    return ok


# -- housekeeping (PUS-3) ------------------------------------------------------------------------
hk_values = {}                    # sid -> () -> {parameter: raw value}, registered by the components
hk_thinned = 0                    # periodic reports skipped because the line was a period behind
_hk = {}                          # sid -> [enabled, interval in ms, due]


def hk_start():
    for sid in hk_values:
        _hk[sid] = [True, 1000, board.ticks_ms()]


def hk_packet(sid):
    fmt, names = D.HK[sid]
    values = hk_values[sid]()
    return bytes([sid]) + struct.pack(fmt, *[values.get(name, 0) for name in names])


def hk_command(index, sid, interval=None):
    entry = _hk.get(sid)
    if entry is None:
        return D.REASON_NO_SUCH_ITEM
    if index == D.CMD_HK_ENABLE:
        if not entry[0]:          # already on: its rhythm stays
            entry[2] = board.ticks_ms()
        entry[0] = True
    elif index == D.CMD_HK_DISABLE:
        entry[0] = False
    elif index == D.CMD_HK_ONESHOT:
        downlink.packet(D.APID_HOUSEKEEPING, 3, 25, hk_packet(sid))
    else:
        entry[1] = interval * 100
        entry[2] = board.ticks_ms()
    return 0


def hk_tick():
    global hk_thinned
    now_ms = board.ticks_ms()
    for sid, entry in _hk.items():
        enabled, interval, due = entry
        if not enabled or now_ms < due:
            continue
        data = hk_packet(sid)
        if downlink.room(bulk=True) < link.packet_len(len(data)):
            return                    # late rather than lost: the line drains a frame in ~22 ms
        downlink.packet(D.APID_HOUSEKEEPING, 3, 25, data, bulk=True)
        if now_ms - due < interval:
            entry[2] = due + interval
        else:                         # a whole period behind: that report is skipped, and counted
            hk_thinned += 1
            entry[2] = now_ms + interval


def modes_hk():
    return {"mode": mode, "safe_cause": safe_cause, "safe_entries": safe_entries,
            "contact_age": contact_age(), "contact_timeout": contact_timeout, "armed": int(armed())}


def commanding_hk():
    values = farm.housekeeping()
    values.update(counters)
    return values

"""PUS-11 time-based schedule: whole TC packets stored with an on-board release time, released
through the dispatcher like any other command (acceptance, mode and arming checked at release)."""

import struct

import core
import pj_dictionary as D
from micropython import const

CAPACITY = const(64)

entries = {}                      # entry id -> (release, TC packet)
next_id = 1
enabled = True
released = 0
dispatcher = None                 # the dispatch module, wired at boot


def tick():
    global released
    if not enabled or not entries:
        return
    now = core.seconds()
    due = sorted((release, entry) for entry, (release, _tc) in entries.items() if release <= now)
    for _release, entry in due:
        item = entries.pop(entry, None)
        if item is None:
            continue               # deleted by a command released before it
        tc = item[1]
        released = (released + 1) & 0xFFFFFFFF
        core.event(D.EVENT_SCHEDULE_RELEASED, entry, tc[7], tc[8])
        dispatcher.packet(tc, uplinked=False)


def insert_command(args, request):
    global next_id
    release, tc = args
    if dispatcher.check_packet(tc) or dispatcher.find_command(tc)[0]:
        return D.REASON_BAD_ARGUMENT
    if release <= core.seconds():
        return D.REASON_ARG_OUT_OF_RANGE
    if len(entries) >= CAPACITY:
        return D.REASON_STORE_FULL
    entries[next_id] = (release, bytes(tc))
    next_id = next_id % 0xFFFF + 1
    while next_id in entries:
        next_id = next_id % 0xFFFF + 1
    return 0


def delete_command(args, request):
    return 0 if entries.pop(args[0], None) is not None else D.REASON_NO_SUCH_ITEM


def reset_command(args, request):
    entries.clear()
    return 0


def enable_command(args, request):
    global enabled
    enabled = True
    return 0


def disable_command(args, request):
    global enabled
    enabled = False
    return 0


def list_command(args, request):
    items = sorted((release, entry, tc) for entry, (release, tc) in entries.items())
    data = struct.pack(">H", len(items)) + b"".join(
        struct.pack(">HIHBB", entry, release, ((tc[0] << 8) | tc[1]) & 0x7FF, tc[7], tc[8])
        for release, entry, tc in items)
    core.downlink.packet(request[0], D.REPORT_SCHEDULE_REPORT[0], D.REPORT_SCHEDULE_REPORT[1], data)
    return 0


def housekeeping():
    return {"schedule_entries": len(entries), "schedule_enabled": int(enabled), "schedule_released": released}

"""Boot and the main loop: uplink first (commands are never starved), then the periodic work,
then one frame to the line. `step()` is one pass; on the Pico `run()` loops it for ever, and the
emulated board's harness calls `step()` itself between moves of its clock."""

import gc

import board
import camera
import cfdp
import core
import dispatch
import link
import pj_dictionary as D
import schedule
import sdls
import thermal
from micropython import const

REPLY_ROOM = const(400)           # real-time downlink room one TC's replies may need

thermal.camera = camera
schedule.dispatcher = dispatch
core.safe_actions.extend((camera.safe, thermal.safe))
core.hk_values.update({
    D.SID_EXECUTIVE: lambda: executive_hk(),
    D.SID_COMMANDING: core.commanding_hk,
    D.SID_MODES: core.modes_hk,
    D.SID_SCHEDULE: schedule.housekeeping,
    D.SID_CAMERA: camera.housekeeping,
    D.SID_THERMAL: thermal.housekeeping,
    D.SID_SECURITY: sdls.housekeeping,
})

_last_rx_ms = 0
_cycle_max = 0
_uplink = link.Uplink(lambda frame: dispatch.frame(frame, _room()), core.frame_rejected)


def _room():
    return core.downlink.room() >= REPLY_ROOM


def executive_hk():
    global _cycle_max
    values = {"uptime": core.uptime(), "cycle_max_fast": _cycle_max, "dictionary_version": D.DICTIONARY_VERSION,
              "clock_speed": 1.0, "downlink_dropped": core.downlink.dropped, "hk_thinned": core.hk_thinned}
    _cycle_max = 0
    return values


def boot():
    board.heater(False)
    core.contact()
    core.hk_start()
    core.event(D.EVENT_BOOT, D.DICTIONARY_VERSION, 0)
    sdls.load()


def step():
    global _last_rx_ms, _cycle_max
    start = board.ticks_ms()
    # octets wait in the UART while the downlink has no room for their replies
    data = board.read() if _room() else None
    if data:
        _last_rx_ms = start
    elif _room():
        core.farm.room_again()
    _uplink.feed(data, start - _last_rx_ms)
    thermal.tick()
    camera.tick()
    cfdp.tick()
    schedule.tick()
    core.watch_contact()
    core.hk_tick()
    quiet = start - _last_rx_ms if not _uplink.pending() else 0
    core.downlink.poll(quiet, cfdp.bulk_coming())
    _cycle_max = max(_cycle_max, min(board.ticks_ms() - start, 0xFFFF))


def run():
    boot()
    while True:
        try:
            step()
        except Exception as error:    # a fault of the program must not stop the board: say it, go on
            print("step failed:", repr(error))


def heap_used():
    """Octets of the heap in use after a collection: what the program keeps (docs/PERFORMANCE.md)."""
    gc.collect()
    return gc.mem_alloc()

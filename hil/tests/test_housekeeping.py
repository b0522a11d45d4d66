"""Housekeeping: every structure the target keeps, at the commanded rate (on-board time stamps)."""

import math
import threading

import pytest

from fsw.dictionary import load


@pytest.mark.parametrize("sid", sorted(load().structures))
def test_oneshot_report_of_each_structure(gs, hil_target, sid):
    if sid not in hil_target.capabilities.hk_sids:
        pytest.skip(f"{hil_target.name} does not keep structure {sid}")
    values = gs.request_hk(sid)
    assert set(values) == {p.name for p in gs.dictionary.structures[sid]}


@pytest.mark.parametrize("interval_ds", [5, 20])
def test_periodic_rate(gs, hil_target, interval_ds):
    sid = 20
    stamps = []
    enough = threading.Event()

    def listener(record):
        if record.kind == "housekeeping" and record.name == f"sid{sid}":
            stamps.append(record.time)
            if len(stamps) >= 6:
                enough.set()

    gs.send("hk_interval", sid=sid, interval=interval_ds)
    gs.send("hk_enable", sid=sid)
    try:
        with gs.session.listening(listener):
            assert enough.wait(60), f"only {len(stamps)} reports of sid {sid}"
    finally:
        gs.send("hk_interval", sid=sid, interval=10)
    # on-board time stamps, not wall-clock: the spacing is the interval, one report late at most
    gaps = [b - a for a, b in zip(stamps[1:], stamps[2:])]
    # a target's housekeeping runs in a rate group: an interval rounds up to its tick
    tick = hil_target.capabilities.hk_tick
    period = math.ceil(round(interval_ds / 10 / tick, 6)) * tick
    assert all(abs(gap - period) <= 0.15 * period + 0.02 for gap in gaps), gaps

"""On-board time and uptime: they run on smoothly, even where the board's millisecond count wraps;
a time after the mission's end is refused."""

import threading
from itertools import pairwise

import pytest

from fsw.mission import MISSION_END
from fsw.protocol.reasons import Reason
from ground.procedures import CommandFailed
from hil.plugin import needs, open_station

ONBOARD_TIME = 800_000_000   # 2025-05-07, seconds since 2000-01-01
MILLIS_WRAP_S = 2**32 / 1000  # an Arduino's millis() wraps after 4,294,967.296 s


def test_time_and_uptime_run_on_across_the_millis_wrap(fresh_target):
    needs(fresh_target, commands=("time_set",), faults=("millis_wrap",))
    station = open_station(fresh_target)
    reports = []   # (on-board time of the packet, uptime) of each executive housekeeping report
    done = threading.Event()   # past the wrap, or gone back

    def listener(record):
        if record.kind == "housekeeping" and record.name == "sid1":
            uptime = record.fields["uptime"]
            if uptime >= MILLIS_WRAP_S + 2 or (reports and uptime < reports[-1][1]):
                done.set()
            reports.append((record.time, uptime))

    try:
        fresh_target.inject("millis_wrap")   # a few seconds before the wrap
        station.send("time_set", seconds=ONBOARD_TIME)
        with station.session.listening(listener):
            assert done.wait(30), f"uptime did not reach the wrap: {reports}"
    finally:
        station.close()
    # the wrap once cost 4.3 million seconds of on-board time and uptime
    stamps = [stamp for stamp, _uptime in reports]
    gaps = [b - a for a, b in pairwise(stamps)]
    assert all(0 < gap <= 3 for gap in gaps), reports
    assert ONBOARD_TIME <= stamps[0] < ONBOARD_TIME + 10, reports
    uptimes = [uptime for _stamp, uptime in reports]
    assert all(a <= b <= a + 3 for a, b in pairwise(uptimes)), reports
    # on-board time and uptime count the same seconds
    offsets = {int(stamp) - uptime for stamp, uptime in reports}
    assert max(offsets) - min(offsets) <= 1, reports


def test_a_time_after_the_missions_end_is_refused(gs, hil_target):
    needs(hil_target, commands=("time_set",))
    unix_now = 1_796_092_289            # Unix seconds, sent by mistake: 2056 on board
    for seconds in (int(MISSION_END) + 1, unix_now):
        with pytest.raises(CommandFailed) as failure:
            gs.send("time_set", seconds=seconds)
        assert failure.value.reason == Reason.ARG_OUT_OF_RANGE
    # the clock did not move there: the next housekeeping report is stamped before the end
    stamped = []
    arrived = threading.Event()

    def listener(record):
        if record.kind == "housekeeping":
            stamped.append(record.time)
            arrived.set()

    with gs.session.listening(listener):
        assert arrived.wait(10), "no housekeeping"
    assert stamped[0] <= MISSION_END

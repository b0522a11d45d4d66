"""A simple geometry of a Juno-like orbit and its Io flybys (public facts, used loosely).

Time is on-board time: seconds since 2000-01-01T00:00:00 UTC (leap seconds ignored).

Perijoves (closest approaches to Jupiter, where the radiation dose is taken):
- PJ1 on 2016-08-27 12:50 UTC; PJ57 four hours after the Io flyby of 2023-12-30 08:36 UTC;
  PJ2..PJ56 evenly spaced between them (the real orbits shrank from 53 to ~38 days; the mean
  is ~48 days).
- PJ58 four hours after the Io flyby of 2024-02-03 17:48 UTC, then a ~33-day orbit from there on.

The mission ends on 2025-09-30 (the end of Juno's extended mission): on-board times after it
are refused (a Unix time sent by mistake, e.g. 1796092289, would be 2056 on board), and the
simulated world flies no further.

Io: Juno passes Io IO_LEAD_S (four hours) before each perijove, as the real Io flybys came a few
hours before perijove: the dose of a perijove comes after the Io images, never between them.

What the public record gives, and what is assumed (searched December 2026: NASA/JPL releases of
December 2023 and February 2024 as republished, Sky & Telescope as cited, the NAIF Juno reference
attitude kernels' comments, Orton et al. EPSC 2021 and 2022, Hansen et al. 2014):
- the dates and the distance: Io closest approach on 2023-12-30 (orbit 57) and on 2024-02-03 (orbit
  58), both ~1,500 km above the surface (NASA/JPL releases);
- the order: the February pass "occurred just before perijove 58" (Sky & Telescope, February 2024);
- the orbits: ~38 days from PJ45, reduced to ~33 days around PJ57/PJ58 (Orton et al. EPSC 2022;
  NASA: from 35 to 33 days after the February flyby). Here 35.4 days from Io 57 to Io 58, 33 after.
Not found in any source reached: the minute of either closest approach, or of PJ57 and PJ58. The
times 08:36 and 17:48 UTC are the project's design notes' (no source given there) and the four
hours between flyby and perijove, IO_LEAD_S, is this emulator's assumption: a named constant,
to be replaced by the published times when they are found (a NAIF reconstructed trajectory, or the
JunoCam PDS labels' START_TIME of the flyby images, would settle it).

The closest approach is 1,500 km above the
surface at PJ57 and PJ58 (the close flybys of 2023-12-30 and 2024-02-03) and a distant
200,000 km elsewhere. Around closest approach the range grows like a straight-line pass at
18 km/s, softly capped at ~2.5 million km, so io_range_km(t) is smooth everywhere.
"""

import math
from datetime import UTC, datetime

from fsw.protocol.cuc import datetime_to_cuc_seconds

DAY = 86400.0


PJ1 = datetime_to_cuc_seconds(datetime(2016, 8, 27, 12, 50, tzinfo=UTC))
IO_LEAD_S = 4 * 3600.0        # an assumption (see above): Io a few hours before each perijove
IO_57 = datetime_to_cuc_seconds(datetime(2023, 12, 30, 8, 36, tzinfo=UTC))   # Io closest approaches: dates
IO_58 = datetime_to_cuc_seconds(datetime(2024, 2, 3, 17, 48, tzinfo=UTC))      # published, minutes not
PJ57 = IO_57 + IO_LEAD_S
PJ58 = IO_58 + IO_LEAD_S
MISSION_END = datetime_to_cuc_seconds(datetime(2025, 9, 30, tzinfo=UTC))
EARLY_PERIOD = (PJ57 - PJ1) / 56      # mean period PJ1..PJ57, ~47.9 days
LATE_PERIOD = 33 * DAY                 # after PJ58

IO_RADIUS_KM = 1821.6
FLYBY_SPEED_KM_S = 18.0
CLOSE_FLYBYS_KM = {57: 1500.0, 58: 1500.0}   # closest approach above Io's surface
DISTANT_FLYBY_KM = 200_000.0
RANGE_CAP_KM = 2_500_000.0


def beyond_end(t: float) -> bool:
    """On-board time t is after the mission's end."""
    return t > MISSION_END


def perijove_time(number: int) -> float:
    """On-board time of perijove `number` (1 = PJ1)."""
    if number < 1:
        raise ValueError("perijoves are numbered from 1")
    if number <= 57:
        return float(round(PJ1 + (number - 1) * EARLY_PERIOD))   # whole seconds: exact inverses
    return PJ58 + (number - 58) * LATE_PERIOD


def perijove_count(t: float) -> int:
    """How many perijoves have happened at on-board time t (0 before PJ1)."""
    if t < PJ1:
        return 0
    if t < PJ57:
        count = min(56, 1 + int((t - PJ1) // EARLY_PERIOD))
        # perijove times are rounded to the second: settle the estimate against them
        while count < 56 and perijove_time(count + 1) <= t:
            count += 1
        while count > 1 and perijove_time(count) > t:
            count -= 1
        return count
    if t < PJ58:
        return 57
    return 58 + int((t - PJ58) // LATE_PERIOD)


def nearest_perijove(t: float) -> int:
    """The perijove closest in time to t (1 before PJ1)."""
    count = perijove_count(t)
    if count == 0:
        return 1
    after = count + 1
    return after if perijove_time(after) - t < t - perijove_time(count) else count


def io_flyby_time(number: int) -> float:
    """On-board time of Juno's closest approach to Io on orbit `number` (before its perijove)."""
    return perijove_time(number) - IO_LEAD_S


def nearest_io_flyby(t: float) -> int:
    """The orbit whose Io flyby is closest in time to t."""
    return nearest_perijove(t + IO_LEAD_S)


def io_closest_km(number: int) -> float:
    """Closest approach to Io's surface on perijove `number`."""
    return CLOSE_FLYBYS_KM.get(number, DISTANT_FLYBY_KM)


def io_range_km(t: float) -> float:
    """Range from the spacecraft to Io's surface at on-board time t."""
    number = nearest_io_flyby(t)
    closest = io_closest_km(number)
    straight = math.hypot(closest, FLYBY_SPEED_KM_S * (t - io_flyby_time(number)))
    extra = straight - closest
    # soft cap: exactly `closest` at closest approach, tending to closest + cap far away
    return closest + extra * RANGE_CAP_KM / (RANGE_CAP_KM + extra)


def io_phase_deg(t: float) -> float:
    """Sun-Io-spacecraft angle: the pass goes from mostly lit (30 deg) to mostly night (120 deg).

    Through the close flybys the terminator sweeps across the disk, as JunoCam saw at PJ57.
    """
    number = nearest_io_flyby(t)
    return 75.0 + 45.0 * math.tanh((t - io_flyby_time(number)) / 900.0)


def io_angular_diameter_deg(t: float) -> float:
    """Apparent diameter of Io's disk from the spacecraft."""
    centre = io_range_km(t) + IO_RADIUS_KM
    return math.degrees(2 * math.asin(IO_RADIUS_KM / centre))

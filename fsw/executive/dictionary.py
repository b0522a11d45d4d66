"""Executive: ping, on-board time and the rate groups' health."""

from fsw.protocol.dictionary.model import Application, Command, Event, Field, Parameter, Report, Severity

APID = 0x010

COMPONENT = Application(
    name="executive",
    description="Rate groups, the on-board clock, ping (PUS-17) and time management (PUS-9).",
    apid=APID,
    sid=1,
    commands=(
        Command("ping", 17, 1, "Are you there? Answered by a ping_reply report.", safe=True),
        Command(
            "time_set", 9, 128, "Set the on-board time (seconds since 2000-01-01T00:00:00).",
            args=(Field("seconds", "u32", "s", "new on-board time, CUC coarse seconds"),),
            safe=True,
        ),
        Command(
            "mission_advance", 9, 130,
            "Emulator: the simulated world and the on-board clock fly ahead together by this many seconds "
            "at once (the perijoves in between pass in order, each with its dose; the camera's thermal "
            "node cools, the heater being off: refused while it is on). Real hardware refuses it: its time passes by itself.",
            args=(Field("seconds", "u32", "s", "how far to fly ahead", min=1, max=400 * 86400),),
        ),
        Command(
            "clock_speed", 9, 131,
            "Emulator: simulated time runs this many times faster than real time from now on "
            "(a sim clock only), e.g. to let a week-long anneal pass in seconds.",
            args=(Field("speed", "f32", "x", "speed-up over real time", min=1, max=100_000),),
            safe=True,
        ),
    ),
    parameters=(
        Parameter("uptime", "u32", "s", "seconds since boot"),
        Parameter("cycle_max_fast", "u16", "ms", "longest 10 Hz cycle in the last report period",
                  calibration=(0.0, 0.01), yellow=(0, 50), red=(0, 100)),
        Parameter("cycle_max_slow", "u16", "ms", "longest 1 Hz cycle in the last report period",
                  calibration=(0.0, 0.01), yellow=(0, 500), red=(0, 1000)),
        Parameter("cycle_slips", "u32", "", "rate-group cycles that overran their period", yellow=(0, 0)),
        Parameter("dictionary_version", "u32", "", "hash of the flight dictionary"),
        Parameter("clock_speed", "f32", "x", "simulated-time speed-up over real time (1 = real time)"),
        Parameter("downlink_dropped", "u32", "octets", "telemetry dropped because the link did not keep up",
                  yellow=(0, 0)),
        Parameter("cycle_late_max", "u16", "ms", "latest start of a 10 Hz cycle in the last report period",
                  yellow=(0, 100)),
        Parameter("hk_thinned", "u32", "", "periodic housekeeping reports replaced by a newer one before "
                  "the line could carry them"),
    ),
    events=(
        Event(100, "boot", Severity.INFO, "Flight software started.",
              args=(Field("dictionary_version", "u32"), Field("restarts", "u16"))),
        Event(101, "time_set", Severity.INFO, "On-board time was set.",
              args=(Field("old", "u32", "s"), Field("new", "u32", "s"))),
        Event(104, "mission_advanced", Severity.INFO,
              "The simulated mission flew ahead: the world's time and the on-board clock moved on together.",
              args=(Field("old", "u32", "s"), Field("new", "u32", "s"), Field("perijove", "u16", "", "perijoves the world has flown"))),
        Event(102, "cycle_slip", Severity.LOW, "A rate group overran its period.",
              args=(Field("group_hz", "u8", "Hz"), Field("duration", "u16", "ms"))),
        Event(103, "state_quarantined", Severity.MEDIUM,
              "A stored file failed its checks and was moved to quarantine instead of being loaded.",
              args=(Field("file", "bytes", "", "file name (ASCII)"),)),
    ),
    reports=(
        Report("ping_reply", 17, 2, "Answer to ping."),
    ),
)

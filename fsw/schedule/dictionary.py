"""PUS-11 time-based schedule: commands released at their on-board time."""

from fsw.protocol.dictionary.model import Application, Command, Event, Field, Parameter, Report, Severity, enum

APID = 0x013

COMPONENT = Application(
    name="schedule",
    description="Time-based schedule (PUS-11): commands stored with a release time, then executed "
    "and verified like any other.",
    apid=APID,
    sid=4,
    commands=(
        Command("schedule_enable", 11, 1, "Start releasing scheduled commands.", safe=True),
        Command("schedule_disable", 11, 2, "Stop releasing scheduled commands (they stay stored).", safe=True),
        Command("schedule_reset", 11, 3, "Delete every scheduled command.", hazardous=True, safe=True),
        Command(
            "schedule_insert", 11, 4, "Store a command to release at an on-board time.",
            args=(
                Field("release", "u32", "s", "on-board time to release it (CUC coarse seconds)"),
                Field("tc", "bytes", "", "the complete TC packet to release"),
            ),
        ),
        Command("schedule_delete", 11, 5, "Delete one scheduled command.",
                args=(Field("entry", "u16", "", "schedule entry id"),), safe=True),
        Command("schedule_list", 11, 16, "Report every scheduled command (schedule_report).", safe=True),
    ),
    parameters=(
        Parameter("schedule_entries", "u16", "", "commands waiting", yellow=(0, 200), red=(0, 255)),
        Parameter("schedule_enabled", "enum", "", "release enabled", enum=enum("no", "yes")),
        Parameter("schedule_released", "u32", "", "commands released since boot"),
    ),
    events=(
        Event(400, "schedule_released", Severity.INFO, "A scheduled command was released.",
              args=(Field("entry", "u16"), Field("service", "u8"), Field("subtype", "u8"))),
    ),
    reports=(
        Report(
            "schedule_report", 11, 10, "Every scheduled command.",
            fields=(
                Field("entries", "list", items=(
                    Field("entry", "u16"),
                    Field("release", "u32", "s"),
                    Field("apid", "u16"),
                    Field("service", "u8"),
                    Field("subtype", "u8"),
                )),
            ),
        ),
    ),
)

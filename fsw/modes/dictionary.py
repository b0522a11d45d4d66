"""Modes and fault protection: safe mode, its causes, and arming of hazardous commands."""

from fsw.protocol.dictionary.model import Application, Command, Event, Field, Parameter, Severity, enum

APID = 0x014
CONTACT_TIMEOUT_MAX = 30 * 86400
MODES = enum("nominal", "safe")
SAFE_CAUSES = enum("none", "command", "over_temperature", "sensor_failure", "loss_of_contact")

COMPONENT = Application(
    name="modes",
    description="Nominal and safe mode; fault protection; arming of hazardous commands.",
    apid=APID,
    sid=3,
    commands=(
        Command("mode_safe", 128, 1, "Enter safe mode: camera off, heater holding survival temperature.", safe=True),
        Command("mode_nominal", 128, 2, "Leave safe mode.", safe=True, hazardous=True),
        Command(
            "arm", 128, 3, "Arm one hazardous command; it must follow within 60 s.",
            args=(Field("service", "u8", "", "service of the command to arm"),
                  Field("subtype", "u8", "", "subtype of the command to arm")),
            safe=True,
        ),
        Command(
            "fdir_contact_timeout", 128, 4, "Enter safe mode after this long without a valid command.",
            args=(Field("seconds", "u32", "s", "0 disables the check", max=CONTACT_TIMEOUT_MAX),),
            safe=True,
        ),
    ),
    parameters=(
        Parameter("mode", "enum", "", "operating mode", enum=MODES),
        Parameter("safe_cause", "enum", "", "why safe mode was entered", enum=SAFE_CAUSES),
        Parameter("safe_entries", "u16", "", "times safe mode was entered", yellow=(0, 0)),
        Parameter("contact_age", "u32", "s", "time since the last valid command"),
        Parameter("contact_timeout", "u32", "s", "loss-of-contact threshold (0: off)"),
        Parameter("armed", "enum", "", "a hazardous command is armed", enum=enum("no", "yes")),
    ),
    events=(
        Event(300, "safe_mode_entered", Severity.HIGH, "Safe mode entered.",
              args=(Field("cause", "enum", enum=SAFE_CAUSES),)),
        Event(301, "safe_mode_exited", Severity.MEDIUM, "Back to nominal mode."),
        Event(302, "armed", Severity.INFO, "A hazardous command was armed.",
              args=(Field("service", "u8"), Field("subtype", "u8"))),
    ),
)

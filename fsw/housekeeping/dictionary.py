"""PUS-3 housekeeping: every component's parameters form a structure named by its sid."""

from fsw.protocol.dictionary.model import Application, Command, Field

APID = 0x011
SID = Field("sid", "u8", "", "housekeeping structure id", min=1, max=254)

COMPONENT = Application(
    name="housekeeping",
    description="Periodic and one-shot housekeeping reports (PUS-3); report 3,25 carries the sid, "
    "then the structure's parameters in declaration order.",
    apid=APID,
    commands=(
        Command("hk_enable", 3, 5, "Start periodic reports of a structure.", args=(SID,), safe=True),
        Command("hk_disable", 3, 6, "Stop periodic reports of a structure.", args=(SID,), safe=True),
        Command("hk_oneshot", 3, 27, "Send one report of a structure now.", args=(SID,), safe=True),
        Command(
            "hk_interval", 3, 31, "Set a structure's collection interval.",
            args=(SID, Field("interval", "u16", "ds", "report period in tenths of a second", min=1, max=36000)),
            safe=True,
        ),
    ),
)

"""PUS-5 event reporting: subtypes 1-4 are the severities; the data is the event id and its args."""

from fsw.protocol.dictionary.model import Application, Command, Field

APID = 0x012

COMPONENT = Application(
    name="events",
    description="Event reports (PUS-5): subtype = severity (1 info, 2 low, 3 medium, 4 high), "
    "data = event id (16 bits) then the event's arguments.",
    apid=APID,
    commands=(
        Command("events_enable", 5, 5, "Report events of this id again.",
                args=(Field("event_id", "u16", "", "event id"),), safe=True),
        Command("events_disable", 5, 6, "Stop reporting events of this id.",
                args=(Field("event_id", "u16", "", "event id"),), safe=True),
    ),
)

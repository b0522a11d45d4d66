"""Security of the uplink (CCSDS 355.0-B-2): what was refused and why, keys and associations.

The key and association commands are the SDLS extended procedures' management subset (355.1-B):
keys already on board are activated, deactivated or destroyed; associations are rekeyed with an
active key, started and stopped, each with the state checks of the standard's state machines.
"""

from fsw.protocol.dictionary.model import Application, Command, Event, Field, Parameter, Severity, enum, flags

APID = 0x016
SERVICE = 144
KEY_STATES = enum("preactive", "active", "deactivated", "destroyed")
SA_STATES = enum("unkeyed", "keyed", "operational")
KEY = Field("key", "u16", "", "key id (docs/ICD.md, SDLS)", min=1)
SPI = Field("spi", "u16", "", "security parameter index", min=1)

COMPONENT = Application(
    name="security",
    description="SDLS on the uplink: every TC frame is authenticated (and decrypted) before the FARM "
    "or anything else reads it; keys and security associations are managed by command.",
    apid=APID,
    sid=6,
    commands=(
        Command("key_activate", SERVICE, 1, "Put a key already on board into service (pre-active -> active).",
                args=(KEY,), safe=True),
        Command("key_deactivate", SERVICE, 2, "Take a key out of service for good (active -> deactivated); "
                "not while an operational association uses it.", args=(KEY,), safe=True),
        Command("key_destroy", SERVICE, 3, "Erase a key that no association uses (not active).",
                args=(KEY,), safe=True, hazardous=True),
        Command("sa_rekey", SERVICE, 4, "Give a stopped association an active key no other association holds.",
                args=(SPI, KEY), safe=True),
        Command("sa_start", SERVICE, 5, "Start a keyed association: frames under its SPI are accepted.",
                args=(SPI,), safe=True),
        Command("sa_stop", SERVICE, 6, "Stop an association; not the one that protects the uplink in use.",
                args=(SPI,), safe=True, hazardous=True),
    ),
    parameters=(
        Parameter("uplink_secure", "enum", "", "frames must be authenticated (no: --insecure-uplink)",
                  enum=enum("no", "yes")),
        Parameter("sdls_accepted", "u32", "", "frames that passed ProcessSecurity"),
        Parameter("sdls_unknown_spi", "u32", "", "frames refused: no operational association for the SPI",
                  yellow=(0, 0)),
        Parameter("sdls_bad_mac", "u32", "", "frames refused: MAC does not verify", yellow=(0, 0)),
        Parameter("sdls_replay", "u32", "", "frames refused: sequence number already used", yellow=(0, 0)),
        Parameter("sdls_out_of_window", "u32", "", "frames refused: sequence number beyond the window",
                  yellow=(0, 0)),
        Parameter("sdls_clear_refused", "u32", "", "frames refused: no security", yellow=(0, 0)),
        Parameter("clear_frames", "u32", "", "frames accepted without security (--insecure-uplink)",
                  yellow=(0, 0)),
        Parameter("last_spi", "u16", "", "SPI of the last frame accepted"),
        Parameter("last_sequence", "u32", "", "sequence number of the last frame accepted (low 32 bits)"),
        Parameter("sa_operational", "u8", "", "operational associations",
                  flags=flags("spi1", "spi2", "spi3", "spi4")),
    ),
    events=(
        Event(700, "sdls_rejected", Severity.MEDIUM, "An uplink frame failed ProcessSecurity.",
              args=(Field("reason", "u16"), Field("spi", "u16"))),
        Event(701, "uplink_insecure", Severity.HIGH, "Flight runs with --insecure-uplink: clear frames are accepted."),
        Event(702, "sa_changed", Severity.INFO, "A security association changed state.",
              args=(Field("spi", "u16"), Field("state", "enum", enum=SA_STATES), Field("key", "u16"))),
        Event(703, "key_changed", Severity.INFO, "A key changed state.",
              args=(Field("key", "u16"), Field("state", "enum", enum=KEY_STATES))),
    ),
)

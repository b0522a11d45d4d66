"""The camera heater, its thermostat, annealing and over-temperature protection."""

from fsw.protocol.dictionary.model import Application, Command, Event, Field, Parameter, Severity, enum

APID = 0x030
SERVICE = 140
HEATER_MODES = enum("off", "thermostat", "anneal", "survival")
ANNEAL_PHASES = enum("idle", "ramp", "hold", "cool")
SENSOR_STATES = enum("ok", "stuck", "failed")
# why a single reading was rejected (fsw/hw/ds18b20.py); the last good reading is kept
GLITCH_REASONS = enum("bad_crc", "power_on_value", "unreadable", "malformed", "out_of_range")
TEMPERATURE = (0.0, 0.01)   # centi-degrees Celsius on the wire

COMPONENT = Application(
    name="thermal",
    description="A thermal node for the camera (heat capacity, conductance to a cold sink), a heater "
    "with a thermostat, annealing, and an over-temperature cut-off.",
    apid=APID,
    sid=20,
    commands=(
        Command("heater_on", SERVICE, 1, "Heater under thermostat control at the current setpoint."),
        Command("heater_off", SERVICE, 2, "Heater off."),
        Command(
            "heater_setpoint", SERVICE, 3, "Thermostat setpoint and hysteresis.",
            args=(
                Field("setpoint", "i16", "cC", "setpoint in hundredths of a degree C", min=-4000, max=4000),
                Field("hysteresis", "u16", "cC", "dead band in hundredths of a degree C", min=10, max=1000,
                      default=100),
            ),
        ),
        Command(
            "anneal", SERVICE, 4, "Ramp the camera to a target temperature, hold, then cool.",
            args=(
                Field("target", "i16", "cC", "anneal temperature in hundredths of a degree C",
                      min=2000, max=6000),
                Field("hold", "u32", "s", "time at temperature", min=1, max=7 * 86400),
            ),
            hazardous=True,
        ),
        Command("anneal_abort", SERVICE, 5, "Stop an anneal and turn the heater off.", safe=True),
    ),
    parameters=(
        Parameter("cam_temp", "i16", "degC", "camera temperature", calibration=TEMPERATURE,
                  yellow=(-30, 55), red=(-40, 65)),
        Parameter("sink_temp", "i16", "degC", "cold sink temperature", calibration=TEMPERATURE),
        Parameter("heater_state", "enum", "", "heater switch", enum=enum("off", "on")),
        Parameter("heater_mode", "enum", "", "what drives the heater", enum=HEATER_MODES),
        Parameter("heater_power", "u16", "W", "heater power", calibration=(0.0, 0.01)),
        Parameter("setpoint", "i16", "degC", "thermostat setpoint", calibration=TEMPERATURE),
        Parameter("anneal_phase", "enum", "", "anneal phase", enum=ANNEAL_PHASES),
        Parameter("anneal_progress", "u8", "%", "anneal progress"),
        Parameter("anneals", "u16", "", "anneals completed"),
        Parameter("sensor_state", "enum", "", "temperature sensor health", enum=SENSOR_STATES),
    ),
    events=(
        Event(600, "heater_switched", Severity.INFO, "The heater switched.",
              args=(Field("state", "enum", enum=enum("off", "on")), Field("cam_temp", "i16", "cC"))),
        Event(601, "anneal_started", Severity.INFO, "An anneal started.",
              args=(Field("target", "i16", "cC"), Field("hold", "u32", "s"))),
        Event(602, "anneal_progress", Severity.INFO, "An anneal moved to a new phase.",
              args=(Field("phase", "enum", enum=ANNEAL_PHASES), Field("percent", "u8", "%"))),
        Event(603, "anneal_complete", Severity.INFO, "An anneal finished; damage was partly recovered.",
              args=(Field("hot_pixels_before", "u32"), Field("hot_pixels_after", "u32"))),
        Event(604, "over_temperature", Severity.HIGH, "The camera exceeded its temperature limit; heater cut.",
              args=(Field("cam_temp", "i16", "cC"),)),
        Event(605, "sensor_fault", Severity.HIGH, "The temperature sensor failed or is stuck.",
              args=(Field("state", "enum", enum=SENSOR_STATES),)),
        Event(606, "sensor_glitch", Severity.LOW, "A temperature reading was rejected; the last good one was kept.",
              args=(Field("reason", "enum", enum=GLITCH_REASONS), Field("count", "u16", "", "rejected so far"))),
    ),
)

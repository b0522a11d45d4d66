"""The dispatcher: PUS-1 verification reports, command counters and uplink statistics."""

from fsw.protocol.dictionary.model import Application, Event, Field, Parameter, Report, Severity
from fsw.protocol.reasons import Reason

REASONS = tuple((reason.label, int(reason)) for reason in Reason)
REQUEST = Field("request_id", "u32", "", "the TC's packet id and sequence control")
FAILURE = (REQUEST, Field("reason", "u16", "", "reason code (docs/ICD.md)"))

COMPONENT = Application(
    name="commanding",
    description="Every TC goes through one dispatcher; PUS-1 reports are sent from the APID the "
    "TC addressed, as the TC's ack flags ask.",
    sid=2,
    parameters=(
        Parameter("tc_accepted", "u32", "", "commands accepted"),
        Parameter("tc_rejected", "u32", "", "commands rejected at acceptance"),
        Parameter("tc_executed", "u32", "", "commands completed successfully"),
        Parameter("tc_failed", "u32", "", "commands that failed in execution"),
        Parameter("frames_received", "u32", "", "TC frames with a good FECF"),
        Parameter("frames_rejected", "u32", "", "byte spans or frames rejected by the deframer",
                  yellow=(0, 100)),
        Parameter("last_reason", "u16", "", "reason code of the last rejection or failure"),
    ),
    events=(
        Event(200, "tc_rejected", Severity.LOW, "A command was rejected.",
              args=(Field("service", "u8"), Field("subtype", "u8"), Field("reason", "u16"))),
        Event(201, "tc_failed", Severity.MEDIUM, "A command failed in execution.",
              args=(Field("service", "u8"), Field("subtype", "u8"), Field("reason", "u16"))),
        Event(202, "frame_rejected", Severity.LOW, "Uplink bytes were rejected by the deframer.",
              args=(Field("reason", "u16"), Field("octets", "u16"))),
    ),
    reports=(
        Report("acceptance_success", 1, 1, "TC accepted.", fields=(REQUEST,)),
        Report("acceptance_failure", 1, 2, "TC rejected.", fields=FAILURE),
        Report("start_success", 1, 3, "TC execution started.", fields=(REQUEST,)),
        Report("start_failure", 1, 4, "TC could not start.", fields=FAILURE),
        Report("progress_success", 1, 5, "TC execution progressed.",
               fields=(REQUEST, Field("step", "u8", "", "progress step"),
                       Field("percent", "u8", "%", "progress", max=100))),
        Report("progress_failure", 1, 6, "TC failed at a step.",
               fields=(*FAILURE, Field("step", "u8", "", "progress step"))),
        Report("completion_success", 1, 7, "TC completed.", fields=(REQUEST,)),
        Report("completion_failure", 1, 8, "TC failed.", fields=FAILURE),
    ),
)


"""The dispatcher: PUS-1 verification reports, command counters and uplink statistics."""

from fsw.protocol.dictionary.model import Application, Event, Field, Parameter, Report, Severity, enum
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
        # FARM-1 (COP-1 receiving end, VC 0): the CLCW reports the same V(R) and flags
        Parameter("farm_vr", "u8", "", "V(R): the N(S) of the next Type-AD frame the FARM accepts"),
        Parameter("farm_state", "enum", "", "FARM-1 state", enum=enum("open", "wait", "lockout")),
        Parameter("farm_accepted", "u16", "", "Type-AD frames accepted (modulo 65536)"),
        Parameter("farm_lockouts", "u16", "", "times the FARM entered Lockout"),
        Parameter("farm_retransmit", "u16", "", "Type-AD frames discarded ahead of V(R): one was missed"),
        Parameter("farm_duplicates", "u16", "", "Type-AD frames discarded behind V(R): already accepted"),
        Parameter("farm_locked_out", "u16", "", "Type-AD frames discarded outside the window or in Lockout"),
        Parameter("farm_invalid", "u16", "", "frames discarded: in Wait, bypass 0 with control 1, "
                  "or a Type-BC frame without a control command"),
    ),
    events=(
        Event(200, "tc_rejected", Severity.LOW, "A command was rejected.",
              args=(Field("service", "u8"), Field("subtype", "u8"), Field("reason", "u16"))),
        Event(201, "tc_failed", Severity.MEDIUM, "A command failed in execution.",
              args=(Field("service", "u8"), Field("subtype", "u8"), Field("reason", "u16"))),
        Event(202, "frame_rejected", Severity.LOW, "Uplink bytes were rejected by the deframer.",
              args=(Field("reason", "u16"), Field("octets", "u16"))),
        Event(203, "farm_lockout", Severity.HIGH,
              "FARM-1 entered Lockout: Type-AD frames are discarded until the ground sends Unlock "
              "(`ground cop1 unlock`).",
              args=(Field("vr", "u8", "", "V(R)"), Field("ns", "u8", "", "N(S) of the frame"))),
        Event(204, "farm_unlocked", Severity.INFO, "FARM-1 left Lockout (Unlock received).",
              args=(Field("vr", "u8", "", "V(R)"),)),
        Event(205, "farm_vr_set", Severity.INFO, "Set V(R) received: the FARM expects N(S) = vr next.",
              args=(Field("vr", "u8", "", "V(R)"),)),
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


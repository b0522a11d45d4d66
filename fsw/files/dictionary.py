"""Files: the on-board CFDP entity (727.0-B-5, cfdp-py), images down and files up.

The PDUs themselves travel on their own APID (fsw.protocol.cfdp.CFDP_APID), not this one: this
application's APID carries its commands, reports and housekeeping.
"""

from fsw.protocol.dictionary.model import Application, Command, Event, Field, Parameter, Severity, enum

APID = 0x040
SERVICE = 150
# why a received PDU was refused (fsw/protocol/cfdp/packets.py and entity.py), in this order
REFUSALS = enum("too_long", "malformed", "no_crc", "wrong_entity", "large_file", "file_too_large", "bad_name",
                "beyond_file", "bad_segment_request", "bad_packet", "ended_transaction", "other_transaction",
                "ignored")
# how a transfer ended: CFDP's condition codes (727.0-B-5 5.2.2), numbered as on the wire
CONDITIONS = enum("no_error", "positive_ack_limit_reached", "keep_alive_limit_reached", "invalid_transmission_mode",
                  "filestore_rejection", "file_checksum_failure", "file_size_error", "nak_limit_reached",
                  "inactivity_detected", "reserved_9", "check_limit_reached", "unsupported_checksum_type",
                  "reserved_12", "reserved_13", "suspend_request_received", "cancel_request_received")
SEQUENCE = Field("sequence", "u16", "", "CFDP transaction sequence number")

COMPONENT = Application(
    name="files",
    description="The on-board CFDP entity: images go down and files come up as CFDP transactions "
    "(class 2, acknowledged, by default), its timers on the flight clock.",
    apid=APID,
    sid=30,
    commands=(
        Command("file_downlink", SERVICE, 1, "Send an image (its stored file: header and payload) to the ground "
                "with CFDP; completes when the ground has it, fails with the CFDP condition otherwise.",
                args=(Field("image_id", "u16", "", "image id", min=1),
                      Field("cfdp_class", "u8", "", "2: acknowledged (lost data re-sent), 1: unacknowledged",
                            min=1, max=2, default=2)),
                safe=True),
        Command("file_cancel", SERVICE, 2, "Cancel every CFDP transaction in progress.", safe=True),
        Command("file_suspend", SERVICE, 3, "Suspend CFDP: nothing sent and no timer running until "
                "file_resume (e.g. at the end of a contact); received PDUs are still handled.", safe=True),
        Command("file_resume", SERVICE, 4, "Resume CFDP after file_suspend.", safe=True),
    ),
    parameters=(
        Parameter("cfdp_sending", "u8", "", "CFDP transactions sending (0 or 1)"),
        Parameter("cfdp_receiving", "u8", "", "CFDP transactions receiving (0 or 1)"),
        Parameter("cfdp_suspended", "u8", "", "CFDP suspended (1) or running (0)"),
        Parameter("cfdp_progress", "u32", "octets", "octets of the file being sent handed to the link"),
        Parameter("files_stored", "u16", "", "files received from the ground and stored"),
        Parameter("pdus_refused", "u32", "", "received PDUs refused (see pdu_refused events)", yellow=(0, 0)),
    ),
    events=(
        Event(800, "file_sent", Severity.INFO, "A file reached the ground: the ground said so (class 2) "
              "or its last PDU went (class 1).", args=(SEQUENCE, Field("octets", "u32"))),
        Event(801, "file_received", Severity.INFO, "A file from the ground is stored, complete and its checksum "
              "verified.", args=(SEQUENCE, Field("octets", "u32"))),
        Event(802, "file_failed", Severity.MEDIUM, "A CFDP transaction ended without its file.",
              args=(SEQUENCE, Field("condition", "enum", enum=CONDITIONS),
                    Field("sending", "u8", "", "1: a file going down, 0: one coming up"))),
        Event(803, "pdu_refused", Severity.LOW, "A received PDU was refused.",
              args=(Field("reason", "enum", enum=REFUSALS),)),
    ),
)

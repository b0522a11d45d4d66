"""CCSDS File Delivery Protocol (727.0-B-5) as Perijove flies it: cfdp-py is the entity.

- packets.py: PDUs in space packets on their own APID (no secondary header; the PDU's own
  CRC protects it), and the checks a received PDU passes before any handler sees it;
- entity.py: one CFDP entity (a cfdp-py source and destination handler) driven by a clock the
  caller gives (flight: the on-board clock, simulated time included), with suspension, an
  inactivity limit, files staged until complete, and every transfer's outcome said.

The numbers (docs/ICD.md, "File delivery (CFDP)") are in this module: both ends read them here.
"""

import re
from dataclasses import dataclass
from pathlib import Path

CFDP_APID = 0x041                 # every PDU, both directions, on this APID
GROUND_ENTITY = 1                 # CFDP entity ids (2 octets on the wire)
FLIGHT_ENTITY = 61                # the spacecraft id
ENTITY_ID_OCTETS = 2
SEQUENCE_OCTETS = 2               # transaction sequence numbers

MAX_PDU_OCTETS = 1006             # the largest PDU either end accepts, header and CRC included
DOWNLINK_PDU_OCTETS = 1006        # flight's: one packet fills a 1024-octet TM frame's packet zone
UPLINK_PDU_OCTETS = 512           # the ground's: a TC frame carries one with room for SDLS
MAX_FILE_OCTETS = 16 << 20        # the largest file either end accepts (an image is < 8 MB)
MAX_UPLOAD_OCTETS = 1 << 20       # the largest file the on-board store takes from the ground
MAX_NAME_OCTETS = 64              # file names: one plain name, no directories
CLASS_1, CLASS_2 = 1, 2           # unacknowledged, acknowledged
_IMAGE_FILE = re.compile(r"image_(\d{5})\.pjim")


def image_file_name(image_id: int) -> str:
    """The name an image's stored file travels under (file_downlink)."""
    return f"image_{image_id:05d}.pjim"


def image_id_of(name: str) -> int | None:
    """The image a file name is the stored file of, or None."""
    match = _IMAGE_FILE.fullmatch(name)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Timers:
    """CFDP timers, in seconds of the entity's clock (flight: real seconds times the clock's
    speed-up, so that they stay the same length on the line, where the peer lives)."""

    ack_interval: float = 3.0       # positive ACK procedure (EOF, Finished): resend after
    ack_limit: int = 10             # ... this many expirations, then a fault
    nak_interval: float = 3.0       # deferred NAK: ask again for what is still missing after
    nak_limit: int = 10
    check_interval: float = 3.0     # class 1: how long an incomplete file waits after EOF
    check_limit: int = 2
    inactivity: float = 60.0        # nothing received for a busy transaction: a fault

    def scaled(self, factor: float) -> "Timers":
        return Timers(self.ack_interval * factor, self.ack_limit, self.nak_interval * factor, self.nak_limit,
                      self.check_interval * factor, self.check_limit, self.inactivity * factor)


TIMERS = Timers()


@dataclass
class Transfer:
    """One transaction as this entity sees it."""

    direction: str                  # "send" or "receive"
    name: str                       # the destination file name
    mode: int = CLASS_2
    size: int | None = None
    sequence: int | None = None     # transaction sequence number (with the source's entity id)
    source: int | None = None
    progress: int = 0               # octets sent / received so far
    gaps: int = 0                   # receiving: segments known missing now (what a NAK asks for)
    missing: int = 0                # ... octets in them
    naks: int = 0                   # NAK PDUs sent (receiving) or received (sending) so far
    state: str = "active"           # active, completed, failed
    condition: str = ""             # how it ended: no_error, or the CFDP condition (or our reason)
    path: Path | None = None        # received and complete: where the file is

    @property
    def done(self) -> bool:
        return self.state != "active"

    @property
    def octets(self) -> int:
        """Octets of the file that have arrived (sent): up to the furthest one, less the gaps."""
        return self.progress - self.missing

    @property
    def ok(self) -> bool:
        return self.state == "completed"

"""Reason codes: why a byte span, frame, packet or command was rejected or failed.

One list for every layer, so a counter, a PUS-1 failure report and a log line all name the same
cause. The numeric codes travel in PUS-1 failure reports (16 bits) and must never be renumbered.
"""

from enum import IntEnum


class Reason(IntEnum):
    # byte stream and frames
    JUNK = 1                  # bytes outside any frame (hunting for the ASM)
    BAD_FRAME_HEADER = 2      # version or fixed bits wrong
    BAD_FRAME_LENGTH = 3      # claimed length below the minimum or above the link maximum
    BAD_FECF = 4              # frame error control field mismatch
    TRUNCATED = 5             # stream ended inside a frame
    BAD_SCID = 6
    BAD_VCID = 7
    FRAME_GAP = 8             # frame counter jumped: frames lost
    OCTETS_LOST = 9           # a board's receive ring was full: octets lost before the deframer
    # packets
    BAD_CRC = 16              # packet error control mismatch
    BAD_LENGTH = 17           # packet length field disagrees with the bytes
    BAD_VERSION = 18          # CCSDS or PUS version
    BAD_TYPE = 19             # TM where TC was expected, or no secondary header
    UNKNOWN_APID = 20
    UNKNOWN_SERVICE = 21
    UNKNOWN_SUBTYPE = 22
    BAD_ARGUMENT = 23         # argument bytes do not decode
    ARG_OUT_OF_RANGE = 24
    # execution
    NOT_ALLOWED_IN_MODE = 32
    BUSY = 33
    NOT_ARMED = 34            # hazardous command without a preceding arm
    EXECUTION_FAILED = 35
    NO_SUCH_ITEM = 36         # image id, schedule id ... not found
    STORE_FULL = 37
    HARDWARE_FAULT = 38
    TIMEOUT = 39
    NOT_IMPLEMENTED = 40      # declared in the dictionary but not on this board (an acceptance failure)
    # SDLS (CCSDS 355.0-B-2) on the uplink: refused before anything reads the frame data
    SDLS_UNKNOWN_SPI = 48     # no operational security association for the SPI (on that channel)
    SDLS_BAD_MAC = 49         # the MAC does not verify: forged, corrupted, or another key
    SDLS_REPLAY = 50          # sequence number not above the last accepted one
    SDLS_OUT_OF_WINDOW = 51   # sequence number too far above the last accepted one
    SDLS_CLEAR_FRAME = 52     # a frame without security where security is required
    SDLS_KEY_STATE = 53       # a key or association command refused by the state checks

    @property
    def label(self) -> str:
        return self.name.lower()


class ProtocolError(ValueError):
    """Untrusted bytes failed a check; reason says which, detail says how."""

    def __init__(self, reason: Reason, detail: str = ""):
        self.reason = Reason(reason)
        self.detail = detail
        super().__init__(f"{self.reason.label}: {detail}" if detail else self.reason.label)

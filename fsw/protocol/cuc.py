"""CCSDS Unsegmented time Code (CCSDS 301.0-B), 4 octets of seconds and 2 of binary fraction.

Agency-defined epoch: 2000-01-01T00:00:00 UTC, no leap seconds counted (docs/ICD.md). The
P-field is implicit (not sent): coarse 4, fine 2.
"""

import struct
from datetime import UTC, datetime, timedelta

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
EPOCH_UNIX = EPOCH.timestamp()    # 946684800.0
CUC_LEN = 6
_CUC = struct.Struct(">IH")


def encode_cuc(seconds: float) -> bytes:
    """Seconds since the epoch as 4+2 octets; the fraction rounds down to 1/65536 s."""
    if seconds < 0:
        raise ValueError("time before the epoch")
    coarse = int(seconds)
    fine = int((seconds - coarse) * 65536)
    if coarse > 0xFFFFFFFF:
        raise ValueError("time past the end of the 32-bit coarse field")
    return _CUC.pack(coarse, fine)


def decode_cuc(data: bytes, offset: int = 0) -> float:
    coarse, fine = _CUC.unpack_from(data, offset)
    return coarse + fine / 65536


def cuc_to_datetime(seconds: float) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def datetime_to_cuc_seconds(when: datetime) -> float:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - EPOCH).total_seconds()

"""CRC-16/CCITT-FALSE: packet error control and the FECF of TC and TM frames.

poly 0x1021, init 0xFFFF, no reflection, no final xor; check value 0x29B1 for b"123456789".
crcmod's C extension does the work; a CRC over data followed by its own big-endian CRC is 0,
which lets a receiver check a whole packet or frame in one call.
"""

import crcmod

crc16 = crcmod.mkCrcFun(0x11021, initCrc=0xFFFF, rev=False, xorOut=0x0000)


def append_crc(data: bytes) -> bytes:
    """data followed by its CRC, big-endian."""
    return data + crc16(data).to_bytes(2, "big")


def crc_ok(data: bytes) -> bool:
    """True when the last two octets of data are the CRC of the rest."""
    return len(data) >= 2 and crc16(data) == 0

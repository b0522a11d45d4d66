"""Communications Link Control Word (CCSDS 232.0-B section 4.2), carried in every TM frame's OCF.

32 bits: control word type(1)=0 | CLCW version(2)=00 | status field(3) | COP in effect(2)=01 |
virtual channel id(6) | spare(2) | no RF available(1) | no bit lock(1) | lockout(1) | wait(1) |
retransmit(1) | FARM-B counter(2) | spare(1) | report value N(R)(8).
COP-1 is not built yet: the flight side reports N(R) as the next expected frame sequence number.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Clcw:
    vcid: int = 0
    report_value: int = 0
    status: int = 0
    cop_in_effect: int = 1
    no_rf: bool = False
    no_bit_lock: bool = False
    lockout: bool = False
    wait: bool = False
    retransmit: bool = False
    farm_b_counter: int = 0

    def encode(self) -> int:
        return (
            ((self.status & 0x7) << 26)
            | ((self.cop_in_effect & 0x3) << 24)
            | ((self.vcid & 0x3F) << 18)
            | (int(self.no_rf) << 15)
            | (int(self.no_bit_lock) << 14)
            | (int(self.lockout) << 13)
            | (int(self.wait) << 12)
            | (int(self.retransmit) << 11)
            | ((self.farm_b_counter & 0x3) << 9)
            | (self.report_value & 0xFF)
        )

    @classmethod
    def decode(cls, word: int) -> "Clcw":
        return cls(
            vcid=(word >> 18) & 0x3F,
            report_value=word & 0xFF,
            status=(word >> 26) & 0x7,
            cop_in_effect=(word >> 24) & 0x3,
            no_rf=bool(word & (1 << 15)),
            no_bit_lock=bool(word & (1 << 14)),
            lockout=bool(word & (1 << 13)),
            wait=bool(word & (1 << 12)),
            retransmit=bool(word & (1 << 11)),
            farm_b_counter=(word >> 9) & 0x3,
        )

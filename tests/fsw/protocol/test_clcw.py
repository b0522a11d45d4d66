"""CLCW (CCSDS 232.0-B 4.2): the word in every TM frame's OCF."""

from hypothesis import given
from hypothesis import strategies as st

from fsw.protocol.clcw import Clcw


def test_default_word_says_cop_1_in_effect_and_nothing_else():
    # type 0 | version 00 | status 000 | COP 01 -> 0000 0001; all else 0
    assert Clcw().encode() == 0x01000000


def test_golden_word():
    clcw = Clcw(vcid=5, report_value=0xAB, no_rf=True, lockout=True, retransmit=True, farm_b_counter=2)
    # 0 00 000 01 = 01 | VCID 000101 spare 00 = 14 |
    # no RF 1, bit lock 0, lockout 1, wait 0, retransmit 1, FARM-B 10, spare 0 = 1010 1100 = AC | N(R) AB
    assert clcw.encode() == 0x0114ACAB
    assert Clcw.decode(0x0114ACAB) == clcw


@given(
    st.builds(
        Clcw,
        vcid=st.integers(0, 63),
        report_value=st.integers(0, 255),
        status=st.integers(0, 7),
        cop_in_effect=st.integers(0, 3),
        no_rf=st.booleans(),
        no_bit_lock=st.booleans(),
        lockout=st.booleans(),
        wait=st.booleans(),
        retransmit=st.booleans(),
        farm_b_counter=st.integers(0, 3),
    )
)
def test_round_trip_and_the_fixed_bits_stay_zero(clcw):
    word = clcw.encode()
    assert Clcw.decode(word) == clcw
    assert word & 0x80000000 == 0         # control word type 0
    assert word & 0x60000000 == 0         # CLCW version 00
    assert word & 0x00030100 == 0         # spares
    assert word < 2**32

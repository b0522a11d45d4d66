"""CRC-16/CCITT-FALSE: the catalogue check value, and agreement with a bit-by-bit reference."""

from hypothesis import given
from hypothesis import strategies as st

from fsw.protocol.crc import append_crc, crc16, crc_ok


def reference_crc(data: bytes) -> int:
    """The algorithm as the standard states it: MSB first, poly 0x1021, init 0xFFFF, no xor out."""
    crc = 0xFFFF
    for octet in data:
        crc ^= octet << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def test_check_value_of_123456789_is_0x29b1():
    assert crc16(b"123456789") == 0x29B1


def test_empty_input_gives_the_initial_value():
    assert crc16(b"") == 0xFFFF


def test_append_crc_is_big_endian():
    assert append_crc(b"123456789") == b"123456789\x29\xb1"


def test_crc_over_data_and_its_crc_is_zero():
    assert crc_ok(b"123456789\x29\xb1")
    assert not crc_ok(b"123456789\x29\xb0")
    assert not crc_ok(b"\x00")
    assert not crc_ok(b"")


@given(st.binary(max_size=300))
def test_matches_the_bitwise_reference(data):
    assert crc16(data) == reference_crc(data)
    assert crc_ok(append_crc(data))


@given(st.binary(min_size=1, max_size=100), st.data())
def test_any_single_bit_flip_is_detected(data, draw):
    framed = bytearray(append_crc(data))
    bit = draw.draw(st.integers(0, len(framed) * 8 - 1))
    framed[bit // 8] ^= 0x80 >> (bit % 8)
    assert not crc_ok(bytes(framed))

"""CUC time: 4 octets of seconds and 2 of binary fraction since 2000-01-01T00:00:00 UTC."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsw.protocol.cuc import CUC_LEN, EPOCH, cuc_to_datetime, datetime_to_cuc_seconds, decode_cuc, encode_cuc

# PJ57, 2023-12-30T00:00:00 UTC. Days since the epoch: 2000..2022 are 23 years with 6 leap
# years (2000, 04, 08, 12, 16, 20) = 23*365 + 6 = 8401 days to 2023-01-01, plus 363 days to
# 30 December = 8764 days * 86400 = 757 209 600 s = 0x2D221A00. Half a second more sets the
# top bit of the 16-bit fraction: 0x8000.
PJ57 = datetime(2023, 12, 30, tzinfo=UTC)
PJ57_CUC = bytes.fromhex("2D221A00 8000")


def test_epoch_is_2000_01_01_utc():
    assert EPOCH == datetime(2000, 1, 1, tzinfo=UTC)
    assert encode_cuc(0) == bytes(CUC_LEN)


def test_golden_pj57_plus_half_a_second():
    seconds = datetime_to_cuc_seconds(PJ57) + 0.5
    assert seconds == 757_209_600.5
    assert encode_cuc(seconds) == PJ57_CUC
    assert decode_cuc(PJ57_CUC) == seconds
    assert cuc_to_datetime(decode_cuc(PJ57_CUC)) == datetime(2023, 12, 30, 0, 0, 0, 500000, tzinfo=UTC)


def test_naive_datetimes_are_taken_as_utc():
    assert datetime_to_cuc_seconds(datetime(2000, 1, 2)) == 86400


def test_fraction_is_one_65536th_of_a_second_rounded_down():
    assert encode_cuc(1 + 1 / 65536) == bytes.fromhex("00000001 0001")
    assert encode_cuc(1 + 0.99999 / 65536) == bytes.fromhex("00000001 0000")


def test_last_representable_second():
    assert encode_cuc(0xFFFFFFFF) == bytes.fromhex("FFFFFFFF 0000")


@pytest.mark.parametrize("seconds", [-1, -0.5, 2.0**32])
def test_times_outside_the_field_are_refused(seconds):
    with pytest.raises(ValueError):
        encode_cuc(seconds)


@given(st.integers(0, 0xFFFFFFFF), st.integers(0, 0xFFFF))
def test_round_trip_of_every_field_value(coarse, fine):
    data = coarse.to_bytes(4, "big") + fine.to_bytes(2, "big")
    assert encode_cuc(decode_cuc(data)) == data

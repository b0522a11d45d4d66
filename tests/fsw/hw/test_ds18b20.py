import pytest

from fsw.hw import SensorError
from fsw.hw.ds18b20 import DS18B20, FAIL_AFTER, Glitch, find_w1_slave, parse_w1_slave

GOOD = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n"
BAD_CRC = "72 01 4b 46 7f ff 0e 10 57 : crc=12 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n"
POWER_ON = "50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n"


def test_parses_millidegrees():
    assert parse_w1_slave(GOOD) == pytest.approx(23.125)
    assert parse_w1_slave(GOOD.replace("t=23125", "t=-10500")) == pytest.approx(-10.5)


@pytest.mark.parametrize("text, reason", [
    (BAD_CRC, "bad_crc"),
    (POWER_ON, "power_on_value"),
    ("", "malformed"),
    ("garbage\x00\xff", "malformed"),
    (GOOD.replace("t=23125", "t=12x"), "malformed"),
    (GOOD.replace("t=23125", "t=200000"), "out_of_range"),
])
def test_bad_lines_are_glitches_with_a_reason(text, reason):
    with pytest.raises(Glitch) as glitch:
        parse_w1_slave(text)
    assert glitch.value.reason == reason


@pytest.fixture
def w1(tmp_path):
    device = tmp_path / "devices" / "28-000005e2fdc3"
    device.mkdir(parents=True)
    (tmp_path / "devices" / "w1_bus_master1").mkdir()
    slave = device / "w1_slave"
    slave.write_text(GOOD)
    return tmp_path / "devices", slave


def test_finds_the_sensor_in_a_sysfs_tree(w1):
    root, slave = w1
    assert find_w1_slave(str(root)) == str(slave)
    assert find_w1_slave(str(root / "nothing")) is None


def test_a_glitch_keeps_the_last_good_value_and_is_counted(w1):
    _, slave = w1
    sensor = DS18B20(str(slave))
    assert sensor.read() == pytest.approx(23.125)
    slave.write_text(BAD_CRC)
    assert sensor.read() == pytest.approx(23.125)
    slave.write_text(POWER_ON)
    assert sensor.read() == pytest.approx(23.125)
    assert sensor.rejected["bad_crc"] == 1 and sensor.rejected["power_on_value"] == 1
    slave.write_text(GOOD.replace("t=23125", "t=24000"))
    assert sensor.read() == pytest.approx(24.0)


def test_repeated_bad_reads_are_a_failure(w1):
    _, slave = w1
    sensor = DS18B20(str(slave))
    sensor.read()
    slave.write_text(BAD_CRC)
    with pytest.raises(SensorError) as error:
        for _ in range(FAIL_AFTER):
            sensor.read()
    assert error.value.state == "failed"


def test_missing_file_with_no_good_reading_fails_at_once(tmp_path):
    sensor = DS18B20(str(tmp_path / "gone" / "w1_slave"))
    with pytest.raises(SensorError):
        sensor.read()
    assert sensor.rejected["unreadable"] == 1


def test_no_sensor_at_all_fails():
    with pytest.raises(SensorError):
        DS18B20(None).read()

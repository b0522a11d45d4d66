"""`ground encode`: dictionary commands to TC packet bytes, and every way a person can get it wrong."""

import pytest

from fsw.protocol.framing import ASM
from fsw.protocol.pus import decode_tc
from fsw.protocol.tcframe import decode_tc_frame

GOLDEN_TC = "1820c00500072f82030000087651"       # tests/fsw/protocol/test_pus.py


def test_hex_packet_matches_the_golden_vector(ground):
    result = ground("encode", "cam_capture", "framelets=8", "--seq-count", "5", "--hex")
    assert result.returncode == 0 and result.stderr == b""
    assert result.stdout.decode() == GOLDEN_TC + "\n"


def test_raw_bytes_when_stdout_is_not_a_terminal(ground):
    result = ground("encode", "cam_capture", "framelets=8", "--seq-count", "5")
    assert result.stdout == bytes.fromhex(GOLDEN_TC)


def test_frame_is_asm_tc_frame_and_fecf(ground):
    raw = ground("encode", "cam_configure", "exposure=100", "filters=7", "tdi=4", "--frame", "--raw").stdout
    assert raw.startswith(ASM)
    frame = decode_tc_frame(raw[4:])
    assert decode_tc(frame.data).app_data == bytes.fromhex("0064 07 04 01 00")


def test_defaults_enum_names_and_negative_numbers(ground):
    raw = ground("encode", "heater_setpoint", "setpoint=-1000").stdout
    assert decode_tc(raw).app_data == bytes.fromhex("FC18 0064")
    raw = ground("encode", "cam_power", "state=on").stdout
    assert decode_tc(raw).app_data == b"\x01"


@pytest.mark.parametrize(
    "args, message",
    [
        (["cam_captur"], "ground encode: unknown command 'cam_captur'; did you mean cam_capture"),
        (["warp_drive"], "ground encode: unknown command 'warp_drive'; `ground dict` lists them"),
        (["cam_capture", "framelets=99"], "ground encode: arg_out_of_range: framelets=99 outside [1, 64]"),
        (["cam_capture", "framelets=lots"], "ground encode: bad_argument: framelets='lots' is not a valid u8"),
        (["cam_capture", "framelets"], "ground encode: bad_argument: 'framelets' is not name=value"),
        (["cam_capture", "zoom=2"], "ground encode: bad_argument: cam_capture has no argument 'zoom'"),
        (["cam_power", "state=dim"], "ground encode: arg_out_of_range: state='dim' is not one of off, on"),
        (["cam_configure", "exposure=10"], "ground encode: bad_argument: missing arguments filters, tdi"),
        (["ping", "--seq-count", "20000"], "ground encode: --seq-count 20000 outside [0, 16383]"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(ground, args, message):
    result = ground("encode", *args)
    assert result.returncode == 2 and result.stdout == b""
    assert ground.error_line(result).startswith(message)

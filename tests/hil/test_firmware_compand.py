"""The firmware's square-root companding (hil/arduino/perijove/pj_compand.cpp) built for the host
and checked at every 12-bit value against the host's table (fsw/protocol/companding.py), which
the ground decompands with: one code off would shift a pixel's DN on the ground."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from fsw.protocol.companding import COMPAND, compand

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "hil" / "arduino" / "perijove"
DRIVER = Path(__file__).with_name("firmware_compand_driver.cpp")
COMPILER = shutil.which("c++")


@pytest.mark.timeout(120)
def test_the_firmware_compands_every_value_as_the_hosts_table(tmp_path):
    if COMPILER is None:
        pytest.skip("no host C++ compiler (c++): apt-get install -y g++")
    program = tmp_path / "firmware_compand"
    subprocess.run([COMPILER, "-std=gnu++11", "-O1", "-Wall", "-Wextra", "-Werror", f"-I{FIRMWARE}", "-o", str(program),
                    str(DRIVER), str(FIRMWARE / "pj_compand.cpp")], check=True, capture_output=True, timeout=120)
    out = subprocess.run([str(program)], capture_output=True, text=True, timeout=60, check=True).stdout
    codes = np.array([int(line) for line in out.split()])
    values = np.arange(-64, 4096)
    assert len(codes) == len(values)
    assert (codes[values <= 0] == 0).all()
    mismatched = np.nonzero(codes[values >= 0] != COMPAND)[0]
    assert mismatched.size == 0, f"values {mismatched[:10].tolist()} compand otherwise than the host's table"
    assert (codes == compand(values)).all()

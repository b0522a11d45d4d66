"""The firmware's dictionary header is generated; the committed one must match the dictionary."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_committed_firmware_header_is_current():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "firmware_header.py"), "--check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr + "run scripts/firmware_header.py and rebuild the firmware"


def test_header_carries_the_shared_constants():
    from fsw.dictionary import load

    header = (ROOT / "hil" / "arduino" / "perijove" / "pj_dictionary.h").read_text()
    assert f"#define PJ_DICTIONARY_VERSION 0x{load().version:08X}UL" in header
    assert "#define PJ_TM_FRAME_LEN 256" in header
    assert "#define PJ_SPACECRAFT_ID 61" in header


def test_thermistor_constants_exist_only_in_the_generated_header():
    # the firmware and the simavr harness both read the divider from pj_dictionary.h (hil/board.py)
    from hil import board

    header = (ROOT / "hil" / "arduino" / "perijove" / "pj_dictionary.h").read_text()
    for name, value in board.THERMISTOR_CONSTANTS:
        assert f"#define PJ_{name} {value!r}\n" in header
    sources = [p for d in ("hil/arduino/perijove", "hil/sim") for p in (ROOT / d).iterdir()
               if p.suffix in (".c", ".h", ".cpp", ".ino") and p.name != "pj_dictionary.h"]
    for path in sources:
        text = path.read_text()
        for literal in ("3950", "298.15", "10000.0"):
            assert literal not in text, f"{path.relative_to(ROOT)} has its own thermistor constant {literal}"


def test_committed_pico_dictionary_is_current():
    # the Pico's MicroPython program (hil/pico) takes its constants from the same generator
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "firmware_header.py"), "--check", "--python"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_pico_dictionary_marks_what_the_program_handles():
    from fsw.dictionary import load
    from hil import board

    text = (ROOT / "hil" / "pico" / "perijove" / "pj_dictionary.py").read_text()
    assert f"DICTIONARY_VERSION = const(0x{load().version:08X})" in text
    handled = set(board.pico_commands())
    assert handled, "no HANDLERS found in hil/pico/perijove/dispatch.py"
    for line in text.splitlines():
        if line.startswith("    [0x") and "  # " in line:
            spec, name = line.split("  # ")
            flags = ast.literal_eval(spec.strip().rstrip(","))[5]
            assert bool(flags & 8) == (name.upper() in handled), line

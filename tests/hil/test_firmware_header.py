"""The firmware's dictionary header is generated; the committed one must match the dictionary."""

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

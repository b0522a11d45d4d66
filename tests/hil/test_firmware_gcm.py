"""The firmware's own AES-256-GCM (hil/arduino/perijove/pj_gcm.cpp, what the Mega build's SDLS
runs) built for the host: NIST's CAVP vectors (the same subset the host's cipher is checked
against, tests/fsw/protocol/test_sdls.py) and random cases against the `cryptography` library."""

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "hil" / "arduino" / "perijove"
DRIVER = Path(__file__).with_name("firmware_gcm_driver.cpp")
COMPILER = shutil.which("c++")


def cavp_vectors() -> list[tuple[str, ...]]:
    spec = importlib.util.spec_from_file_location("host_sdls_tests", ROOT / "tests" / "fsw" / "protocol" / "test_sdls.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CAVP_GCM_ENCRYPT_EXT_IV256


@pytest.fixture(scope="module")
def firmware_gcm(tmp_path_factory):
    """cases [(key, iv, aad, plaintext) as bytes] -> [(ciphertext, tag, opened, tampered refused)]."""
    if COMPILER is None:
        pytest.skip("no host C++ compiler (c++): apt-get install -y g++")
    program = tmp_path_factory.mktemp("gcm") / "firmware_gcm"
    subprocess.run([COMPILER, "-std=gnu++11", "-O1", "-Wall", "-Wextra", "-Werror", f"-I{FIRMWARE}", "-o", str(program),
                    str(DRIVER), str(FIRMWARE / "pj_gcm.cpp")], check=True, capture_output=True, timeout=120)

    def run(cases):
        lines = "".join(" ".join(field.hex() or "-" for field in case) + "\n" for case in cases)
        out = subprocess.run([str(program)], input=lines, capture_output=True, text=True, timeout=60, check=True)
        results = []
        for line in out.stdout.splitlines():
            text, tag, opened, refused = line.split()
            results.append((bytes.fromhex("" if text == "-" else text), bytes.fromhex(tag), opened == "1", refused == "1"))
        assert len(results) == len(cases)
        return results
    return run


@pytest.mark.timeout(120)
def test_the_firmware_cipher_reproduces_nists_aes_256_gcm_vectors(firmware_gcm):
    vectors = cavp_vectors()
    results = firmware_gcm([(bytes.fromhex(key), bytes.fromhex(iv), bytes.fromhex(aad), bytes.fromhex(plaintext))
                            for key, iv, plaintext, aad, _ciphertext, _tag in vectors])
    for (_key, _iv, _plaintext, _aad, ciphertext, tag), (sealed, mac, opened, refused) in zip(vectors, results):
        assert (sealed.hex(), mac.hex()) == (ciphertext, tag)
        assert opened and refused


@pytest.mark.timeout(120)
def test_the_firmware_cipher_agrees_with_the_cryptography_library_on_frame_sized_cases(firmware_gcm):
    # the lengths an SDLS frame gives: 19 octets of headers (GMAC: with the data), packets of 13 to
    # 48 octets, block edges
    shapes = [(19, 13), (19, 0), (32, 0), (19, 16), (19, 17), (19, 48), (67, 0), (0, 1), (16, 15), (300, 300)]
    cases = [(os.urandom(32), os.urandom(12), os.urandom(a), os.urandom(t)) for a, t in shapes for _ in range(3)]
    for (key, iv, aad, plaintext), (sealed, mac, opened, refused) in zip(cases, firmware_gcm(cases)):
        assert sealed + mac == AESGCM(key).encrypt(iv, plaintext, aad)
        assert opened and refused

"""The Pico program's SDLS (hil/pico/perijove/sdls.py) in the MicroPython VM: its own AES-256-GCM
against NIST's vectors (the host's subset), the golden frames the host's tests worked out by hand,
and every refusal of ProcessSecurity with its reason; the last accepted sequence number survives
a reload from flash (a reset), so a replay is refused after it too."""

import importlib.util
import json
from pathlib import Path

import pytest
from program_vm import run

from fsw.protocol.crc import crc16
from fsw.protocol.reasons import Reason
from hil.targets.mpy_sim import missing_runtime

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(missing_runtime() is not None, reason=missing_runtime() or "")]

HOST_TESTS = Path(__file__).resolve().parents[2] / "fsw" / "protocol" / "test_sdls.py"
_spec = importlib.util.spec_from_file_location("host_sdls_tests", HOST_TESTS)
_host = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_host)
NIST = _host.CAVP_GCM_ENCRYPT_EXT_IV256

KEY = bytes(range(32))
KEY_FILE = {"format": "perijove-uplink-keys 1", "spacecraft": 61, "uplink_spi": 1,
            "keys": {"1": KEY.hex(), "2": KEY.hex(), "3": "ab" * 32},
            "associations": [{"spi": 1, "service": "encryption", "key": 1, "vcid": 0, "window": 1024},
                             {"spi": 2, "service": "authentication", "key": 2, "vcid": 0, "window": 1024},
                             {"spi": 3, "service": "encryption", "key": None, "vcid": 0, "window": 1024}]}
# hand-worked by the host's tests (tests/fsw/protocol/test_sdls.py): "PJ-TC!" under key 00..1f, IV 1
ENCRYPTED = bytes.fromhex("203d002a07" "0001" "000000000000000000000001" "459c92a807d5"
                          "60eab485685528583e05da3e08263f2a" "4b31")
AUTHENTICATED = bytes.fromhex("203d002a08" "0002" "000000000000000000000001" + b"PJ-TC!".hex()
                              + "f7fbcc709797d23ed88b54cd47fcdf46" "b636")


def with_fecf(body: bytes) -> bytes:
    return body + crc16(body).to_bytes(2, "big")


def test_the_programs_cipher_reproduces_nists_aes_256_gcm_vectors():
    vectors = json.dumps(NIST)
    out = run(f"""
import json, sdls
from binascii import unhexlify as h
for key, iv, plaintext, aad, ciphertext, tag in json.loads({vectors!r}):
    gcm = sdls.Gcm(h(key))
    good = gcm.open(h(iv), h(aad), h(ciphertext + tag), True)
    forged = bytearray(h(ciphertext + tag))
    forged[-1] ^= 1
    print(json.dumps([good.hex() if good is not None else None, gcm.open(h(iv), h(aad), forged, True)]))
""")
    assert [line[0] for line in out] == [plaintext for _k, _i, plaintext, *_ in NIST]
    assert [line[1] for line in out] == [None] * len(NIST)


def test_golden_frames_pass_and_every_refusal_has_its_reason():
    replay_later = bytearray(ENCRYPTED)
    replay_later[4] = 9                                  # N(S) is authenticated: altered, the MAC fails
    cases = {
        "encrypted": ENCRYPTED, "authenticated": AUTHENTICATED,
        "replayed": ENCRYPTED,
        "altered": with_fecf(bytes(replay_later[:-2])),
        "clear": with_fecf(bytes.fromhex("203d000a07") + b"\x18\x10\xc0\x00\x00"),
        "unkeyed_spi": with_fecf(ENCRYPTED[:5] + b"\x00\x03" + ENCRYPTED[7:-2]),
        "other_vc": with_fecf(ENCRYPTED[:2] + b"\x04" + ENCRYPTED[3:-2]),
    }
    out = run(f"""
import json, sdls
with open(sdls.KEY_FILE, "w") as f:
    f.write({json.dumps(KEY_FILE)!r})
sdls.load()
for name, hexed in {json.dumps({k: v.hex() for k, v in cases.items()})}.items():
    reason, data = sdls.process(bytes.fromhex(hexed))
    print(json.dumps([name, reason, data.hex() if data is not None else None]))
hk = sdls.housekeeping()
# a reset: RAM gone, flash kept
sdls.last.clear()
sdls.associations.clear()
sdls.load()
print(json.dumps(["after_reset", sdls.process(bytes.fromhex({ENCRYPTED.hex()!r}))[0], None]))
print(json.dumps(["hk", hk, None]))
""")
    results = {name: (reason, data) for name, reason, data in out}
    assert results["encrypted"] == (0, b"PJ-TC!".hex())
    assert results["authenticated"] == (0, b"PJ-TC!".hex())
    assert results["replayed"][0] == Reason.SDLS_REPLAY
    assert results["altered"][0] == Reason.SDLS_BAD_MAC
    assert results["clear"][0] == Reason.SDLS_CLEAR_FRAME
    assert results["unkeyed_spi"][0] == Reason.SDLS_UNKNOWN_SPI
    assert results["other_vc"][0] == Reason.SDLS_UNKNOWN_SPI
    assert results["after_reset"][0] == Reason.SDLS_REPLAY
    hk = results["hk"][0]
    assert (hk["uplink_secure"], hk["sdls_accepted"], hk["sdls_replay"], hk["sdls_bad_mac"]) == (1, 2, 1, 1)
    assert (hk["sdls_clear_refused"], hk["sdls_unknown_spi"], hk["sa_operational"]) == (1, 2, 0b11)
    assert (hk["last_spi"], hk["last_sequence"]) == (2, 1)


def test_out_of_window_sequence_numbers_are_refused():
    # SPI 2 authenticates only: the frame's MAC is GMAC over headers and data, made here with the
    # host's cipher for an IV far beyond the window, then the next one inside it
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    def frame(sequence: int) -> bytes:
        head = bytes.fromhex("203d002a08") + b"\x00\x02" + sequence.to_bytes(12, "big")
        mac = AESGCM(KEY).encrypt(head[5 + 2:], b"", head + b"PJ-TC!")
        return with_fecf(head + b"PJ-TC!" + mac)

    out = run(f"""
import json, sdls
with open(sdls.KEY_FILE, "w") as f:
    f.write({json.dumps(KEY_FILE)!r})
sdls.load()
for hexed in {json.dumps([frame(1025).hex(), frame(1024).hex(), frame(2048).hex()])}:
    print(json.dumps(sdls.process(bytes.fromhex(hexed))[0]))
""")
    assert out == [Reason.SDLS_OUT_OF_WINDOW, 0, 0]

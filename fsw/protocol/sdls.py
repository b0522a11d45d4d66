"""SDLS (CCSDS 355.0-B-2) on TC frames: ApplySecurity for the ground, ProcessSecurity for flight.

A secured TC frame, octets (the Yamcs AES-256-GCM profile):

    frame header (5) | SPI (2) | IV (12) | frame data | MAC (16) | FECF (2)

The IV is also the anti-replay sequence number (a 96-bit counter, big endian): every frame a
key protects carries a value never used before with that key. Two services:
  - authenticated encryption (SERVICE_ENCRYPTION): AES-256-GCM; the frame data is ciphertext,
    the MAC is the GCM tag over AAD and ciphertext;
  - authentication only (SERVICE_AUTHENTICATION): GMAC, i.e. GCM with no plaintext; the frame
    data stays clear and is authenticated with the headers.
AAD: the frame header and the security header, each octet ANDed with the association's
authentication mask (355.0-B-2 4.1.1.4.2). Our default mask keeps every bit: security is applied
at radiation, below the FOP, so no header field changes after ApplySecurity.

Anti-replay (355.0-B-2 4.1.2.4.5): a frame is accepted when its sequence number is above the
last accepted one (for that key) and at most `window` above it. Pure functions over bytes.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .crc import crc16
from .reasons import ProtocolError, Reason
from .tcframe import FECF_LEN, TC_HEADER_LEN, TcLayout

SPI_LEN = 2
IV_LEN = 12
MAC_LEN = 16
KEY_LEN = 32                                  # AES-256
SECURITY_HEADER_LEN = SPI_LEN + IV_LEN
SECURITY_TRAILER_LEN = MAC_LEN
SECURED = TcLayout(SECURITY_HEADER_LEN, SECURITY_TRAILER_LEN)
AAD_LEN = TC_HEADER_LEN + SECURITY_HEADER_LEN
FULL_MASK = b"\xff" * AAD_LEN
# Yamcs' TC mask (its StandardAuthMask.TC with the SPI-only security header mask): VCID and SPI
YAMCS_MASK = bytes([0, 0, 0xFC, 0, 0]) + b"\xff\xff" + bytes(IV_LEN)
MAX_SEQUENCE = (1 << (8 * IV_LEN)) - 1
DEFAULT_WINDOW = 1024

SERVICE_ENCRYPTION = "encryption"            # authenticated encryption, AES-256-GCM
SERVICE_AUTHENTICATION = "authentication"    # authentication only, GMAC
SERVICES = (SERVICE_ENCRYPTION, SERVICE_AUTHENTICATION)

KEY_FILE_FORMAT = "perijove-uplink-keys 1"


@dataclass(slots=True)
class Association:
    """A security association: its SPI, service, key (None: unkeyed) and managed parameters."""

    spi: int
    service: str
    key_id: int | None
    vcid: int = 0
    window: int = DEFAULT_WINDOW
    mask: bytes = FULL_MASK


@dataclass(slots=True)
class Keyring:
    """The keys (id -> 32 octets) and the associations, as provisioned; uplink_spi is the
    association the ground protects its frames with."""

    keys: dict[int, bytes]
    associations: dict[int, Association]
    uplink_spi: int = 1
    spacecraft: int = 0

    def key(self, key_id: int) -> bytes:
        return self.keys[key_id]

    def fingerprint(self, key_id: int) -> str:
        return fingerprint(self.keys[key_id])


def fingerprint(key: bytes) -> str:
    """A key's public name: the first 8 octets of its SHA-256, in pairs (never the key)."""
    digest = hashlib.sha256(key).hexdigest()[:16]
    return ":".join(digest[i:i + 4] for i in range(0, 16, 4))


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    """The key schedule, made once per key (a few microseconds a frame otherwise)."""
    return AESGCM(key)


def _aad(frame: bytes, mask: bytes) -> bytes:
    if mask == FULL_MASK:
        return bytes(frame[:AAD_LEN])
    return (int.from_bytes(frame[:AAD_LEN], "big") & int.from_bytes(mask, "big")).to_bytes(AAD_LEN, "big")


def apply_security(frame: bytes, association: Association, key: bytes, sequence: int) -> bytes:
    """ApplySecurity: a clear TC frame encoded with SECURED's room (zeros where the security
    header and trailer go, FECF last) -> the protected frame with a new FECF. `sequence` is the
    IV, never used before with this key: the caller persisted the next one before calling."""
    if not 0 < sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence number {sequence} outside 1..2^96-1")
    if len(frame) < AAD_LEN + MAC_LEN + FECF_LEN:
        raise ValueError("frame too short for the security header and trailer")
    iv = sequence.to_bytes(IV_LEN, "big")
    head = frame[:TC_HEADER_LEN] + association.spi.to_bytes(SPI_LEN, "big") + iv
    data = frame[AAD_LEN:len(frame) - FECF_LEN - MAC_LEN]
    aad = _aad(head, association.mask)
    gcm = _cipher(key)
    if association.service == SERVICE_ENCRYPTION:
        sealed = gcm.encrypt(iv, data, aad)                     # ciphertext | tag
        body = head + sealed
    else:
        tag = gcm.encrypt(iv, b"", aad + data)                   # GMAC: everything is AAD
        body = head + data + tag
    return body + crc16(body).to_bytes(FECF_LEN, "big")


@dataclass(frozen=True, slots=True)
class Verified:
    spi: int
    key_id: int
    sequence: int
    data: bytes           # the frame data in the clear


def read_spi(frame: bytes) -> int | None:
    """The SPI of a frame that has room for one, else None."""
    if len(frame) < AAD_LEN + MAC_LEN + FECF_LEN:
        return None
    return int.from_bytes(frame[TC_HEADER_LEN:TC_HEADER_LEN + SPI_LEN], "big")


def process_security(frame: bytes, association: Association | None, key: bytes | None, last: int) -> Verified:
    """ProcessSecurity on one TC frame (FECF already checked): the clear frame data, or a
    ProtocolError naming why the frame is refused. `association` is the operational SA its SPI
    names (None: unknown or not operational), `last` the highest sequence number accepted with
    its key. Nothing of the frame data is looked at before the MAC verified."""
    spi = read_spi(frame)
    if spi is None:
        raise ProtocolError(Reason.SDLS_CLEAR_FRAME, f"{len(frame)} octets: no room for SDLS")
    if association is None or key is None or association.key_id is None or association.spi != spi:
        raise ProtocolError(Reason.SDLS_UNKNOWN_SPI, f"SPI {spi} is not an operational association")
    vcid = frame[2] >> 2
    if vcid != association.vcid:
        raise ProtocolError(Reason.SDLS_UNKNOWN_SPI, f"SPI {spi} does not protect virtual channel {vcid}")
    iv = frame[TC_HEADER_LEN + SPI_LEN:AAD_LEN]
    aad = _aad(frame, association.mask)
    protected = frame[AAD_LEN:len(frame) - FECF_LEN]
    gcm = _cipher(key)
    try:
        if association.service == SERVICE_ENCRYPTION:
            data = gcm.decrypt(iv, protected, aad)
        else:
            data = protected[:-MAC_LEN]
            gcm.decrypt(iv, protected[-MAC_LEN:], aad + data)
    except InvalidTag:
        raise ProtocolError(Reason.SDLS_BAD_MAC, f"SPI {spi}: MAC does not verify") from None
    sequence = int.from_bytes(iv, "big")
    if sequence <= last:
        raise ProtocolError(Reason.SDLS_REPLAY, f"SPI {spi}: sequence {sequence} not above {last}")
    if sequence - last > association.window:
        raise ProtocolError(Reason.SDLS_OUT_OF_WINDOW,
                            f"SPI {spi}: sequence {sequence} beyond the window of {association.window} above {last}")
    return Verified(spi, association.key_id, sequence, data)


# -- the key file: JSON text, parsed and written here; reading and writing it is the caller's --
def new_keyring(spacecraft: int, keys: int = 8) -> Keyring:
    """Fresh random keys 1..keys; SPI 1 (encryption, key 1) and SPI 2 (authentication, key 2)
    in service, SPI 3 and 4 unkeyed for a later rekey with one of the spare keys."""
    return Keyring(
        keys={key_id: secrets.token_bytes(KEY_LEN) for key_id in range(1, keys + 1)},
        associations={
            1: Association(1, SERVICE_ENCRYPTION, 1),
            2: Association(2, SERVICE_AUTHENTICATION, 2),
            3: Association(3, SERVICE_ENCRYPTION, None),
            4: Association(4, SERVICE_AUTHENTICATION, None),
        },
        uplink_spi=1, spacecraft=spacecraft)


def format_keyring(keyring: Keyring) -> str:
    document = {
        "format": KEY_FILE_FORMAT,
        "spacecraft": keyring.spacecraft,
        "uplink_spi": keyring.uplink_spi,
        "keys": {str(key_id): key.hex() for key_id, key in sorted(keyring.keys.items())},
        "associations": [
            {"spi": sa.spi, "service": sa.service, "key": sa.key_id, "vcid": sa.vcid, "window": sa.window,
             **({} if sa.mask == FULL_MASK else {"mask": sa.mask.hex()})}
            for sa in sorted(keyring.associations.values(), key=lambda sa: sa.spi)],
    }
    return json.dumps(document, indent=1) + "\n"


def parse_keyring(text: str) -> Keyring:
    """A Keyring from key file text; ValueError with one line saying what is wrong."""
    try:
        document = json.loads(text)
    except ValueError:
        raise ValueError("not a key file (not JSON)") from None
    if not isinstance(document, dict) or document.get("format") != KEY_FILE_FORMAT:
        raise ValueError(f"not a key file (format is not {KEY_FILE_FORMAT!r})")
    try:
        keys = {int(key_id): bytes.fromhex(text) for key_id, text in dict(document["keys"]).items()}
        associations = {}
        for entry in document["associations"]:
            key_id = entry.get("key")
            sa = Association(int(entry["spi"]), str(entry["service"]), None if key_id is None else int(key_id),
                             int(entry.get("vcid", 0)), int(entry.get("window", DEFAULT_WINDOW)),
                             bytes.fromhex(entry["mask"]) if "mask" in entry else FULL_MASK)
            associations[sa.spi] = sa
        keyring = Keyring(keys, associations, int(document.get("uplink_spi", 1)), int(document.get("spacecraft", 0)))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"key file entry unreadable: {error}") from None
    for key_id, key in keys.items():
        if len(key) != KEY_LEN or not 0 < key_id < 0x10000:
            raise ValueError(f"key {key_id} is not a 256-bit key with an id in 1..65535")
    for sa in associations.values():
        if not 0 <= sa.spi < 0x10000 or sa.service not in SERVICES or not 0 < sa.window or len(sa.mask) != AAD_LEN:
            raise ValueError(f"association {sa.spi}: bad SPI, service, window or mask")
        if sa.key_id is not None and sa.key_id not in keys:
            raise ValueError(f"association {sa.spi} names key {sa.key_id}, which the file does not hold")
    if keyring.uplink_spi not in associations:
        raise ValueError(f"uplink_spi {keyring.uplink_spi} names no association")
    return keyring


def private_mode_problem(mode: int) -> str | None:
    """Why a key file with these permission bits must not be used (None: it may)."""
    if mode & 0o077:
        return f"is readable by others (mode {mode & 0o777:o}); chmod 600 it"
    return None

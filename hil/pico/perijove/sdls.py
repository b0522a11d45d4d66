"""SDLS (CCSDS 355.0-B-2) on the uplink: ProcessSecurity on every TC frame before the FARM or
anything else reads it, as the host's (fsw/protocol/sdls.py; docs/ICD.md 2a has the frame):

    frame header (5) | SPI (2) | IV (12) = sequence number | frame data | MAC (16) | FECF (2)

AES-256-GCM (authenticated encryption) or GMAC (authentication only) per association; AAD: the
frame header and the security header, masked by the association. Anti-replay: a frame's sequence
number must be above the last accepted under its key and at most the window above it; the last
accepted is in flash before the frame goes on, so a reset never lets a frame in twice.

Keys: the ground's key file (the host's format) in the board's flash. Without one, clear frames
are accepted and counted (as fsw --insecure-uplink). The AES block cipher is the board's
(the Pico's firmware: cryptolib) or, where it has none, FIPS 197 in Python below.
"""

import json
import struct

import board
import core
import pj_dictionary as D
from micropython import const

KEY_FILE = board.FLASH + "uplink-keys.json"
LAST_FILE = board.FLASH + "sdls-last"          # "key sequence" lines: the last accepted per key
_HEADER = const(5)
_SPI_END = const(7)
_AAD_LEN = const(19)
_MAC_LEN = const(16)
_FECF_LEN = const(2)
_MIN_LEN = const(37)                            # AAD, MAC and FECF: room for nothing less

# -- AES-256 (FIPS 197), the forward cipher: all GCM needs -------------------------------------------
_SBOX = bytearray(256)
_XTIME = bytearray(256)                         # multiplication by x (2) in GF(2^8)
for _a in range(256):
    _XTIME[_a] = ((_a << 1) ^ (0x1B if _a & 0x80 else 0)) & 0xFF


def _rotl8(b, n):
    return ((b << n) | (b >> (8 - n))) & 0xFF


def _make_sbox():
    # p runs through GF(2^8)* multiplied by 3 each step, q = p's inverse divided by 3 each step
    p = q = 1
    while True:
        p ^= _XTIME[p]
        q ^= q << 1
        q ^= q << 2
        q ^= q << 4
        q &= 0xFF
        if q & 0x80:
            q ^= 0x09
        _SBOX[p] = q ^ _rotl8(q, 1) ^ _rotl8(q, 2) ^ _rotl8(q, 3) ^ _rotl8(q, 4) ^ 0x63
        if p == 1:
            break
    _SBOX[0] = 0x63


_make_sbox()


def expand_key(key):
    """The 15 round keys of AES-256 (240 octets), word by word in place (no garbage to collect)."""
    sbox = _SBOX
    w = bytearray(240)
    w[:32] = key
    rcon = 1
    for i in range(32, 240, 4):
        a, b, c, d = w[i - 4], w[i - 3], w[i - 2], w[i - 1]
        if i % 32 == 0:                            # RotWord, SubWord, Rcon
            a, b, c, d = sbox[b] ^ rcon, sbox[c], sbox[d], sbox[a]
            rcon = _XTIME[rcon]
        elif i % 32 == 16:                         # SubWord
            a, b, c, d = sbox[a], sbox[b], sbox[c], sbox[d]
        w[i] = w[i - 32] ^ a
        w[i + 1] = w[i - 31] ^ b
        w[i + 2] = w[i - 30] ^ c
        w[i + 3] = w[i - 29] ^ d
    return w


def encrypt_block(rk, block):
    """One 16-octet block under round keys rk. The state is column by column; ShiftRows takes row
    r of column c from column c + r, i.e. octet (4c + 5r) mod 16."""
    sbox = _SBOX
    xt = _XTIME
    s = bytearray(16)
    for i in range(16):
        s[i] = block[i] ^ rk[i]
    t = bytearray(16)
    for o in range(16, 224, 16):
        for c in range(0, 16, 4):
            a0 = sbox[s[c]]
            a1 = sbox[s[(c + 5) & 15]]
            a2 = sbox[s[(c + 10) & 15]]
            a3 = sbox[s[(c + 15) & 15]]
            x = a0 ^ a1 ^ a2 ^ a3                  # MixColumns: a_i + x + 2(a_i + a_i+1)
            k = o + c
            t[c] = a0 ^ x ^ xt[a0 ^ a1] ^ rk[k]
            t[c + 1] = a1 ^ x ^ xt[a1 ^ a2] ^ rk[k + 1]
            t[c + 2] = a2 ^ x ^ xt[a2 ^ a3] ^ rk[k + 2]
            t[c + 3] = a3 ^ x ^ xt[a3 ^ a0] ^ rk[k + 3]
        s, t = t, s
    for i in range(16):                            # the last round has no MixColumns
        t[i] = sbox[s[(i + 4 * (i & 3)) & 15]] ^ rk[224 + i]
    return t


# -- GCM (NIST SP 800-38D) ---------------------------------------------------------------------------
# A block is a 128-bit int read big-endian: its top bit is the coefficient of x^0, so multiplying
# by x is a right shift, reduced by R = x^128 mod the field polynomial (1 + x + x^2 + x^7).
_R = 0xE1 << 120
# x^4 times a 4-bit tail that shifted out (its bits as powers x^128..x^131), reduced: R >> (3 - bit)
# for each bit set, all within the top 16 bits (kept as small ints, shifted into place when used)
_RED = [0] * 16
for _d in range(16):
    for _b in range(4):
        if _d >> _b & 1:
            _RED[_d] ^= 0xE1 << (5 + _b)


class Gcm:
    """AES-256-GCM with 96-bit IVs and 128-bit tags under one key; H's multiples by every 4-bit
    polynomial make a multiplication 32 table steps (Shoup's method)."""

    def __init__(self, key):
        self.encrypt = board.aes_ecb(key)
        if self.encrypt is None:
            rk = expand_key(key)
            self.encrypt = lambda block: encrypt_block(rk, block)
        # entry n: (n's bits 8, 4, 2, 1 as x^0 .. x^3) times H, H = the cipher of the zero block
        table = [0] * 16
        v = int.from_bytes(self.encrypt(bytes(16)), "big")
        for bit in (8, 4, 2, 1):
            table[bit] = v
            v = (v >> 1) ^ _R if v & 1 else v >> 1     # times x
        for n in range(3, 16):
            low = n & -n
            if n != low:
                table[n] = table[low] ^ table[n ^ low]
        self.table = table

    def _mul(self, x):
        table = self.table
        z = 0
        for shift in range(0, 128, 4):
            if shift:
                z = (z >> 4) ^ (_RED[z & 15] << 112)
            z ^= table[x >> shift & 15]
        return z

    def _ghash(self, y, data):
        for at in range(0, len(data), 16):
            block = data[at:at + 16]
            if len(block) < 16:
                block = block + bytes(16 - len(block))
            y = self._mul(y ^ int.from_bytes(block, "big"))
        return y

    def _counter(self, iv, n):
        return self.encrypt(iv + struct.pack(">I", n))

    def open(self, iv, aad, sealed, encrypted):
        """The clear data of sealed (data or ciphertext, then the tag), or None when the tag does
        not verify. encrypted False: GMAC, the data clear and authenticated with the AAD."""
        data = sealed[:-_MAC_LEN]
        if not encrypted:
            aad, text = aad + data, b""
        else:
            text = data
        y = self._ghash(self._ghash(0, aad), text)
        y = self._mul(y ^ (len(aad) * 8 << 64) ^ (len(text) * 8))
        tag = (y ^ int.from_bytes(self._counter(iv, 1), "big")).to_bytes(16, "big")
        diff = 0
        for a, b in zip(tag, sealed[-_MAC_LEN:]):  # every octet compared: no early exit
            diff |= a ^ b
        if diff:
            return None
        if not encrypted:
            return data
        clear = bytearray(data)
        for at in range(0, len(clear), 16):
            stream = self._counter(iv, at // 16 + 2)
            for i in range(min(16, len(clear) - at)):
                clear[at + i] ^= stream[i]
        return bytes(clear)


# -- associations, anti-replay and the counts of housekeeping 6 ---------------------------------------
secure = False
associations = {}           # SPI -> [encrypted, key id, VC, window, mask or None, the key or its Gcm]
last = {}                   # key id -> the last sequence number accepted under it
# by reason, SDLS_UNKNOWN_SPI (48) to SDLS_CLEAR_FRAME (52): unknown SPI, bad MAC, replay, out of
# window, clear frame refused, housekeeping 6's order
refused = [0] * 5
accepted = 0
clear_frames = 0
last_spi = 0
last_sequence = 0


def load():
    """At boot: the key file and the last sequence numbers from flash. No key file: clear frames."""
    global secure
    try:
        with open(KEY_FILE) as handle:
            document = json.load(handle)
    except OSError:
        core.event(D.EVENT_UPLINK_INSECURE)
        return
    keys = document["keys"]
    for entry in document["associations"]:
        key_id = entry.get("key")
        if key_id is None:
            continue                               # unkeyed: not operational
        mask = entry.get("mask")
        # the key's tables are made when its association first carries a frame: an association
        # the ground does not use costs the heap its 32 octets only
        associations[entry["spi"]] = [entry["service"] == "encryption", key_id, entry.get("vcid", 0),
                                      entry.get("window", 1024), bytes.fromhex(mask) if mask else None,
                                      bytes.fromhex(keys[str(key_id)])]
    secure = True
    try:
        with open(LAST_FILE) as handle:
            for line in handle:
                key_id, sequence = line.split()
                last[int(key_id)] = int(sequence)
    except OSError:
        pass                                       # nothing accepted yet


def _save():
    with open(LAST_FILE, "w") as handle:
        for key_id, sequence in last.items():
            handle.write(f"{key_id} {sequence}\n")


def _refuse(reason, spi):
    refused[reason - D.REASON_SDLS_UNKNOWN_SPI] += 1
    core.event(D.EVENT_SDLS_REJECTED, reason, spi)
    return reason, None


def process(frame):
    """ProcessSecurity on a frame with a good FECF and header: (0, clear frame data) or (reason,
    None), the refusal counted and reported. Nothing of the data is read before the MAC verifies."""
    global accepted, clear_frames, last_spi, last_sequence
    if not secure:
        clear_frames += 1
        return 0, frame[_HEADER:-_FECF_LEN]
    if len(frame) < _MIN_LEN:
        return _refuse(D.REASON_SDLS_CLEAR_FRAME, 0)
    spi = frame[_HEADER] << 8 | frame[_HEADER + 1]
    sa = associations.get(spi)
    if sa is None or frame[2] >> 2 != sa[2]:
        return _refuse(D.REASON_SDLS_UNKNOWN_SPI, spi)
    encrypted, key_id, _vcid, window, mask, gcm = sa
    if not isinstance(gcm, Gcm):
        gcm = sa[5] = Gcm(gcm)
    aad = frame[:_AAD_LEN]
    if mask is not None:
        aad = bytes(a & m for a, m in zip(aad, mask))
    iv = frame[_SPI_END:_AAD_LEN]
    data = gcm.open(iv, aad, frame[_AAD_LEN:-_FECF_LEN], encrypted)
    if data is None:
        return _refuse(D.REASON_SDLS_BAD_MAC, spi)
    sequence = int.from_bytes(iv, "big")
    before = last.get(key_id, 0)
    if sequence <= before:
        return _refuse(D.REASON_SDLS_REPLAY, spi)
    if sequence - before > window:
        return _refuse(D.REASON_SDLS_OUT_OF_WINDOW, spi)
    last[key_id] = sequence
    _save()                                        # in flash before anything acts on the frame
    accepted += 1
    last_spi, last_sequence = spi, sequence
    return 0, data


def housekeeping():
    operational = 0
    for spi in associations:
        if 1 <= spi <= 4:
            operational |= 1 << (spi - 1)
    return {"uplink_secure": int(secure), "sdls_accepted": accepted, "sdls_unknown_spi": refused[0],
            "sdls_bad_mac": refused[1], "sdls_replay": refused[2], "sdls_out_of_window": refused[3],
            "sdls_clear_refused": refused[4], "clear_frames": clear_frames, "last_spi": last_spi,
            "last_sequence": last_sequence & 0xFFFFFFFF, "sa_operational": operational}

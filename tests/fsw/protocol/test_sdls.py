"""SDLS (CCSDS 355.0-B-2) on TC frames: the cipher against NIST's vectors, frames worked out by
hand, anti-replay, the key file, and 100,000 forged frames of which none is accepted."""

import random

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fsw.protocol.crc import crc16
from fsw.protocol.reasons import ProtocolError, Reason
from fsw.protocol.sdls import (
    FULL_MASK,
    SECURED,
    SERVICE_AUTHENTICATION,
    SERVICE_ENCRYPTION,
    YAMCS_MASK,
    Association,
    apply_security,
    format_keyring,
    new_keyring,
    parse_keyring,
    private_mode_problem,
    process_security,
)
from fsw.protocol.tcframe import TcFrame, encode_tc_frame

# NIST CAVP, "GCM Test Vectors (SP 800-38D)", gcmtestvectors.zip, file gcmEncryptExtIV256.rsp:
# [Keylen = 256] [IVlen = 96] [Taglen = 128], a few counts of the PTlen/AADlen groups. Typed in:
# (key, IV, PT, AAD, CT, Tag), hex.
CAVP_GCM_ENCRYPT_EXT_IV256 = [
    # [PTlen = 0] [AADlen = 0] Count = 0, 1
    ("b52c505a37d78eda5dd34f20c22540ea1b58963cf8e5bf8ffa85f9f2492505b4", "516c33929df5a3284ff463d7",
     "", "", "", "bdc1ac884d332457a1d2664f168c76f0"),
    ("5fe0861cdc2690ce69b3658c7f26f8458eec1c9243c5ba0845305d897e96ca0f", "770ac1a5a3d476d5d96944a1",
     "", "", "", "196d691e1047093ca4b3d2ef4baba216"),
    # [PTlen = 0] [AADlen = 128] Count = 0, 1 (GMAC: what the authentication-only service computes)
    ("78dc4e0aaf52d935c3c01eea57428f00ca1fd475f5da86a49c8dd73d68c8e223", "d79cf22d504cc793c3fb6c8a",
     "", "b96baa8c1c75a671bfb2d08d06be5f36", "", "3e5d486aa2e30b22e040b85723a06e76"),
    ("4457ff33683cca6ca493878bdc00373893a9763412eef8cddb54f91318e0da88", "699d1f29d7b8c55300bb1fd2",
     "", "6749daeea367d0e9809e2dc2f309e6e3", "", "d60c74d2517fde4a74e0cd4709ed43a9"),
    # [PTlen = 128] [AADlen = 0] Count = 0, 1
    ("31bdadd96698c204aa9ce1448ea94ae1fb4a9a0b3c9d773b51bb1822666b8f22", "0d18e06c7c725ac9e362e1ce",
     "2db5168e932556f8089a0622981d017d", "", "fa4362189661d163fcd6a56d8bf0405a", "d636ac1bbedd5cc3ee727dc2ab4a9489"),
    ("460fc864972261c2560e1eb88761ff1c992b982497bd2ac36c04071cbb8e5d99", "8a4a16b9e210eb68bcb6f58d",
     "99e4e926ffe927f691893fb79a96b067", "", "133fc15751621b5f325c7ff71ce08324", "ec4e87e0cf74a13618d0b68636ba9fa7"),
    # [PTlen = 408] [AADlen = 160] Count = 0
    ("24501ad384e473963d476edcfe08205237acfd49b5b8f33857f8114e863fec7f", "9ff18563b978ec281b3f2794",
     "27f348f9cdc0c5bd5e66b1ccb63ad920ff2219d14e8d631b3872265cf117ee86757accb158bd9abb3868fdc0d0b074b5f01b2c",
     "adb5ec720ccf9898500028bf34afccbcaca126ef",
     "eb7cb754c824e8d96f7c6d9b76c7d26fb874ffbf1d65c6f64a698d839b0b06145dae82057ad55994cf59ad7f67c0fa5e85fab8",
     "bc95c532fecc594c36d1550286a7a3f0"),
    # [PTlen = 104] [AADlen = 0] Count = 0
    ("82c4f12eeec3b2d3d157b0f992d292b237478d2cecc1d5f161389b97f999057a", "7b40b20f5f397177990ef2d1",
     "982a296ee1cd7086afad976945", "", "ec8e05a0471d6b43a59ca5335f", "113ddeafc62373cac2f5951bb9165249"),
]


@pytest.mark.parametrize("key, iv, plaintext, aad, ciphertext, tag", CAVP_GCM_ENCRYPT_EXT_IV256)
def test_the_cipher_reproduces_nists_aes_256_gcm_vectors(key, iv, plaintext, aad, ciphertext, tag):
    gcm = AESGCM(bytes.fromhex(key))
    sealed = gcm.encrypt(bytes.fromhex(iv), bytes.fromhex(plaintext), bytes.fromhex(aad))
    assert sealed.hex() == ciphertext + tag
    assert gcm.decrypt(bytes.fromhex(iv), sealed, bytes.fromhex(aad)).hex() == plaintext


KEY = bytes(range(32))
ENCRYPTING = Association(1, SERVICE_ENCRYPTION, 1)
AUTHENTICATING = Association(2, SERVICE_AUTHENTICATION, 2)


def clear_frame(data: bytes, sequence: int = 7, vcid: int = 0) -> bytes:
    """What the sender builds (and a FOP keeps): room for the security header and trailer."""
    return encode_tc_frame(TcFrame(vcid, data, sequence), SECURED)


def test_a_golden_authenticated_encryption_frame_worked_out_by_hand():
    # 5 + 14 + 6 + 16 + 2 = 43 octets: length field 42. Bypass 1, SCID 61: 0x203D. N(S) 7.
    header = bytes.fromhex("203d002a07")
    security_header = bytes.fromhex("0001" "000000000000000000000001")      # SPI 1, IV = sequence 1
    # AES-256-GCM of "PJ-TC!" under key 00..1f, IV 0..01, AAD = both headers (every bit: the
    # full mask), computed with the bare cipher (the NIST-checked primitive), not our code
    ciphertext, mac = bytes.fromhex("459c92a807d5"), bytes.fromhex("60eab485685528583e05da3e08263f2a")
    assert AESGCM(KEY).encrypt(security_header[2:], b"PJ-TC!", header + security_header) == ciphertext + mac
    expected = header + security_header + ciphertext + mac + bytes.fromhex("4b31")   # FECF, CRC-16/CCITT-FALSE
    assert crc16(expected[:-2]) == 0x4B31

    assert apply_security(clear_frame(b"PJ-TC!"), ENCRYPTING, KEY, 1) == expected
    verified = process_security(expected, ENCRYPTING, KEY, last=0)
    assert (verified.data, verified.spi, verified.sequence) == (b"PJ-TC!", 1, 1)


def test_a_golden_authentication_only_frame_worked_out_by_hand():
    header = bytes.fromhex("203d002a08")
    security_header = bytes.fromhex("0002" "000000000000000000000001")
    # GMAC: GCM with no plaintext, the headers and the clear data all authenticated
    mac = bytes.fromhex("f7fbcc709797d23ed88b54cd47fcdf46")
    assert AESGCM(KEY).encrypt(security_header[2:], b"", header + security_header + b"PJ-TC!") == mac
    expected = header + security_header + b"PJ-TC!" + mac + bytes.fromhex("b636")

    assert apply_security(clear_frame(b"PJ-TC!", sequence=8), AUTHENTICATING, KEY, 1) == expected
    assert process_security(expected, AUTHENTICATING, KEY, last=0).data == b"PJ-TC!"


def test_a_frame_protected_with_yamcs_mask_verifies_under_an_association_with_that_mask():
    # Yamcs authenticates the VCID and the SPI only: N(S), flags and length may change after it
    yamcs = Association(5, SERVICE_ENCRYPTION, 1, mask=YAMCS_MASK)
    frame = bytearray(apply_security(clear_frame(b"command", sequence=1), yamcs, KEY, 9))
    frame[4] = 99                                   # a FOP numbered it after ApplySecurity
    frame[-2:] = crc16(bytes(frame[:-2])).to_bytes(2, "big")
    assert process_security(bytes(frame), yamcs, KEY, last=0).data == b"command"
    with pytest.raises(ProtocolError) as refused:   # under our mask every header bit counts
        process_security(bytes(frame), Association(5, SERVICE_ENCRYPTION, 1, mask=FULL_MASK), KEY, last=0)
    assert refused.value.reason == Reason.SDLS_BAD_MAC


def reason(frame, association=ENCRYPTING, key=KEY, last=0):
    with pytest.raises(ProtocolError) as refused:
        process_security(frame, association, key, last)
    return refused.value.reason


def test_anti_replay_accepts_only_new_sequence_numbers_within_the_window():
    sa = Association(1, SERVICE_ENCRYPTION, 1, window=10)
    frame = apply_security(clear_frame(b"x"), sa, KEY, 20)
    assert process_security(frame, sa, KEY, last=19).sequence == 20
    assert process_security(frame, sa, KEY, last=10).sequence == 20          # the edge of the window
    assert reason(frame, sa, last=20) == Reason.SDLS_REPLAY                   # the same one again
    assert reason(frame, sa, last=25) == Reason.SDLS_REPLAY                   # an older one after a newer
    assert reason(frame, sa, last=9) == Reason.SDLS_OUT_OF_WINDOW


def test_unknown_spi_clear_frames_other_channels_and_other_keys_are_refused():
    frame = apply_security(clear_frame(b"data"), ENCRYPTING, KEY, 1)
    assert reason(frame, association=None, key=None) == Reason.SDLS_UNKNOWN_SPI
    assert reason(frame, Association(1, SERVICE_ENCRYPTION, 1, vcid=3)) == Reason.SDLS_UNKNOWN_SPI
    assert reason(encode_tc_frame(TcFrame(0, b"ping"))) == Reason.SDLS_CLEAR_FRAME
    assert reason(frame, key=bytes(32)) == Reason.SDLS_BAD_MAC
    assert reason(frame, Association(1, SERVICE_AUTHENTICATION, 1)) == Reason.SDLS_BAD_MAC   # the other service


def test_the_key_file_text_round_trips_and_bad_files_say_why():
    keyring = new_keyring(61)
    again = parse_keyring(format_keyring(keyring))
    assert again.keys == keyring.keys and again.associations == keyring.associations and again.uplink_spi == 1
    assert len({*keyring.keys.values()}) == 8                                 # fresh random keys
    for text, said in [("{", "not JSON"), ('{"format": "x"}', "not a key file"),
                       (format_keyring(keyring).replace('"uplink_spi": 1', '"uplink_spi": 9'), "names no association")]:
        with pytest.raises(ValueError, match=said):
            parse_keyring(text)
    assert private_mode_problem(0o100600) is None
    assert "readable by others" in private_mode_problem(0o100644)


FORGERIES = 100_000


def test_100000_forged_and_mutated_frames_are_all_refused_and_nothing_crashes():
    """Frames a keyless attacker can make from captured ones: every octet flipped somewhere,
    truncated, extended, spliced, renumbered, random; each with a correct FECF (anyone can
    compute a CRC). None may verify, and every refusal is a ProtocolError."""
    rng = random.Random(355)
    captured = [apply_security(clear_frame(rng.randbytes(rng.randint(1, 200)), sequence=n & 0xFF),
                               ENCRYPTING if n % 2 else AUTHENTICATING, KEY, n + 1) for n in range(64)]
    accepted, reasons = 0, set()
    for n in range(FORGERIES):
        original = captured[n % len(captured)]
        frame = bytearray(original[:-2])
        kind = n % 5
        if kind == 0:        # flip bits anywhere the MAC covers
            for _ in range(rng.randint(1, 3)):
                frame[rng.randrange(len(frame))] ^= 1 << rng.randrange(8)
        elif kind == 1:      # cut or grow the frame (its length field told the truth before)
            frame = frame[:rng.randrange(len(frame))] if rng.random() < 0.5 else frame + rng.randbytes(rng.randint(1, 16))
        elif kind == 2:      # splice two captured frames
            other = captured[rng.randrange(len(captured))]
            cut = rng.randrange(5, len(frame))
            frame = frame[:cut] + bytearray(other[cut:-2])
        elif kind == 3:      # a guessed MAC
            frame[-16:] = rng.randbytes(16)
        else:                # nothing captured: random bytes behind a plausible header
            frame = frame[:5] + bytearray(rng.randbytes(rng.randint(0, 80)))
        if bytes(frame) == original[:-2]:
            continue
        forged = bytes(frame) + crc16(bytes(frame)).to_bytes(2, "big")
        association = ENCRYPTING if forged[5:7] == b"\x00\x01" else AUTHENTICATING
        try:
            process_security(forged, association, KEY, last=0)
        except ProtocolError as error:
            reasons.add(error.reason)
        else:
            accepted += 1
    assert accepted == 0
    assert reasons <= {Reason.SDLS_BAD_MAC, Reason.SDLS_CLEAR_FRAME, Reason.SDLS_UNKNOWN_SPI}


def test_a_cop1_control_frame_is_protected_like_a_data_frame():
    # Type-BC (bypass 1, control 1): Unlock is one octet 0x00 (CCSDS 232.1-B-2)
    unlock = encode_tc_frame(TcFrame(0, b"\x00", 3, control=True), SECURED)
    protected = apply_security(unlock, AUTHENTICATING, KEY, 5)
    assert protected[0] & 0x30 == 0x30 and len(protected) == 5 + 14 + 1 + 16 + 2
    assert process_security(protected, AUTHENTICATING, KEY, last=0).data == b"\x00"
    as_data = bytearray(protected[:-2])
    as_data[0] &= ~0x10                              # the same frame passed off as Type-BD
    forged = bytes(as_data) + crc16(bytes(as_data)).to_bytes(2, "big")
    assert reason(forged, AUTHENTICATING) == Reason.SDLS_BAD_MAC

// AES-256 and GCM written from the standards' text (FIPS-197, NIST SP 800-38D). The S-box is
// computed once at start-up (256 octets of RAM, no table in flash); GHASH multiplies a whole octet
// at a time with two 16-entry tables per key. A build that calls none of it (the Uno's) links none
// of it.
#include "pj_gcm.h"

#include <string.h>

#define ROUNDS 14

static uint8_t sbox[256];

// inlined: MixColumns calls it 16 times a round
static inline __attribute__((always_inline)) uint8_t xtime(uint8_t a) {
  return (uint8_t)(a << 1) ^ ((a & 0x80) ? 0x1B : 0);
}

static uint8_t gf_mul(uint8_t a, uint8_t b) {
  uint8_t product = 0;
  for (; b; b >>= 1, a = xtime(a))
    if (b & 1) product ^= a;
  return product;
}

static uint8_t rotl(uint8_t b, uint8_t n) { return (uint8_t)(b << n) | (b >> (8 - n)); }

// FIPS-197 5.1.1: the multiplicative inverse in GF(2^8) (a^254; 0 stays 0), then the affine map
static void make_sbox() {
  for (uint16_t x = 0; x < 256; x++) {
    uint8_t inverse = 1, a = x;
    for (uint8_t e = 254; e; e >>= 1, a = gf_mul(a, a))
      if (e & 1) inverse = gf_mul(inverse, a);
    sbox[x] = inverse ^ rotl(inverse, 1) ^ rotl(inverse, 2) ^ rotl(inverse, 3) ^ rotl(inverse, 4) ^ 0x63;
  }
}

// FIPS-197 5.2, Nk = 8: 60 words of round key
static void expand_key(uint8_t *w, const uint8_t *key) {
  memcpy(w, key, PJ_GCM_KEY_LEN);
  uint8_t rcon = 1;
  for (uint8_t i = 8; i < 4 * (ROUNDS + 1); i++) {
    uint8_t t[4];
    memcpy(t, w + 4 * (i - 1), 4);
    if (i % 8 == 0) {   // RotWord, SubWord, Rcon
      uint8_t first = t[0];
      t[0] = sbox[t[1]] ^ rcon;
      t[1] = sbox[t[2]];
      t[2] = sbox[t[3]];
      t[3] = sbox[first];
      rcon = xtime(rcon);
    } else if (i % 8 == 4) {
      for (uint8_t k = 0; k < 4; k++) t[k] = sbox[t[k]];
    }
    for (uint8_t k = 0; k < 4; k++) w[4 * i + k] = w[4 * (i - 8) + k] ^ t[k];
  }
}

// FIPS-197 5.1: the state column by column, octet r + 4c
static void encrypt_block(const uint8_t *round_key, const uint8_t *in, uint8_t *out) {
  uint8_t s[16], t[16];
  for (uint8_t i = 0; i < 16; i++) s[i] = in[i] ^ *round_key++;
  for (uint8_t round = 1; round <= ROUNDS; round++) {
    // SubBytes and ShiftRows: row r (octets r, r + 4, ...) moves r columns left
    t[0] = sbox[s[0]], t[4] = sbox[s[4]], t[8] = sbox[s[8]], t[12] = sbox[s[12]];
    t[1] = sbox[s[5]], t[5] = sbox[s[9]], t[9] = sbox[s[13]], t[13] = sbox[s[1]];
    t[2] = sbox[s[10]], t[6] = sbox[s[14]], t[10] = sbox[s[2]], t[14] = sbox[s[6]];
    t[3] = sbox[s[15]], t[7] = sbox[s[3]], t[11] = sbox[s[7]], t[15] = sbox[s[11]];
    if (round < ROUNDS) {
      for (uint8_t *c = t; c != t + 16; c += 4) {   // MixColumns: {02}a0 + {03}a1 + a2 + a3, ...
        uint8_t a0 = c[0], a1 = c[1], a2 = c[2], a3 = c[3], all = a0 ^ a1 ^ a2 ^ a3;
        c[0] = a0 ^ all ^ xtime(a0 ^ a1);
        c[1] = a1 ^ all ^ xtime(a1 ^ a2);
        c[2] = a2 ^ all ^ xtime(a2 ^ a3);
        c[3] = a3 ^ all ^ xtime(a3 ^ a0);
      }
    }
    const uint8_t *from = t;
    for (uint8_t *to = s; to != s + 16;) *to++ = *from++ ^ *round_key++;
  }
  memcpy(out, s, 16);
}

// GCM's field (SP 800-38D 6.3): bit 0 of a block is the MSB of octet 0 and the coefficient of
// x^0; times x is a right shift, reduced by R = 11100001 || 0^120
static void times_x(uint8_t *v) {
  uint8_t carry = v[15] & 1;
  for (uint8_t j = 15; j; j--) v[j] = (v[j] >> 1) | (uint8_t)(v[j - 1] << 7);
  v[0] >>= 1;
  if (carry) v[0] ^= 0xE1;
}

// times x^8 reduces the octet shifted out into octets 0 and 1 only: its 256 cases
static uint8_t reduce8[256][2];

static void make_reduce8() {
  for (uint16_t r = 0; r < 256; r++) {
    uint8_t v[16] = {0};
    v[15] = r;
    for (uint8_t k = 0; k < 8; k++) times_x(v);
    reduce8[r][0] = v[0];
    reduce8[r][1] = v[1];
  }
}

// high[n] = n H, the nibble n read as four coefficients (8: x^0, 4: x^1, 2: x^2, 1: x^3);
// low[n] = n H x^4, for the second nibble of an octet
static void make_tables(PjGcmKey *key, const uint8_t *h) {
  uint8_t(*high)[16] = key->h_high, (*low)[16] = key->h_low;
  memset(high[0], 0, 16);
  memcpy(high[8], h, 16);
  for (uint8_t n = 4; n; n >>= 1) {
    memcpy(high[n], high[n << 1], 16);
    times_x(high[n]);
  }
  memcpy(low[8], high[1], 16);
  times_x(low[8]);
  for (uint8_t n = 4; n; n >>= 1) {
    memcpy(low[n], low[n << 1], 16);
    times_x(low[n]);
  }
  memset(low[0], 0, 16);
  for (uint8_t n = 2; n < 16; n <<= 1)
    for (uint8_t m = 1; m < n; m++)
      for (uint8_t j = 0; j < 16; j++) {
        high[n + m][j] = high[n][j] ^ high[m][j];
        low[n + m][j] = low[n][j] ^ low[m][j];
      }
}

// y = y H by Horner's rule over y's 16 octets, the last (highest powers of x) first. Written for
// the AVR: pointers walked, not indexed, so that the loops keep them in registers.
static void times_h(uint8_t *y, const PjGcmKey *key) {
  uint8_t z[16] = {0};
  const uint8_t *octet = y + 16;
  do {
    uint8_t rem = z[15];   // z = z x^8: one octet along
    for (uint8_t *p = z + 15; p != z; p--) p[0] = p[-1];
    const uint8_t *high = key->h_high[*--octet >> 4], *low = key->h_low[*octet & 0x0F];
    z[0] = reduce8[rem][0];
    z[1] ^= reduce8[rem][1];
    uint8_t *p = z;
    do {
      *p++ ^= *high++ ^ *low++;
    } while (p != z + 16);
  } while (octet != y);
  memcpy(y, z, 16);
}

// GHASH over one string, its last block padded with zeros
static void ghash(uint8_t *y, const PjGcmKey *key, const uint8_t *data, uint16_t len) {
  while (len) {
    uint8_t n = len < 16 ? len : 16;
    for (uint8_t j = 0; j < n; j++) y[j] ^= data[j];
    times_h(y, key);
    data += n;
    len -= n;
  }
}

// the tag: E(J0) xor GHASH(A || 0* || C || 0* || [len A]64 || [len C]64), J0 = IV || 0^31 1
static void tag_of(const PjGcmKey *key, const uint8_t *iv, const uint8_t *aad, uint16_t aad_len,
                   const uint8_t *text, uint16_t text_len, uint8_t *tag) {
  uint8_t y[16] = {0}, lengths[16] = {0}, j0[16];
  ghash(y, key, aad, aad_len);
  ghash(y, key, text, text_len);
  uint32_t aad_bits = (uint32_t)aad_len * 8, text_bits = (uint32_t)text_len * 8;
  for (uint8_t k = 0; k < 4; k++) {
    lengths[7 - k] = aad_bits >> (8 * k);
    lengths[15 - k] = text_bits >> (8 * k);
  }
  ghash(y, key, lengths, 16);
  memcpy(j0, iv, PJ_GCM_IV_LEN);
  j0[12] = j0[13] = j0[14] = 0;
  j0[15] = 1;
  encrypt_block(key->round_keys, j0, tag);
  for (uint8_t j = 0; j < 16; j++) tag[j] ^= y[j];
}

// GCTR from inc32(J0): counter blocks IV || 2, IV || 3, ...
static void counter_mode(const PjGcmKey *key, const uint8_t *iv, uint8_t *text, uint16_t len) {
  uint8_t block[16], stream[16];
  memcpy(block, iv, PJ_GCM_IV_LEN);
  for (uint32_t counter = 2; len; counter++) {
    for (uint8_t k = 0; k < 4; k++) block[15 - k] = counter >> (8 * k);
    encrypt_block(key->round_keys, block, stream);
    uint8_t n = len < 16 ? len : 16;
    for (uint8_t j = 0; j < n; j++) text[j] ^= stream[j];
    text += n;
    len -= n;
  }
}

void pj_gcm_init(PjGcmKey *key, const uint8_t *key_octets) {
  if (!sbox[0]) {   // S(0) = 0x63: zero only before the first key
    make_sbox();
    make_reduce8();
  }
  expand_key(key->round_keys, key_octets);
  uint8_t h[16] = {0};
  encrypt_block(key->round_keys, h, h);
  make_tables(key, h);
}

bool pj_gcm_open(const PjGcmKey *key, const uint8_t *iv, const uint8_t *aad, uint16_t aad_len,
                 uint8_t *text, uint16_t text_len, const uint8_t *tag) {
  uint8_t expected[PJ_GCM_TAG_LEN], difference = 0;
  tag_of(key, iv, aad, aad_len, text, text_len, expected);
  for (uint8_t j = 0; j < PJ_GCM_TAG_LEN; j++) difference |= expected[j] ^ tag[j];   // in constant time
  if (difference) return false;
  counter_mode(key, iv, text, text_len);
  return true;
}

void pj_gcm_seal(const PjGcmKey *key, const uint8_t *iv, const uint8_t *aad, uint16_t aad_len,
                 uint8_t *text, uint16_t text_len, uint8_t *tag) {
  counter_mode(key, iv, text, text_len);
  tag_of(key, iv, aad, aad_len, text, text_len, tag);
}

// AES-256 (FIPS-197, the forward cipher only) and GCM (NIST SP 800-38D) with 96-bit IVs and
// 16-octet tags: what SDLS's AES-256-GCM and GMAC services need on the board (pj_sdls.cpp).
// Plain C over bytes, no Arduino dependency: the same file builds for the host.
#ifndef PJ_GCM_H
#define PJ_GCM_H

#include <stdint.h>

#define PJ_GCM_KEY_LEN 32
#define PJ_GCM_IV_LEN 12
#define PJ_GCM_TAG_LEN 16

// one key, ready to use: its round keys and the multiples of the GHASH key H = AES_K(0^128)
struct PjGcmKey {
  uint8_t round_keys[15 * 16];
  uint8_t h_high[16][16];   // n H for a nibble n
  uint8_t h_low[16][16];    // n H x^4
};

void pj_gcm_init(PjGcmKey *key, const uint8_t *key_octets);

// GCM-AD over aad (authenticated only) and text (ciphertext, decrypted in place when the tag
// verifies): true when `tag` is the tag of (iv, aad, text). Nothing is decrypted otherwise.
// GMAC is the same with everything in aad and no text.
bool pj_gcm_open(const PjGcmKey *key, const uint8_t *iv, const uint8_t *aad, uint16_t aad_len,
                 uint8_t *text, uint16_t text_len, const uint8_t *tag);

// GCM-AE: text encrypted in place, its tag written to tag (for the host tests of this code)
void pj_gcm_seal(const PjGcmKey *key, const uint8_t *iv, const uint8_t *aad, uint16_t aad_len,
                 uint8_t *text, uint16_t text_len, uint8_t *tag);

#endif

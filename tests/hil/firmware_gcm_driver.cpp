// The firmware's AES-256-GCM (hil/arduino/perijove/pj_gcm.cpp) built for the host, for
// tests/hil/test_firmware_gcm.py. One case per line on stdin, hex fields ("-" when empty):
//   key iv aad plaintext
// and per case one line out: ciphertext tag opened tampered
// (opened: pj_gcm_open takes the sealed text back to the plaintext; tampered: it refuses the
// tag with one bit flipped and leaves the text as it was).
#include <stdio.h>
#include <string.h>

#include "pj_gcm.h"

static size_t unhex(const char *text, uint8_t *out, size_t room) {
  size_t n = 0;
  if (!strcmp(text, "-")) return 0;
  while (text[2 * n] && text[2 * n + 1] && n < room && sscanf(text + 2 * n, "%2hhx", &out[n]) == 1) n++;
  return n;
}

static void hex(const uint8_t *data, size_t n) {
  if (!n) printf("-");
  for (size_t i = 0; i < n; i++) printf("%02x", data[i]);
}

int main() {
  static char key_hex[80], iv_hex[40], aad_hex[1100], text_hex[1100];
  while (scanf("%79s %39s %1099s %1099s", key_hex, iv_hex, aad_hex, text_hex) == 4) {
    uint8_t key_octets[32], iv[12], aad[550], text[550], sealed[550], tag[16];
    unhex(key_hex, key_octets, sizeof key_octets);
    unhex(iv_hex, iv, sizeof iv);
    size_t aad_len = unhex(aad_hex, aad, sizeof aad), text_len = unhex(text_hex, text, sizeof text);
    PjGcmKey key;
    pj_gcm_init(&key, key_octets);
    memcpy(sealed, text, text_len);
    pj_gcm_seal(&key, iv, aad, aad_len, sealed, text_len, tag);
    hex(sealed, text_len);
    printf(" ");
    hex(tag, sizeof tag);
    uint8_t opened[550];
    memcpy(opened, sealed, text_len);
    bool good = pj_gcm_open(&key, iv, aad, aad_len, opened, text_len, tag) && !memcmp(opened, text, text_len);
    tag[15] ^= 1;
    memcpy(opened, sealed, text_len);
    bool refused = !pj_gcm_open(&key, iv, aad, aad_len, opened, text_len, tag) && !memcmp(opened, sealed, text_len);
    printf(" %d %d\n", good, refused);
  }
  return 0;
}

// ProcessSecurity in the host's order (fsw/protocol/sdls.py process_security): room for the
// security fields, an operational association for the SPI on virtual channel 0, the MAC, then
// the sequence number above the last one accepted and within the window. The sequence number of
// an accepted frame is in the EEPROM before the frame goes on, so a reset never lets it in again:
// in a ring of RING places per association, each frame's in the next, so that each EEPROM cell
// takes one write in RING (100,000 writes a cell: RING x 100,000 frames an association).
#include "pj_sdls.h"

#ifdef PJ_SDLS

#include <avr/eeprom.h>
#include <stddef.h>
#include <string.h>

#include "pj_app.h"
#include "pj_gcm.h"
#include "pj_wire.h"

#define SPI_LEN 2
#define AAD_LEN (PJ_TC_HEADER_LEN + SPI_LEN + PJ_GCM_IV_LEN)   // frame header and security header
#define WINDOW 1024
#define ENCRYPTION 1       // authenticated encryption, AES-256-GCM
#define AUTHENTICATION 2   // authentication only, GMAC

// The EEPROM: a mark, then one slot per association (hil/board.py eeprom_keys writes it)
#define EEPROM_MARK 0x504A4B31UL   // "PJK1"
#define SLOTS 2
#define RING 16
struct Slot {
  uint16_t spi;
  uint8_t service;                 // ENCRYPTION, AUTHENTICATION; anything else: an empty slot
  uint8_t key[PJ_GCM_KEY_LEN];
  uint8_t ring[RING][PJ_GCM_IV_LEN];   // sequence numbers accepted under the key, big endian: the
};                                     // highest is the last
#define SLOT_ADDRESS(i) ((uint8_t *)4 + (i) * sizeof(Slot))

struct Association {
  uint16_t spi;
  uint8_t service;
  uint8_t last[PJ_GCM_IV_LEN];
  uint8_t *ring;                   // its ring in the EEPROM
  uint8_t next;                    // the place in it for the next number
  PjGcmKey key;
};
static Association associations[SLOTS];
static uint8_t operational;        // associations loaded

// housekeeping structure 6, in its order: accepted, then the refusals by reason (48 .. 52)
static uint32_t counts[1 + PJ_REASON_SDLS_CLEAR_FRAME - PJ_REASON_SDLS_UNKNOWN_SPI + 1];
static uint16_t last_spi;
static uint32_t last_sequence;

void pj_sdls_begin() {
  uint8_t mark[4];
  eeprom_read_block(mark, 0, 4);
  if (pj_get32(mark) != EEPROM_MARK) return;   // no keys: every frame is refused
  for (uint8_t i = 0; i < SLOTS; i++) {
    uint8_t head[offsetof(Slot, ring)];
    eeprom_read_block(head, SLOT_ADDRESS(i), sizeof head);
    uint8_t service = head[offsetof(Slot, service)];
    if (service != ENCRYPTION && service != AUTHENTICATION) continue;
    Association &sa = associations[operational++];
    sa.spi = pj_get16(head);   // stored big endian, as on the wire
    sa.service = service;
    sa.ring = SLOT_ADDRESS(i) + offsetof(Slot, ring);
    memset(sa.last, 0, sizeof sa.last);
    for (uint8_t k = 0; k < RING; k++) {   // the highest number in the ring is the last accepted
      uint8_t sequence[PJ_GCM_IV_LEN];
      eeprom_read_block(sequence, sa.ring + k * PJ_GCM_IV_LEN, PJ_GCM_IV_LEN);
      if (memcmp(sequence, sa.last, PJ_GCM_IV_LEN) > 0) {
        memcpy(sa.last, sequence, PJ_GCM_IV_LEN);
        sa.next = (k + 1) % RING;
      }
    }
    pj_gcm_init(&sa.key, head + offsetof(Slot, key));
    memset(head, 0, sizeof head);
  }
}

static Association *find(uint16_t spi) {
  for (uint8_t i = 0; i < operational; i++)
    if (associations[i].spi == spi) return &associations[i];
  return 0;
}

// the 96-bit sequence against the last one accepted: above it, by at most the window
static uint8_t check_sequence(const uint8_t *last, const uint8_t *sequence) {
  uint8_t difference[PJ_GCM_IV_LEN], borrow = 0, high = 0;
  for (int8_t i = PJ_GCM_IV_LEN - 1; i >= 0; i--) {
    int16_t d = (int16_t)sequence[i] - last[i] - borrow;
    borrow = d < 0;
    difference[i] = d;
  }
  for (uint8_t i = 0; i < PJ_GCM_IV_LEN - 2; i++) high |= difference[i];
  uint16_t low = pj_get16(difference + PJ_GCM_IV_LEN - 2);
  if (borrow || (!high && !low)) return PJ_REASON_SDLS_REPLAY;
  if (high || low > WINDOW) return PJ_REASON_SDLS_OUT_OF_WINDOW;
  return 0;
}

static uint8_t verify(uint8_t *f, uint8_t n, Association *sa) {
  const uint8_t *iv = f + PJ_TC_HEADER_LEN + SPI_LEN;
  uint8_t *data = f + AAD_LEN;
  uint8_t data_len = n - AAD_LEN - PJ_GCM_TAG_LEN - PJ_FECF_LEN;
  const uint8_t *mac = data + data_len;
  bool good = sa->service == ENCRYPTION
                  ? pj_gcm_open(&sa->key, iv, f, AAD_LEN, data, data_len, mac)
                  : pj_gcm_open(&sa->key, iv, f, AAD_LEN + data_len, 0, 0, mac);   // GMAC
  if (!good) return PJ_REASON_SDLS_BAD_MAC;
  uint8_t reason = check_sequence(sa->last, iv);
  if (reason) return reason;
  memcpy(sa->last, iv, PJ_GCM_IV_LEN);   // durable before the frame goes on
  eeprom_update_block(iv, sa->ring + sa->next * PJ_GCM_IV_LEN, PJ_GCM_IV_LEN);
  sa->next = (sa->next + 1) % RING;
  last_spi = sa->spi;
  last_sequence = pj_get32(iv + PJ_GCM_IV_LEN - 4);
  memmove(f + PJ_TC_HEADER_LEN, data, data_len);
  return 0;
}

uint8_t pj_sdls_process(uint8_t *f, uint8_t *len) {
  uint8_t n = *len, reason;
  uint16_t spi = 0;
  if (n < AAD_LEN + PJ_GCM_TAG_LEN + PJ_FECF_LEN) {
    reason = PJ_REASON_SDLS_CLEAR_FRAME;
  } else {
    spi = pj_get16(f + PJ_TC_HEADER_LEN);
    Association *sa = find(spi);
    // every association protects virtual channel 0
    reason = sa && (f[2] >> 2) == 0 ? verify(f, n, sa) : PJ_REASON_SDLS_UNKNOWN_SPI;
  }
  if (!reason) {
    counts[0]++;
    *len = n - SPI_LEN - PJ_GCM_IV_LEN - PJ_GCM_TAG_LEN;
    return 0;
  }
  counts[1 + reason - PJ_REASON_SDLS_UNKNOWN_SPI]++;
  uint8_t event[PJ_EVENT_SDLS_REJECTED_ARG_LEN];
  pj_put16(event + PJ_EVENT_SDLS_REJECTED_ARG_REASON, reason);
  pj_put16(event + PJ_EVENT_SDLS_REJECTED_ARG_SPI, spi);
  pj_event(PJ_EVENT_SDLS_REJECTED_ID, PJ_EVENT_SDLS_REJECTED_SEVERITY, event, sizeof event);
  return reason;
}

uint8_t pj_sdls_hk(uint8_t *out) {
  out[PJ_HK_SECURITY_UPLINK_SECURE] = PJ_HK_SECURITY_UPLINK_SECURE_YES;   // the board takes no clear frame
  static_assert(PJ_HK_SECURITY_SDLS_CLEAR_REFUSED == PJ_HK_SECURITY_SDLS_ACCEPTED + 4 * 5,
                "accepted and the refusals by reason are consecutive u32 in structure 6");
  for (uint8_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
    pj_put32(out + PJ_HK_SECURITY_SDLS_ACCEPTED + 4 * i, counts[i]);
  pj_put16(out + PJ_HK_SECURITY_LAST_SPI, last_spi);
  pj_put32(out + PJ_HK_SECURITY_LAST_SEQUENCE, last_sequence);
  uint8_t bits = 0;
  for (uint8_t i = 0; i < operational; i++)
    if (associations[i].spi >= 1 && associations[i].spi <= 4) bits |= 1 << (associations[i].spi - 1);
  out[PJ_HK_SECURITY_SA_OPERATIONAL] = bits;
  return PJ_HK_SECURITY_LEN;
}

#endif

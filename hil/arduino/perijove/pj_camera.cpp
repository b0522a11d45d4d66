// A small camera: power and warm-up, configuration, and one synthetic 64x64 image per filter
// computed pixel by pixel when needed, so no frame buffer is kept. The image's stored file (the
// host's .pjim: prefix, JSON header, pixels) is made octet by octet as CFDP sends it (pj_cfdp.cpp).
//
// The same principles as the host's camera, reduced: the damage is one number (the failing
// regulator's, d = hot_pixels / 1200, which the anneal lowers) that raises the offset, stripes the
// rows (a hash of row and image: no RAM), adds noise and drops pixels; pixels are 12-bit values
// companded to 8 bits by the square-root rule of the host's table (pj_compand.cpp).
#include <Arduino.h>
#include <avr/pgmspace.h>
#include <string.h>

#include "pj_app.h"
#include "pj_clock.h"
#include "pj_compand.h"
#include "pj_downlink.h"
#include "pj_wire.h"

#define SIDE 64                              // columns; a framelet is PJ_STRIP_ROWS of them
#define FRAMELET (SIDE * PJ_STRIP_ROWS)       // pixels of one filter's strip in one framelet
#define MAX_STRIPS 24                         // framelets times filters: a file of 48 KB at most
#define WARM_UP_MS 2000UL
#define IO_RANGE_KM 1500.0f         // PJ57's closest approach to Io

static uint8_t power = PJ_CAM_POWER_OFF;
static uint8_t state = PJ_CAM_STATE_OFF;
static uint32_t powered_ms;
static uint16_t exposure = 10;
static uint8_t filters = 1;
static uint8_t tdi = 1;
// radiation damage so far, as the host's regulator stress: 55% of it permanent, the rest healed
// by warmth (pj_camera_heal); hot_pixels is the two together
#define HOT_PERMANENT 660
static float recoverable = 540.0f;
static uint32_t hot_pixels = 1200;

// the one stored image
static uint16_t image_id, last_image;
static uint32_t image_time, image_crc, image_hot;
static uint8_t image_filters;
static uint16_t image_exposure;
static uint8_t image_tdi;
static uint8_t image_framelets;

static bool sending;          // its file is going down: kept as it is until the end

static uint8_t planes(uint8_t mask) { return __builtin_popcount(mask); }
static uint16_t image_size() { return FRAMELET * image_framelets * planes(image_filters); }
// the host's count of 512-octet segments for the same payload (cam_list reports it)
static uint16_t segments() { return (image_size() + 511) / 512; }

// a cheap hash: the same pixel always gets the same noise
static uint16_t mix(uint16_t x) {
  x ^= x >> 7;
  x *= 0x2F3B;
  x ^= x >> 9;
  return x;
}

// the image's damage, set at capture: degradation (0-256), offset, gain (8.8, exposure
// included), ceiling, and the noise values below which a pixel drops out or is hot
static uint16_t img_d, img_offset, img_scale, img_ceiling, drop_below, hot_below;

// the regulator's degradation, 0-256, from the damage so far, and the dark level it raises
static uint16_t degradation(uint32_t hot) { return min(hot, (uint32_t)1200) * 256UL / 1200; }
static uint16_t dark_level(uint16_t d) { return 40 + (uint32_t)d * 700 / 256; }

static void image_damage() {
  img_d = degradation(image_hot);
  img_offset = dark_level(img_d);
  img_scale = (uint32_t)min(image_exposure, (uint16_t)100) * (256 - img_d * 3 / 10) / 100;
  img_ceiling = 4095 - (uint32_t)img_d * 1800 / 256;
  drop_below = img_d / 16;
  hot_below = img_d ? img_d / 64 + 1 : 0;
}

// The chip: the four filter strips one under the other at JunoCam's places (methane at the top,
// red at the bottom: PJ_STRIP_OFFSET rows below methane's first row, read 4 x 4 summed), all read
// out at once in each framelet as the spin sweeps the sky down the chip, so a filter's framelet k
// sees the sky's rows from k x PJ_STRIP_ROWS - offset (as the host's camera, fsw/hw/sim/detector.py).
// The file holds each filter's framelets in turn; the ground lines them up
// (imagefile.reassemble). Io sits in the middle of the rows every filter saw.
static const uint8_t strip_offset[4] PROGMEM = {   // by filter bit: red, green, blue, methane
  PJ_STRIP_OFFSET_RED, PJ_STRIP_OFFSET_GREEN, PJ_STRIP_OFFSET_BLUE, PJ_STRIP_OFFSET_METHANE};
#define DISC 24                              // Io's radius, pixels

// Pixels are made in order, so what a plane, a framelet or a row shares is worked out once: the
// cursor holds the next pixel's place, its plane's noise key and level, and its row's stripe and
// place on the sky
static struct {
  uint8_t filter;         // the plane's filter bit (0 red ... 3 methane)
  uint8_t framelet, row, col;   // row: in the strip
  uint16_t i;             // the pixel's index in its plane
  uint16_t key;           // the plane's noise key
  int16_t disc;           // Io's level at the disc's centre in this plane
  int16_t row_level;      // offset, the row's stripe and the noise's -8
  int8_t y;               // the row's sky row from Io's centre, or DISC: not on Io
} cursor;

static void plane_start() {   // the next filter taken, from cursor.filter on
  while (!(image_filters >> cursor.filter & 1)) cursor.filter++;
  cursor.key = (uint16_t)(image_id * 0x9E37) ^ ((uint16_t)cursor.filter << 12);
  cursor.disc = 2400 + cursor.filter * 150;
}

// a readout's rows each get their own offset, drawn afresh for each framelet: a hash of the
// chip's row, the framelet and the image
static void row_start() {
  uint8_t offset = pgm_read_byte(&strip_offset[cursor.filter]);
  uint8_t chip_row = offset + cursor.row;
  uint16_t hash = mix(chip_row ^ ((uint16_t)cursor.framelet << 7) ^ (image_id << 11));
  int16_t stripe = ((int16_t)((hash & 255) - 128) * (int16_t)img_d) >> 8;   // within 16 bits
  cursor.row_level = img_offset + stripe - 8;
  int16_t seen = (int16_t)image_framelets * PJ_STRIP_ROWS - PJ_MAX_STRIP_OFFSET;   // rows every filter saw
  if (seen < PJ_STRIP_ROWS) seen = PJ_STRIP_ROWS;
  int16_t y = (int16_t)cursor.framelet * PJ_STRIP_ROWS + cursor.row - offset - seen / 2;
  cursor.y = y > -DISC && y < DISC ? y : DISC;
}

static void rewind() {   // to the first pixel
  memset(&cursor, 0, sizeof cursor);
  plane_start();
  row_start();
}

// Io as a lit disc with a dark lava lake (Loki) and its island, dark sky, and the damage, in
// 12-bit DN, companded; then the cursor moves on
static uint8_t next_pixel() {
  int8_t x = cursor.col - SIDE / 2, y = cursor.y;
  uint16_t noise = mix(cursor.i ^ cursor.key);
  uint8_t value;
  if ((noise & 4095) < drop_below) {
    value = 0;                                                         // dropouts
  } else if ((noise & 32767) < hot_below) {
    value = 255;                                                       // a few hot pixels
  } else {
    int16_t r2 = x * x + y * y;
    uint16_t level = 0;
    if (r2 < DISC * DISC) {
      level = cursor.disc - r2 * 3;
      int8_t dx = x + 8, dy = y - 5;
      int16_t d2 = dx * dx + dy * dy;
      if (d2 < 12 && d2 > 1) level /= 6;                               // the lake, not its island
      level = ((uint32_t)level * img_scale) >> 8;
    }
    int16_t v = level + cursor.row_level + (int16_t)(noise & 15);
    value = pj_compand(v > (int16_t)img_ceiling ? img_ceiling : v);
  }
  cursor.i++;
  if (++cursor.col == SIDE) {
    cursor.col = 0;
    if (++cursor.row == PJ_STRIP_ROWS) {
      cursor.row = 0;
      if (++cursor.framelet == image_framelets) {
        cursor.framelet = 0;
        cursor.i = 0;
        cursor.filter++;
        plane_start();
      }
    }
    row_start();
  }
  return value;
}

// Capturing reads the image once to checksum it (the file's header carries the checksum, ahead
// of the pixels) and only then stores it. The pass goes CAPTURE_STEP pixels a loop, about 0.75 ms:
// at once it took 100 ms a framelet, and uplink octets overran the receive ring meanwhile.
#define CAPTURE_STEP 16
static uint16_t capture_left;   // pixels still to checksum: image_id is not stored yet
static uint32_t capture_crc;
static PjRequest capture_request;

static uint8_t capture(uint8_t framelets, const PjRequest &request) {
  if (state != PJ_CAM_STATE_READY) return PJ_REASON_NOT_ALLOWED_IN_MODE;
  if (sending || capture_left) return PJ_REASON_BUSY;
  if (framelets * planes(filters) > MAX_STRIPS) return PJ_REASON_ARG_OUT_OF_RANGE;
  image_framelets = framelets;
  image_id = last_image = last_image + 1;
  image_time = pj_clock_seconds();
  image_filters = filters;
  image_exposure = exposure;
  image_tdi = tdi;
  image_hot = hot_pixels;
  image_damage();
  rewind();
  capture_crc = 0xFFFFFFFFUL;
  capture_left = image_size();
  capture_request = request;
  return PJ_DEFERRED;
}

static_assert(FRAMELET % CAPTURE_STEP == 0, "a pass ends on a step");
static void capture_tick() {
  for (uint8_t n = CAPTURE_STEP; n; n--) capture_crc = pj_crc32_step(capture_crc, next_pixel());
  capture_left -= CAPTURE_STEP;
  if (capture_left) return;
  image_crc = ~capture_crc;
  uint8_t event[PJ_EVENT_IMAGE_CAPTURED_ARG_LEN];
  pj_put16(event + PJ_EVENT_IMAGE_CAPTURED_ARG_IMAGE_ID, image_id);
  pj_put32(event + PJ_EVENT_IMAGE_CAPTURED_ARG_HOT_PIXELS, image_hot);
  pj_putf(event + PJ_EVENT_IMAGE_CAPTURED_ARG_IO_RANGE, IO_RANGE_KM);
  pj_event(PJ_EVENT_IMAGE_CAPTURED_ID, PJ_EVENT_IMAGE_CAPTURED_SEVERITY, event, sizeof event);
  pj_complete(capture_request, 0);
}

// The image's stored file, as the host stores it (fsw/protocol/imagefile.py): "PJIM", the JSON
// header's length (u32), the header, the pixels. The header is a template whose numbers are
// written right-aligned in fields of fixed width (JSON allows the spaces), so the file's size is
// known before it is made, and each octet is made as it is sent.
#define F_CHECKSUM "\x01"
#define F_FILTERS "\x02"
#define F_HEIGHT "\x03"
#define F_ID "\x04"
#define F_SIZE "\x05"
#define F_TIME "\x06"
#define F_FRAMELETS "\x07"
static const char header[] PROGMEM =
    "{\"checksum\":" F_CHECKSUM ",\"companding\":\"sqrt\",\"compression\":\"none\",\"filters\":" F_FILTERS
    ",\"framelets\":" F_FRAMELETS ",\"height\":" F_HEIGHT ",\"image_id\":" F_ID ",\"size\":" F_SIZE ",\"time\":" F_TIME
    ",\"width\":64}";
#define FIELDS 7
#define WIDTHS 10, 2, 3, 5, 5, 10, 2
static const uint8_t widths[FIELDS] PROGMEM = {WIDTHS};
static constexpr uint16_t sum(uint8_t first) { return first; }
template <typename... More> static constexpr uint16_t sum(uint8_t first, More... more) { return first + sum(more...); }
#define HEADER_LEN (sizeof header - 1 - FIELDS + sum(WIDTHS))   // each field marker becomes its width
#define PREFIX_LEN 8
static const uint8_t prefix[PREFIX_LEN] PROGMEM = {'P', 'J', 'I', 'M', 0, 0, HEADER_LEN >> 8, HEADER_LEN & 255};
static uint16_t file_at;
static const char *template_at;
static char digits[10];         // the field being written, last digit first
static uint8_t left;             // ... its characters still to go

static uint32_t field(uint8_t f) {
  switch (f) {
    case 1: return image_crc;
    case 2: return image_filters;
    case 3: return image_framelets * PJ_STRIP_ROWS;
    case 4: return image_id;
    case 5: return image_size();
    case 6: return image_time;
  }
  return image_framelets;
}

uint16_t pj_image_file_open(uint16_t id) {
  if (capture_left || !image_id || id != image_id) return 0;
  sending = true;
  file_at = 0;
  template_at = header;
  left = 0;
  rewind();
  return PREFIX_LEN + HEADER_LEN + image_size();
}

void pj_image_file_close() { sending = false; }

uint8_t pj_image_file_next() {
  uint16_t at = file_at++;
  if (at < PREFIX_LEN) return pgm_read_byte(&prefix[at]);
  if (at >= PREFIX_LEN + HEADER_LEN) return next_pixel();
  if (!left) {
    uint8_t c = pgm_read_byte(template_at++);
    if (c >= ' ') return c;
    uint32_t value = field(c);   // a field: its digits, last first, then spaces to its width
    for (uint8_t width = pgm_read_byte(&widths[c - 1]); left < width; left++) {
      digits[left] = value || !left ? '0' + value % 10 : ' ';
      value /= 10;
    }
  }
  return digits[--left];
}

void pj_camera_tick() {
  if (capture_left) capture_tick();
  if (state == PJ_CAM_STATE_WARMING && millis() - powered_ms >= WARM_UP_MS) {
    state = PJ_CAM_STATE_READY;
    pj_event(PJ_EVENT_CAM_READY_ID, PJ_EVENT_CAM_READY_SEVERITY, 0, 0);
  }
}

uint8_t pj_camera_command(uint8_t index, const uint8_t *args, const PjRequest &request) {
  switch (index) {
    case PJ_CMD_CAM_POWER:
      if (args[PJ_ARG_CAM_POWER_STATE] == PJ_CAM_POWER_ON) {
        if (power == PJ_CAM_POWER_OFF) {
          power = PJ_CAM_POWER_ON;
          state = PJ_CAM_STATE_WARMING;
          powered_ms = millis();
        }
      } else {
        pj_camera_safe();
      }
      return 0;
    case PJ_CMD_CAM_CONFIGURE:
      // compression is accepted but the board always sends raw pixels (its file's header says so)
      exposure = pj_get16(args + PJ_ARG_CAM_CONFIGURE_EXPOSURE);
      filters = args[PJ_ARG_CAM_CONFIGURE_FILTERS];
      tdi = args[PJ_ARG_CAM_CONFIGURE_TDI];
      return 0;
    case PJ_CMD_CAM_CAPTURE:
      return capture(args[PJ_ARG_CAM_CAPTURE_FRAMELETS], request);
    case PJ_CMD_CAM_LIST:
      pj_tm_begin(request.apid, PJ_REPORT_IMAGE_LIST_SERVICE, PJ_REPORT_IMAGE_LIST_SUBTYPE,
                  image_id ? 2 + 13 : 2);
      pj_tm_put16(image_id ? 1 : 0);
      if (image_id) {
        pj_tm_put16(image_id);
        pj_tm_put32(image_time);
        pj_tm_put(image_filters);
        pj_tm_put32(image_size());
        pj_tm_put16(segments());
      }
      pj_tm_end();
      return 0;
    case PJ_CMD_CAM_DELETE:
      if (!image_id || pj_get16(args + PJ_ARG_CAM_DELETE_IMAGE_ID) != image_id)
        return PJ_REASON_NO_SUCH_ITEM;
      if (sending || capture_left) return PJ_REASON_BUSY;
      pj_event(PJ_EVENT_IMAGE_DELETED_ID, PJ_EVENT_IMAGE_DELETED_SEVERITY, args, 2);
      image_id = 0;
      return 0;
  }
  return PJ_REASON_EXECUTION_FAILED;
}

void pj_camera_safe() {
  power = PJ_CAM_POWER_OFF;
  state = PJ_CAM_STATE_OFF;
}

uint32_t pj_camera_hot_pixels() { return hot_pixels; }
void pj_camera_heal(float remaining) {
  recoverable *= remaining;
  hot_pixels = HOT_PERMANENT + (uint32_t)(recoverable + 0.5f);
}

uint8_t pj_camera_hk(uint8_t *out) {
  out[PJ_HK_CAMERA_CAM_POWER] = power;
  out[PJ_HK_CAMERA_CAM_STATE] = state;
  pj_put16(out + PJ_HK_CAMERA_CAM_EXPOSURE, exposure);
  out[PJ_HK_CAMERA_CAM_FILTERS] = filters;
  out[PJ_HK_CAMERA_CAM_TDI] = tdi;
  out[PJ_HK_CAMERA_IMAGES_STORED + 1] = image_id != 0;   // a u16, its high octet zero
  out[PJ_HK_CAMERA_STORE_USED] = image_id ? 100 : 0;
  pj_put16(out + PJ_HK_CAMERA_LAST_IMAGE, last_image);
  pj_put32(out + PJ_HK_CAMERA_HOT_PIXELS, hot_pixels);
  uint16_t d = degradation(hot_pixels);   // as an image takes it
  pj_putf(out + PJ_HK_CAMERA_DARK_LEVEL, dark_level(d));
  pj_putf(out + PJ_HK_CAMERA_NOISE, 4.6f);
  pj_putf(out + PJ_HK_CAMERA_STRIPES, d * 74 / 256);
  pj_put32(out + PJ_HK_CAMERA_DROPOUTS, d);   // per 4,096 pixels: one in 16 at the worst
  pj_putf(out + PJ_HK_CAMERA_DOSE, hot_pixels / 100.0f);
  pj_putf(out + PJ_HK_CAMERA_IO_RANGE, IO_RANGE_KM);
  out[PJ_HK_CAMERA_PERIJOVE + 1] = 57;   // a u16, its high octet zero
  return PJ_HK_CAMERA_LEN;
}

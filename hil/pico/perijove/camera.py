"""A small camera: power and warm-up, configuration, one stored synthetic 64x64 image per filter,
and its stored file for CFDP (cfdp.py): the host's .pjim (fsw/protocol/imagefile.py), whose
pixels are stored in flash, row by row as they are made, and read back a PDU at a time: its 4 KB
a filter never sit in the heap.

The same principles as the host's camera, reduced: the damage is one number (the failing
regulator's, d = hot_pixels / 1200, which the anneal lowers) that raises the offset, stripes the
rows, adds noise and drops pixels; pixels are 12-bit values companded to 8 bits (square root).
"""

import math
import os
import struct

import board
import core
import pj_dictionary as D
from micropython import const

try:
    from binascii import crc32
except ImportError:               # a build without it: zlib's CRC-32 bit by bit
    def crc32(data, crc=0):
        crc ^= 0xFFFFFFFF
        for octet in data:
            crc ^= octet
            for _ in range(8):
                crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
        return crc ^ 0xFFFFFFFF

SIDE = const(64)
PLANE = const(4096)
SEGMENT = const(512)              # image_list's segments: the host's (fsw/protocol/imagefile.py)
WARM_UP_MS = const(2000)
IO_RANGE_KM = 1500.0              # PJ57's closest approach to Io

power = D.CAM_POWER_OFF
state = D.CAM_STATE_OFF
powered_ms = 0
exposure = 10
filters = 1
tdi = 1
hot_pixels = 1200                 # radiation damage so far; anneals recover part of it
last_image = 0

IMAGE_FILE = board.FLASH + "image.raw"
image_len = 0                     # octets of the one stored image (0: none): its pixels in IMAGE_FILE
image_id = 0
image_time = 0
image_filters = 0
image_exposure = 0
image_tdi = 0
image_hot = 0
image_crc = 0

sending = False                   # its file is going down (cfdp.py): the image stays as it is


def _mix(x):
    """A cheap 16-bit hash: the same pixel always gets the same noise."""
    x ^= x >> 7
    x = (x * 0x2F3B) & 0xFFFF
    return x ^ (x >> 9)


def _compand(value):
    if value <= 0:
        return 0
    return min(255, int(255 * math.sqrt(value / 4095) + 0.5))


def _render(ident, mask, exposure_ms, hot):
    """Io as a lit disc with a dark lava lake (Loki) and its island, dark sky, and the damage."""
    d = min(hot, 1200) * 256 // 1200
    offset = 40 + d * 700 // 256
    scale = min(exposure_ms, 100) * (256 - d * 3 // 10) // 100
    ceiling = 4095 - d * 1800 // 256
    planes = bin(mask).count("1")
    pixels = bytearray(SIDE)      # one row at a time, written to flash
    crc = 0
    table = bytes(_compand(v) for v in range(0, 4096, 16))   # 16-DN steps: plenty for 8-bit codes
    at = 0
    out = open(IMAGE_FILE, "wb")
    for plane in range(planes):
        for y in range(-SIDE // 2, SIDE // 2):
            row = at // SIDE
            stripe = ((((_mix(row ^ ((ident << 7) & 0xFFFF)) & 255) - 128) * d) >> 8)
            for x in range(-SIDE // 2, SIDE // 2):
                noise = _mix((at % PLANE) ^ ((ident * 0x9E37) & 0xFFFF) ^ (plane << 12))
                if d and (noise & 4095) < d // 16:
                    value = 0                                   # dropouts
                elif d and (noise & 32767) < d // 64 + 1:
                    value = 255                                 # a few hot pixels
                else:
                    r2 = x * x + y * y
                    level = 2400 - r2 * 3 + plane * 150 if r2 < 576 else 0
                    dx, dy = x + 8, y - 5
                    if 1 < dx * dx + dy * dy < 12:
                        level //= 6                             # the lake, not its island
                    level = (level * scale >> 8) + offset + stripe + (noise & 15) - 8
                    value = table[max(0, min(level, ceiling)) >> 4]
                pixels[x + SIDE // 2] = value
                at += 1
            out.write(pixels)
            crc = crc32(pixels, crc)
    out.close()
    return at, crc & 0xFFFFFFFF


def _forget():
    """No image stored: its file goes (a reset loses what described it, so it goes at boot too)."""
    global image_len
    image_len = 0
    try:
        os.remove(IMAGE_FILE)
    except OSError:
        pass


_forget()


def segments():
    return (image_len + SEGMENT - 1) // SEGMENT


def tick():
    global state
    if state == D.CAM_STATE_WARMING and board.ticks_ms() - powered_ms >= WARM_UP_MS:
        state = D.CAM_STATE_READY
        core.event(D.EVENT_CAM_READY)


# The stored file's JSON header: what image_meta says of an image, keys sorted as the host writes
# them; not a push-frame image (framelets 0), raw companded pixels
_HEADER = ('{"checksum":%d,"companding":"sqrt","compression":"none","dark_level":%.1f,"dose":%.2f,'
           '"dropouts":%d,"exposure":%d,"filters":%d,"framelets":0,"height":%d,"hot_pixels":%d,'
           '"image_id":%d,"io_range":%.1f,"noise":4.6,"size":%d,"stripes":%.2f,"tdi":%d,"time":%d,"width":%d}')


def file_start(ident):
    """The stored file's first octets (prefix and JSON header; its pixels follow, in IMAGE_FILE),
    or None when there is no such image."""
    if not image_len or ident != image_id:
        return None
    _d, dark, stripes, dropouts = _damage_of(image_hot)
    header = (_HEADER % (image_crc, dark, image_hot / 100, dropouts, image_exposure, image_filters, SIDE,
                         image_hot, image_id, IO_RANGE_KM, image_len, stripes, image_tdi, image_time, SIDE)).encode()
    return b"PJIM" + struct.pack(">I", len(header)) + header


def _damage_of(hot):
    d = min(hot, 1200) / 1200
    return d, 40.0 + 700.0 * d, 74.0 * d, int(PLANE * d / 16)


# -- commands --

def power_command(args, request):
    global power, state, powered_ms
    if args[0] == D.CAM_POWER_STATE_ON:
        if power == D.CAM_POWER_OFF:
            power = D.CAM_POWER_ON
            state = D.CAM_STATE_WARMING
            powered_ms = board.ticks_ms()
    else:
        safe()
    return 0


def configure_command(args, request):
    global exposure, filters, tdi
    # compression is accepted, but the board always sends raw pixels (image_meta says so)
    exposure, filters, tdi, _compression, _readout = args   # the board reads one way only
    return 0


def capture_command(args, request):
    global image_len, image_id, last_image, image_time, image_filters, image_exposure, image_tdi, image_hot
    global image_crc
    if state != D.CAM_STATE_READY:
        return D.REASON_NOT_ALLOWED_IN_MODE
    if sending:
        return D.REASON_BUSY
    _forget()                     # the one store: the old image makes room first
    last_image = image_id = (last_image + 1) & 0xFFFF or 1
    image_time = core.seconds()
    image_filters, image_exposure, image_tdi, image_hot = filters, exposure, tdi, hot_pixels
    image_len, image_crc = _render(image_id, image_filters, image_exposure, image_hot)
    core.event(D.EVENT_IMAGE_CAPTURED, image_id, image_hot, IO_RANGE_KM)
    return 0


def list_command(args, request):
    if image_len:
        data = struct.pack(">HHIBIH", 1, image_id, image_time, image_filters, image_len, segments())
    else:
        data = b"\x00\x00"
    core.downlink.packet(request[0], D.REPORT_IMAGE_LIST[0], D.REPORT_IMAGE_LIST[1], data)
    return 0


def delete_command(args, request):
    global image_id
    if not image_len or args[0] != image_id:
        return D.REASON_NO_SUCH_ITEM
    if sending:
        return D.REASON_BUSY
    core.event(D.EVENT_IMAGE_DELETED, image_id)
    _forget()
    image_id = 0
    return 0


def safe():
    global power, state
    power = D.CAM_POWER_OFF
    state = D.CAM_STATE_OFF


def housekeeping():
    _d, dark, stripes, dropouts = _damage_of(hot_pixels)
    return {"cam_power": power, "cam_state": state, "cam_exposure": exposure, "cam_filters": filters,
            "cam_tdi": tdi, "images_stored": 1 if image_len else 0, "store_used": 100 if image_len else 0,
            "last_image": last_image, "hot_pixels": hot_pixels, "dark_level": dark, "noise": 4.6,
            "stripes": stripes, "dropouts": dropouts, "dose": hot_pixels / 100, "io_range": IO_RANGE_KM,
            "perijove": 57}

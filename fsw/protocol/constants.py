"""The link's fixed numbers, in a module that imports nothing (command-line tools start fast)."""

SPACECRAFT_ID = 61             # Juno's NAIF id is -61
TM_FRAME_LEN = 1024            # host links
TM_FRAME_LEN_SMALL = 256       # the Arduino firmware
# a frame a link may use: a 6-octet header, OCF and FECF, and the 11-bit first header pointer
MIN_FRAME_LEN, MAX_FRAME_LEN = 64, 2048

"""The emulated Pico (hil/pico/harness.mjs) as the flight program sees it: the same names as the
Pico's board module (hil/pico/perijove/board.py), backed by the harness. Before each step of the
program the harness gives the clock, the octets from the pty and the thermal node's temperature;
after it, it takes the octets sent and the heater's state. The UART's line rate is modelled, so the
program paces its downlink as on the real board.
"""

import binascii

BAUD = 115200
FLASH = "/flash/"                 # the harness keeps this directory across resets, as flash is kept
_now = 0
_rx = None
_tx = []
_line_free_at = 0
_heater = False
_temperature = None


def _input(now_ms, rx_hex, centi_degrees):
    """From the harness: the clock, received octets (hex) and the sensor (None: it fails)."""
    global _now, _rx, _temperature
    _now = now_ms
    _rx = binascii.unhexlify(rx_hex) if rx_hex else None
    _temperature = centi_degrees


def _output():
    """To the harness: '1' or '0' for the heater, then the octets sent (hex)."""
    out = ("1" if _heater else "0") + "".join(_tx)
    _tx.clear()
    return out


def ticks_ms():
    return _now


def read():
    global _rx
    data, _rx = _rx, None
    return data


def write(data):
    global _line_free_at
    _tx.append(binascii.hexlify(data).decode())
    _line_free_at = max(_now, _line_free_at) + len(data) * 10000 // BAUD


def tx_idle():
    return _now >= _line_free_at


def heater(on):
    global _heater
    _heater = bool(on)


def temperature():
    return _temperature


def aes_ecb(key):
    """MicroPython's WebAssembly port has no cryptolib: the program's own AES runs."""
    return None

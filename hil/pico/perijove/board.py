"""The Raspberry Pi Pico as the flight program sees it: the only module that knows pins.

UART0 (GP0 TX, GP1 RX) to the ground, the heater's MOSFET gate (or an LED) on GP15, a DS18B20 on
GP22 (1-Wire, 4.7 k pull-up), or the RP2040's own temperature sensor (ADC 4) when no DS18B20
answers at boot. docs/HARDWARE.md has the wiring. The emulated board (hil/pico/sim/board.py)
offers the same names, so the flight program runs unchanged on both.
"""

import time

from machine import ADC, UART, Pin

BAUD = 115200
FLASH = "/"                       # the flash filesystem (littlefs) the program is deployed to
_uart = UART(0, BAUD, tx=Pin(0), rx=Pin(1), txbuf=512, rxbuf=2048)
_heater = Pin(15, Pin.OUT, value=0)
_CONVERT_MS = 750                 # a DS18B20's 12-bit conversion

_ticks = time.ticks_ms()
_elapsed = 0                      # milliseconds since boot, in a Python int: no 2^30 wrap


def ticks_ms():
    global _ticks, _elapsed
    now = time.ticks_ms()
    _elapsed += time.ticks_diff(now, _ticks)
    _ticks = now
    return _elapsed


def read():
    """The octets the UART has received, or None."""
    return _uart.read() if _uart.any() else None


def write(data):
    _uart.write(data)


def tx_idle():
    """The UART has sent everything: one frame goes at a time, so nothing waits inside write()."""
    return _uart.txdone()


def heater(on):
    _heater.value(1 if on else 0)


try:
    import ds18x20
    import onewire

    _sensor = ds18x20.DS18X20(onewire.OneWire(Pin(22)))
    _rom = _sensor.scan()[0]
    _sensor.convert_temp()
except (ImportError, IndexError, OSError):
    _sensor = None                # no DS18B20: the RP2040's own sensor
    _adc = ADC(4)
_converted = ticks_ms()
_reading = None


def temperature():
    """Centi-degrees C, or None when the sensor fails (no answer, a bad CRC, out of its range)."""
    global _converted, _reading
    if _sensor is None:
        volts = _adc.read_u16() * 3.3 / 65535
        return round((27 - (volts - 0.706) / 0.001721) * 100)
    if ticks_ms() - _converted >= _CONVERT_MS:
        try:
            celsius = _sensor.read_temp(_rom)
            _reading = round(celsius * 100) if -55 <= celsius <= 125 else None
            _sensor.convert_temp()
        except Exception:         # onewire.OneWireError, a CRC error: the sensor failed
            _reading = None
        _converted = ticks_ms()
    return _reading


def aes_ecb(key):
    """AES's forward cipher on 16-octet blocks under key, from the firmware's cryptolib (None
    without one: the program has its own)."""
    try:
        from cryptolib import aes
    except ImportError:
        return None
    return aes(key, 1).encrypt    # mode 1: ECB, one block at a time

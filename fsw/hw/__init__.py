"""The hardware behind one interface (fsw/hw/base.py): what the camera and thermal components
command and measure through. Backends are chosen by name in fsw/hw/backends.py:

create_backend("sim") builds the hardware from the simulated world (thermal node, heater,
sensor faults, a damaged detector looking at Io); create_backend("raspberrypi") drives a heater
on a GPIO pin and reads a DS18B20 over 1-Wire, with a simulated detector looking through the
Pi camera when there is one.
"""

from .base import CameraHead, HardwareBackend, Heater, SensorError, TemperatureSensor

__all__ = ["CameraHead", "HardwareBackend", "Heater", "SensorError", "TemperatureSensor"]


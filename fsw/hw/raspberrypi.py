"""A Raspberry Pi as the camera's electronics: heater on a GPIO pin, DS18B20 on 1-Wire, and a
simulated detector (fsw/hw/sim) that looks through the Pi camera when picamera2 is installed, at
the synthetic Io otherwise.

Options:
  heater_pin: BCM pin number driving the heater's MOSFET/relay (default 17)
  heater_watts: heater power for telemetry (default: the model's HEATER_POWER_W)
  w1_slave: path of the sensor's w1_slave file (default: first 28-* under w1_root)
  w1_root: the 1-Wire devices directory (default /sys/bus/w1/devices)
  sink_c: the cold-sink temperature reported in telemetry (no sensor for it)
  camera: "auto" (picamera2 if importable) or "none"
"""

import numpy as np

from fsw.hw.sim.camera import SimCameraHead
from fsw.hw.sim.thermal import CONDUCTANCE_W_PER_K, HEATER_POWER_W, SINK_C

from .base import HardwareBackend, Heater
from .ds18b20 import DEFAULT_W1_ROOT, DS18B20, find_w1_slave


class GpioHeater(Heater):
    def __init__(self, pin: int, power_w: float):
        from gpiozero import OutputDevice  # the pin factory is gpiozero's choice (mock in tests)

        self.device = OutputDevice(pin, active_high=True, initial_value=False)
        self.power_w = power_w

    def set(self, on: bool) -> None:
        if on:
            self.device.on()
        else:
            self.device.off()

    @property
    def is_on(self) -> bool:
        return bool(self.device.value)

    def close(self) -> None:
        self.device.off()
        self.device.close()


class PiCamera:
    """What the Pi camera sees, as the simulated detector's view: a real frame per image."""

    def __init__(self, picamera2_module):
        self._camera = picamera2_module.Picamera2()
        self._camera.configure(self._camera.create_still_configuration())
        self._camera.start()

    def radiance(self, filters: tuple[str, ...], now: float, summing: int = 1) -> dict:
        """Radiance per filter in 0..1 (methane: a dimmed red, the Pi has no such filter), at the
        readout's scale."""
        from PIL import Image

        frame = self._camera.capture_array()
        image = Image.fromarray(np.ascontiguousarray(frame[..., :3])).convert("RGB")
        rgb = np.asarray(image.resize((SimCameraHead.width // summing, SimCameraHead.height // summing)), dtype=np.float32) / 255.0
        bands = {"red": rgb[..., 0], "green": rgb[..., 1], "blue": rgb[..., 2], "methane": 0.6 * rgb[..., 0]}
        return {name: bands[name] for name in filters}

    def close(self) -> None:
        self._camera.stop()
        self._camera.close()


def _open_camera(choice: str):
    if choice == "none":
        return None
    try:
        import picamera2
    except ImportError:
        return None
    return PiCamera(picamera2)


class RaspberryPiBackend(HardwareBackend):
    name = "raspberrypi"

    def __init__(self, rng=None, options: dict | None = None, now: float | None = None):
        options = dict(options or {})
        self.rng = rng if rng is not None else np.random.default_rng()
        self.sink_c = float(options.pop("sink_c", SINK_C))
        self.conductance_w_per_k = CONDUCTANCE_W_PER_K
        self.heater = GpioHeater(int(options.pop("heater_pin", 17)),
                                 float(options.pop("heater_watts", HEATER_POWER_W)))
        root = options.pop("w1_root", DEFAULT_W1_ROOT)
        path = options.pop("w1_slave", None) or find_w1_slave(root)
        self.temperature = DS18B20(path)
        camera = options.pop("camera", "auto")
        if options:
            self.heater.close()
            raise ValueError(f"unknown raspberrypi option(s): {', '.join(sorted(options))}")
        self.photo = _open_camera(camera)
        self.camera = SimCameraHead(self.rng, now, view=self.photo)

    def step(self, dt: float, now: float) -> None:
        """The heater and sensor run by themselves; the simulated detector is as warm as the
        sensor's last good reading says."""
        self.camera.step(dt, now, self.temperature.last_good)

    def close(self) -> None:
        self.heater.close()
        if self.photo is not None:
            self.photo.close()

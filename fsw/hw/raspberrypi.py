"""A Raspberry Pi as the camera's electronics: heater on a GPIO pin, DS18B20 on 1-Wire,
and the Pi camera through picamera2 when it is installed (else images are synthesised).

Options:
  heater_pin: BCM pin number driving the heater's MOSFET/relay (default 17)
  heater_watts: heater power for telemetry (default: the model's HEATER_POWER_W)
  w1_slave: path of the sensor's w1_slave file (default: first 28-* under w1_root)
  w1_root: the 1-Wire devices directory (default /sys/bus/w1/devices)
  sink_c: the cold-sink temperature reported in telemetry (no sensor for it)
  camera: "auto" (picamera2 if importable) or "none"
"""

import numpy as np

from fsw.world.thermal import HEATER_POWER_W, SINK_C

from .ds18b20 import DEFAULT_W1_ROOT, DS18B20, find_w1_slave


class GpioHeater:
    def __init__(self, pin: int, power_w: float):
        from gpiozero import OutputDevice   # the pin factory is gpiozero's choice (mock in tests)

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
    """A real frame from the Pi camera, scaled to the scene size the camera component asks for."""

    def __init__(self, picamera2_module):
        self._camera = picamera2_module.Picamera2()
        self._camera.configure(self._camera.create_still_configuration())
        self._camera.start()

    def capture(self, width: int, height: int) -> np.ndarray:
        """An (height, width, 3) float array of RGB radiance in 0..1."""
        from PIL import Image

        frame = self._camera.capture_array()
        image = Image.fromarray(np.ascontiguousarray(frame[..., :3])).convert("RGB").resize((width, height))
        return np.asarray(image, dtype=np.float32) / 255.0

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


class RaspberryPiBackend:
    name = "raspberrypi"

    def __init__(self, rng=None, options: dict | None = None):
        options = dict(options or {})
        self.rng = rng
        self.sink_c = float(options.pop("sink_c", SINK_C))
        self.heater = GpioHeater(int(options.pop("heater_pin", 17)),
                                 float(options.pop("heater_watts", HEATER_POWER_W)))
        root = options.pop("w1_root", DEFAULT_W1_ROOT)
        path = options.pop("w1_slave", None) or find_w1_slave(root)
        self.temperature = DS18B20(path, self.heater)
        camera = options.pop("camera", "auto")
        if options:
            self.heater.close()
            raise ValueError(f"unknown raspberrypi option(s): {', '.join(sorted(options))}")
        self.camera = _open_camera(camera)

    def step(self, dt: float) -> None:
        """Real hardware runs by itself."""

    def close(self) -> None:
        self.heater.close()
        if self.camera is not None:
            self.camera.close()

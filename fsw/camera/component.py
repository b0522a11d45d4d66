"""The camera component: power and warm-up, configuration, capture, the image store,
downlink, and image quality measured from dark frames as the orbit goes by."""

from fsw import mission
from fsw.component import ExecutionError, FlightComponent, restored_int
from fsw.protocol.reasons import Reason

from .capture import CaptureJob
from .dictionary import COMPONENT, FILTERS, SUMMING
from .downlink import DownlinkJob
from .quality import measure_dark
from .store import ImageStore

WARMUP_S = 180.0
DEFAULT_CONFIG = {"exposure": 10, "filters": 7, "tdi": 1, "compression": "lossless", "readout": "full"}


class Camera(FlightComponent):
    COMPONENT = COMPONENT

    PORTS = ("thermal",)

    def __init__(self, services):
        super().__init__(services)
        self.thermal = None             # the heater's owner: no capture while annealing
        self.power = "off"
        self.fault = False
        self.warmup_left = 0.0
        self.config = dict(DEFAULT_CONFIG)
        self.next_id = 1
        self.last_image = 0
        self.images_lost = 0
        self.perijoves = mission.perijove_count(services.now())   # flown so far, by the ephemeris
        self.images = ImageStore(services.store, services.dictionary)
        self._indexed = False
        self._capture: CaptureJob | None = None
        self._capture_verify = None
        self._capture_meta: dict = {}
        self._downlink: DownlinkJob | None = None
        self._metrics: tuple[int, dict] | None = None   # (head condition, measured metrics)

    # -- state --
    @property
    def camera_state(self) -> str:
        if self.power == "off":
            return "off"
        if self.fault:
            return "fault"
        if self.warmup_left > 0:
            return "warming"
        return "capturing" if self._capture else "ready"

    def state(self) -> dict:
        return {
            "power": self.power, "fault": self.fault, "warmup_left": self.warmup_left,
            "config": self.config, "next_id": self.next_id, "last_image": self.last_image,
            "images_lost": self.images_lost, "perijoves": self.perijoves,
        }

    def restore(self, state: dict) -> None:
        self.power = state.get("power", "off")
        self.fault = bool(state.get("fault", False))
        self.warmup_left = float(state.get("warmup_left", 0.0))
        self.config = {**DEFAULT_CONFIG, **state.get("config", {})}
        self.next_id = restored_int(state, "next_id", 1, 1, 0xFFFF)
        self.last_image = restored_int(state, "last_image", 0, 0, 0xFFFF)
        self.images_lost = restored_int(state, "images_lost", 0, 0, 0xFFFF)
        self.perijoves = restored_int(state, "perijoves", self.perijoves, 0, 0xFFFF)

    def housekeeping(self) -> dict:
        self._ensure_index()
        metrics = self.quality()
        return {
            "cam_power": self.power,
            "cam_state": self.camera_state,
            "cam_exposure": self.config["exposure"],
            "cam_filters": self.config["filters"],
            "cam_tdi": self.config["tdi"],
            "images_stored": len(self.images.index),
            "store_used": self.images.percent_used,
            "last_image": self.last_image,
            "hot_pixels": metrics["hot_pixels"],
            "dark_level": metrics["dark_level"],
            "noise": metrics["noise"],
            "stripes": metrics["stripes"],
            "dropouts": metrics["dropouts"],
            "dose": self.head.dose_krad,
            "perijove": self.perijoves,
            "io_range": mission.io_range_km(self.services.now()),
            "images_lost": min(self.images_lost, 0xFFFF),
        }

    @property
    def head(self):
        return self.services.hardware.camera

    # -- image quality, measured from a dark frame --
    def quality(self) -> dict:
        """Hot pixels, dark level and noise of a dark frame, taken again when the head says its
        condition may have changed."""
        condition = self.head.condition
        if self._metrics is None or self._metrics[0] != condition:
            self._metrics = (condition, measure_dark(self.head.dark_frame()))
        return self._metrics[1]

    # -- commands --
    def on_cam_power(self, args: dict, verify) -> None:
        if args["state"] == "on":
            if self.power == "on" and not self.fault:
                return
            self.power, self.fault, self.warmup_left = "on", False, WARMUP_S
        else:
            self._abort_capture()
            self.power, self.fault, self.warmup_left = "off", False, 0.0

    def on_cam_configure(self, args: dict, verify) -> None:
        if self._capture:
            raise ExecutionError(Reason.BUSY, "capturing")
        self.config = {key: args[key] for key in DEFAULT_CONFIG}

    def on_cam_capture(self, args: dict, verify) -> None:
        self._ensure_index()
        state = self.camera_state
        if state == "capturing":
            raise ExecutionError(Reason.BUSY, "already capturing")
        if state == "off":
            raise ExecutionError(Reason.EXECUTION_FAILED, "camera is off")
        if state == "warming":
            raise ExecutionError(Reason.EXECUTION_FAILED, f"camera warming up, ready in {self.warmup_left:.0f} s")
        if state == "fault":
            raise ExecutionError(Reason.HARDWARE_FAULT, "camera in fault: power-cycle it")
        if self._annealing():
            raise ExecutionError(Reason.BUSY, "anneal in progress")
        if self.images.full():
            self.services.event("store_full")
            raise ExecutionError(Reason.STORE_FULL, f"{len(self.images.index)} images, {self.images.used} octets")
        now = self.services.now()
        io_range = mission.io_range_km(now)
        filters = FILTERS.flag_names(self.config["filters"])
        head = self.head
        summing = SUMMING[self.config["readout"]]
        try:
            head.begin_image(filters, self.config["exposure"], self.config["tdi"], summing)
        except Exception as error:   # a real camera failing must not take flight down
            self._fail_camera(1)
            raise ExecutionError(Reason.HARDWARE_FAULT, f"camera capture failed: {error}") from None
        metrics = self.quality()     # the dark frame taken with every image
        self._capture_meta = {
            "time": int(now), "width": head.width // summing,
            "height": args["framelets"] * (head.strip_rows // summing), "readout": self.config["readout"],
            "filters": self.config["filters"],
            "exposure": self.config["exposure"], "tdi": self.config["tdi"], "framelets": args["framelets"],
            "io_range": io_range, "dose": head.dose_krad, "perijove": self.perijoves, "companding": "sqrt",
            **metrics,
        }
        self._capture = CaptureJob(head, filters, args["framelets"], summing)
        self._capture_verify = verify
        verify.defer()

    def on_cam_list(self, args: dict, verify) -> None:
        self._ensure_index()
        images = [
            {"image_id": image_id, "time": meta["time"], "filters": meta["filters"],
             "size": meta["size"], "segments": meta["segments"]}
            for image_id, meta in sorted(self.images.index.items())
        ]
        self.services.report("image_list", {"images": images})

    def on_cam_downlink(self, args: dict, verify) -> None:
        self._ensure_index()
        if self._downlink:
            raise ExecutionError(Reason.BUSY, f"downlinking image {self._downlink.image_id}")
        image_id = args["image_id"]
        meta = self.images.index.get(image_id)
        if meta is None:
            raise ExecutionError(Reason.NO_SUCH_ITEM, f"no image {image_id}")
        if args["first_segment"] >= meta["segments"]:
            raise ExecutionError(Reason.ARG_OUT_OF_RANGE, f"image {image_id} has {meta['segments']} segments")
        payload = self.images.payload(image_id)
        if payload is None:
            self._lost(image_id)
            raise ExecutionError(Reason.EXECUTION_FAILED, f"image {image_id} is unreadable")
        self.services.report("image_meta", {
            key: meta[key] for key in ("time", "width", "height", "filters", "exposure", "tdi", "compression",
                                       "io_range", "hot_pixels", "dark_level", "noise", "stripes", "dropouts",
                                       "companding", "framelets", "dose", "size",
                                       "segments", "checksum")
        } | {"image_id": image_id})
        self._downlink = DownlinkJob(image_id, payload, args["first_segment"], verify)
        verify.defer()

    def on_cam_delete(self, args: dict, verify) -> None:
        self._ensure_index()
        image_id = args["image_id"]
        if image_id not in self.images.index:
            raise ExecutionError(Reason.NO_SUCH_ITEM, f"no image {image_id}")
        if self._downlink and self._downlink.image_id == image_id:
            raise ExecutionError(Reason.BUSY, f"image {image_id} is being downlinked")
        self.images.delete(image_id)
        self.services.event("image_deleted", image_id=image_id)

    def image_file(self, image_id: int) -> bytes | None:
        """The stored file of an image, for the files component (None: no such image, or unreadable)."""
        self._ensure_index()
        if image_id not in self.images.index:
            return None
        blob = self.images.blob(image_id)
        if blob is None:
            self._lost(image_id)
        return blob

    # -- time --
    def tick(self, dt: float) -> None:
        self._ensure_index()
        self._track_perijoves()
        if self.power == "on" and self.warmup_left > 0:
            self.warmup_left = max(0.0, self.warmup_left - dt)
            if self.warmup_left == 0:
                self.services.event("cam_ready")
        if self._capture:
            self._advance_capture(dt)
        if self._downlink:
            self._downlink.send(self.services.report, self.services.bulk_room)
            # complete only once the last segment is on its way: the event and the completion
            # report go on the real-time channel and would otherwise overtake it
            if self._downlink.done and self.services.bulk_sent():
                job, self._downlink = self._downlink, None
                self.services.event("downlink_complete", image_id=job.image_id, segments=job.segments)
                job.verify.complete()

    def enter_safe(self) -> None:
        self._abort_capture()
        self.power, self.fault, self.warmup_left = "off", False, 0.0

    # -- inner workings --
    def _track_perijoves(self) -> None:
        """A perijove passing as the clock runs is an event; a jump of the clock (time_set) only
        re-reckons the count, in either direction, and the dose is the world's, whatever the clock."""
        passed = mission.perijove_count(self.services.now())
        if passed == self.perijoves + 1:
            self.perijoves = passed
            self.services.event("perijove_pass", perijove=self.perijoves, dose=self.head.dose_krad)
        else:
            self.perijoves = passed

    def _advance_capture(self, dt: float) -> None:
        job, verify = self._capture, self._capture_verify
        if job.advance(dt) and not job.done:
            verify.progress(job.done_framelets, 100 * job.done_framelets // job.framelets)
        if not job.done:
            return
        self._capture = None
        image_id = self._take_id()
        try:
            meta = self.images.put(image_id, {"image_id": image_id, **self._capture_meta}, job.planes,
                                   self.config["compression"], upsets=self.head.memory_upsets)
        except OSError:           # the store's disk failed: the image is lost, flight goes on
            self._fail_camera(2)
            verify.fail(Reason.EXECUTION_FAILED, job.framelets)
            return
        self.last_image = image_id
        self.services.event("image_captured", image_id=image_id, hot_pixels=meta["hot_pixels"],
                            io_range=meta["io_range"])
        verify.complete()

    def _take_id(self) -> int:
        while self.next_id in self.images.index or self.next_id == 0:
            self.next_id = self.next_id % 0xFFFF + 1
        image_id = self.next_id
        self.next_id = self.next_id % 0xFFFF + 1
        return image_id

    def _abort_capture(self) -> None:
        if self._capture:
            taken = self._capture.done_framelets
            self._capture = None
            self._capture_verify.fail(Reason.EXECUTION_FAILED, taken)

    def _fail_camera(self, code: int) -> None:
        self.fault = True
        self.services.event("cam_fault", code=code)

    def _annealing(self) -> bool:
        return self.thermal is not None and self.thermal.annealing

    def _ensure_index(self) -> None:
        if self._indexed:
            return
        self._indexed = True
        for image_id in self.images.scan():
            self._lost(image_id)
        if self.images.index:
            self.next_id = max(self.next_id, max(self.images.index) % 0xFFFF + 1)

    def _lost(self, image_id: int) -> None:
        self.images_lost += 1
        self.services.event("image_lost", image_id=image_id)

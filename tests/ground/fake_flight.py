"""A minimal stand-in for the flight side, for ground unit tests that must not depend on fsw's
behaviour (exact image bytes, dropped frames). End-to-end tests use the real `fsw`.

It speaks the real protocol (TcReceiver with its FARM-1, TmSender with the FARM's CLCW, the
dictionary): accepts and completes every known command, answers hk_oneshot, serves one synthetic
image in segments, and sends an idle frame when the uplink changed only the CLCW.
"""

import threading
import zlib

import numpy as np

from fsw.dictionary import load
from fsw.link import LinkError
from fsw.protocol import TcReceiver, TmPacket, TmSender
from fsw.protocol.reasons import ProtocolError, Reason

SEGMENT = 200


def synthetic_image(image_id=1, width=32, height=24, filters=7):
    rng = np.random.default_rng(image_id)
    planes = bin(filters).count("1")
    pixels = rng.integers(0, 200, size=(planes, height, width), dtype=np.uint8)
    stored = zlib.compress(pixels.tobytes())
    segments = [stored[i:i + SEGMENT] for i in range(0, len(stored), SEGMENT)]
    meta = dict(image_id=image_id, time=757_000_000, width=width, height=height, filters=filters,
                exposure=10, tdi=4, compression="lossless", io_range=1500.0, hot_pixels=12,
                dark_level=3.5, noise=1.2, stripes=0.3, dropouts=0, companding="sqrt", framelets=0,
                dose=100.0, size=len(stored), segments=len(segments),
                checksum=zlib.crc32(stored))
    return pixels, meta, segments


class FakeFlight:
    def __init__(self, link, drop_segments=(), dictionary_version=None, periodic_hk=False):
        self.link = link
        self.d = load()
        self.rx = TcReceiver()
        self.tx = TmSender(clcw=lambda: self.rx.farm.clcw().encode())
        self.pixels, self.meta, self.segments = synthetic_image()
        self.drop_once = set(drop_segments)     # dropped the first time they are sent
        self.dictionary_version = self.d.version if dictionary_version is None else dictionary_version
        self.periodic_hk = periodic_hk          # a periodic report of the structure on each side of a one-shot
        self.received = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        self._emit_event("boot", dictionary_version=self.dictionary_version, restarts=0)
        self._flush()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(2)

    def _report(self, apid, name, values):
        report = self.d.report(name)
        self.tx.push(TmPacket(apid, report.service, report.subtype, self.d.encode_report(name, values), time=1000.0))

    def _emit_event(self, name, **args):
        subtype, data = self.d.encode_event(name, args)
        self.tx.push(TmPacket(0x012, 5, subtype, data, time=1000.0))

    def _flush(self):
        self.link.write(self.tx.output())

    def _run(self):
        while not self._stop.is_set():
            try:
                data = self.link.read(4096, 0.05)
            except LinkError:
                return                # ground went away: nothing more to answer
            if not data:
                continue
            for received in self.rx.feed(data):
                if received.packet is not None:
                    self._handle(received.packet)
            output = self.tx.output()
            self.link.write(output or self.tx.idle_frame())   # the CLCW goes down either way

    def _handle(self, tc):
        rid = tc.request_id
        try:
            command = self.d.command_for(tc.apid, tc.service, tc.subtype)
            args = self.d.decode_args(command, tc.app_data)
        except ProtocolError as error:
            self._report(tc.apid, "acceptance_failure", {"request_id": rid, "reason": int(error.reason)})
            return
        self.received.append((command.name, args))
        if command.hazardous:
            self._report(tc.apid, "acceptance_failure", {"request_id": rid, "reason": int(Reason.NOT_ARMED)})
            return
        if command.name == "hk_oneshot" and self.periodic_hk:
            self._housekeeping(args["sid"], 2)
        self._report(tc.apid, "acceptance_success", {"request_id": rid})
        self._report(tc.apid, "start_success", {"request_id": rid})
        if command.name == "hk_oneshot":
            self._housekeeping(args["sid"], 1)
        elif command.name == "cam_downlink":
            if args["image_id"] != self.meta["image_id"]:
                self._report(tc.apid, "completion_failure", {"request_id": rid, "reason": int(Reason.NO_SUCH_ITEM)})
                return
            self._report(0x020, "image_meta", self.meta)
            for index in range(args["first_segment"], len(self.segments)):
                if index in self.drop_once:
                    self.drop_once.discard(index)
                    continue
                self._report(0x020, "image_segment", dict(image_id=1, segment=index,
                             segments=len(self.segments), data=self.segments[index]))
            self._emit_event("downlink_complete", image_id=1, segments=len(self.segments))
        self._report(tc.apid, "completion_success", {"request_id": rid})
        if command.name == "hk_oneshot" and self.periodic_hk:
            self._housekeeping(args["sid"], 3)

    def _housekeeping(self, sid, filler):
        """A report of structure sid with every number set to filler (enums to their first name)."""
        values = {p.name: (p.enum[0][0] if p.enum else filler) for p in self.d.structures[sid]}
        if "dictionary_version" in values:
            values["dictionary_version"] = self.dictionary_version
        self.tx.push(TmPacket(0x011, 3, 25, self.d.encode_hk(sid, values), time=1000.0))

"""The web station's live feed: what the server reads, as JSON for the browsers.

Each record is turned into JSON once, on the reader thread, whatever the number of browsers.
Each browser then has a bounded queue (oldest dropped first, counted) and at most one batch in
flight: the page acknowledges a batch once it has applied it, and only then is the next one
(everything queued meanwhile) sent. A browser that falls behind, or stops
reading, so only loses the oldest items of its own queue and is told how many; the link, the
archive and the other clients never wait for it. (Without the acknowledgement the browser's own
network stack would read everything and queue it unbounded in the page.)
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections import OrderedDict, deque

from fsw.camera.dictionary import FILTERS
from fsw.protocol.cfdp import image_id_of

from ...fields import shown_fields
from ...tracker import STAGES, reason_label, reason_of

BROWSER_QUEUE = 2000          # items a browser may fall behind before the oldest are dropped
MIN_QUEUE = 16
IMAGES_KEPT = 4               # image assemblies held in memory for the gallery (an image is up to 8 MB)
COMMANDS_KNOWN = 4096         # request id -> command name, for stages of other clients' commands


def _plain(value):
    if isinstance(value, (bytes, bytearray)):
        return {"octets": len(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def stage_message(name: str, request_id: int, stage) -> dict:
    return {"k": "stage", "rid": request_id, "command": name, "stage": stage.stage, "ok": stage.ok,
            "reason": reason_label(stage.reason) if stage.reason is not None else None,
            "step": stage.step, "percent": stage.percent, "rx": stage.received or time.time()}


class BrowserQueue:
    """One browser's bounded queue, filled from the reader thread: the bound holds there, at once
    (oldest dropped first, counted), and the event loop is woken once per burst, not per item, so
    that a loop that is behind never holds an unbounded backlog of callbacks either."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int):
        self.loop = loop
        self.limit = limit
        self.items: deque[str] = deque()
        self.dropped = 0
        self.ready = asyncio.Event()
        self._lock = threading.Lock()
        self._waking = False

    def offer(self, item: str) -> None:
        """From any thread; never blocks."""
        with self._lock:
            if len(self.items) >= self.limit:
                self.items.popleft()
                self.dropped += 1
            self.items.append(item)
            if self._waking:
                return
            self._waking = True
        self.loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        with self._lock:
            self._waking = False
        self.ready.set()

    def take(self) -> tuple[list[str], int]:
        """(what is queued, dropped so far); on the event loop."""
        self.ready.clear()
        with self._lock:
            items = list(self.items)
            self.items.clear()
            return items, self.dropped


class Browser:
    """One page's feed: its queue, and its role."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int, role: str):
        self.queue = BrowserQueue(loop, limit)
        self.role = role

    @property
    def dropped(self) -> int:
        return self.queue.dropped


class ImageFile:
    """An image coming down as its stored file (CFDP), for the gallery: the transfer as last told,
    and the file once it is whole (what ImageAssembly is for an image coming down in segments)."""

    def __init__(self, image_id: int, transfer):
        self.image_id = image_id
        self.transfer = transfer
        self.blob: bytes | None = None
        self.meta: dict | None = None
        self.failure: str | None = None

    def told(self, transfer) -> None:
        from ...images import ImageError, read_file

        self.transfer = transfer
        if transfer.done and not transfer.ok:
            self.failure = transfer.condition or "failed"
        elif transfer.ok and self.blob is None and transfer.path is not None:
            try:
                blob = transfer.path.read_bytes()
                self.meta = read_file(self.image_id, blob)[0]
                self.blob = blob
            except (OSError, ImageError) as error:
                self.failure = str(error)

    @property
    def received(self) -> int:
        return self.transfer.octets

    @property
    def total(self) -> int | None:
        return self.transfer.size

    @property
    def complete(self) -> bool:
        return self.blob is not None

    def image(self):
        from ...images import from_file

        return from_file(self.image_id, self.blob)


class WebHub:
    """Listens to the server's session and its CFDP entity; feeds every attached browser."""

    def __init__(self, server):
        self.server = server
        self.session = server.session
        self.dictionary = self.session.dictionary
        self.browsers: set[Browser] = set()
        self._lock = threading.Lock()
        self._names: OrderedDict[int, str] = OrderedDict()      # request id -> command name
        self.images: OrderedDict = OrderedDict()       # image id -> ImageAssembly (segments) or ImageFile (CFDP)
        self.session.listeners.append(self.record)
        self.session.files.listeners.append(self.transfer)

    # -- browsers --
    def attach(self, loop, limit: int, role: str) -> Browser:
        browser = Browser(loop, max(MIN_QUEUE, min(limit, BROWSER_QUEUE)), role)
        with self._lock:
            self.browsers.add(browser)
        return browser

    def detach(self, browser: Browser) -> None:
        with self._lock:
            self.browsers.discard(browser)

    def publish(self, message: dict) -> None:
        """To every browser, from any thread; never blocks."""
        try:
            text = json.dumps(message, default=str, allow_nan=False)
        except ValueError:                  # a NaN or infinity from the link: JSON has no word for it
            text = json.dumps(_without_nan(message), default=str)
        with self._lock:
            browsers = list(self.browsers)
        for browser in browsers:
            browser.queue.offer(text)

    # -- commands --
    def sent(self, commands) -> None:
        """Commands a page sent. Their PUS-1 stages come with the reports, as every client's do;
        any other stage the tracker gives them (COP-1's, say) is passed on by a listener, and those
        reached before it was attached are passed on here."""
        for command in commands:
            self._remember(command.request_id, command.name)
            self.publish({"k": "stage", "rid": command.request_id, "command": command.name, "stage": "sent",
                          "ok": True, "reason": None, "step": None, "percent": None, "rx": command.sent,
                          "args": _plain(command.args)})
            shown: set[int] = set()
            command.listeners.append(lambda c, stage, shown=shown: self._other_stage(c, stage, shown))
            for stage in list(command.stages):
                self._other_stage(command, stage, shown)

    def _other_stage(self, command, stage, shown: set) -> None:
        if stage.report in STAGES:
            return                          # a PUS-1 report: record() says it
        with self._lock:
            if id(stage) in shown:
                return
            shown.add(id(stage))
        self.publish(stage_message(command.name, command.request_id, stage))

    def _remember(self, request_id: int, name: str) -> None:
        self._names[request_id] = name
        while len(self._names) > COMMANDS_KNOWN:
            self._names.popitem(last=False)

    def _name_of(self, request_id: int) -> str | None:
        name = self._names.get(request_id)
        if name is None:
            command = self.session.tracker.get(request_id)
            if command is not None:
                name = command.name
                self._remember(request_id, name)
        return name

    # -- the downlink, on the reader thread --
    def record(self, record) -> None:
        if not self.browsers and record.name not in ("image_meta", "image_segment"):
            return
        if record.kind == "housekeeping":
            self.publish(self.hk_message(record))
        elif record.kind == "event":
            self.publish(self.event_message(record))
        elif record.kind == "report" and record.name in STAGES:
            request_id = record.fields.get("request_id")
            stage, ok = STAGES[record.name]
            reason = record.fields.get("reason")
            self.publish({"k": "stage", "rid": request_id, "command": self._name_of(request_id), "stage": stage,
                          "ok": ok, "reason": reason_label(reason_of(reason)) if reason is not None else None,
                          "step": record.fields.get("step"), "percent": record.fields.get("percent"),
                          "rx": record.received})
        elif record.name in ("image_meta", "image_segment"):
            self._image(record)
        elif record.kind == "report":
            self.publish({"k": "report", "obt": record.time, "rx": record.received, "name": record.name,
                          "fields": _plain(record.fields)})

    def hk_message(self, record) -> dict:
        """Engineering values in the structure's order (the page has the names): a quarter of the
        octets of a name for each, and as much less for the browser to parse."""
        sid = int(record.name[3:])
        fields = record.fields
        values = [None if (raw := fields.get(p.name)) is None else raw if isinstance(raw, str) else p.calibrate(raw)
                  for p in self.dictionary.structures.get(sid, ())]
        return {"k": "hk", "sid": sid, "obt": record.time, "rx": record.received, "v": values}

    def event_message(self, record) -> dict:
        """With its fields as a person reads them (units, enum and reason names, UTC dates), as
        the console and the monitor show them."""
        event = self.dictionary.events_by_name.get(record.name)
        text = shown_fields(event.args, record.fields) if event is not None else ""
        return _without_nan({"k": "event", "obt": record.time, "rx": record.received, "name": record.name,
                             "severity": record.severity, "fields": _plain(record.fields), "text": text})

    def _image(self, record) -> None:
        from ...images import ImageAssembly  # numpy and PIL: only once an image comes down

        image_id = record.fields["image_id"]
        assembly = self.images.get(image_id)
        if not isinstance(assembly, ImageAssembly) or (record.name == "image_meta" and assembly.complete):
            assembly = self._keep(image_id, ImageAssembly(image_id))
        self.images.move_to_end(image_id)
        if record.name == "image_meta":
            assembly.add_meta(record.fields)
        else:
            assembly.add_segment(record.fields)
        self.publish(self.image_summary(assembly))

    def transfer(self, transfer) -> None:
        """A CFDP transfer's progress (the reader thread): an image's file coming down is shown in
        the gallery as its segments are."""
        image_id = image_id_of(transfer.name)
        if image_id is None or transfer.direction != "receive":
            return
        entry = self.images.get(image_id)
        if not isinstance(entry, ImageFile) or entry.transfer.sequence != transfer.sequence:
            entry = self._keep(image_id, ImageFile(image_id, transfer))
        self.images.move_to_end(image_id)
        entry.told(transfer)
        self.publish(self.image_summary(entry))

    def _keep(self, image_id: int, entry):
        self.images[image_id] = entry
        while len(self.images) > IMAGES_KEPT:
            self.images.popitem(last=False)
        return entry

    @staticmethod
    def image_summary(entry) -> dict:
        """An image's card: what has come (segments, or the file's octets with its gaps and NAKs)
        and, once known, what the image is."""
        meta = entry.meta or {}
        summary = {"k": "image", "id": entry.image_id, "got": entry.received, "total": entry.total,
                   "unit": "segments", "complete": entry.complete, "time": meta.get("time"),
                   "filters": FILTERS.flag_names(meta["filters"]) if "filters" in meta else [],
                   "width": meta.get("width"), "height": meta.get("height"), "io_range": meta.get("io_range")}
        if isinstance(entry, ImageFile):
            transfer = entry.transfer
            summary.update(unit="octets", failed=entry.failure, gaps=transfer.gaps, missing=transfer.missing,
                           naks=transfer.naks, cfdp_class=transfer.mode)
        return summary

    def image_png(self, image_id: int) -> bytes | None:
        """The image as a PNG (colour when red, green and blue came down), or None."""
        import io

        import numpy as np
        from PIL import Image

        from ...images import ImageError, assemble

        entry = self.images.get(image_id)
        if entry is None or not entry.complete:
            return None
        try:
            planes = (entry.image() if isinstance(entry, ImageFile) else assemble(entry)).planes
        except ImageError:
            return None
        if all(c in planes for c in ("red", "green", "blue")):
            picture = Image.fromarray(np.dstack([planes[c] for c in ("red", "green", "blue")]), "RGB")
        else:
            picture = Image.fromarray(next(iter(planes.values())), "L")
        out = io.BytesIO()
        picture.save(out, "PNG")
        return out.getvalue()

    def stats(self) -> dict:
        with self._lock:
            browsers = list(self.browsers)
        return {"browsers": len(browsers), "dropped": [b.dropped for b in browsers]}


def _without_nan(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nan(v) for v in value]
    return value


async def serve_browser(websocket, hub: WebHub, browser: Browser) -> None:
    """Send the browser its batches, one in flight at a time, until it goes."""
    acks: asyncio.Queue = asyncio.Queue()
    reader = asyncio.create_task(_read_acks(websocket, acks))
    reported = -1              # so that a first batch, empty or not, tells the page it is attached
    try:
        while not reader.done():
            if reported >= 0:
                waiter = asyncio.create_task(browser.queue.ready.wait())
                await asyncio.wait({waiter, reader}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                if reader.done():
                    break
            items, dropped = browser.queue.take()
            if not items and dropped == reported:
                continue
            reported = dropped
            batch = ",".join(items)
            await websocket.send_text(f'{{"dropped":{dropped},"sent":{time.time():.6f},"batch":[{batch}]}}')
            ack = asyncio.create_task(acks.get())
            await asyncio.wait({ack, reader}, return_when=asyncio.FIRST_COMPLETED)
            ack.cancel()
    finally:
        reader.cancel()
        hub.detach(browser)


async def _read_acks(websocket, acks: asyncio.Queue) -> None:
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            acks.put_nowait(True)
    except Exception:
        return

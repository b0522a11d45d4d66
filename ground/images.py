"""Images: segments reassembled (gaps found), pixels decoded, PNGs and JSON sidecars written.

The camera sends `image_meta` then `image_segment`s (fsw/camera/dictionary.py); the payload
format is fsw/protocol/imagefile.py, shared with the flight store. An assembly
collects them in any order, ignores duplicates, and says which segments are still missing, so
the procedures can ask for them again (cam_downlink first_segment=N).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from fsw.camera.dictionary import FILTERS
from fsw.protocol import imagefile
from fsw.protocol.companding import decompand
from fsw.protocol.cuc import cuc_to_datetime


class ImageError(ValueError):
    """The downlinked octets do not make the image the metadata describes."""


# no image of this camera comes near it (1600 x 1200 x 4 filters is 8 MB): a bound on what a
# confused or hostile sender can make ground hold (decompression is bounded by the pixel count)
MAX_IMAGE_OCTETS = 64 << 20
FULL_SCALE = 4095.0       # 12-bit DN, once decompanded (pixels come down as 8-bit codes)
HOT_ABOVE_DN = 300.0      # a pixel this far above its neighbourhood's median is hot
SKY_COLUMNS = 12          # columns at each side measured as dark sky


@dataclass
class ImageAssembly:
    image_id: int
    meta: dict | None = None
    segments: dict[int, bytes] = field(default_factory=dict)
    total: int | None = None
    duplicates: int = 0
    refused: int = 0           # segments that contradict the metadata or earlier segments
    requests: int = 0          # cam_downlink commands sent for it (1 + re-requests)
    stored: int = 0            # octets held

    def add_meta(self, fields: dict) -> None:
        self.meta = dict(fields)
        self.total = fields["segments"]
        for index in [i for i in self.segments if i >= self.total]:
            self.stored -= len(self.segments.pop(index))

    def add_segment(self, fields: dict) -> bool:
        """True when the segment is new. Segments out of range, with another total, or beyond
        the size the metadata states are refused (counted), so memory stays bounded."""
        if self.total is None:
            self.total = fields["segments"]
        index, data = fields["segment"], fields["data"]
        limit = MAX_IMAGE_OCTETS if self.meta is None else min(self.meta["size"], MAX_IMAGE_OCTETS)
        if fields["segments"] != self.total or not 0 <= index < self.total or self.stored + len(data) > limit:
            self.refused += 1
            return False
        if index in self.segments:
            self.duplicates += 1
            return False
        self.segments[index] = data
        self.stored += len(data)
        return True

    def missing(self) -> list[int]:
        if self.total is None:
            return []
        return [i for i in range(self.total) if i not in self.segments]

    @property
    def received(self) -> int:
        return len(self.segments)

    @property
    def complete(self) -> bool:
        return self.meta is not None and self.total is not None and not self.missing()

    def data(self) -> bytes:
        if not self.complete:
            raise ImageError(f"image {self.image_id}: segments {_ranges(self.missing())} missing")
        stored = b"".join(self.segments[i] for i in range(self.total))
        try:
            imagefile.check_payload(self.meta, stored)
        except imagefile.ImageFileError as error:
            raise ImageError(f"image {self.image_id}: {error}") from None
        return stored


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> '1-3, 7'."""
    out, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            out.append(f"{start}" if start == n else f"{start}-{n}")
            start = None
    return ", ".join(out)


def filter_names(mask: int) -> list[str]:
    return list(FILTERS.flag_names(mask))


@dataclass
class DownlinkedImage:
    """A reassembled image: metadata, one 2-D array per filter, and how it came down."""

    image_id: int
    meta: dict
    planes: dict[str, np.ndarray]
    segments: int
    requests: int = 1
    duplicates: int = 0

    @property
    def filters(self) -> list[str]:
        return list(self.planes)

    @property
    def dn(self) -> dict[str, np.ndarray]:
        """The planes in 12-bit DN: decompanded when the camera companded them."""
        if self.meta.get("companding") == "sqrt":
            return {name: decompand(plane) for name, plane in self.planes.items()}
        return {name: plane.astype(np.uint16) for name, plane in self.planes.items()}

    def metrics(self) -> dict:
        return {**damage_metrics(self.dn), "hot_pixels_reported": self.meta.get("hot_pixels"),
                "dark_level": self.meta.get("dark_level"), "noise": self.meta.get("noise"),
                "stripes": self.meta.get("stripes"), "dropouts": self.meta.get("dropouts"),
                "dose_krad": self.meta.get("dose")}


def decode_pixels(meta: dict, stored: bytes) -> dict[str, np.ndarray]:
    """Stored octets -> {filter name: height x width array}; planes in filter-bit order. A push-frame
    image's framelets are reassembled: each filter's strips lined up with the sky."""
    names = filter_names(meta["filters"])
    try:
        cube = imagefile.unpack_planes(stored, meta["width"], meta["height"], len(names), meta.get("compression"))
    except imagefile.ImageFileError as error:
        raise ImageError(f"image {meta['image_id']}: {error}") from None
    planes = {name: cube[i] for i, name in enumerate(names)}
    framelets = meta.get("framelets") or 0
    if imagefile.summing_of(meta["height"], framelets):
        planes = imagefile.reassemble(planes, framelets)
    return planes


def read_file(image_id: int, blob: bytes) -> tuple[dict, bytes]:
    """An image's stored file (as CFDP brings it down): its metadata and payload, checked."""
    try:
        meta, payload = imagefile.decode(blob)
    except imagefile.ImageFileError as error:
        raise ImageError(f"image {image_id}: {error}") from None
    return dict(meta, image_id=image_id), payload


def from_file(image_id: int, blob: bytes) -> DownlinkedImage:
    meta, payload = read_file(image_id, blob)
    return DownlinkedImage(image_id, meta, decode_pixels(meta, payload), meta.get("segments", 0))


def assemble(assembly: ImageAssembly) -> DownlinkedImage:
    planes = decode_pixels(assembly.meta, assembly.data())
    return DownlinkedImage(assembly.image_id, assembly.meta, planes, assembly.total,
                           assembly.requests, assembly.duplicates)


def damage_metrics(planes: dict[str, np.ndarray]) -> dict:
    """What the damage looks like in an image's 12-bit DN, measured on the dark sky at both sides
    of the frame (Io stays inside): the background (offset), the stripes (spread of the sky's row
    levels), noise (what is left), missing pixels (0 DN anywhere), hot pixels (far above their 3x3
    neighbours, each of them) and the dynamic range left (the brightest level above the background)."""
    hot = dropouts = 0
    background, stripes, noise, top = [], [], [], []
    for plane in planes.values():
        image = plane.astype(np.float32)
        dropouts += int(np.count_nonzero(image == 0))
        sky = np.hstack([image[:, :SKY_COLUMNS], image[:, -SKY_COLUMNS:]])
        sky = np.where(sky == 0, np.nan, sky)
        rows = np.nanmedian(sky, axis=1)
        residual = sky - rows[:, None]
        residual = residual[np.abs(residual) < HOT_ABOVE_DN]
        background.append(float(np.nanmedian(rows)))
        stripes.append(float(np.nanstd(rows)))
        noise.append(float(np.nanstd(residual)) if residual.size else 0.0)
        top.append(float(np.percentile(image, 99.9)) - background[-1])
        padded = np.pad(image, 1, mode="edge")
        h, w = image.shape
        neighbours = np.stack([padded[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)
                               if (dy, dx) != (1, 1)])
        # isolated: above every neighbour (a bright limb or crater rim has bright neighbours too)
        hot += int(np.count_nonzero(image - neighbours.max(axis=0) > HOT_ABOVE_DN))
    return {"background": round(float(np.mean(background)), 1), "stripes_measured": round(float(np.mean(stripes)), 2),
            "background_noise": round(float(np.mean(noise)), 2), "dropouts_measured": dropouts,
            "hot_pixels_measured": hot, "dynamic_range": round(float(np.mean(top)), 1)}


def sidecar(image: DownlinkedImage) -> dict:
    meta = image.meta
    return {
        "image_id": image.image_id,
        "time": cuc_to_datetime(meta["time"]).isoformat(),
        "onboard_time": meta["time"],
        "filters": image.filters,
        "width": meta["width"],
        "height": next(iter(image.planes.values())).shape[0] if image.planes else meta["height"],
        "framelets": meta.get("framelets", 0),
        # pixels summed n x n in the readout (1: JunoCam's full scale), from a framelet's rows
        "summing": imagefile.summing_of(meta["height"], meta.get("framelets") or 0),
        "exposure_ms": meta["exposure"],
        "tdi": meta["tdi"],
        "companding": meta.get("companding", "linear"),
        "compression": meta.get("compression"),
        "pixel_values": "8-bit codes in the PNG; decompand with fsw/protocol/companding.py for 12-bit DN"
        if meta.get("companding") == "sqrt" else "12-bit DN, linear",
        "io_range_km": round(float(meta["io_range"]), 1),
        "damage": image.metrics(),
        "downlink": {"segments": image.segments, "requests": image.requests, "duplicates": image.duplicates},
    }


def save(image: DownlinkedImage, out_dir: str | Path, stem: str | None = None) -> list[Path]:
    """PNG(s) and a JSON sidecar. Red, green and blue together make one colour composite;
    otherwise (and for methane) each filter is its own greyscale PNG."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = stem or f"image_{image.image_id:04d}"
    written = []
    planes = image.planes
    rest = list(planes)
    if all(c in planes for c in ("red", "green", "blue")):
        rgb = np.dstack([planes[c] for c in ("red", "green", "blue")])
        path = out / f"{stem}.png"
        Image.fromarray(rgb, "RGB").save(path)
        written.append(path)
        rest = [name for name in rest if name not in ("red", "green", "blue")]
    for name in rest:
        path = out / f"{stem}_{name}.png"
        Image.fromarray(planes[name], "L").save(path)
        written.append(path)
    side = out / f"{stem}.json"
    side.write_text(json.dumps(sidecar(image), indent=2) + "\n")
    written.append(side)
    return written

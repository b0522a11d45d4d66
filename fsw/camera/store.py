"""The camera's image store: one blob per image in the flight store, with a capacity."""

from fsw.protocol.imagefile import ImageFileError, decode, encode
from fsw.protocol.reasons import ProtocolError

PREFIX = "image-"
CAPACITY_OCTETS = 16 * 1024 * 1024
MAX_IMAGES = 64


def blob_name(image_id: int) -> str:
    return f"{PREFIX}{image_id:05d}"


def checked_decode(blob: bytes, dictionary) -> tuple[dict, bytes]:
    """A stored blob's metadata and payload, its header checked to hold everything image_meta
    reports (the id is the blob's name), or ImageFileError saying what is wrong."""
    meta, payload = decode(blob)
    fields = [f.name for f in dictionary.report("image_meta").fields if f.name != "image_id"]
    missing = [name for name in fields if name not in meta]
    if missing:
        raise ImageFileError(f"header lacks {', '.join(missing)}")
    try:
        dictionary.check_report("image_meta", {name: meta[name] for name in fields} | {"image_id": 1})
    except ProtocolError as error:
        raise ImageFileError(f"header does not fit image_meta: {error}") from None
    return meta, payload


class ImageStore:
    def __init__(self, store, dictionary, capacity: int = CAPACITY_OCTETS, max_images: int = MAX_IMAGES):
        self.store = store
        self.dictionary = dictionary
        self.capacity = capacity
        self.max_images = max_images
        self.index: dict[int, dict] = {}

    def scan(self) -> list[int]:
        """Index the stored images; returns ids whose blobs were unreadable (left out)."""
        lost = []
        self.index.clear()
        for name in self.store.names():
            if not name.startswith(PREFIX) or not name[len(PREFIX):].isdigit():
                continue
            image_id = int(name[len(PREFIX):])
            blob = self.store.get(name)     # a corrupt file is quarantined by the store
            try:
                if blob is None:
                    raise ImageFileError("corrupt")
                meta, _ = checked_decode(blob, self.dictionary)
            except ImageFileError as error:
                # a sound file holding no image: out of the way too, or every boot would find it
                self.store.quarantine_file(name, str(error))
                lost.append(image_id)
                continue
            self.index[image_id] = meta
        return lost

    @property
    def used(self) -> int:
        return sum(meta["size"] for meta in self.index.values())

    @property
    def percent_used(self) -> int:
        by_size = self.used / self.capacity
        by_count = len(self.index) / self.max_images
        return min(100, round(100 * max(by_size, by_count)))

    def full(self) -> bool:
        return len(self.index) >= self.max_images or self.used >= self.capacity

    def put(self, image_id: int, meta: dict, planes, compression: str, upsets=None) -> dict:
        blob, meta = encode(meta, planes, compression, upsets)
        self.store.put(blob_name(image_id), blob)
        self.index[image_id] = meta
        return meta

    def payload(self, image_id: int) -> bytes | None:
        """The image's payload, or None when it has gone (deleted, corrupt)."""
        blob = self.blob(image_id)
        return None if blob is None else decode(blob)[1]

    def blob(self, image_id: int) -> bytes | None:
        """The image's stored file (header and payload: what CFDP sends), or None when it has gone."""
        blob = self.store.get(blob_name(image_id))
        try:
            if blob is None:
                raise ImageFileError("missing or corrupt")
            checked_decode(blob, self.dictionary)
            return blob
        except ImageFileError as error:
            self.index.pop(image_id, None)
            self.store.quarantine_file(blob_name(image_id), str(error))
            return None

    def delete(self, image_id: int) -> bool:
        self.index.pop(image_id, None)
        return self.store.delete(blob_name(image_id))

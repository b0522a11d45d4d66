"""One stored image: the blob of fsw/protocol/imagefile.py (the payload format is part of the
interface, shared with ground), checked on the way out of the store against image_meta."""

from functools import cache

from fsw.dictionary import load
from fsw.protocol.imagefile import ImageFileError
from fsw.protocol.imagefile import decode as decode_blob
from fsw.protocol.reasons import ProtocolError

_META = "image_meta"


@cache
def _meta_fields() -> tuple[str, ...]:
    """What the header must hold: everything image_meta reports (the id is the blob's name)."""
    return tuple(f.name for f in load().report(_META).fields if f.name != "image_id")


def decode(blob: bytes) -> tuple[dict, bytes]:
    """Metadata and payload, or ImageFileError saying what is wrong."""
    meta, payload = decode_blob(blob)
    fields = _meta_fields()
    missing = [name for name in fields if name not in meta]
    if missing:
        raise ImageFileError(f"header lacks {', '.join(missing)}")
    try:
        load().check_report(_META, {name: meta[name] for name in fields} | {"image_id": 1})
    except ProtocolError as error:
        raise ImageFileError(f"header does not fit image_meta: {error}") from None
    return meta, payload

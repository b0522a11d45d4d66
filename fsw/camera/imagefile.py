"""One stored image: the blob of fsw/protocol/imagefile.py (the payload format is part of the
interface, shared with ground), checked on the way out of the store against image_meta."""

from fsw.dictionary import load
from fsw.protocol.imagefile import (SEGMENT_OCTETS, ImageFileError, encode, segment_count,  # noqa: F401
                                    unpack_planes)
from fsw.protocol.imagefile import decode as decode_blob
from fsw.protocol.reasons import ProtocolError

# the header must hold everything image_meta reports (the id is the blob's name, not stored)
_META = "image_meta"
_META_FIELDS = tuple(f.name for f in load().report(_META).fields if f.name != "image_id")


def decode(blob: bytes) -> tuple[dict, bytes]:
    """Metadata and payload, or ImageFileError saying what is wrong."""
    meta, payload = decode_blob(blob)
    missing = [name for name in _META_FIELDS if name not in meta]
    if missing:
        raise ImageFileError(f"header lacks {', '.join(missing)}")
    try:
        load().check_report(_META, {name: meta[name] for name in _META_FIELDS} | {"image_id": 1})
    except ProtocolError as error:
        raise ImageFileError(f"header does not fit image_meta: {error}") from None
    return meta, payload


def filter_names(mask: int) -> tuple[str, ...]:
    from .dictionary import FILTERS

    return FILTERS.flag_names(mask)

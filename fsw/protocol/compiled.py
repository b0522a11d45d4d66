"""Run construct declarations fast on hot paths.

Every structure is declared once with construct. A struct made only of byte-aligned number fields can
go further than construct's compiled parsers (fsw/protocol/dictionary/codec.py uses those):
`Flat` turns the same declaration into one `struct.Struct` call, which is what lets
packet encode and decode beat the goals in docs/PERFORMANCE.md. Neither path checks anything, so
every caller validates what it parsed explicitly, with a reason code per failure.
"""

import struct as _struct

import construct


class Flat:
    """A construct Struct of big-endian number fields, packed and unpacked in one call.

    `declaration` stays the source of truth (and is what docs and tests look at); the
    struct.Struct is derived from its fields, so the two cannot drift apart.
    """

    def __init__(self, *fields):
        self.declaration = construct.Struct(*fields)
        formats = []
        names = []
        for sub in self.declaration.subcons:
            inner = sub.subcon if isinstance(sub, construct.Renamed) else sub
            if not isinstance(inner, construct.FormatField) or inner.fmtstr[0] != ">":
                raise TypeError(f"field {sub.name!r} is not a big-endian number field")
            formats.append(inner.fmtstr[1:])
            names.append(sub.name)
        self.names = tuple(names)
        self._formats = tuple(formats)
        self._struct = _struct.Struct(">" + "".join(formats))
        self.size = self._struct.size
        self.pack = self._struct.pack
        self.unpack_from = self._struct.unpack_from

    def field(self, name: str) -> tuple[int, _struct.Struct]:
        """(offset, struct.Struct) of one field: read it alone, without unpacking the others."""
        index = self.names.index(name)
        offset = _struct.calcsize(">" + "".join(self._formats[:index]))
        return offset, _struct.Struct(">" + self._formats[index])

    def parse(self, data: bytes, offset: int = 0) -> dict:
        return dict(zip(self.names, self._struct.unpack_from(data, offset)))

    def build(self, values: dict) -> bytes:
        return self._struct.pack(*(values[name] for name in self.names))

"""Run construct declarations fast on hot paths.

Every structure is declared once with construct. construct's compiled parsers are several times
faster than interpreted ones, and a struct made only of byte-aligned number fields can go one
step further: `Flat` turns the same declaration into one `struct.Struct` call, which is what lets
packet encode and decode beat the goals in docs/PERFORMANCE.md. Neither path checks anything, so
every caller validates what it parsed explicitly, with a reason code per failure.
"""

import struct as _struct
from io import BytesIO

import construct

_CONTEXT = {"_params": {}}


def compile_struct(*fields) -> construct.Compiled:
    return construct.Struct(*fields).compile()


def parse(compiled: construct.Compiled, data: bytes):
    """Run a compiled parser without construct's per-call wrapper."""
    return compiled.parsefunc(BytesIO(data), _CONTEXT)


def build(compiled: construct.Compiled, values: dict) -> bytes:
    stream = BytesIO()
    compiled.buildfunc(values, stream, _CONTEXT)
    return stream.getvalue()


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
        self._struct = _struct.Struct(">" + "".join(formats))
        self.size = self._struct.size
        self.pack = self._struct.pack
        self.unpack_from = self._struct.unpack_from

    def parse(self, data: bytes, offset: int = 0) -> dict:
        return dict(zip(self.names, self._struct.unpack_from(data, offset)))

    def build(self, values: dict) -> bytes:
        return self._struct.pack(*(values[name] for name in self.names))

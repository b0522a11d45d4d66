"""A ground server's archive, read through its API (docs/GROUND.md) with the reading methods of
ArchiveReader: `export`, `plot`, `replay` and `archive query` take either, so a person on another
machine (`--server URL`) gets what the server's own file would give."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fsw.protocol import TmPacket
from fsw.protocol.dictionary import Dictionary

from .archive import ArchiveError
from .client import ServerError, request
from .ingest import Ingest

TIMEOUT = 600.0        # seconds a long read may stream for


class ServerArchive:
    def __init__(self, url: str, token: str | None, dictionary: Dictionary):
        self.url = url
        self.token = token
        self.dictionary = dictionary
        self.path = f"the archive of {url}"       # what messages name

    def _rows(self, path: str, query: list[tuple[str, object]] = ()):
        """The JSON lines of an archive endpoint as they stream in; ArchiveError with the server's
        one line when it refuses or fails."""
        target = f"{path}?{urlencode(list(query))}" if query else path
        try:
            for line in request(self.url, "GET", target, token=self.token, timeout=TIMEOUT):
                row = json.loads(line)
                if "error" in row:
                    raise ArchiveError(row["error"])
                yield row
        except ServerError as error:
            raise ArchiveError(str(error)) from None

    @staticmethod
    def _span(start: float | None, end: float | None) -> list[tuple[str, float]]:
        return [(key, value) for key, value in (("from", start), ("to", end)) if value is not None]

    def samples(self, names: list[str], start: float | None = None, end: float | None = None):
        """(on-board time, parameter, engineering value), in time order."""
        query = [("parameter", name) for name in names] + self._span(start, end)
        for row in self._rows("/api/archive/samples", query):
            yield row["time"], row["parameter"], row["value"]

    def parameter(self, name: str, start: float | None = None, end: float | None = None) -> list[tuple[float, object]]:
        return [(t, value) for t, _, value in self.samples([name], start, end)]

    def events(self) -> list[tuple[float, str, dict]]:
        return [(row["time"], row["event"], row["fields"]) for row in self._rows("/api/archive/events")]

    def records(self):
        """(ground time, Record) of every packet the server received, in arrival order, decoded
        here with this dictionary (as a replay of a file decodes them)."""
        ingest = Ingest(self.dictionary)
        for row in self._rows("/api/archive/packets"):
            try:
                packet = TmPacket(row["apid"], row["service"], row["subtype"], bytes.fromhex(row["data"]),
                                  row["time"] or 0.0, row["seq"] or 0, row["counter"] or 0)
            except (KeyError, TypeError, ValueError) as error:
                raise ArchiveError(f"{self.url}: a packet row it sent is not one ({error})") from None
            yield row["received"], ingest.decode(packet, now=row["received"])

    def close(self) -> None:
        pass

"""Reading the server's archive for a client: the one way every endpoint that streams it takes
(the client API's /api/archive/..., the web station's CSV export and command history): the access
check, the query's parameters, a reader of the archive (its writes flushed first), then the rows
streamed, the reader closed at the end whatever happens."""

from __future__ import annotations

import asyncio
import difflib
import json

from starlette.responses import JSONResponse, StreamingResponse

from ..archive import ArchiveError, ArchiveReader


class QueryError(ValueError):
    """A query the archive cannot answer: one line saying why (400)."""


MAX_BODY = 64 * 1024        # a command or a directive is a few hundred octets


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def json_body(request, empty=None) -> tuple[object, JSONResponse | None]:
    """A request's JSON document (`empty` for an empty body) and None, or None and the refusal:
    a body over MAX_BODY (413) or one that is no JSON (400)."""
    body = await request.body()
    if len(body) > MAX_BODY:
        return None, error(413, f"request body over {MAX_BODY} octets")
    if not body:
        return empty, None
    try:
        return json.loads(body), None
    except ValueError as problem:
        return None, error(400, f"body is not JSON: {problem}")


def parameters_and_span(dictionary, query) -> tuple[list[str], float | None, float | None]:
    """?parameter=P (repeatable)&from=T&to=T (on-board seconds): the names and the span."""
    names = query.getlist("parameter")
    if not names:
        raise QueryError("name at least one parameter=")
    for name in names:
        if name not in dictionary.parameters:
            near = difflib.get_close_matches(name, dictionary.parameters, n=1)
            raise QueryError(f"unknown parameter {name!r}" + (f" (did you mean {near[0]}?)" if near else ""))
    try:
        start, end = (float(query[k]) if query.get(k) else None for k in ("from", "to"))
    except ValueError:
        raise QueryError("from and to are on-board seconds") from None
    return names, start, end


def open_reader(server) -> tuple[ArchiveReader | None, JSONResponse | None]:
    """A reader of the server's archive, or the reason there is none."""
    archive = server.session.archive
    if archive is None:
        return None, error(404, "this server keeps no archive (--no-archive)")
    archive.flush(wait=True)
    try:
        return ArchiveReader(archive.path, server.session.dictionary), None
    except ArchiveError as problem:
        return None, error(500, str(problem))


def json_lines(rows):
    """One JSON line a row; octets as hex."""
    for row in rows:
        yield json.dumps(row, default=_plain) + "\n"


def json_failure(problem: ArchiveError) -> str:
    return json.dumps({"error": str(problem)}) + "\n"


async def archive_response(request, allowed, server, rows, query=None, encode=json_lines, failure=json_failure,
                           media_type: str = "application/x-ndjson", headers: dict | None = None):
    """The response of an archive endpoint: query(request's query parameters) says what is asked
    (QueryError: 400, before the archive is opened), rows(reader, asked) gives the rows, encode(rows)
    the text streamed; an archive that fails mid-way ends the stream with failure(the ArchiveError)."""
    refused = allowed(request)
    if refused:
        return refused
    try:
        asked = query(request.query_params) if query is not None else None
    except QueryError as problem:
        return error(400, str(problem))
    reader, refused = await asyncio.to_thread(open_reader, server)
    if refused:
        return refused

    def stream():
        try:
            yield from encode(rows(reader, asked))
        except ArchiveError as problem:
            yield failure(problem)
        finally:
            reader.close()

    return StreamingResponse(stream(), media_type=media_type, headers=headers)


def _plain(value):
    """Octets as hex, anything else JSON cannot say as its text."""
    return value.hex() if isinstance(value, (bytes, bytearray)) else str(value)

"""The web station's routes, mounted on the server's listen address (ground/server/api.py):

    GET  /                          to /web/
    GET  /web/                      the page (one document, a tab per view)
    GET  /web/static/..., /web/vendor/...   its scripts and styles, and uPlot from node_modules
    GET  /web/api/session           the browser's role, its CSRF token, the dictionary it needs
    GET  /web/api/status            the server's status (every field it reports, COP-1 and SDLS
                                    included when present), link statistics, the browsers' drops
    GET  /web/api/events            the latest events (up to 500) the server holds
    GET  /web/api/history           ?limit=N: commands sent, newest first, with their stages (archive)
    GET  /web/api/images            the images seen coming down; /web/api/images/N.png one of them
    POST /web/api/images/N/downlink bring image N down (CFDP where the spacecraft has it, else in
                                    segments), as `ground image` does: operators, with the CSRF token
    GET  /web/api/archive.csv       ?parameter=P (repeatable)&from=T&to=T: the archive's samples as CSV
    POST /web/api/commands          {"name", "words", "arm"}: operators only, with the CSRF token
    WS   /web/api/feed              ?queue=N: the live feed (feed.py), acknowledged batch by batch

Pages and assets need no token (they hold nothing); every /web/api/ request does, when the server
needs tokens, as the client API does.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import secrets
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from fsw.protocol.cuc import cuc_to_datetime
from fsw.protocol.reasons import ProtocolError

from ...archive import ArchiveError
from ..access import token_of
from ..reading import archive_response, error, json_body, open_reader, parameters_and_span
from ..station import CommandRequestError
from .feed import BROWSER_QUEUE, WebHub, serve_browser
from .history import command_history
from .origin import cross_site

HERE = Path(__file__).parent
STATIC = HERE / "static"
UPLOT = HERE / "node_modules" / "uplot" / "dist"
VENDOR = {"uPlot.iife.min.js": UPLOT / "uPlot.iife.min.js", "uPlot.min.css": UPLOT / "uPlot.min.css"}
INSTALL_HINT = f"the web station's assets are not installed: run `npm ci --prefix {HERE}` (or ./scripts/test)"
HISTORY_MAX = 1000


def missing_assets() -> list[str]:
    return [name for name, path in VENDOR.items() if not path.is_file()]


def dictionary_json(dictionary) -> dict:
    """What the page needs of the dictionary: commands with their argument fields, parameters with
    units and limits, events with their severity."""
    def field(f) -> dict:
        low, high = f.bounds or (None, None)
        return {"name": f.name, "type": f.type, "unit": f.unit, "description": f.description, "min": low,
                "max": high, "enum": [name for name, _ in f.enum], "flags": [list(flag) for flag in f.flags],
                "default": f.default if isinstance(f.default, (int, float, str, bool)) else None}

    return {
        "version": f"{dictionary.version:08x}",
        "commands": [{"name": c.name, "description": c.description, "hazardous": c.hazardous,
                      "args": [field(a) for a in c.args]} for c in dictionary.commands.values()],
        "parameters": {p.name: {"unit": p.unit, "description": p.description, "sid": p.sid,
                                "yellow": p.yellow, "red": p.red, "enum": bool(p.enum),
                                "flags": [list(flag) for flag in p.flags]} for p in dictionary.parameters.values()},
        "events": {e.name: e.severity.name.lower() for e in dictionary.events.values()},
        "structures": {sid: [p.name for p in params] for sid, params in dictionary.structures.items()},
    }


def web_routes(server, access, allowed) -> list:
    """The routes, given the server, its Access and the API's `allowed(request, need_operator)`."""
    hub = WebHub(server)
    csrf = secrets.token_urlsafe(24)
    dictionary = server.session.dictionary
    dictionary_doc = dictionary_json(dictionary)

    async def root(request: Request):
        return RedirectResponse("/web/")

    async def page(request: Request):
        missing = missing_assets()
        if missing:
            return PlainTextResponse(INSTALL_HINT + "\n", status_code=503)
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def vendor(request: Request):
        path = VENDOR.get(request.path_params["name"])
        if path is None or not path.is_file():
            return PlainTextResponse(INSTALL_HINT + "\n", status_code=404 if path is None else 503)
        return FileResponse(path)

    async def session(request: Request):
        refused = allowed(request)
        if refused:
            return refused
        role = access.role(token_of(request))
        return JSONResponse({"role": role, "csrf": csrf, "dictionary": dictionary_doc,
                             "queue": BROWSER_QUEUE, "port": server.port,
                             "stale_after": server.session.state.stale_after})

    async def status(request: Request):
        refused = allowed(request)
        if refused:
            return refused
        stats = server.session.state.stats
        document = server.status()
        document["link"] = {"frames_per_second": round(stats.frames_per_second(), 1),
                            "fecf_errors": stats.fecf_errors, "crc_errors": stats.crc_errors,
                            "resyncs": stats.resyncs, "bytes": stats.bytes,
                            "rejected": {getattr(reason, "label", str(reason)): count
                                         for reason, count in stats.counts.items()}}
        document["web"] = hub.stats()
        return JSONResponse(json.loads(json.dumps(document, default=str)))

    async def history(request: Request):
        refused = allowed(request)
        if refused:
            return refused
        try:
            limit = max(1, min(int(request.query_params.get("limit", 100)), HISTORY_MAX))
        except ValueError:
            return error(400, "limit is a number of commands")
        reader, refused = await asyncio.to_thread(open_reader, server)
        if refused:
            return refused
        try:
            rows = await asyncio.to_thread(command_history, reader, limit)
        except ArchiveError as problem:
            return error(500, str(problem))
        finally:
            reader.close()
        return JSONResponse({"commands": rows})

    async def events(request: Request):
        refused = allowed(request)
        if refused:
            return refused
        state = server.session.state
        with state.changed:
            recent = list(state.events)
        return JSONResponse({"events": [hub.event_message(record) for record in recent]})

    async def images(request: Request):
        return allowed(request) or JSONResponse({"images": [hub.image_summary(a) for a in hub.images.values()]})

    async def image_png(request: Request):
        refused = allowed(request)
        if refused:
            return refused
        png = await asyncio.to_thread(hub.image_png, request.path_params["image_id"])
        if png is None:
            return error(404, f"image {request.path_params['image_id']} has not come down whole")
        return Response(png, media_type="image/png")

    async def archive_csv(request: Request):
        def rows(reader, asked):
            names, start, end = asked
            return reader.samples(names, start, end)

        return await archive_response(request, allowed, server, rows,
                                      query=lambda query: parameters_and_span(dictionary, query),
                                      encode=lambda samples: csv_lines(samples, dictionary),
                                      failure=lambda problem: f"# {problem}\n", media_type="text/csv",
                                      headers={"Content-Disposition": 'attachment; filename="perijove-archive.csv"'})

    def from_the_page(request: Request) -> JSONResponse | None:
        """None for an operator's request from the station's own page, else the refusal."""
        refused = allowed(request, need_operator=True)
        if refused:
            return refused
        if request.headers.get("x-csrf-token") != csrf or cross_site(request.headers):
            return error(403, "refused: a command needs the page's CSRF token, from the station's own origin")
        return None

    async def downlink(request: Request):
        from ...procedures import CommandError, FileDeliveryError, GroundStation, ImageError

        refused = from_the_page(request)
        if refused:
            return refused
        image_id = request.path_params["image_id"]
        if not 1 <= image_id <= 0xFFFF:
            return error(400, "an image id is 1-65535")
        try:
            await asyncio.to_thread(GroundStation(server.session).downlink_image, image_id)
        except (CommandError, FileDeliveryError, ImageError, TimeoutError) as failure:
            return error(409, str(failure))
        return JSONResponse({"image_id": image_id, "complete": True})

    async def commands(request: Request):
        refused = from_the_page(request)
        if refused:
            return refused
        document, refused = await json_body(request)
        if refused:
            return refused
        try:
            name, words = document["name"], document.get("words", [])
            if not isinstance(name, str) or not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return error(400, 'body must be {"name": command, "words": ["arg=value", ...], "arm": bool}')
        try:
            args = dictionary.parse_args(name, words)
            sent = await asyncio.to_thread(server.submit, name, args, arm=bool(document.get("arm")), person=True)
        except (CommandRequestError, ProtocolError, ValueError, KeyError) as problem:
            return error(400, str(problem).strip("'\""))
        except Exception as problem:          # the link failed under us: say so, stay up
            return error(503, f"not sent: {problem}")
        hub.sent(sent)
        return JSONResponse({"commands": [{"command": c.name, "request_id": c.request_id} for c in sent]})

    async def feed(websocket: WebSocket):
        role = access.role(token_of(websocket))
        if role is None or cross_site(websocket.headers):
            await websocket.close(code=4403 if role else 4401)
            return
        try:
            limit = int(websocket.query_params.get("queue", BROWSER_QUEUE))
        except ValueError:
            limit = BROWSER_QUEUE
        await websocket.accept()
        browser = hub.attach(asyncio.get_running_loop(), limit, role)
        await serve_browser(websocket, hub, browser)

    return [
        Route("/", root),
        Mount("/web", routes=[
            Route("/", page),
            Route("/vendor/{name}", vendor),
            Mount("/static", app=StaticFiles(directory=STATIC), name="web-static"),
            Route("/api/session", session),
            Route("/api/status", status),
            Route("/api/history", history),
            Route("/api/events", events),
            Route("/api/images", images),
            Route("/api/images/{image_id:int}.png", image_png),
            Route("/api/images/{image_id:int}/downlink", downlink, methods=["POST"]),
            Route("/api/archive.csv", archive_csv),
            Route("/api/commands", commands, methods=["POST"]),
            WebSocketRoute("/api/feed", feed),
        ]),
    ]


def csv_lines(samples, dictionary):
    """(on-board time, parameter, value) as the CSV of `ground export csv`, 32 KiB at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["time_utc", "onboard_s", "parameter", "value", "unit"])
    for t, name, value in samples:
        writer.writerow((cuc_to_datetime(t).isoformat(timespec="milliseconds"), f"{t:.3f}", name, value,
                         dictionary.parameters[name].unit))
        if buffer.tell() > 32768:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

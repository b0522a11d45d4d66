"""The client API over HTTP and WebSocket (docs/GROUND.md), on the server's listen address.

    GET  /api/status                 the link, the counters, the clients, recent warnings
    GET  /api/telemetry              latest value of every parameter: engineering value, times, limit
    POST /api/commands               send a command: {"name", "args" | "words", "arm", "ack", "release",
                                     "bypass", "follow", "timeout"}; with follow, one JSON line per
                                     stage until it ends, else the request ids at once
    GET  /api/cop1                   COP-1 (FOP-1) state, V(S), queues, settings, last CLCW
    POST /api/cop1                   a COP-1 directive: {"directive", "value"} (docs/GROUND.md)
    POST /api/keys/rotate            a spare SDLS key into service on board, the uplink moved to it
                                     from the next radiated frame: {"timeout"} per command (operators)
    WS   /api/stream                 every TM packet as it arrives (binary: 8-octet ground time, then
                                     the packet); text messages for warnings and drops
    GET  /api/archive/samples        ?parameter=P (repeatable)&from=T&to=T: one JSON line per sample
    GET  /api/archive/events         one JSON line per archived event
    GET  /api/archive/packets        one JSON line per archived downlink packet (header fields, the
                                     octets in hex), in arrival order: what a replay feeds

A request without a valid token (when the server needs them) is refused with 401 and counted;
a viewer asking to command gets 403; a malformed request gets 400 and one line saying why.
"""

from __future__ import annotations

import asyncio
import dataclasses
import difflib
import json
import logging
import struct
import time

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from fsw.protocol.pus import ACK_ALL
from fsw.protocol.reasons import ProtocolError

from ..tracker import reason_label
from .access import OPERATOR, Access, token_of
from .reading import archive_response, error, json_body, parameters_and_span
from .station import CommandRequestError, GroundServer, Subscriber
from .web import SameOriginOnly, web_routes

log = logging.getLogger("ground.server")
MAX_FOLLOW_S = 3600.0
PACKET_HEADER = struct.Struct(">d")


def _stage_json(command, stage) -> dict:
    return {"command": command.name, "request_id": command.request_id, "stage": stage.stage, "ok": stage.ok,
            "reason": reason_label(stage.reason) if stage.reason is not None else None,
            "step": stage.step, "percent": stage.percent}


def _outcome_json(command) -> dict:
    args = {k: v.hex() if isinstance(v, (bytes, bytearray)) else v for k, v in command.args.items()}
    return {"command": command.name, "args": args, "request_id": command.request_id,
            "outcome": "timeout" if command.outcome == "pending" else command.outcome,
            "reason": reason_label(command.reason) if command.reason is not None else None}


def _args_from_json(dictionary, name: str, body: dict) -> dict:
    """Arguments as JSON values ({"hex": "..."} or a hex string for octets) or as typed words."""
    if "words" in body:
        words = body["words"]
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise CommandRequestError("words must be a list of name=value strings")
        return dictionary.parse_args(name, words)
    args = body.get("args", {})
    if not isinstance(args, dict):
        raise CommandRequestError("args must be an object of name: value")
    fields = {f.name: f for f in dictionary.command(name).args}
    out = {}
    for key, value in args.items():
        field = fields.get(key)
        if field is not None and field.type == "bytes":
            text = value.get("hex") if isinstance(value, dict) else value
            try:
                value = bytes.fromhex(text)
            except (TypeError, ValueError):
                raise CommandRequestError(f"{key} takes octets as a hex string") from None
        out[key] = value
    return out


def create_app(server: GroundServer, access: Access) -> Starlette:
    from .files import file_routes

    dictionary = server.session.dictionary

    def allowed(request, need_operator: bool = False) -> JSONResponse | None:
        role = access.role(token_of(request))
        if role is None:
            log.warning("refused %s %s from %s: no valid token", request.method, request.url.path,
                        request.client.host if request.client else "?")
            return error(401, "a valid token is needed (Authorization: Bearer TOKEN)")
        if need_operator and role != OPERATOR:
            return error(403, "viewers cannot command")
        return None

    async def status(request: Request):
        return allowed(request) or JSONResponse(server.status())

    async def telemetry(request: Request):
        return allowed(request) or JSONResponse(server.telemetry())

    async def commands(request: Request):
        refused = allowed(request, need_operator=True)
        if refused:
            return refused
        document, refused = await json_body(request)
        if refused:
            return refused
        if not isinstance(document, dict) or not isinstance(document.get("name"), str):
            return error(400, 'body must be a JSON object with a command "name"')
        name = document["name"]
        if name not in dictionary.commands:
            near = difflib.get_close_matches(name, dictionary.commands, n=1)
            return error(400, f"unknown command {name!r}" + (f" (did you mean {near[0]}?)" if near else ""))
        try:
            timeout = float(document.get("timeout", 10.0))
            if not 0 < timeout <= MAX_FOLLOW_S:
                raise ValueError
            ack = int(document.get("ack", ACK_ALL))
            release = document.get("release")
            release = None if release is None else float(release)
        except (TypeError, ValueError):
            return error(400, f"timeout must be in (0, {MAX_FOLLOW_S:g}] s, ack an integer, release a time")
        try:
            args = _args_from_json(dictionary, name, document)
            sent = await asyncio.to_thread(server.submit, name, args, arm=bool(document.get("arm")),
                                           ack=ack, release=release, person=bool(document.get("person")),
                                           bypass=bool(document.get("bypass")))
        except (CommandRequestError, ProtocolError) as problem:
            return error(400, str(problem))
        except Exception as problem:    # the link failed under us: say so, stay up
            return error(503, f"not sent: {problem}")
        if not document.get("follow"):
            return JSONResponse({"commands": [{"command": c.name, "request_id": c.request_id} for c in sent]})
        return StreamingResponse(_follow(sent, timeout), media_type="application/x-ndjson")

    async def stream(websocket: WebSocket):
        if access.role(token_of(websocket)) is None:
            await websocket.close(code=4401, reason="a valid token is needed")
            return
        await websocket.accept()
        subscriber = Subscriber(asyncio.get_running_loop())
        server.attach(subscriber)
        closed = asyncio.create_task(_until_closed(websocket))
        reported = 0
        try:
            while not closed.done():
                waiter = asyncio.create_task(subscriber.ready.wait())
                await asyncio.wait({waiter, closed}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                for item in subscriber.take():
                    if item[0] == "notice":
                        await websocket.send_text(json.dumps(item[1]))
                    else:
                        await websocket.send_bytes(PACKET_HEADER.pack(item[0]) + item[1])
                if subscriber.dropped != reported:
                    reported = subscriber.dropped
                    await websocket.send_text(json.dumps({"dropped": reported}))
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        finally:
            server.detach(subscriber)
            closed.cancel()

    def samples(reader, asked):
        names, start, end = asked
        if len(names) == 1:         # one parameter: its octets alone decoded, not whole reports
            found = ((t, names[0], value) for times, _, values in reader.series(names[0], start, end)
                     for t, value in zip(times, values))
        else:
            found = reader.samples(names, start, end)
        return ({"time": t, "parameter": name, "value": value} for t, name, value in found)

    def events(reader, asked):
        return ({"time": t, "event": name, "fields": fields} for t, name, fields in reader.events())

    def packets(reader, asked):
        return ({"received": t, "apid": r.packet.apid, "service": r.packet.service, "subtype": r.packet.subtype,
                 "seq": r.packet.seq_count, "counter": r.packet.message_counter, "time": r.packet.time,
                 "data": r.packet.data.hex()} for t, r in reader.records())

    async def archive_samples(request: Request):
        return await archive_response(request, allowed, server, samples,
                                      query=lambda query: parameters_and_span(dictionary, query))

    async def archive_events(request: Request):
        return await archive_response(request, allowed, server, events)

    async def archive_packets(request: Request):
        return await archive_response(request, allowed, server, packets)

    async def cop1(request: Request):
        """GET: COP-1's status; POST {"directive": NAME, "value": V}: an operator's directive."""
        if request.method == "GET":
            refused = allowed(request)
            if refused:
                return refused
            try:
                return JSONResponse(server.cop1())
            except CommandRequestError as problem:
                return error(409, str(problem))
        refused = allowed(request, need_operator=True)
        if refused:
            return refused
        document, refused = await json_body(request)
        if refused:
            return refused
        if not isinstance(document, dict) or not isinstance(document.get("directive"), str):
            return error(400, 'body must be a JSON object with a "directive"')
        try:
            return JSONResponse(await asyncio.to_thread(server.cop1, document["directive"], document.get("value")))
        except CommandRequestError as problem:
            return error(409, str(problem))

    async def rotate_keys(request: Request):
        refused = allowed(request, need_operator=True)
        if refused:
            return refused
        document, refused = await json_body(request, empty={})
        if refused:
            return refused
        try:
            timeout = float(document.get("timeout", 10.0))
            if not 0 < timeout <= MAX_FOLLOW_S:
                raise ValueError
        except (ValueError, TypeError, AttributeError):
            return error(400, f'body must be a JSON object, its "timeout" in (0, {MAX_FOLLOW_S:g}] s')
        try:
            rotation = await asyncio.to_thread(server.rotate_keys, timeout)
        except CommandRequestError as problem:
            return error(409, str(problem))
        return JSONResponse(dataclasses.asdict(rotation))

    async def not_found(request: Request, exc):
        return error(getattr(exc, "status_code", 404), f"{request.method} {request.url.path}: no such endpoint")

    routes = [
        Route("/api/status", status),
        Route("/api/telemetry", telemetry),
        Route("/api/commands", commands, methods=["POST"]),
        Route("/api/cop1", cop1, methods=["GET", "POST"]),
        Route("/api/keys/rotate", rotate_keys, methods=["POST"]),
        WebSocketRoute("/api/stream", stream),
        Route("/api/archive/samples", archive_samples),
        Route("/api/archive/events", archive_events),
        Route("/api/archive/packets", archive_packets),
        *web_routes(server, access, allowed),          # the web station (ground/server/web)
        *file_routes(server, allowed, error),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found},
                     middleware=[Middleware(SameOriginOnly)])


async def _until_closed(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, to notice when it goes."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
    except Exception:
        return


async def _follow(commands, timeout: float):
    """One JSON line per stage of each command as it arrives, then each one's outcome."""
    woken = asyncio.Event()
    loop = asyncio.get_running_loop()

    def wake(command, stage) -> None:
        loop.call_soon_threadsafe(woken.set)

    for command in commands:
        command.listeners.append(wake)
    deadline = time.monotonic() + timeout
    shown = [0] * len(commands)
    try:
        while True:
            done = all(c.finished for c in commands)   # before reading: a finished one has all its stages
            for index, command in enumerate(commands):
                stages = list(command.stages)
                for stage in stages[shown[index]:]:
                    yield json.dumps(_stage_json(command, stage)) + "\n"
                shown[index] = len(stages)
            if done or time.monotonic() >= deadline:
                break
            woken.clear()
            try:
                await asyncio.wait_for(woken.wait(), max(0.0, min(deadline - time.monotonic(), 1.0)))
            except TimeoutError:
                pass
        for command in commands:
            yield json.dumps(_outcome_json(command)) + "\n"
    finally:
        for command in commands:
            if wake in command.listeners:
                command.listeners.remove(wake)

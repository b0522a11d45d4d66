"""Requests from other sites: a page elsewhere can make a browser send a POST (or open a
WebSocket) to the station, with no token needed on a loopback address. Browsers say where a
request comes from (Origin, Sec-Fetch-Site); the station refuses anything that changes state, or
reads the live stream, from another origin. Clients that are not browsers send neither header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import JSONResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cross_site(headers) -> bool:
    """True when a browser says the request comes from a page of another origin."""
    if headers.get("sec-fetch-site", "") in ("cross-site", "same-site"):
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


class SameOriginOnly:
    """ASGI middleware: a cross-site POST (or any method that is not safe) or WebSocket gets 403."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
            unsafe = scope["type"] == "websocket" or scope.get("method", "GET") not in SAFE_METHODS
            if unsafe and cross_site(headers):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4403})
                    return
                response = JSONResponse({"error": "refused: a request from another site"}, status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

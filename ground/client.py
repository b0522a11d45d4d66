"""Talking to a ground server over HTTP with the standard library alone: what a command-line
tool needs to send one command and exit, without the cost of loading the dictionary."""

import http.client
import json
import os
from urllib.parse import urlsplit


class ServerError(OSError):
    """The server refused a request or could not be reached: one line saying why (an OSError,
    like a link that failed: the way to the spacecraft is what failed)."""


def server_url(option: str | None) -> str | None:
    """--server, else $PERIJOVE_SERVER, else None."""
    return option or os.environ.get("PERIJOVE_SERVER") or None


def request(url: str, method: str, path: str, body: dict | None = None, token: str | None = None,
            timeout: float = 30.0, octets: bytes | None = None) -> http.client.HTTPResponse:
    """One HTTP request to the server, with a JSON body or raw octets (a file); ServerError with the
    server's one line on a refusal."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ServerError(f"{url}: not a server URL (http://HOST:PORT)")
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    headers = {"Content-Type": "application/json" if octets is None else "application/octet-stream"}
    token = token or os.environ.get("PERIJOVE_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if octets is None and body is not None:
        octets = json.dumps(body).encode()
    try:
        connection.request(method, path, body=octets, headers=headers)
        response = connection.getresponse()
    except OSError as error:
        raise ServerError(f"{url}: {error.strerror or error}") from None
    if response.status >= 400:
        try:
            message = json.loads(response.read()).get("error", "")
        except (ValueError, AttributeError):
            message = ""
        raise ServerError(f"{url}: {message or response.reason} ({response.status})")
    return response

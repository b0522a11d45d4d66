"""File delivery for a station attached to a ground server: the server's CFDP entity does it
(ground/server/files.py); this side is plain HTTP, light enough for a one-shot command line."""

import http.client
import json
import os
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fsw.protocol.cfdp import CLASS_2, MAX_UPLOAD_OCTETS, Transfer


class FileDeliveryError(RuntimeError):
    """A file that did not arrive: the text says why (the CFDP condition, or a time-out)."""


class RemoteFiles:
    """The CFDP entity of the ground server this station is attached to (ground/server/files.py)."""

    def __init__(self, url: str, token: str | None = None):
        self.url = url
        self.token = token

    def fetch_image(self, image_id: int, cfdp_class: int = 2, timeout: float = 120.0) -> bytes:
        response = self._post("/api/files/downlink", json.dumps(
            {"image_id": image_id, "cfdp_class": cfdp_class, "timeout": timeout}).encode(), timeout)
        body = response.read()
        if response.getheader("Content-Type", "").startswith("application/json"):
            _raise(json.loads(body), f"image {image_id}")
        return body

    def upload(self, path: str | Path, name: str | None = None, mode: int = CLASS_2, timeout: float = 300.0,
               progress=None) -> Transfer:
        path = Path(path)
        name = name or path.name
        if not path.is_file():
            raise FileDeliveryError(f"{path}: not a file")
        size = path.stat().st_size
        if size > MAX_UPLOAD_OCTETS:
            raise FileDeliveryError(f"{path}: {size} octets, the on-board limit is {MAX_UPLOAD_OCTETS}")
        query = urlencode({"name": name, "cfdp_class": mode, "timeout": timeout})
        response = self._post(f"/api/files/upload?{query}", path.read_bytes(), timeout)
        result = json.loads(response.read())
        if "transfer" not in result:
            _raise(result, name)
        return Transfer(**result["transfer"])

    def _post(self, path: str, body: bytes, timeout: float):
        from .client import ServerError

        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout + 30)
        headers = {"Content-Type": "application/octet-stream"}
        token = self.token or os.environ.get("PERIJOVE_TOKEN")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
        except OSError as error:
            raise ServerError(f"{self.url}: {error.strerror or error}") from None
        if response.status >= 400:
            try:
                message = json.loads(response.read()).get("error", "")
            except (ValueError, AttributeError):
                message = ""
            raise ServerError(f"{self.url}: {message or response.reason} ({response.status})")
        return response


def failure_json(error: Exception) -> dict:
    """What the server says when a file could not be delivered (RemoteFiles raises it again)."""
    from .tracker import CommandError

    if isinstance(error, CommandError):
        tracked = error.verification
        return {"error": str(error), "kind": type(error).__name__, "command": tracked.name,
                "request_id": tracked.request_id, "outcome": tracked.outcome,
                "reason": None if tracked.reason is None else int(tracked.reason)}
    return {"error": str(error), "kind": type(error).__name__}


def _raise(result: dict, what: str) -> None:
    from .images import ImageError
    from .tracker import CommandFailed, CommandRejected, CommandTimeout, TrackedCommand, reason_of

    kind = result.get("kind")
    errors = {"CommandRejected": CommandRejected, "CommandFailed": CommandFailed, "CommandTimeout": CommandTimeout}
    if kind in errors:
        tracked = TrackedCommand(result.get("command", "?"), {}, int(result.get("request_id", 0)), time.time(),
                                 outcome=result.get("outcome", "pending"), reason=reason_of(result.get("reason")))
        raise errors[kind](tracked, result.get("error", ""))
    if kind == "ImageError":
        raise ImageError(result.get("error", what))
    raise FileDeliveryError(result.get("error", f"{what}: not delivered"))

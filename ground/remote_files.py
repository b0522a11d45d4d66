"""File delivery for a station attached to a ground server: the server's CFDP entity does it
(ground/server/files.py); this side is plain HTTP (ground/client.py), light enough for a one-shot
command line. Every transfer's progress comes with the downlink stream (RemoteSession hands it
to told()), so a download shows its octets as they arrive, and a console sees every transfer."""

import dataclasses
import json
import time
from pathlib import Path
from urllib.parse import urlencode

from fsw.protocol.cfdp import CLASS_2, MAX_UPLOAD_OCTETS, Transfer, image_file_name

from .client import request

_TRANSFER_FIELDS = frozenset(field.name for field in dataclasses.fields(Transfer))


class FileDeliveryError(RuntimeError):
    """A file that did not arrive: the text says why (the CFDP condition, or a time-out)."""


def transfer_json(transfer: Transfer) -> dict:
    """A transfer as the server tells it: every field but where the file is (the server's own)."""
    return {**dataclasses.asdict(transfer), "path": None}


def transfer_from_json(document: dict) -> Transfer:
    """The Transfer a server told (fields it may add later are left out); ValueError if it is none."""
    if not isinstance(document, dict):
        raise ValueError("a transfer is a JSON object")
    try:
        return Transfer(**{k: v for k, v in document.items() if k in _TRANSFER_FIELDS})
    except TypeError as error:
        raise ValueError(f"not a transfer: {error}") from None


class RemoteFiles:
    """The CFDP entity of the ground server this station is attached to (ground/server/files.py)."""

    def __init__(self, url: str, token: str | None = None):
        self.url = url
        self.token = token
        self.listeners: list = []       # fn(Transfer) for every transfer the server tells of

    def told(self, document: dict) -> None:
        """A transfer's progress, from the server's stream (the client's reader thread)."""
        try:
            transfer = transfer_from_json(document)
        except ValueError:
            return
        for listener in list(self.listeners):
            listener(transfer)

    def fetch_image(self, image_id: int, cfdp_class: int = 2, timeout: float = 120.0, progress=None) -> bytes:
        """The image's stored file, brought down by the server; progress(octets, size) as it comes."""
        name = image_file_name(image_id)

        def follow(transfer: Transfer) -> None:
            if transfer.direction == "receive" and transfer.name == name and transfer.size:
                progress(transfer.octets, transfer.size)

        if progress is not None:
            self.listeners.append(follow)
        try:
            response = request(self.url, "POST", "/api/files/downlink", {
                "image_id": image_id, "cfdp_class": cfdp_class, "timeout": timeout}, self.token, timeout + 30)
            body = response.read()
        finally:
            if follow in self.listeners:
                self.listeners.remove(follow)
        if response.getheader("Content-Type", "").startswith("application/json"):
            _raise(json_of(body), f"image {image_id}")
        if progress is not None:
            progress(len(body), len(body))      # the answer may overtake the stream's last word
        return body

    def upload(self, path: str | Path, name: str | None = None, mode: int = CLASS_2, timeout: float = 300.0,
               progress=None) -> Transfer:
        path, name = upload_checked(path, name)

        def follow(transfer: Transfer) -> None:
            if transfer.direction == "send" and transfer.name == name and transfer.size:
                progress(transfer.octets, transfer.size)

        if progress is not None:
            self.listeners.append(follow)
        query = urlencode({"name": name, "cfdp_class": mode, "timeout": timeout})
        try:
            response = request(self.url, "POST", f"/api/files/upload?{query}", token=self.token,
                               timeout=timeout + 30, octets=path.read_bytes())
            result = json_of(response.read())
        finally:
            if follow in self.listeners:
                self.listeners.remove(follow)
        if "transfer" not in result:
            _raise(result, name)
        return transfer_from_json(result["transfer"])


def upload_checked(path: str | Path, name: str | None) -> tuple[Path, str]:
    """The file to put on board and its name there (its own unless given), or FileDeliveryError
    when it could never be stored: not a file, or over the on-board limit."""
    path = Path(path)
    if not path.is_file():
        raise FileDeliveryError(f"{path}: not a file")
    size = path.stat().st_size
    if size > MAX_UPLOAD_OCTETS:
        raise FileDeliveryError(f"{path}: {size} octets, the on-board limit is {MAX_UPLOAD_OCTETS}")
    return path, name or path.name


def json_of(body: bytes) -> dict:
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    return document if isinstance(document, dict) else {"error": "the server's answer is not JSON"}


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

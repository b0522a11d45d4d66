"""File delivery through the server: its session's CFDP entity brings images down and puts files
up for the clients attached to it (ground/remote_files.py's RemoteFiles is the client side).

    POST /api/files/downlink   {"image_id": N, "cfdp_class": 2, "timeout": S}
         -> the image's stored file (application/octet-stream), or a JSON failure
    POST /api/files/upload?name=NAME&cfdp_class=2&timeout=S   body: the file's octets
         -> {"transfer": {...}} once it ended (see .ok / .condition), or a JSON failure

Both need an operator: each sends a command or PDUs to the spacecraft.
"""

import asyncio
import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fsw.protocol.cfdp import MAX_UPLOAD_OCTETS

from ..images import ImageError
from ..remote_files import FileDeliveryError, failure_json, transfer_json
from ..tracker import CommandError

MAX_TIMEOUT = 3600.0


def file_routes(server, allowed, error) -> list[Route]:
    from ..procedures import GroundStation

    async def downlink(request: Request):
        refused = allowed(request, need_operator=True)
        if refused:
            return refused
        try:
            document = await request.json()
            image_id, cfdp_class = int(document["image_id"]), int(document.get("cfdp_class", 2))
            timeout = float(document.get("timeout", 120.0))
            if not (1 <= image_id <= 0xFFFF and cfdp_class in (1, 2) and 0 < timeout <= MAX_TIMEOUT):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return error(400, f'body must be {{"image_id": 1-65535, "cfdp_class": 1 or 2, "timeout": (0, {MAX_TIMEOUT:g}]}}')
        station = GroundStation(server.session)
        try:
            blob = await asyncio.to_thread(station.fetch_image_file, image_id, None, timeout, cfdp_class)
        except (CommandError, FileDeliveryError, ImageError, TimeoutError) as failure:
            return JSONResponse(failure_json(failure))
        return Response(blob, media_type="application/octet-stream")

    async def upload(request: Request):
        refused = allowed(request, need_operator=True)
        if refused:
            return refused
        query = request.query_params
        try:
            name, cfdp_class = query["name"], int(query.get("cfdp_class", 2))
            timeout = float(query.get("timeout", 300.0))
            if cfdp_class not in (1, 2) or not 0 < timeout <= MAX_TIMEOUT:
                raise ValueError
        except (ValueError, KeyError):
            return error(400, "give name=NAME, cfdp_class=1 or 2, timeout=S")
        body = await request.body()
        if len(body) > MAX_UPLOAD_OCTETS:
            return error(413, f"{len(body)} octets, the on-board limit is {MAX_UPLOAD_OCTETS}")
        with tempfile.TemporaryDirectory(prefix="ground-upload-") as folder:
            path = Path(folder) / "upload"
            path.write_bytes(body)
            try:
                transfer = await asyncio.to_thread(server.session.files.upload, path, name, cfdp_class, timeout)
            except FileDeliveryError as failure:
                return JSONResponse(failure_json(failure))
        return JSONResponse({"transfer": transfer_json(transfer)})

    return [Route("/api/files/downlink", downlink, methods=["POST"]),
            Route("/api/files/upload", upload, methods=["POST"])]

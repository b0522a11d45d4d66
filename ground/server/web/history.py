"""The command history across sessions, from the archive: every command sent (by any ground
process), newest first, with the PUS-1 verification stages reported about it."""

from __future__ import annotations

from fsw.protocol import decode_tc
from fsw.protocol.reasons import ProtocolError

from ...archive import ArchiveReader
from ...tracker import STAGES, reason_label, reason_of

STAGE_REPORTS = tuple(STAGES)


def command_history(reader: ArchiveReader, limit: int) -> list[dict]:
    """The last `limit` commands, newest first: {time, command, args, request_id, stages, outcome}."""
    commands = []
    by_request: dict[int, dict] = {}
    first_id = None
    for row, decoded in reader._where("dir = 'up'", (), order=f"id DESC LIMIT {int(limit)}"):
        try:
            request_id = decode_tc(row[11]).request_id
        except (ProtocolError, ValueError, TypeError):
            continue
        entry = {"time": row[1], "command": decoded["command"] if decoded else row[10],
                 "args": _plain(decoded["args"]) if decoded else {}, "request_id": request_id,
                 "stages": [], "outcome": "pending", "reason": None}
        commands.append(entry)
        by_request.setdefault(request_id, entry)
        first_id = row[0]
    if first_id is None:
        return []
    marks = ", ".join("?" * len(STAGE_REPORTS))
    for row, fields in reader._where(f"id > ? AND dir = 'down' AND name IN ({marks})", (first_id, *STAGE_REPORTS)):
        entry = by_request.get((fields or {}).get("request_id"))
        if entry is None:
            continue
        stage, ok = STAGES[row[10]]
        reason = fields.get("reason")
        entry["stages"].append({"stage": stage, "ok": ok, "time": row[1],
                                "reason": reason_label(reason_of(reason)) if reason is not None else None,
                                "percent": fields.get("percent")})
        if not ok:
            entry["outcome"] = "rejected" if stage == "accepted" else "failed"
            entry["reason"] = entry["stages"][-1]["reason"]
        elif stage == "completed" and entry["outcome"] == "pending":
            entry["outcome"] = "completed"
    return commands


def _plain(args: dict) -> dict:
    return {k: v.hex() if isinstance(v, (bytes, bytearray)) else v for k, v in args.items()}

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
    for row_id, t, name, packet, decoded in reader.commands_sent(limit):
        try:
            request_id = decode_tc(packet).request_id
        except (ProtocolError, ValueError, TypeError):
            continue
        entry = {"time": t, "command": decoded["command"] if decoded else name,
                 "args": _plain(decoded["args"]) if decoded else {}, "request_id": request_id,
                 "stages": [], "outcome": "pending", "reason": None}
        commands.append(entry)
        by_request.setdefault(request_id, entry)
        first_id = row_id
    if first_id is None:
        return []
    for t, name, fields in reader.received_since(first_id, STAGE_REPORTS):
        entry = by_request.get((fields or {}).get("request_id"))
        if entry is None:
            continue
        stage, ok = STAGES[name]
        reason = fields.get("reason")
        entry["stages"].append({"stage": stage, "ok": ok, "time": t,
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

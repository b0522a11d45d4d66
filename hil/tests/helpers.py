"""Helpers for tests that must put bytes on the line that ground would never build."""

import threading

from fsw.protocol import TcPacket, encode_tc

STAGE_REPORTS = ("acceptance_success", "acceptance_failure", "start_failure", "completion_success",
                 "completion_failure", "progress_failure")


def send_raw_packet(gs, packet: bytes, request_id: int, timeout: float = 20.0) -> dict:
    """Frame and send packet bytes as they are; return the first final PUS-1 report about them."""
    got = {}
    arrived = threading.Event()

    def listener(record):
        if record.kind == "report" and record.name in STAGE_REPORTS and record.fields.get("request_id") == request_id:
            if record.name != "acceptance_success":
                got.setdefault("report", record)
                arrived.set()

    session = gs.session
    with session.listening(listener):
        with session._send_lock:
            session.link.write(session.sender.frame(packet))
        assert arrived.wait(timeout), f"no verification report for request 0x{request_id:08x}"
    record = got["report"]
    return {"report": record.name, **record.fields}


def raw_tc(gs, apid: int, service: int, subtype: int, app_data: bytes = b"") -> tuple[bytes, int]:
    tc = gs.session.sender.number(TcPacket(apid, service, subtype, app_data))
    return encode_tc(tc), tc.request_id


def write_bytes(gs, data: bytes) -> None:
    with gs.session._send_lock:
        gs.session.link.write(data)

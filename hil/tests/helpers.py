"""Helpers for tests that must put bytes on the line that ground would never build."""

from fsw.protocol import TcPacket, encode_tc


def send_raw_packet(gs, packet: bytes, request_id: int, timeout: float = 20.0) -> dict:
    """Frame and send packet bytes as they are; return the PUS-1 report that ended them."""
    tracked = gs.session.send_raw(packet, request_id)
    assert tracked.done.wait(timeout), f"no verification report for request 0x{request_id:08x}"
    last = tracked.stages[-1]
    return {"report": last.report, "request_id": request_id, "reason": last.reason, "step": last.step}


def raw_tc(gs, apid: int, service: int, subtype: int, app_data: bytes = b"") -> tuple[bytes, int]:
    tc = gs.session.sender.number(TcPacket(apid, service, subtype, app_data))
    return encode_tc(tc), tc.request_id


def write_bytes(gs, data: bytes) -> None:
    with gs.session._send_lock:
        gs.session.link.write(data)

"""Flight software and a ground end in one process: the easy way to drive flight from a test.

    with Loopback(seed=0) as loop:          # sim clock, stepped by the caller: deterministic
        tc = loop.send("ping")
        loop.advance(0.1)                    # simulated seconds; the uplink is read every cycle
        assert loop.verification(tc) == ["acceptance_success", "start_success", "completion_success"]

The ground side is the real protocol stack (TcSender, TmReceiver); telemetry is decoded with the
dictionary. Pass start=True to run flight in its own thread instead (then advance() waits).
"""

import time

from fsw.app import FlightSoftware
from fsw.link import link_pair
from fsw.protocol.pus import ACK_ALL, TcPacket, TmPacket
from fsw.protocol.stack import TcSender, TmReceiver
from fsw.protocol.tmframe import TM_FRAME_LEN

VERIFICATION_SERVICE = 1


class Loopback:
    def __init__(self, *, start: bool = False, tm_frame_len: int = TM_FRAME_LEN, clock: str = "sim", **options):
        self.flight_end, self.ground_end = link_pair("loopback")
        self.flight = FlightSoftware(self.flight_end, clock=clock, tm_frame_len=tm_frame_len, **options)
        self.dictionary = self.flight.dictionary
        self.sender = TcSender()
        self.receiver = TmReceiver(tm_frame_len)
        self.packets: list[TmPacket] = []
        if start:
            self.flight.start()

    # -- uplink --
    def send(self, name: str, args: dict | None = None, ack: int = ACK_ALL, **header) -> TcPacket:
        tc = self.dictionary.build_tc(name, args or {}, ack=ack, **header)
        self.ground_end.write(self.sender.send_bytes(tc))
        return tc

    def send_bytes(self, data: bytes) -> None:
        self.ground_end.write(data)

    # -- time --
    def advance(self, seconds: float) -> list[TmPacket]:
        self.flight.advance(seconds)
        return self.collect()

    def poll(self) -> list[TmPacket]:
        self.flight.poll()
        return self.collect()

    # -- downlink --
    def collect(self, wait: float = 0.0) -> list[TmPacket]:
        """Every packet that has arrived (waiting up to `wait` real seconds for the first)."""
        new = []
        deadline = time.monotonic() + wait
        while True:
            data = self.ground_end.read(1 << 20, timeout=max(0.0, deadline - time.monotonic()) if not new else 0)
            if not data:
                break
            new += self.receiver.feed(data)
        self.packets += new
        return new

    def decode(self, tm: TmPacket) -> dict:
        return self.dictionary.decode_tm(tm)

    def reports(self, kind: str | None = None, name: str | None = None) -> list[dict]:
        out = []
        for tm in self.packets:
            decoded = self.decode(tm)
            decoded["apid"] = tm.apid
            decoded["time"] = tm.time
            if (kind is None or decoded["kind"] == kind) and (name is None or decoded["name"] == name):
                out.append(decoded)
        return out

    def verification(self, tc: TcPacket) -> list[str]:
        """Names of the PUS-1 reports about this TC, in order of arrival."""
        names = []
        for tm in self.packets:
            if tm.service == VERIFICATION_SERVICE and tm.data[:4] == tc.request_id.to_bytes(4, "big"):
                names.append(self.decode(tm)["name"])
        return names

    def failure_reason(self, tc: TcPacket) -> int | None:
        for tm in self.packets:
            if tm.service == VERIFICATION_SERVICE and tm.data[:4] == tc.request_id.to_bytes(4, "big"):
                fields = self.decode(tm)["fields"]
                if "reason" in fields:
                    return fields["reason"]
        return None

    def events(self, name: str | None = None) -> list[dict]:
        return [e for e in self.reports("event") if name is None or e["name"] == name]

    def housekeeping(self, sid: int) -> dict | None:
        """The latest raw values of a structure, or None if none arrived."""
        found = [r["fields"] for r in self.reports("housekeeping") if r["sid"] == sid]
        return found[-1] if found else None

    def close(self) -> None:
        self.flight.stop()
        self.ground_end.close()

    def __enter__(self) -> "Loopback":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

"""Two CFDP entities (flight and ground) on a simulated clock, joined by a scripted wire.

The wire can drop PDUs by kind (the first ACK of an EOF, every Finished...), hold them
(delivered later, out of order), or lose everything for a while (loss of signal); every PDU sent
is logged by kind, so a test can say what crossed and when.
"""

import random

from spacepackets.cfdp import DirectiveType, PduType
from spacepackets.cfdp.pdu import PduFactory

from fsw.protocol.cfdp import FLIGHT_ENTITY, GROUND_ENTITY, MAX_PDU_OCTETS
from fsw.protocol.cfdp.entity import Entity, copy_in

STEP = 0.05     # simulated seconds between two passes of both entities


def kind(pdu: bytes) -> str:
    packet = PduFactory.from_raw(pdu)
    if packet.pdu_type == PduType.FILE_DATA:
        return "file_data"
    if packet.directive_type == DirectiveType.ACK_PDU:
        return "ack_" + DirectiveType(packet.directive_code_of_acked_pdu).name.lower().removesuffix("_pdu")
    return DirectiveType(packet.directive_type).name.lower().removesuffix("_pdu")


class Wire:
    def __init__(self, root, drop=None, reorder: bool = False, seed: int = 0, **options):
        self.t = 0.0
        self.flight = Entity(FLIGHT_ENTITY, GROUND_ENTITY, root / "flight", self.now, **options)
        self.ground = Entity(GROUND_ENTITY, FLIGHT_ENTITY, root / "ground", self.now, **options)
        self.drop = drop or (lambda direction, kind, count: False)   # count: how many of that kind so far
        self.reorder = reorder
        self.rng = random.Random(seed)
        self.sent: list[tuple[float, str, str]] = []     # (time, "down"|"up", kind)
        self.counts: dict[tuple[str, str], int] = {}
        self.in_flight = {"down": [], "up": []}
        self.silent_until = -1.0                          # loss of signal: everything lost until then

    def now(self) -> float:
        return self.t

    def send_file(self, tmp_path, data: bytes, mode: int = 2, name: str = "image_00001.pjim"):
        source = tmp_path / "source.bin"
        source.write_bytes(data)
        return self.flight.put(copy_in(self.flight, source, name), name, mode)

    def step(self) -> None:
        for direction, source in (("down", self.flight), ("up", self.ground)):
            for pdu in source.poll():
                assert len(pdu) <= MAX_PDU_OCTETS
                what = kind(pdu)
                self.sent.append((self.t, direction, what))
                count = self.counts.get((direction, what), 0)
                self.counts[(direction, what)] = count + 1
                if self.t < self.silent_until or self.drop(direction, what, count):
                    continue
                self.in_flight[direction].append(pdu)
        for direction, target in (("down", self.ground), ("up", self.flight)):
            batch, self.in_flight[direction] = self.in_flight[direction], []
            if self.reorder:
                self.rng.shuffle(batch)
            for pdu in batch:
                target.receive(pdu)
        self.t += STEP

    def run(self, until: float, done=None) -> float:
        """Step until done() (default: both ends idle with nothing to send) or `until` seconds."""
        done = done or self.quiet
        while self.t < until:
            self.step()
            if done():
                return self.t
        return self.t

    def quiet(self) -> bool:
        return not self.flight.busy and not self.ground.busy and not any(self.in_flight.values())

    def kinds(self, direction: str) -> list[str]:
        return [what for _, way, what in self.sent if way == direction]

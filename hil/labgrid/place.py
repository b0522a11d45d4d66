"""A labgrid place held for one HIL run: reserved, acquired, and released again.

The coordinator's reservations queue runs in order: a run reserves the place by name, waits
(bounded) until the reservation is allocated to it, then acquires the place. Releasing cancels
the reservation too, so the next run in the queue gets the place at once. Each step opens its own
short session with the coordinator: nothing of ours has to stay connected during the tests.
"""

import asyncio
import os
import time
from collections.abc import Callable

DEFAULT_COORDINATOR = "127.0.0.1:20408"
POLL_S = 0.5          # how often a waiting run asks the coordinator again
PORT_WAIT_S = 30.0    # for the exporter to start ser2net once the place is acquired


class PlaceError(RuntimeError):
    """One line for a person: why the place could not be had."""


def coordinator_address(env=None) -> str:
    """As labgrid resolves it: the environment's coordinator_address, else LG_COORDINATOR."""
    address = os.environ.get("LG_COORDINATOR", DEFAULT_COORDINATOR)
    if env is not None:
        address = env.config.get_option("coordinator_address", address)
    return address


class PlaceLease:
    """acquire() reserves and acquires `place`, waiting at most `wait` seconds; release() gives it back."""

    def __init__(self, place: str, coordinator: str, wait: float, say: Callable[[str], None] = print,
                 tags: dict[str, str] | None = None):
        self.place = place
        self.tags = tags        # reserve any place with these tags instead: the one allocated is ours
        self.coordinator = coordinator
        self.wait = wait
        self.say = say
        self.token: str | None = None
        self.acquired = False
        self.waited = 0.0
        self.told = False       # the run said it waits for a busy place
        self.ports: dict[str, str] = {}

    # one short session per step
    def _session(self):
        from labgrid.remote.client import start_session

        try:
            return start_session(self.coordinator)
        except Exception as error:    # grpc and labgrid raise several kinds for "nobody there"
            raise PlaceError(f"labgrid coordinator {self.coordinator} does not answer ({_first_line(error)}); "
                             "is labgrid-coordinator running there (--lg-coordinator or LG_COORDINATOR)?") from None

    @staticmethod
    def _end(session) -> None:
        try:
            session.loop.run_until_complete(session.stop())
            session.loop.run_until_complete(session.close())
        except Exception:
            pass     # the coordinator went away first: nothing left to close

    @staticmethod
    def _call(session, request):
        import grpc

        try:
            return session.loop.run_until_complete(request)
        except grpc.aio.AioRpcError as error:
            raise PlaceError(error.details()) from None

    def acquire(self) -> None:
        from labgrid.remote.common import Reservation, ReservationState
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        session = self._session()
        try:
            if not self.tags and self.place not in session.places:
                known = ", ".join(sorted(session.places)) or "none"
                raise PlaceError(f"labgrid coordinator {self.coordinator} has no place {self.place!r} (places: {known})")
            wanted = self.tags or {"name": self.place}
            request = pb.CreateReservationRequest(filters={"main": pb.Reservation.Filter(filter=wanted)}, prio=0)
            self.token = self._call(session, session.stub.CreateReservation(request)).reservation.token
            started = time.monotonic()
            while True:
                answer = self._call(session, session.stub.PollReservation(pb.PollReservationRequest(token=self.token)))
                reservation = Reservation.from_pb2(answer.reservation)
                state = reservation.state
                if state is ReservationState.allocated:
                    self.place = reservation.allocations["main"][0]
                    break
                if state is not ReservationState.waiting:
                    raise PlaceError(f"the reservation of place {self.place} became {state.name}")
                self.waited = time.monotonic() - started
                what = f"place {self.place}" if not self.tags else f"every place with {_tag_text(self.tags)}"
                if self.waited >= self.wait:
                    raise PlaceError(f"{what} still busy after {self.wait:.0f} s ({self._holder(session)}); "
                                     "try again later, or wait longer with --lg-wait SECONDS")
                if not self.told:
                    self.say(f"hil: {what} is busy ({self._holder(session)}); waiting up to {self.wait:.0f} s for it")
                    self.told = True
                session.loop.run_until_complete(asyncio.sleep(POLL_S))   # place updates flow meanwhile
            self._call(session, session.stub.AcquirePlace(pb.AcquirePlaceRequest(placename=self.place)))
            self.acquired = True
            self.waited = time.monotonic() - started
            self.ports = self._serial_ports(session)
        except BaseException:          # Ctrl-C while waiting too: leave no reservation behind
            self._give_back(session)
            raise
        finally:
            self._end(session)

    def _serial_ports(self, session) -> dict[str, str]:
        """pyserial URLs of the place's exported serial ports, by resource name, once the exporter
        serves them (it starts ser2net when the place is acquired)."""
        session.loop.run_until_complete(session.sync_with_coordinator())
        deadline = time.monotonic() + PORT_WAIT_S
        while True:
            place = session.places[self.place]
            ports = {name: entry.args for (name, cls), entry in session.get_target_resources(place).items()
                     if cls == "NetworkSerialPort"}
            if ports and all(args.get("port") for args in ports.values()):
                return {name: port_url(args) for name, args in ports.items()}
            if time.monotonic() > deadline:
                raise PlaceError(f"place {self.place}: the exporter serves no serial port "
                                 f"({', '.join(ports) or 'none in the place'}): is ser2net installed on the exporter host?")
            session.loop.run_until_complete(asyncio.sleep(0.1))

    def _holder(self, session) -> str:
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        if self.tags:
            held = [f"{name}: {place.acquired}" for name, place in sorted(session.places.items())
                    if place.acquired and all(place.tags.get(k) == v for k, v in self.tags.items())]
            return "; ".join(held) or "reserved by other runs"

        place = session.places.get(self.place)
        if place is not None and place.acquired:
            return f"acquired by {place.acquired}"
        if place is not None and place.reservation:
            answer = self._call(session, session.stub.GetReservations(pb.GetReservationsRequest()))
            for reservation in answer.reservations:
                if reservation.token == place.reservation:
                    return f"reserved by {reservation.owner}"
        return "reserved by another run"

    def release(self) -> None:
        """Release the place and cancel the reservation; safe to call twice, or after a failed acquire."""
        if self.token is None:
            return
        session = self._session()
        try:
            self._give_back(session)
        finally:
            self._end(session)

    def _give_back(self, session) -> None:
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        if self.acquired:
            self._call(session, session.stub.ReleasePlace(pb.ReleasePlaceRequest(placename=self.place)))
            self.acquired = False
        if self.token is not None:
            try:
                self._call(session, session.stub.CancelReservation(pb.CancelReservationRequest(token=self.token)))
            except PlaceError:
                pass     # expired meanwhile: nothing to cancel
            self.token = None


def _tag_text(tags: dict[str, str]) -> str:
    return " ".join(f"{key}={value}" for key, value in sorted(tags.items()))


def parse_tags(text: str) -> dict[str, str]:
    """"board=arduino mcu=atmega328p", as labgrid-client reserve takes them."""
    try:
        return dict(pair.split("=", 1) for pair in text.split())
    except ValueError:
        raise PlaceError(f"reserve: {text!r}: tags are KEY=VALUE, separated by spaces") from None


def port_url(args: dict) -> str:
    """pyserial's URL of a labgrid NetworkSerialPort."""
    scheme = "rfc2217" if args.get("protocol", "rfc2217") == "rfc2217" else "socket"
    return f"{scheme}://{args['host']}:{args['port']}"


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

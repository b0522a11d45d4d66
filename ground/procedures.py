"""The procedures API: what a test, a demo or an operator's script uses to fly the spacecraft.

    from ground.procedures import connect
    with connect("/dev/pts/3") as gs:
        gs.send("cam_power", state="on")                    # waits for completion, or raises
        gs.await_telemetry("cam_state", lambda s: s == "ready", timeout=30)
        gs.arm_and_send("anneal", target=4000, hold=600)     # hazardous: arm first
        image = gs.downlink_image(1, progress=print)         # gaps are asked for again

Every wait has a timeout (wall-clock seconds). Failures raise CommandRejected, CommandFailed or
CommandTimeout carrying the PUS-1 Reason; assertion helpers raise AssertionError.
"""

import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fsw.link import Link, line_rate, open_link
from fsw.protocol import SPACECRAFT_ID, TM_FRAME_LEN
from fsw.protocol.cfdp import image_file_name
from fsw.protocol.cuc import datetime_to_cuc_seconds
from fsw.protocol.pus import ACK_ALL
from fsw.protocol.reasons import Reason

from .archive import open_for
from .counters import default_counters
from .images import DownlinkedImage, ImageAssembly, ImageError, _ranges, assemble, from_file
from .remote_files import FileDeliveryError, RemoteFiles
from .session import Session, _warn_stderr
from .telemetry import Record
from .tracker import (
    STAGES,
    CommandError,
    CommandFailed,
    CommandRejected,
    CommandTimeout,
    TrackedCommand,
    raise_for,
    reason_label,
)

__all__ = [
    "CommandError", "CommandFailed", "CommandRejected", "CommandTimeout", "FileDeliveryError", "GroundStation",
    "ImageError",
    "LinkLost", "Reason", "TrackedCommand", "connect",
]


# a spacecraft without CFDP answers file_downlink so (the Arduino's firmware: not its APID)
WITHOUT_CFDP = (Reason.NOT_IMPLEMENTED, Reason.UNKNOWN_APID, Reason.UNKNOWN_SERVICE, Reason.UNKNOWN_SUBTYPE)
# and one that sends class 1 only (the Arduino's firmware) answers a class 2 request so
CLASS_1_ONLY = Reason.ARG_OUT_OF_RANGE


class LinkLost(TimeoutError):
    """A wait that nothing can end any more: the link (or the server) is gone. A TimeoutError, so
    that code written for the timeout still catches it; its text says what really happened."""


def onboard_seconds(when) -> float:
    """On-board seconds from seconds, a datetime or an ISO date-time (UTC unless it says)."""
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            raise ValueError(f"{when!r} is not an ISO date-time (2023-12-30T08:21:00)") from None
    if isinstance(when, datetime):
        return datetime_to_cuc_seconds(when)
    return float(when)


def _as_reason(reason) -> Reason:
    if isinstance(reason, str):
        return Reason[reason.upper()]
    return Reason(reason)


def _one_shot_report(records: list[Record], structure: str, request_id: int) -> Record | None:
    """The report a one-shot request made: the first of its structure between the request's
    acceptance and completion (a periodic report of the same structure may arrive just before
    or after, sampled at another moment)."""
    started = False
    candidate = None
    for record in records:
        if record.kind == "report":
            if record.fields.get("request_id") != request_id:
                continue
            stage, ok = STAGES[record.name]
            if ok and stage in ("accepted", "started"):
                started = True
            elif ok and stage == "completed":
                return candidate
        elif started and candidate is None and record.name == structure:
            candidate = record
    return None


class GroundStation:
    def __init__(self, session: Session, timeout: float = 10.0):
        self.session = session
        self.dictionary = session.dictionary
        self.state = session.state
        self.timeout = timeout
        self.last_sent = 0.0       # ground time of the last command: await_event looks from here

    # -- context --
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.session.close()

    def _link_lost(self, what: str) -> LinkLost:
        reason = str(self.session.link_error or "the session is closed")
        return LinkLost(f"{what}: {reason}" if "link lost" in reason else f"{what}: link lost ({reason})")

    # -- commanding --
    def send(self, name: str, *, wait: bool = True, timeout: float | None = None, on_stage=None,
             bypass: bool = False, **args) -> TrackedCommand:
        """Send a command; with wait (default) return its TrackedCommand once completed, or raise.
        bypass: a Type-BD frame, past COP-1's sequence control (emergencies)."""
        if not self.session.connected:
            raise self._link_lost(f"{name} not sent")
        self.last_sent = time.time()
        tracked = self.session.submit(name, args, on_stage=on_stage, bypass=bypass)
        if not wait:
            return tracked
        return self.wait_for(tracked, timeout)

    def await_board(self, tries: int = 5, timeout: float = 5.0, last_timeout: float | None = None) -> TrackedCommand:
        """Ping until the board answers: one that has just been opened may still be booting (an Uno
        resets when its port opens). The last try waits last_timeout (default: timeout)."""
        for attempt in range(tries):
            try:
                return self.send("ping", timeout=last_timeout if attempt == tries - 1 and last_timeout else timeout)
            except CommandTimeout:
                if attempt == tries - 1:
                    raise

    def wait_for(self, tracked: TrackedCommand, timeout: float | None = None) -> TrackedCommand:
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        while not tracked.done.wait(min(max(deadline - time.time(), 0.0), 0.5)):
            if time.time() >= deadline:
                break
            if not self.session.connected:     # nothing more can come: say so now, not at the deadline
                raise CommandTimeout(tracked, f"{tracked.name}: no completion, link lost "
                                                   f"({self.session.link_error})")
        raise_for(tracked)
        return tracked

    def arm_and_send(self, name: str, *, wait: bool = True, timeout: float | None = None, on_stage=None,
                     on_arm_stage=None, bypass: bool = False, **args) -> TrackedCommand:
        """A hazardous command: `arm` naming its service and subtype and the command itself,
        written to the link together so that the arm's window on board (60 s of on-board time,
        60 ms at 1000x) cannot run out between them. The arm is always waited for; the command
        as send() would. on_arm_stage(command, stage) sees the arm's reports, on_stage the command's."""
        command = self.dictionary.command(name)
        if not command.hazardous:
            raise ValueError(f"{name} is not hazardous: it needs no arm")
        self.dictionary.check_args(name, args)        # refused here, before the arm goes out
        self.last_sent = time.time()
        arm, tracked = self.session.submit_many([
            ("arm", {"service": command.service, "subtype": command.subtype}, ACK_ALL, on_arm_stage),
            (name, args, ACK_ALL, on_stage),
        ], bypass=bypass)
        self.wait_for(arm, timeout)
        return self.wait_for(tracked, timeout) if wait else tracked

    def schedule(self, release, name: str, *, timeout: float | None = None, on_stage=None,
                 **args) -> TrackedCommand:
        """Store a command for release at an on-board time (PUS-11: seconds since 2000-01-01, a
        datetime or an ISO date-time); waits for the insertion and returns the stored command's
        TrackedCommand (wait on it with wait_for)."""
        release = onboard_seconds(release)
        self.last_sent = time.time()
        insert, later = self.session.submit_scheduled(release, name, args, on_stage)
        self.wait_for(insert, timeout)
        return later

    def onboard_time(self) -> float | None:
        """On-board time of the latest packet received (seconds since 2000-01-01), or None."""
        return self.state.onboard_time

    def await_onboard_time(self, seconds, timeout: float | None = None) -> float:
        """Wait until telemetry shows on-board time at or past `seconds` (or a datetime, or an
        ISO date-time)."""
        seconds = onboard_seconds(seconds)
        state = self.state
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        with state.changed:
            while state.onboard_time is None or state.onboard_time < seconds:
                remaining = deadline - time.time()
                if not self.session.connected:
                    raise self._link_lost(f"on-board time {seconds:.0f} not reached")
                if remaining <= 0:
                    raise TimeoutError(f"on-board time did not reach {seconds:.0f} (at {state.onboard_time})")
                state.changed.wait(min(remaining, 0.5))
            return state.onboard_time

    def ping(self, timeout: float | None = None) -> float:
        """Round trip of a ping, in seconds."""
        start = time.time()
        self.send("ping", timeout=timeout)
        return time.time() - start

    # -- telemetry --
    def latest(self, name: str):
        """The latest engineering value of a parameter (enums as names), or None if none yet."""
        if name not in self.dictionary.parameters:
            raise KeyError(f"unknown parameter {name!r}")
        return self.state.value(name)

    def await_telemetry(self, name: str, predicate: Callable | None = None, timeout: float | None = None,
                        fresh: bool = False):
        """Wait until a parameter satisfies predicate (any value, without one); return the value.

        The latest value counts unless fresh=True, which waits for a report after this call."""
        if name not in self.dictionary.parameters:
            raise KeyError(f"unknown parameter {name!r}")
        predicate = predicate or (lambda value: True)
        state = self.state
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        since = time.time() if fresh else 0.0
        with state.changed:
            while True:
                sample = state.latest.get(name)
                if sample is not None and sample.received >= since:
                    value = state.engineering(name, sample.raw)
                    if predicate(value):
                        return value
                remaining = deadline - time.time()
                if not self.session.connected:
                    raise self._link_lost(f"{name}: condition not met")
                if remaining <= 0:
                    shown = "no value" if sample is None else f"last value {state.engineering(name, sample.raw)!r}"
                    raise TimeoutError(f"{name}: condition not met within the timeout ({shown})")
                state.changed.wait(min(remaining, 0.5))

    def await_event(self, name: str, timeout: float | None = None, where: Callable | None = None,
                    since: float | None = None) -> Record:
        """The first event of that name (matching where(fields)) received since the last command
        was sent (or since `since`, a ground time); waits for it."""
        if name not in self.dictionary.events_by_name:
            raise KeyError(f"unknown event {name!r}")
        since = self.last_sent if since is None else since
        state = self.state
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        with state.changed:
            while True:
                for record in list(state.events):
                    if record.name == name and record.received >= since and (where is None or where(record.fields)):
                        return record
                remaining = deadline - time.time()
                if not self.session.connected:
                    raise self._link_lost(f"no {name} event")
                if remaining <= 0:
                    raise TimeoutError(f"no {name} event within the timeout")
                state.changed.wait(min(remaining, 0.5))

    def events(self, since: float = 0.0) -> list[Record]:
        with self.state.changed:
            return [r for r in self.state.events if r.received >= since]

    def request_hk(self, sid: int, timeout: float | None = None, bypass: bool = False) -> dict:
        """One housekeeping report of a structure, now: {parameter: engineering value}
        (bypass: asked for in a Type-BD frame)."""
        if sid not in self.dictionary.structures:
            raise KeyError(f"no housekeeping structure {sid}")
        structure = f"sid{sid}"
        seen: list[Record] = []
        arrived = threading.Condition()

        def listener(record: Record) -> None:
            if ((record.kind == "housekeeping" and record.fields is not None and record.name == structure)
                    or (record.kind == "report" and record.name in STAGES)):
                with arrived:
                    seen.append(record)
                    arrived.notify_all()

        with self.session.listening(listener):
            tracked = self.send("hk_oneshot", sid=sid, timeout=timeout, bypass=bypass)
            with arrived:
                deadline = time.time() + (self.timeout if timeout is None else timeout)
                report = None
                while report is None and time.time() < deadline and self.session.connected:
                    report = arrived.wait_for(lambda: _one_shot_report(seen, structure, tracked.request_id),
                                              min(max(deadline - time.time(), 0.0), 0.5))
        if report is None and not self.session.connected:
            raise self._link_lost(f"no housekeeping report of structure {sid}")
        if report is None:
            raise TimeoutError(f"no housekeeping report of structure {sid}")
        return {name: self.state.engineering(name, raw) for name, raw in report.fields.items()}

    # -- images --
    def downlink_image(self, image_id: int, progress: Callable | None = None, retries: int = 5,
                       timeout: float = 120.0, quiet: float = 2.0, via: str | None = None,
                       cfdp_class: int | None = None) -> DownlinkedImage:
        """Bring an image down: as a CFDP file (`via="cfdp"`) where the spacecraft has CFDP, else as
        the camera's segments (`via="segments"`). By default (None) CFDP is tried first, and a
        spacecraft without it is remembered and served segments. cfdp_class 1 or 2; by default
        (None) class 2, or class 1 from a spacecraft that offers only that (the Arduino answers
        class 2 arg_out_of_range), remembered too. progress(received, total) is called as
        the image arrives: octets with CFDP, segments otherwise."""
        if via is None:
            via = "cfdp" if self._has_cfdp() else "segments"
        if via == "cfdp":
            chosen = cfdp_class or getattr(self, "_cfdp_class", 2)
            try:
                return self._downlink_file(image_id, progress, timeout, chosen, retries, quiet)
            except CommandFailed as error:
                if cfdp_class is not None or chosen != 2 or error.reason != CLASS_1_ONLY:
                    raise
                self._cfdp_class = 1
                return self._downlink_file(image_id, progress, timeout, 1, retries, quiet)
            except CommandRejected as error:
                if error.reason not in WITHOUT_CFDP:
                    raise
                self._cfdp = False
        elif via != "segments":
            raise ValueError(f"via={via!r}: cfdp or segments")
        return self._downlink_segments(image_id, progress, retries, timeout, quiet)

    def _has_cfdp(self) -> bool:
        """Until the spacecraft said otherwise, and when this station has a CFDP entity."""
        return getattr(self, "_cfdp", True) and getattr(self.session, "files", None) is not None

    def _downlink_file(self, image_id: int, progress, timeout: float, cfdp_class: int, retries: int,
                       quiet: float) -> DownlinkedImage:
        files = self.session.files
        if isinstance(files, RemoteFiles):   # attached to a server: its entity brings the file down
            blob = files.fetch_image(image_id, cfdp_class, timeout, progress)
        else:
            blob = self.fetch_image_file(image_id, progress, timeout, cfdp_class, retries, quiet)
        return from_file(image_id, blob)

    def fetch_image_file(self, image_id: int, progress=None, timeout: float = 120.0, cfdp_class: int = 2,
                         retries: int = 5, quiet: float = 2.0) -> bytes:
        """file_downlink, and the file it makes come down: the image's stored file, verified. A
        request that starts nothing (the command, or all it sent, lost) is sent again after
        `quiet` seconds, `retries` times; so is a class 1 file that came down incomplete (CFDP
        sends nothing again in class 1: the whole file is asked for again)."""
        for attempt in range(retries + 1):
            since = self.session.files.ended_total
            try:
                return self._fetch_file_once(image_id, progress, timeout, cfdp_class, retries, quiet)
            except ImageError:
                if cfdp_class != 1 or attempt == retries or not self._lost_on_the_way(image_id, since):
                    raise

    def _lost_on_the_way(self, image_id: int, since: int) -> bool:
        """The file's class 1 transfer since `since` ended incomplete (its check failed)."""
        name = f"image_{image_id:05d}.pjim"
        return any(number >= since and transfer.name == name and transfer.condition == "check_limit_reached"
                   for number, transfer in self.session.files.ended)

    def _fetch_file_once(self, image_id: int, progress, timeout: float, cfdp_class: int, retries: int,
                         quiet: float) -> bytes:
        files = self.session.files
        name = image_file_name(image_id)
        since = files.ended_total
        for _ in range(retries + 1):
            tracked = self.send("file_downlink", image_id=image_id, cfdp_class=cfdp_class, wait=False)
            answered = lambda t=tracked: t.outcome in ("rejected", "failed")  # noqa: E731
            if files.await_start(name, since, max(quiet, 2 * self.timeout / 5), stop=answered):
                break
            if tracked.outcome in ("rejected", "failed") and tracked.reason != Reason.BUSY:
                raise_for(tracked)
        else:
            raise ImageError(f"image {image_id}: no file came down after {retries + 1} request(s)")
        # the file says how it went; the command's reports only end a wait for a file that never began
        ended = lambda: (tracked.outcome == "failed" or tracked.outcome == "rejected"  # noqa: E731
                         and tracked.reason != Reason.BUSY) and files.receiving(name) is None
        try:
            blob = files.await_file(name, since, timeout, progress, give_up=ended)
        except FileDeliveryError as error:
            if tracked.outcome in ("rejected", "failed"):
                raise_for(tracked)
            raise ImageError(f"image {image_id}: {error}") from None
        return blob

    def upload(self, path, name: str | None = None, cfdp_class: int = 2, timeout: float = 300.0,
               progress: Callable | None = None):
        """Put a file on board with CFDP; the ended Transfer (check .ok and .condition), or
        FileDeliveryError when it cannot start (too large, not a file, a bad name)."""
        return self.session.files.upload(path, name, cfdp_class, timeout, progress)

    def _downlink_segments(self, image_id: int, progress, retries: int, timeout: float,
                           quiet: float) -> DownlinkedImage:
        """Bring an image down; segments lost on the way are asked for again (first_segment=N).

        One request ends with its completion report, or, when frames carrying the last segments
        or that report were lost, once the image has been quiet for `quiet` seconds; then what is
        missing is asked for again, at most `retries` times. A rejection or failure of the request
        (no such image) raises; a camera still busy with the previous request is asked again.
        progress(received, total) is called as segments arrive (from the reader thread)."""
        assembly = ImageAssembly(image_id)
        activity = threading.Condition()
        status = {"last": time.time()}

        def listener(record: Record) -> None:
            fields = record.fields
            if fields.get("image_id") != image_id:
                return
            with activity:
                if record.name == "image_meta":
                    assembly.add_meta(fields)
                elif record.name == "image_segment":
                    assembly.add_segment(fields)
                    if progress is not None:
                        progress(assembly.received, assembly.total)
                status["last"] = time.time()
                activity.notify_all()

        deadline = time.time() + timeout
        with self.session.listening(listener):
            first = 0
            for _ in range(retries + 1):
                with activity:
                    status["last"] = time.time()
                assembly.requests += 1
                tracked = self.send("cam_downlink", image_id=image_id, first_segment=first, wait=False)
                with activity:
                    # never wait on the completion report alone: it may be in a lost frame
                    while not (tracked.done.is_set() or assembly.complete):
                        if time.time() - status["last"] > quiet or time.time() > deadline:
                            break
                        activity.wait(0.1)
                if assembly.complete:
                    return assemble(assembly)
                if tracked.outcome in ("rejected", "failed") and tracked.reason != Reason.BUSY:
                    raise_for(tracked)
                if time.time() > deadline:
                    break
                if tracked.outcome == "pending" or tracked.reason == Reason.BUSY:
                    self._quiet(status, activity, quiet, deadline)   # the camera may still be sending
                missing = assembly.missing()
                first = missing[0] if missing and assembly.meta is not None else 0
            raise ImageError(f"image {image_id}: incomplete after {assembly.requests} request(s); "
                             f"segments {_ranges(assembly.missing()) or 'and metadata'} missing")

    @staticmethod
    def _quiet(status: dict, activity: threading.Condition, quiet: float, deadline: float) -> None:
        with activity:
            while time.time() - status["last"] <= quiet and time.time() < deadline:
                activity.wait(0.1)

    # -- assertions, for tests and procedures --
    def expect_rejected(self, name: str, reason, **args) -> TrackedCommand:
        """Assert the command is rejected (acceptance failure) with this reason."""
        return self._expect(CommandRejected, name, _as_reason(reason), args)

    def expect_failed(self, name: str, reason, **args) -> TrackedCommand:
        """Assert the command fails in execution (start, progress or completion) with this reason."""
        return self._expect(CommandFailed, name, _as_reason(reason), args)

    def _expect(self, kind, name: str, reason: Reason, args: dict) -> TrackedCommand:
        try:
            tracked = self.send(name, **args)
        except kind as error:
            if error.reason != reason:
                raise AssertionError(f"{name}: {kind.__name__[7:].lower()} with {reason_label(error.reason)}, "
                                     f"expected {reason.label}") from None
            return error.verification
        except CommandError as error:
            raise AssertionError(f"{name}: expected {kind.__name__}({reason.label}), got {error}") from None
        raise AssertionError(f"{name}: expected {kind.__name__}({reason.label}), but it {tracked.outcome}")

    def limit_violations(self, *names: str) -> dict[str, tuple[object, str]]:
        """{parameter: (value, 'yellow'|'red')} for parameters outside their limits."""
        names = names or tuple(self.state.latest)
        out = {}
        for name in names:
            if name not in self.dictionary.parameters:
                raise KeyError(f"unknown parameter {name!r}")
            state = self.state.limit_state(name)
            if state != "nominal":
                out[name] = (self.state.value(name), state)
        return out

    def assert_limits_nominal(self, *names: str) -> None:
        """Assert every named parameter (default: every one received) is within its limits."""
        for name in names:
            if self.state.value(name) is None:
                raise AssertionError(f"{name}: no value received yet")
        violations = self.limit_violations(*names)
        if violations:
            shown = ", ".join(f"{n}={v!r} ({s})" for n, (v, s) in violations.items())
            raise AssertionError(f"limits violated: {shown}")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def uplink_security(key_file: str | Path | None | bool):
    """The UplinkSecurity for connect()'s key_file; KeyFileError (one line) when it cannot be used."""
    from . import uplink_security as sdls

    if key_file is None or key_file is False:
        return None
    path = sdls.find_key_file(None if key_file is True else key_file)
    return None if path is None else sdls.load(path)


def connect(port_url: str | None = None, link: Link | None = None, frame_len: int = TM_FRAME_LEN,
            timeout: float = 10.0, archive: bool | str | Path = True, on_warning=_warn_stderr,
            dictionary=None, server: str | None = None, token: str | None = None,
            cop1: bool = True, fop_settings=None, key_file: str | Path | None | bool = True) -> GroundStation:
    """Open a ground station on a port URL (any pyserial URL or pty path) or an open Link, or
    attach to a ground server (`server="http://127.0.0.1:PORT"`, which owns the link and the
    archive; token for a server that needs one).

    cop1 (on a port or link): commands as Type-AD frames through FOP-1, for a board with FARM-1;
    cop1=False sends every command as a Type-BD frame (a board without it).

    archive: True for a new session file in the default directory (ground.paths.archive_dir()),
    a path for that file, False for none.

    key_file: the SDLS uplink keys (a path); True finds them (ground.uplink_security.find_key_file:
    $PERIJOVE_KEY_FILE, or the keys of a flight on this computer), clear frames when there are
    none; None or False: clear frames (a board without SDLS, fsw --insecure-uplink)."""
    if sum(x is not None for x in (port_url, link, server)) != 1:
        raise ValueError("connect() needs exactly one of port_url, link and server")
    if server is not None:
        from .remote import RemoteSession

        return GroundStation(RemoteSession(server, token, dictionary, on_warning).start(), timeout)
    counters = None
    if link is None:
        link = open_link(port_url)
        counters = default_counters(SPACECRAFT_ID)      # request ids never repeat across processes
    security = uplink_security(key_file)
    session = Session(link, frame_len, dictionary=dictionary, on_warning=on_warning, counters=counters,
                      line_rate=line_rate(port_url, None) if port_url else None,   # a serial device: its line
                      cop1=cop1, fop_settings=fop_settings, security=security)
    try:
        session.archive = session.ingest.archive = open_for(archive, session.dictionary)
    except Exception:
        link.close()
        raise
    return GroundStation(session.start(), timeout)

"""The session's own bookkeeping stays bounded whatever the spacecraft does or does not answer;
a full disk costs the archive, never the session."""

import resource
import subprocess
import sys
import threading
import time

import pytest

from fsw.link import link_pair
from fsw.protocol import TmPacket, TmSender
from fsw.protocol.pus import decode_tc
from fsw.protocol.stack import TcReceiver
from ground.session import UPLINK_FRAME_OCTETS, Session
from ground.telemetry import TelemetryState


def test_commands_never_answered_are_forgotten_past_the_limit():
    flight, ground = link_pair()
    session = Session(ground, on_warning=lambda message: None)
    session.tracker.limit = 5
    sent = [session.submit("ping", ack=0) for _ in range(8)]
    assert len(session.tracker) == 5
    assert list(session.tracker) == [v.request_id for v in sent[-5:]]   # the newest are kept
    # and every command still went out, in order
    received = TcReceiver().feed(flight.read(1 << 16, 0.5))
    assert [decode_tc(r.raw).seq_count for r in received] == list(range(8))


def test_warnings_kept_for_the_monitor_are_bounded():
    state = TelemetryState(Session(link_pair()[1]).dictionary)
    for number in range(1000):
        state.warnings.append(f"warning {number}")
    assert len(state.warnings) == 100 and state.warnings[-1] == "warning 999"


def test_a_listener_hears_records_only_while_its_block_runs():
    flight, ground = link_pair()
    session = Session(ground, on_warning=lambda message: None)
    heard = []
    tm = TmSender()
    tm.push(TmPacket(0x010, 17, 2, b"", time=1.0))   # a ping reply
    frames = tm.output()
    try:
        with session.listening(heard.append):
            session.feed(frames)
            raise RuntimeError("the block fails")
    except RuntimeError:
        pass
    session.feed(frames)
    assert [record.name for record in heard] == ["ping_reply"]
    assert session.listeners == []


ARCHIVE_LIMIT = 256 * 1024      # octets a file may grow to: the archive outgrows it in seconds


def _small_disk():
    # the process may write no file beyond ARCHIVE_LIMIT (Python ignores SIGXFSZ: writes fail EFBIG)
    resource.setrlimit(resource.RLIMIT_FSIZE, (ARCHIVE_LIMIT, ARCHIVE_LIMIT))


def test_an_archive_that_cannot_be_written_is_one_line_and_the_session_goes_on(fsw_factory, tmp_path):
    port = fsw_factory(1000)
    script = tmp_path / "fill.py"
    script.write_text(
        "import time\n"
        "start = time.time()\n"
        "while time.time() - start < 4:\n"
        "    gs.request_hk(10)\n"
        "gs.send('ping')\n"
        "print('still commanding')\n")
    done = subprocess.run([sys.executable, "-m", "ground.cli", "run", str(script), "--port", port, "--archive-dir",
                           str(tmp_path / "archive")], capture_output=True, text=True, timeout=60,
                          preexec_fn=_small_disk)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0 and "still commanding" in done.stdout, done.stderr
    said = [line for line in done.stderr.splitlines() if "archive" in line]
    assert len(said) == 1 and "archive write failed" in said[0] and "going on without the archive" in said[0], said


def test_an_archive_that_cannot_be_made_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "a_file").write_text("not a directory")
    done = subprocess.run([sys.executable, "-m", "ground.cli", "send", "--port", "loop://", "--archive-dir",
                           str(tmp_path / "a_file" / "archive"), "ping"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"ground send: {tmp_path / 'a_file' / 'archive'}: Not a directory")


def test_an_archive_on_a_full_disk_at_the_start_is_one_line_and_exit_2(tmp_path):
    def no_room():
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    done = subprocess.run([sys.executable, "-m", "ground.cli", "send", "--port", "loop://", "--archive-dir",
                           str(tmp_path / "archive"), "ping"], capture_output=True, text=True, timeout=30,
                          preexec_fn=no_room)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "cannot write an archive here" in done.stderr


def _arrivals(link, octets: int, timeout: float) -> list[tuple[float, int]]:
    """(time, octets so far) as a link's far end receives them, until octets have come."""
    got, seen = 0, []
    deadline = time.monotonic() + timeout
    while got < octets and time.monotonic() < deadline:
        data = link.read(4096, 0.01)
        if data:
            got += len(data)
            seen.append((time.monotonic(), got))
    return seen


@pytest.mark.timeout(30)
def test_the_uplink_goes_no_faster_than_the_line_drains_it():
    """Through a real pty at 9600 baud (960 octets/s), a burst of twelve commands leaves the
    ground at the line's rate, never more than about two frames ahead of it; unpaced, in one write."""
    from fsw.link import PtyLink, open_link

    rate = 960.0
    burst = [("ping", {}, 0, None)] * 12
    with PtyLink() as flight:
        session = Session(open_link(flight.path), on_warning=lambda message: None, line_rate=rate)
        frame = len(session.sender.send_bytes(session.dictionary.build_tc("ping", {})))
        total = frame * len(burst)
        start = time.monotonic()
        threading.Thread(target=session.submit_many, args=(burst,), daemon=True).start()
        seen = _arrivals(flight, total, timeout=10)
        session.link.close()
    assert seen[-1][1] == total
    ahead = frame + UPLINK_FRAME_OCTETS / 2     # a frame just written, part of one still on the line
    assert ahead <= 2 * frame
    for when, octets in seen:
        assert octets <= rate * (when - start) + ahead, (when - start, octets)
    assert seen[-1][0] - start >= (total - ahead) / rate

    with PtyLink() as flight:
        session = Session(open_link(flight.path), on_warning=lambda message: None)
        start = time.monotonic()
        session.submit_many(burst)
        seen = _arrivals(flight, total, timeout=10)
        session.link.close()
    assert seen[-1][1] == total and seen[-1][0] - start < 0.5 * total / rate

"""fsw.launch against the real fsw: the pty it names answers; a bad start is one line."""

import signal
import subprocess
import sys
import time

import pytest

from fsw import launch
from fsw.dictionary import load
from fsw.link import SerialLink
from fsw.protocol.stack import TcSender, TmReceiver
from ground import uplink_security


def test_start_names_a_pty_that_answers_and_stop_ends_it_cleanly(tmp_path):
    with launch.start("--clock", "sim", "--speed", "10", state=tmp_path) as fsw:
        assert fsw.port.startswith("/dev/") and fsw.process.poll() is None
        link = SerialLink(fsw.port)
        try:
            security = uplink_security.load(fsw.key_file)     # the keys fsw provisioned, found by launch
            frame = TcSender(layout=security.layout).send_bytes(load().build_tc("ping"))
            link.write(security.protect([frame])[0])
            receiver, services = TmReceiver(), set()
            deadline = time.monotonic() + 20
            while 1 not in services and time.monotonic() < deadline:
                services |= {packet.service for packet in receiver.feed(link.read(1 << 16, 0.1))}
            assert 1 in services          # a PUS-1 report about the ping
        finally:
            link.close()
    assert fsw.process.returncode == 0    # SIGTERM: fsw saved its state and exited 0


def test_a_bad_option_is_one_line_with_fsws_complaint(tmp_path):
    with pytest.raises(launch.LaunchError) as raised:
        launch.start("--speed", "5", state=tmp_path)
    message = str(raised.value)
    assert message.startswith("fsw did not start: ") and "--speed needs --clock sim" in message
    assert "\n" not in message


def test_a_silent_child_times_out_and_is_killed():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                               stdout=subprocess.PIPE, text=True)
    started = time.monotonic()
    with pytest.raises(launch.LaunchError, match="no output"):
        launch.wait_for_line(process, launch.LISTENING, timeout=0.5)
    assert time.monotonic() - started < 10 and process.poll() is not None


def test_stop_kills_a_child_that_ignores_sigterm():
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    launch.wait_for_line(process, "ready", timeout=10)
    assert launch.stop(process, timeout=0.5) == -signal.SIGKILL

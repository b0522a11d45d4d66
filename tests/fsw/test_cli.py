"""`fsw` as a real subprocess on a real pty, commanded through the real protocol stack."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from fsw import launch
from fsw.dictionary import load
from fsw.link import LinkError, SerialLink
from fsw.protocol.clcw import Clcw
from fsw.protocol.pus import ACK_ALL, encode_tc
from fsw.protocol.reasons import Reason
from fsw.protocol.stack import TcSender, TmReceiver
from fsw.storage import AtomicStore, StateFile
from ground import uplink_security
from ground.tracker import FINAL_REPORTS

DICTIONARY = load()


class Fsw:
    def __init__(self, state_dir, *options):
        self.fsw = launch.start(*options, state=state_dir)
        self.process = self.fsw.process
        assert self.fsw.port.startswith("/dev/"), self.fsw.port
        self.port = SerialLink(self.fsw.port)
        self.security = uplink_security.load(self.fsw.key_file) if self.fsw.key_file else None
        self.sender = TcSender(layout=self.security.layout) if self.security else TcSender()
        self.receiver = TmReceiver()
        self.packets = []

    def send(self, name, args=None, ack=ACK_ALL):
        tc = DICTIONARY.build_tc(name, args or {}, ack=ack)
        self.write(self.sender.send_bytes(tc))
        return tc

    def write(self, frame):
        """A frame as ground radiates it: protected (SDLS) unless fsw runs --insecure-uplink."""
        self.port.write(self.security.protect([frame])[0] if self.security else frame)

    def collect(self):
        data = self.port.read(1 << 16, timeout=0.05)
        if data:
            self.packets += self.receiver.feed(data)

    def reports(self, tc):
        key = tc.request_id.to_bytes(4, "big")
        return [DICTIONARY.decode_tm(p) for p in self.packets if p.service == 1 and p.data[:4] == key]

    def names(self, tc):
        return [r["name"] for r in self.reports(tc)]

    def wait(self, condition, timeout=20.0):
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "flight did not answer in time"
            assert self.process.poll() is None, self.fsw.stderr()
            self.collect()

    def wait_final(self, *tcs):
        self.wait(lambda: all(FINAL_REPORTS & set(self.names(tc)) for tc in tcs))

    def housekeeping(self, sid):
        found = [DICTIONARY.decode_tm(p)["fields"] for p in self.packets if p.service == 3 and p.data[:1] == bytes([sid])]
        return found[-1] if found else None

    def stop(self, signum=signal.SIGTERM):
        self.port.close()
        return self.fsw.stop(signum, timeout=20)


@pytest.fixture
def fsw(tmp_path):
    flight = Fsw(tmp_path / "state", "--clock", "sim", "--speed", "10")
    yield flight
    if flight.process.poll() is None:
        flight.stop()


def sample_args(command, onboard):
    """Valid arguments for any command, from its declaration."""
    args = {}
    for field in command.args:
        if field.default is not None:
            continue
        if field.type == "enum":
            args[field.name] = field.enum[-1][0]
        elif field.type == "bytes":
            args[field.name] = encode_tc(DICTIONARY.build_tc("ping"))
        elif field.type == "list":
            args[field.name] = []
        else:
            args[field.name] = field.bounds[0] if field.min is not None else 1
    if command.name == "schedule_insert":
        args["release"] = int(onboard) + 3600
    if command.name == "time_set":
        args["seconds"] = int(onboard)
    if command.name == "arm":
        args = {"service": 128, "subtype": 2}
    return args


def test_every_dictionary_command_gets_verification_reports(fsw):
    ping = fsw.send("ping")
    fsw.wait_final(ping)
    onboard = fsw.packets[-1].time
    last = ("mode_safe", "mode_nominal")      # safe mode would refuse the others
    order = [c for c in DICTIONARY.commands.values() if c.name not in last]
    order += [DICTIONARY.commands[name] for name in last]
    sent = {}
    for command in order:
        if command.hazardous:
            fsw.send("arm", {"service": command.service, "subtype": command.subtype})
        sent[command.name] = fsw.send(command.name, sample_args(command, onboard))
    fsw.wait(lambda: all(fsw.names(tc) for tc in sent.values()))
    for name, tc in sent.items():
        first = fsw.names(tc)[0]
        assert first in ("acceptance_success", "acceptance_failure"), name
        if first == "acceptance_failure":
            # only a component missing from this build may refuse a well-formed command
            assert fsw.reports(tc)[0]["fields"]["reason"] == Reason.UNKNOWN_APID, name
    accepted = [tc for tc in sent.values() if fsw.names(tc)[0] == "acceptance_success"]
    assert len(accepted) >= len(sent) - 10
    fsw.wait(lambda: all(len(fsw.names(tc)) >= 2 for tc in accepted))


def test_garbage_then_a_good_command_and_a_bad_crc(fsw):
    fsw.port.write(os.urandom(3000))
    ping = fsw.send("ping")
    tc = fsw.sender.number(DICTIONARY.build_tc("ping"))
    packet = bytearray(encode_tc(tc))
    packet[-2] ^= 0x01
    fsw.write(fsw.sender.frame(bytes(packet)))
    fsw.wait_final(ping, tc)
    assert fsw.names(ping) == ["acceptance_success", "start_success", "completion_success"]
    assert fsw.names(tc) == ["acceptance_failure"]
    assert fsw.reports(tc)[0]["fields"]["reason"] == Reason.BAD_CRC


def read_state(state_dir):
    return StateFile(AtomicStore(state_dir)).load()


def test_restart_after_kill_9_keeps_counters_schedule_and_state(tmp_path):
    state_dir = tmp_path / "state"
    flight = Fsw(state_dir, "--clock", "sim", "--speed", "10", "--save-interval", "3600")
    ping = flight.send("ping")
    flight.wait_final(ping)
    insert = flight.send("schedule_insert", {"release": int(flight.packets[-1].time) + 7200,
                                             "tc": encode_tc(DICTIONARY.build_tc("ping"))})
    interval = flight.send("hk_interval", {"sid": 4, "interval": 20})
    flight.wait_final(insert, interval)
    flight.process.kill()         # at once: what was reported done is on disk (no periodic save ran)
    flight.process.wait(10)
    flight.port.close()

    again = Fsw(state_dir, "--clock", "sim", "--speed", "10")
    try:
        listed = again.send("schedule_list")
        hk = again.send("hk_oneshot", {"sid": 2})
        again.wait_final(listed, hk)
        again.wait(lambda: again.housekeeping(2) is not None)
        assert again.housekeeping(2)["tc_executed"] >= 3
        entries = [DICTIONARY.decode_tm(p) for p in again.packets if (p.service, p.subtype) == (11, 10)]
        assert len(entries[-1]["fields"]["entries"]) == 1
        events = [DICTIONARY.decode_tm(p) for p in again.packets if p.service == 5]
        assert any(e["name"] == "boot" and e["fields"]["restarts"] == 1 for e in events)
    finally:
        assert again.stop() == 0


@pytest.mark.timeout(240)
def test_kill_9_at_random_moments_never_loses_an_acknowledged_effect(tmp_path):
    """Schedule inserts sent back to back, flight killed at a random moment among them: after each
    restart, every insert whose completion the ground saw is still scheduled, and none twice."""
    import random

    rng = random.Random(57)
    state_dir = tmp_path / "state"
    acknowledged: set[int] = set()
    sent = 0
    for cycle in range(6):
        flight = Fsw(state_dir, "--clock", "sim", "--speed", "10", "--save-interval", "3600")
        try:
            listed = flight.send("schedule_list")
            flight.wait_final(listed)
            entries = [DICTIONARY.decode_tm(p)["fields"]["entries"] for p in flight.packets
                       if (p.service, p.subtype) == (11, 10)][-1]
            releases = [entry["release"] for entry in entries]
            assert acknowledged <= set(releases), f"cycle {cycle}: lost {sorted(acknowledged - set(releases))}"
            assert len(releases) == len(set(releases)), "an insert executed twice"
            base = int(flight.packets[-1].time) + 36_000
            inserts = {}
            for _ in range(12):
                sent += 1
                inserts[base + sent] = flight.send("schedule_insert", {
                    "release": base + sent, "tc": encode_tc(DICTIONARY.build_tc("ping"))})
            deadline = time.monotonic() + rng.uniform(0.0, 0.15)
            while time.monotonic() < deadline:
                flight.collect()
            flight.process.kill()             # kill -9, somewhere among the inserts' reports
            flight.process.wait(10)
            try:
                flight.collect()              # whatever reached the line before the kill
            except LinkError:
                pass                          # the pty went with the process
            acknowledged |= {release for release, tc in inserts.items()
                             if "completion_success" in flight.names(tc)}
        finally:
            flight.port.close()
            if flight.process.poll() is None:
                flight.stop()
    assert acknowledged, "no insert was acknowledged before a kill: the test proved nothing"


def test_sigterm_and_sigint_exit_0_after_saving(tmp_path):
    for signum in (signal.SIGTERM, signal.SIGINT):
        state_dir = tmp_path / f"state{signum}"
        flight = Fsw(state_dir, "--clock", "sim", "--stats", str(tmp_path / "stats.json"))
        ping = flight.send("ping")
        flight.wait_final(ping)
        assert flight.stop(signum) == 0
        assert read_state(state_dir)["components"]["commanding"]["tc_executed"] == 1
        stats = json.loads((tmp_path / "stats.json").read_text())
        assert stats["commands"]["tc_executed"] == 1 and stats["fast"]["cycles"] > 0


def test_the_line_rate_comes_from_the_baud_of_a_serial_port_and_from_baud_elsewhere_only_when_given():
    from fsw.cli import line_rate

    assert line_rate("/dev/ttyUSB0", None) == 11_520
    assert line_rate("/dev/ttyUSB0", 9600) == 960
    assert line_rate("pty", None) is None and line_rate("socket://localhost:5000", None) is None
    assert line_rate("pty", 115200) == 11_520


def test_on_a_slow_paced_pty_replies_get_through_and_housekeeping_is_thinned(tmp_path):
    # 960 octets/s cannot carry six structures ten times a second (10x simulated time)
    flight = Fsw(tmp_path / "state", "--clock", "sim", "--speed", "10", "--baud", "9600")
    try:
        frames = []
        flight.receiver.on_frame = frames.append
        ping = flight.send("ping")
        flight.wait_final(ping)
        assert flight.names(ping) == ["acceptance_success", "start_success", "completion_success"]
        # the CLCW after one Type-BD TC: FARM-B counter 1, N(R) still 0
        assert Clcw.decode(int.from_bytes(frames[-1][-6:-2], "big")) == Clcw(farm_b_counter=1)
        flight.wait(lambda: (flight.housekeeping(1) or {}).get("hk_thinned", 0) > 0)
        assert flight.housekeeping(1)["downlink_dropped"] == 0          # thinned, not dropped
    finally:
        flight.stop()


@pytest.mark.parametrize("options, message", [
    (["--port", "pty", "--speed", "5"], "--speed needs --clock sim"),
    (["--port", "pty", "--clock", "sim", "--speed", "-1"], "--speed must be"),
    (["--port", "pty", "--tm-frame-len", "9"], "--tm-frame-len must be"),
    (["--port", "pty", "--baud", "0"], "--baud must be positive"),
    (["--port", "pty", "--clock", "sundial"], "invalid choice"),
    (["--clock", "sim"], "--port"),
    (["--port", "/dev/does-not-exist"], "cannot open /dev/does-not-exist"),
    (["--port", "pty", "--hw-option", "heater"], "--hw-option takes KEY=VALUE"),
    (["--port", "pty", "--hw-option", "warp=9"], "unknown sim option(s): warp"),
    (["--port", "pty", "--hw-option", "sensor=melted"], "sensor option must be"),
])
def test_bad_options_and_ports_get_one_line_and_a_non_zero_exit(tmp_path, options, message):
    done = subprocess.run([sys.executable, "-m", "fsw.cli", "--state", str(tmp_path), *options],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize("options", [["--hw", "raspberrypi"], ["--state", "/proc/not-a-state-dir"]])
def test_an_unusable_backend_or_state_directory_is_one_line(tmp_path, options):
    if options[0] == "--hw" and os.path.exists("/proc/device-tree/model"):
        pytest.skip("this machine may be a Raspberry Pi")
    state = [] if options[0] == "--state" else ["--state", str(tmp_path)]
    done = subprocess.run([sys.executable, "-m", "fsw.cli", "--port", "pty", *state, *options],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("fsw: cannot start")


def test_a_hardware_option_drills_a_welded_heater_into_safe_mode(tmp_path):
    """--hw-option reaches the backend: a heater stuck on overheats the camera, flight cuts it."""
    fsw = launch.start("--clock", "sim", "--speed", "5000", "--hw-option", "heater=stuck_on",
                       "--hw-option", "initial_c=60", state=tmp_path)
    try:
        link = SerialLink(fsw.port)
        receiver = TmReceiver()
        events = set()
        deadline = time.monotonic() + 30
        while {"over_temperature", "safe_mode_entered"} - events and time.monotonic() < deadline:
            for packet in receiver.feed(link.read(1 << 16, 0.2)):
                decoded = DICTIONARY.decode_tm(packet)
                if decoded["kind"] == "event":
                    events.add(decoded["name"])
        link.close()
        assert {"over_temperature", "safe_mode_entered"} <= events
    finally:
        assert fsw.stop(timeout=30) == 0


def test_version_names_the_package_and_the_dictionary():
    from importlib.metadata import version
    done = subprocess.run([sys.executable, "-m", "fsw.cli", "--version"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout == f"fsw {version('perijove')}, dictionary {load().version:08x}\n"


def test_start_takes_a_date_or_a_perijove_and_refuses_what_is_outside_the_mission():
    from fsw import mission
    from fsw.cli import UsageError, parse_start
    assert parse_start("PJ46") == mission.perijove_time(46)
    assert parse_start("2023-12-01T00:00Z") == parse_start("2023-12-01")
    with pytest.raises(UsageError):
        parse_start("2056-01-01")
    with pytest.raises(UsageError):
        parse_start("yesterday")

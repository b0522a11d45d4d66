"""The HIL suite on a labgrid place: features to capabilities, the flash script, and a real local
farm (coordinator, exporter, ser2net, the avr-sim board) where two suites share one place."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hil.labgrid.local_farm import ENV_CONFIG, PLACE, LocalFarm, missing
from hil.labgrid.place import PlaceError, PlaceLease
from hil.labgrid.target import LabgridTarget, board_of
from hil.plugin import needs
from hil.targets.avr_sim import AvrSimTarget, missing_toolchain
from hil.targets.serial import BOARD_CAPABILITIES

ROOT = Path(__file__).resolve().parents[2]


def environment(tmp_path, features, place="uno-1", options=""):
    path = tmp_path / "env.yaml"
    path.write_text(f"targets:\n  main:\n    features: {features}\n    resources:\n"
                    f"      RemotePlace:\n        name: {place}\n{options}")
    return str(path)


def test_the_board_feature_gives_the_capabilities_of_the_local_target_of_that_kind(tmp_path):
    assert LabgridTarget(environment(tmp_path, "[avr-sim]")).capabilities == AvrSimTarget.capabilities
    assert LabgridTarget(environment(tmp_path, "[arduino, camera]")).capabilities == BOARD_CAPABILITIES["arduino"]
    pi = LabgridTarget(environment(tmp_path, "[fsw]", place="pi-3"))
    assert pi.capabilities == BOARD_CAPABILITIES["fsw"] and pi.name == "labgrid place pi-3"


def test_skips_on_a_place_name_the_place_and_what_is_missing(tmp_path):
    uno = LabgridTarget(environment(tmp_path, "[arduino]"))
    with pytest.raises(pytest.skip.Exception, match="labgrid place uno-1 cannot inject heater_stuck_on"):
        needs(uno, faults=("heater_stuck_on",))
    with pytest.raises(pytest.skip.Exception, match="labgrid place uno-1 does not implement schedule_insert"):
        needs(uno, commands=("schedule_insert",))
    with pytest.raises(pytest.skip.Exception, match="real thermal mass"):
        needs(uno, simulated_thermal=True)


def test_an_environment_must_name_one_board():
    with pytest.raises(PlaceError, match="one board"):
        board_of({"camera"})
    with pytest.raises(PlaceError, match="one board"):
        board_of({"arduino", "fsw"})


def test_without_an_environment_the_target_says_how_to_give_one():
    assert "--lg-env" in LabgridTarget().skip_reason


def test_a_coordinator_that_is_not_there_is_one_line():
    lease = PlaceLease(PLACE, "127.0.0.1:1", wait=1, say=print)
    with pytest.raises(PlaceError, match="does not answer"):
        lease.acquire()


@pytest.mark.skipif(missing_toolchain() is not None, reason="AVR toolchain missing")
def test_the_flash_script_carries_the_firmware_and_the_makefiles_avrdude_line(tmp_path):
    from hil.labgrid.flash import flash_script

    script = flash_script("uno", tmp_path)
    text = script.read_text()
    assert (ROOT / "hil/arduino/build/uno/perijove.hex").read_text() in text
    assert 'avrdude -p atmega328p -c arduino -P "$1" -b 115200 -D -U flash:w:"$hex":i' in text
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0
    # the image it writes for avrdude is the build's, octet for octet
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "avrdude").write_text('#!/bin/sh\nfor a; do case $a in flash:w:*) f=${a#flash:w:}; cp "${f%:i}" "$OUT";; esac; done\n')
    (fake / "avrdude").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}", OUT=str(tmp_path / "flashed.hex"))
    assert subprocess.run([str(script), "/dev/ttyACM9"], env=env).returncode == 0
    assert (tmp_path / "flashed.hex").read_text() == (ROOT / "hil/arduino/build/uno/perijove.hex").read_text()


@pytest.fixture(scope="module")
def farm():
    why = missing()
    if why:
        pytest.skip(why)
    with LocalFarm() as running:
        yield running


class Suite:
    """`pytest hil --lg-env` in a process of its own; each output line kept with its arrival time."""

    def __init__(self, farm, *args: str, user: str):
        env = dict(farm.env(), PYTHONUNBUFFERED="1", LG_USERNAME=user)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "hil", "--lg-env", str(ENV_CONFIG), "-q", "-p", "no:cacheprovider", *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[tuple[float, str]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.rstrip()))

    def wait(self, timeout: float) -> int:
        code = self.process.wait(timeout)
        self.reader.join(5)
        return code

    def when(self, text: str) -> float:
        return next(at for at, line in self.lines if text in line)

    def said(self, text: str) -> bool:
        return any(text in line for _at, line in self.lines)

    def output(self) -> str:
        return "\n".join(line for _at, line in self.lines)


@pytest.mark.timeout(180)
def test_two_suites_on_one_place_take_turns(farm):
    # started together; each holds the place for a few seconds (100 commands), longer than the
    # two can be apart in starting
    first, second = (Suite(farm, "-k", "test_ping or hundred", user=user) for user in ("first", "second"))
    assert first.wait(120) == 0, first.output()
    assert second.wait(120) == 0, second.output()
    runs = sorted((first, second), key=lambda suite: suite.when(f"place {PLACE} acquired"))
    earlier, later = runs
    other = "first" if later is second else "second"
    assert later.said(f"place {PLACE} is busy (") and later.said(f"/{other}); waiting up to 600 s"), later.output()
    assert later.when(f"place {PLACE} acquired after waiting") > earlier.when(f"place {PLACE} released")
    assert not earlier.said("busy")
    for suite in runs:
        assert suite.said("2 passed"), suite.output()


@pytest.mark.timeout(120)
def test_a_run_waits_no_longer_than_it_was_told_and_says_why(farm):
    holder = PlaceLease(PLACE, farm.coordinator, wait=10, say=print)
    holder.acquire()
    try:
        started = time.monotonic()
        suite = Suite(farm, "--lg-wait", "2", "-k", "test_ping", user="late")
        assert suite.wait(60) == 4, suite.output()
        assert time.monotonic() - started < 30
        assert suite.said(f"place {PLACE} still busy after 2 s (acquired by "), suite.output()
        assert "Traceback" not in suite.output()
    finally:
        holder.release()
    # nothing left behind: the place is free for the next run at once
    again = PlaceLease(PLACE, farm.coordinator, wait=5, say=print)
    again.acquire()
    assert not again.told
    again.release()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_releases_the_place(farm, signum):
    suite = Suite(farm, "-k", "hundred", user="interrupted")
    deadline = time.monotonic() + 60
    while not suite.said(f"place {PLACE} acquired"):
        assert time.monotonic() < deadline and suite.process.poll() is None, suite.output()
        time.sleep(0.1)
    suite.process.send_signal(signum)
    suite.wait(60)
    assert suite.said(f"place {PLACE} released"), suite.output()
    after = PlaceLease(PLACE, farm.coordinator, wait=5, say=print)
    after.acquire()
    assert not after.told
    after.release()


@pytest.mark.parametrize("name, board, place", [("avr-sim", "avr-sim", "avr-sim"), ("arduino", "arduino", "uno-1"),
                                                ("pi", "fsw", "pi-1")])
def test_the_example_environments_and_exporter_configurations_load(name, board, place, monkeypatch):
    from labgrid.remote.config import ResourceConfig

    target = LabgridTarget(str(ROOT / "hil/labgrid" / f"{name}.env.yaml"))
    assert (target.board, target.place) == (board, place)
    for variable in ("UART", "SPARE", "CONTROL"):
        monkeypatch.setenv(f"PERIJOVE_AVR_SIM_{variable}", f"/dev/pts/{variable.lower()}")
    exported = ResourceConfig(str(ROOT / "hil/labgrid" / f"{name}.exporter.yaml"), {"env": os.environ}).data
    assert list(exported) == [place]
    assert "uart" in exported[place]


@pytest.mark.timeout(60)
def test_a_reservation_by_tags_gets_the_free_place_that_has_them(farm):
    farm.client("-p", PLACE, "set-tags", "board=arduino", "sim=yes")
    try:
        lease = PlaceLease("any", farm.coordinator, wait=5, say=print, tags={"board": "arduino"})
        lease.acquire()
        try:
            assert lease.place == PLACE and "uart" in lease.ports
            busy = PlaceLease("any", farm.coordinator, wait=1, say=print, tags={"board": "arduino"})
            with pytest.raises(PlaceError, match=f"every place with board=arduino still busy after 1 s \\({PLACE}: "):
                busy.acquire()
        finally:
            lease.release()
    finally:
        farm.client("-p", PLACE, "set-tags", "board=", "sim=")

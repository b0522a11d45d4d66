"""The console driven as a person would, through prompt_toolkit's pipe input."""

import threading
import time

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from fsw.dictionary import load
from ground.console import CommandCompleter, Console, describe
from ground.procedures import connect


def wait_for(lines, text, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(text in line for line in lines):
            return
        time.sleep(0.02)
    raise AssertionError(f"{text!r} never shown; transcript:\n" + "\n".join(lines))


class Driver:
    """A console on its own thread, fed keystrokes through a pipe."""

    def __init__(self, gs, history_path, **options):
        self.lines = []
        self._pipe_cm = create_pipe_input()
        self.pipe = self._pipe_cm.__enter__()
        self.console = Console(gs, input=self.pipe, output=DummyOutput(), echo=self.lines.append,
                               history_path=history_path, **options)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        with create_app_session(input=self.pipe, output=DummyOutput()):
            self.console.run()

    def type(self, text):
        self.pipe.send_text(text)

    def close(self):
        self.pipe.send_text("quit\r")
        self.thread.join(5)
        self._pipe_cm.__exit__(None, None, None)
        assert not self.thread.is_alive()


@pytest.fixture
def console(fake_link, tmp_path):
    _, link = fake_link
    with connect(link=link, archive=False) as gs:
        driver = Driver(gs, tmp_path / "history")
        yield driver
        driver.close()


def test_a_command_shows_each_verification_stage(console):
    console.type("ping\r")
    wait_for(console.lines, "ping: completed")
    assert any("ping: accepted" in line for line in console.lines)


def test_bad_arguments_are_refused_before_sending(console, fake_link):
    flight, _ = fake_link
    for typed, says in (
        ("cam_configure exposure=0 filters=7 tdi=2", "not sent"),
        ("cam_configure speed=3", "no argument 'speed'"),
        ("warp_drive", "unknown command 'warp_drive'"),
        ("cam_captur", "unknown command 'cam_captur' (did you mean cam_capture?)"),
        ("cam_capture framelets=2 framelets=3", "framelets given twice"),
        ("cam_configure", "missing arguments exposure, filters, tdi"),
    ):
        console.type(typed + "\r")
        wait_for(console.lines, says)
    assert not any(name == "cam_configure" for name, _ in flight.received)


def test_hazardous_commands_ask_then_arm_and_send(console, fake_link):
    flight, _ = fake_link
    console.type("cam_delete image_id=1\r")
    console.type("n\r")
    wait_for(console.lines, "cam_delete: not sent")
    console.type("cam_delete image_id=1\r")
    console.type("y\r")
    wait_for(console.lines, "cam_delete: accepted FAILED (not_armed)")   # the fake never honours arm
    names = [name for name, _ in flight.received]
    assert names == ["arm", "cam_delete"]
    assert flight.received[0][1] == {"service": 130, "subtype": 9}


def test_events_are_printed_as_they_arrive(console):
    console.type("cam_downlink image_id=1\r")
    wait_for(console.lines, "[event info] downlink_complete image_id=1")


def test_help_describes_from_the_dictionary(console):
    console.type("help anneal\r")
    wait_for(console.lines, "anneal (140,4) HAZARDOUS")
    wait_for(console.lines, "target=i16 2000..6000 cC")


def test_history_is_kept_across_runs(fake_link, tmp_path):
    _, link = fake_link
    history = tmp_path / "history"
    with connect(link=link, archive=False) as gs:
        driver = Driver(gs, history)
        driver.type("ping\r")
        wait_for(driver.lines, "ping: completed")
        driver.close()
    assert "ping" in history.read_text()


def test_completion_of_names_arguments_and_enum_values():
    completer = CommandCompleter(load())

    def complete(text):
        return [c.text for c in completer.get_completions(Document(text), None)]

    assert "cam_configure" in complete("cam_con")
    assert complete("cam_configure exposure=10 f") == ["filters="]
    assert complete("cam_configure compression=") == ["none", "lossless", "lossy"]
    assert complete("cam_power state=o") == ["off", "on"]
    assert "cam_temp" in complete("help cam_t")


def test_describe_unknown_name():
    with pytest.raises(KeyError):
        describe(load(), "nothing_by_this_name")


def test_console_against_the_real_fsw(fsw_factory, tmp_path):
    with connect(fsw_factory(1000), archive=False) as gs:
        driver = Driver(gs, tmp_path / "history")
        driver.type("cam_power state=on\r")
        wait_for(driver.lines, "cam_power: completed")
        wait_for(driver.lines, "[event info] cam_ready", timeout=20)
        driver.type("cam_configure exposure=9999 filters=7 tdi=2\r")
        wait_for(driver.lines, "exposure=9999 outside [1, 2000]")
        driver.type("anneal target=3000 hold=5\r")
        driver.type("y\r")
        wait_for(driver.lines, "arm: completed")
        wait_for(driver.lines, "anneal: accepted")
        wait_for(driver.lines, "[event info] anneal_started target=3000 cC hold=5 s")
        wait_for(driver.lines, "anneal: progress", timeout=30)
        driver.type("tlm 20\r")
        wait_for(driver.lines, "heater_mode")
        driver.close()


@pytest.mark.parametrize("where", ["a_directory", "under_a_file/history"])
def test_a_history_file_that_cannot_be_used_costs_only_the_history(fake_link, tmp_path, where):
    _, link = fake_link
    (tmp_path / "a_directory").mkdir()
    (tmp_path / "under_a_file").write_text("not a directory")
    with connect(link=link, archive=False) as gs:
        driver = Driver(gs, tmp_path / where)
        driver.type("ping\r")
        wait_for(driver.lines, "ping: completed")
        driver.type("ping\r")
        wait_for(driver.lines, "history not kept")
        driver.close()
    assert sum("history not kept" in line for line in driver.lines) == 1


def test_tlm_of_an_unknown_structure_says_which_exist(console):
    console.type("tlm x\r")
    known = ", ".join(str(sid) for sid in sorted(load().structures))
    wait_for(console.lines, f"no housekeeping structure 'x' (known: {known})")
    console.type("tlm 99\r")
    wait_for(console.lines, "no housekeeping structure '99'")


def test_a_command_after_the_link_is_lost_is_not_sent_and_the_console_stays(fake_link, tmp_path):
    flight, link = fake_link
    with connect(link=link, archive=False, on_warning=lambda text: None) as gs:
        driver = Driver(gs, tmp_path / "history")
        flight.link.close()
        driver.type("ping\r")
        wait_for(driver.lines, "not sent: ")
        driver.type("help ping\r")
        wait_for(driver.lines, "Are you there?")
        driver.close()


def test_replies_events_and_reasons_are_shown_by_name_against_the_real_fsw(fsw_factory, tmp_path):
    with connect(fsw_factory(1000), archive=False) as gs:
        driver = Driver(gs, tmp_path / "history")
        driver.type("cam_capture framelets=2\r")                  # the camera is off: it fails
        wait_for(driver.lines, "cam_capture: started FAILED (execution_failed)")
        wait_for(driver.lines, "tc_failed service=130 subtype=3 reason=execution_failed")
        driver.type("ping\r")
        wait_for(driver.lines, "ping: completed, round trip ")
        wait_for(driver.lines, "[reply] ping_reply")
        driver.type("cam_power state=ON\r")
        wait_for(driver.lines, "[event info] cam_ready", timeout=20)
        driver.type("cam_configure exposure=5 filters=red+green tdi=2\r")
        wait_for(driver.lines, "cam_configure: completed")
        driver.type("cam_capture framelets=2\r")
        wait_for(driver.lines, "[event info] image_captured image_id=1")
        driver.type("cam_list\r")
        wait_for(driver.lines, "[reply] image_list images: 1")
        wait_for(driver.lines, "image_id=1 time=20")
        wait_for(driver.lines, "filters=red+green")
        driver.type("schedule_list\r")
        wait_for(driver.lines, "[reply] schedule_report")
        driver.close()


def test_ctrl_d_at_the_hazardous_question_cancels_that_command_only(console, fake_link):
    flight, _ = fake_link
    console.type("cam_delete image_id=1\r")
    console.type("\x04")                                          # Ctrl-D
    wait_for(console.lines, "cam_delete: not sent")
    console.type("ping\r")                                        # the console is still there
    wait_for(console.lines, "ping: completed")
    assert [name for name, _ in flight.received] == ["ping"]


def test_a_silent_spacecraft_is_said_quiet_and_a_command_overdue(fsw_factory, tmp_path):
    """fsw stopped (SIGSTOP) stands for a spacecraft out of contact; SIGCONT brings it back."""
    import os
    import signal

    from fsw import launch

    fsw = launch.start("--clock", "sim", "--speed", "100", state=tmp_path / "fsw-state", timeout=20)
    try:
        with connect(fsw.port, archive=False, timeout=1.0, key_file=fsw.key_file) as gs:
            driver = Driver(gs, tmp_path / "history", quiet_after=1.0)
            lines = driver.lines
            os.kill(fsw.process.pid, signal.SIGSTOP)
            driver.type("ping\r")
            # COP-1 holds it (queued) or retransmits it (radiated): no report came, none could
            wait_for(lines, "ping: no completion within 1 s (last: ")
            overdue = next(line for line in lines if "no completion" in line)
            assert overdue.endswith(("(last: queued)", "(last: radiated)")), overdue
            wait_for(lines, "link quiet: nothing received for")
            os.kill(fsw.process.pid, signal.SIGCONT)
            wait_for(lines, "link: receiving again")
            driver.close()
    finally:
        os.kill(fsw.process.pid, signal.SIGCONT)
        fsw.stop(timeout=5)

"""Two consoles and a monitor on one `ground serve`, each a real process on a terminal of its own,
typed into as a person types: both command, each sees its own replies and their true outcomes."""

import re
import time

import pytest
from serving import Terminal


@pytest.mark.timeout(120)
def test_two_consoles_and_a_monitor_on_one_server(fsw_factory, serve_factory):
    server = serve_factory(fsw_factory(100))
    first = Terminal("console", "--server", server.url)
    second = Terminal("console", "--server", server.url)
    monitor = Terminal("monitor", "--server", server.url)
    try:
        for console in (first, second):
            console.wait_for(r"ground>")
        first.type("ping\r")
        second.type("cam_capture\r")            # the camera is off: the spacecraft says it failed
        first.wait_for(r"ping: completed")
        second.wait_for(r"cam_capture: .*FAILED \(execution_failed\)")
        second.type("cam_power state=on\r")
        first.type("schedule_list\r")
        second.wait_for(r"cam_power: completed")
        first.wait_for(r"schedule_list: completed")
        first.wait_for(r"\[reply\] schedule_report")
        first.wait_for(r"ping: completed, round trip \d+ ms")
        monitor.wait_for(r"cam_power\s+on")            # the monitor sees what the second console did
        time.sleep(0.5)                                  # anything misrouted would have shown by now
        assert not re.search(r"(cam_capture|cam_power): ", first.text)
        assert not re.search(r"(ping|schedule_list): ", second.text)
        assert "[reply]" not in second.text, second.text     # a reply goes to the console that asked
        for terminal in (first, second, monitor):
            assert "Traceback" not in terminal.text
        for console in (first, second):
            console.type("quit\r")
            assert console.process.wait(10) == 0
    finally:
        for terminal in (first, second, monitor):
            terminal.close()

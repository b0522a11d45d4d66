"""Child processes of a target: wait for the line that says where to connect; stop cleanly.

The waiting and stopping are fsw.launch's (one implementation for every child we start)."""

import re
import subprocess

from fsw import launch


def read_line_with(process: subprocess.Popen, marker: str, timeout: float) -> str:
    """The first stdout line containing marker; later output keeps being drained (never blocks the child)."""
    match = launch.wait_for_line(process, ".*" + re.escape(marker) + ".*", timeout)
    return match.group(0).strip()


def stop_process(process: subprocess.Popen | None) -> None:
    if process is not None:
        launch.stop(process)

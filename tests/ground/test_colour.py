"""Colour codes only for a terminal, and never with NO_COLOR."""

import os
import pty
import subprocess
import sys

WARN = "gs.session.on_warning('the archive is slow')\n"


def _environment(**extra):
    environment = {k: v for k, v in os.environ.items() if k not in ("PERIJOVE_SERVER", "NO_COLOR")}
    return {**environment, **extra}


def test_a_warning_into_a_redirected_stderr_has_no_colour_codes(tmp_path):
    script = tmp_path / "warn.py"
    script.write_text(WARN)
    done = subprocess.run([sys.executable, "-m", "ground.cli", "run", "--port", "loop://", "--no-archive", str(script)],
                          capture_output=True, text=True, timeout=30, env=_environment())
    assert done.returncode == 0, done.stderr
    assert "WARNING: the archive is slow" in done.stderr and "\033[" not in done.stderr


def _stderr_on_a_terminal(tmp_path, **extra) -> str:
    script = tmp_path / "warn.py"
    script.write_text(WARN)
    controller, terminal = pty.openpty()
    try:
        subprocess.run([sys.executable, "-m", "ground.cli", "run", "--port", "loop://", "--no-archive", str(script)],
                       stdout=subprocess.DEVNULL, stderr=terminal, timeout=30, env=_environment(**extra))
        return os.read(controller, 65536).decode()
    finally:
        os.close(controller)
        os.close(terminal)


def test_a_terminal_gets_colour_unless_no_color_is_set(tmp_path):
    assert "\033[1;31mWARNING: the archive is slow" in _stderr_on_a_terminal(tmp_path)
    shown = _stderr_on_a_terminal(tmp_path, NO_COLOR="1")
    assert "WARNING: the archive is slow" in shown and "\033[" not in shown

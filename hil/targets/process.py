"""Child processes of a target: wait for the line that says where to connect; stop cleanly."""

import subprocess
import threading


def read_line_with(process: subprocess.Popen, marker: str, timeout: float) -> str:
    """The first stdout line containing marker; later output keeps being drained (never blocks the child)."""
    seen: list[str] = []
    found = threading.Event()

    def drain():
        for line in process.stdout:
            if not found.is_set():
                seen.append(line.strip())
                if marker in line:
                    found.set()

    threading.Thread(target=drain, name="target-stdout", daemon=True).start()
    if found.wait(timeout):
        return seen[-1]
    process.kill()
    raise RuntimeError(f"no '{marker}' line from {process.args[0]}: {' | '.join(seen[-5:]) or 'no output'}")


def stop_process(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

"""A full disk costs the archive, never the session: one line, and commanding goes on."""

import resource
import subprocess
import sys

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

"""File delivery through a real `ground serve` in front of a real `fsw`: a CFDP transfer's progress
reaches every client as it happens (octets of the file, gaps, NAKs, the outcome and its condition)."""

import time
from pathlib import Path

import pytest
from serving import Terminal, ground

from fsw.protocol.cfdp import image_file_name
from ground.procedures import connect

pytestmark = pytest.mark.timeout(120)


def captured_image(serve_factory, port) -> int:
    """An image in the camera's store, taken through a server on a clean line (then stopped)."""
    server = serve_factory(port)
    with connect(server=server.url, timeout=30) as gs:
        gs.send("cam_power", state="on")
        gs.await_event("cam_ready", timeout=30)
        gs.send("cam_configure", exposure=10, filters=7, tdi=1, readout="sum4")   # the demo's readout
        gs.send("cam_capture", framelets=8, timeout=30)
        image_id = gs.await_event("image_captured", timeout=10).fields["image_id"]
    server.stop()
    return image_id


def test_an_image_comes_down_through_the_server_seen_live_by_every_client(fsw_port, serve_factory, tmp_path):
    image_id = captured_image(serve_factory, fsw_port)
    # a line that loses 5% of its frames: the image comes down with gaps, asked for again by NAK
    server = serve_factory(fsw_port, "--channel", "drop=0.05,seed=2")
    name = image_file_name(image_id)
    console = Terminal("console", "--server", server.url)
    try:
        console.wait_for(r"ground>")
        with connect(server=server.url, timeout=30) as watcher:
            told = []
            watcher.session.files.listeners.append(told.append)
            rc, out, err = ground("image", "--server", server.url, str(image_id), "--out", str(tmp_path), timeout=100)
            assert rc == 0, err
            deadline = time.monotonic() + 5
            while not any(t.name == name and t.done for t in told) and time.monotonic() < deadline:
                time.sleep(0.05)
        # the console shows it too, though another client asked for it: its progress, then its end
        shown = console.wait_for(rf"file {name} down \(class 2\): \d+% \(\d+ of \d+ octets\)")
        console.wait_for(rf"file {name} down: completed, \d+ octets, checksum verified, \d+ NAKs?", after=shown)
        console.type("quit\r")
        assert console.process.wait(10) == 0 and "Traceback" not in console.text
    finally:
        console.close()
    mine = [t for t in told if t.name == name and t.direction == "receive"]
    assert mine and mine[0].state == "active" and mine[0].octets < mine[0].size, mine
    end = mine[-1]
    assert end.ok and end.condition == "no_error" and end.octets == end.size and (end.gaps, end.missing) == (0, 0)
    assert end.naks >= 1, "nothing was lost on a 5% line: no NAK to see"
    assert f"{end.size}/{end.size}" in err         # the command line's bar (on stderr) ended at the file's size
    written = [Path(line) for line in out.splitlines() if line.startswith(str(tmp_path))]
    assert {path.suffix for path in written} == {".png", ".json"} and all(path.stat().st_size for path in written)

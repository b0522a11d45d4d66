"""`ground cop1` and `ground send --bypass` against a real `ground serve` and a real `fsw`."""

import json

from serving import ground

from ground.client import request


def cop1(url: str) -> dict:
    return json.loads(request(url, "GET", "/api/cop1").read())


def test_the_server_initialises_cop1_and_the_directives_work_from_the_command_line(fsw_port, serve_factory):
    server = serve_factory(fsw_port)
    rc, out, err = ground("send", "--server", server.url, "ping")
    assert rc == 0, err
    assert [line.split(": ")[1] for line in out.splitlines()][:3] == ["queued", "radiated", "acknowledged"]
    rc, out, _ = ground("cop1", "--server", server.url)
    assert rc == 0 and out.startswith("FOP-1 S1 (active): V(S)") and "board's CLCW: N(R)" in out

    rc, _, err = ground("cop1", "--server", server.url, "init")             # E23 outside S6
    assert rc == 2 and "init: Initiate AD needs the FOP in S6" in err and "Traceback" not in err
    assert ground("cop1", "--server", server.url, "terminate")[0] == 0
    rc, _, err = ground("send", "--server", server.url, "ping")
    assert rc == 2 and "COP-1 was terminated" in err
    rc, out, err = ground("send", "--server", server.url, "--bypass", "ping")
    assert rc == 0 and "ping: completed" in out, err

    v_s = cop1(server.url)["v_s"]
    assert ground("cop1", "--server", server.url, "set-vr", str((v_s + 100) % 256))[0] == 0
    rc, _, err = ground("send", "--server", server.url, "ping")
    assert rc == 0, err
    status = cop1(server.url)
    assert status["state"] == 1 and status["clcw"]["n_r"] == (v_s + 101) % 256
    rc, _, err = ground("cop1", "--server", server.url, "window", "300")
    assert rc == 2 and "window: 300 is not 1..255" in err

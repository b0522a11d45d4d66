"""`ground keys rotate` through a running `ground serve`: the server moves its uplink to the new key
between two radiated frames while another client commands; real server and fsw processes."""

import json
import os
import threading

from serving import ground

from fsw.security.keyfile import read_key_file
from ground.client import request
from ground.procedures import connect

ROTATION_COMMANDS = 6          # key_activate, sa_rekey, sa_start, arm, sa_stop, key_deactivate
REFUSALS = ("sdls_unknown_spi", "sdls_bad_mac", "sdls_replay", "sdls_out_of_window", "sdls_clear_refused")


def on_board(gs) -> dict:
    """The board's command and SDLS counters, as the one-shot reports give them (not the latest
    periodic report, which may have been sampled after the second one-shot ran)."""
    reports = {**gs.request_hk(2), **gs.request_hk(6)}
    return {name: reports[name] for name in ("tc_executed", "tc_rejected", "frames_rejected", *REFUSALS)}


def test_rotate_on_a_running_server_while_another_client_commands(fsw_port, serve_factory):
    key_file = os.environ["PERIJOVE_KEY_FILE"]            # the keys the fsw fixture provisioned
    server = serve_factory(fsw_port)
    stop = threading.Event()
    sent = []

    def operator():
        with connect(server=server.url, timeout=30) as gs:
            while not stop.is_set():
                burst = [gs.send("ping", wait=False) for _ in range(4)]   # frames in flight at the switch
                sent.extend(gs.wait_for(tracked) for tracked in burst)

    with connect(server=server.url, timeout=30) as gs:
        before = on_board(gs)
        pinging = threading.Thread(target=operator)
        pinging.start()
        try:
            outputs = []
            for _ in range(2):
                rc, out, err = ground("keys", "rotate", "--server", server.url)
                assert rc == 0, err
                outputs.append(out)
        finally:
            stop.set()
            pinging.join(60)
        after = on_board(gs)

    assert "uplink now on SPI 3, key 3" in outputs[0] and "SPI 1 stopped, key 1 deactivated" in outputs[0]
    assert "uplink now on SPI 1, key 4" in outputs[1] and "SPI 3 stopped, key 3 deactivated" in outputs[1]
    assert "SPI 1 (encryption, key 4" in json.loads(request(server.url, "GET", "/api/status").read())["uplink_security"]
    assert len(sent) >= 8
    assert all(t.outcome == "completed" and [s.stage for s in t.stages].count("completed") == 1 for t in sent)
    # every command ran once on board (the first one-shot is counted in `after`), none refused
    assert after["tc_executed"] - before["tc_executed"] == len(sent) + 2 * ROTATION_COMMANDS + 2
    assert {name: after[name] - before[name] for name in ("tc_rejected", "frames_rejected", *REFUSALS)} == \
        dict.fromkeys(("tc_rejected", "frames_rejected", *REFUSALS), 0)
    keyring = read_key_file(key_file)                      # a restarted server starts on the new key
    assert keyring.uplink_spi == 1 and keyring.associations[1].key_id == 4
    server.stop()
    assert ground("send", "--server", serve_factory(fsw_port).url, "ping")[0] == 0


def test_rotate_on_a_clear_uplink_is_refused_with_one_line(fsw_port, serve_factory):
    server = serve_factory(fsw_port, "--insecure-uplink")
    rc, _, err = ground("keys", "rotate", "--server", server.url)
    assert rc != 0 and "no keys to rotate" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1

"""`ground serve` owns the link; clients attach to it. Real server and fsw processes throughout."""

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request

import pytest
from serving import ground

from fsw.dictionary import load
from fsw.protocol.reasons import Reason
from ground.client import request
from ground.procedures import CommandRejected, connect


def status(url: str) -> dict:
    return json.loads(request(url, "GET", "/api/status").read())


def test_serve_prints_its_url_and_a_client_sends_a_command(fsw_port, serve_factory):
    server = serve_factory(fsw_port)
    assert server.url.startswith("http://127.0.0.1:")
    rc, out, err = ground("send", "--server", server.url, "ping")
    assert rc == 0, err
    assert "ping: accepted" in out and "ping: completed" in out
    assert status(server.url)["connected"] is True


def test_two_clients_at_once_each_sees_its_own_commands_complete(fsw_port, serve_factory):
    server = serve_factory(fsw_port)
    outcomes = {}

    def operator(name):
        with connect(server=server.url) as gs:
            tracked = [gs.send("ping") for _ in range(10)]
            gs.send("hk_oneshot", sid=20)
            outcomes[name] = [t.request_id for t in tracked]

    threads = [threading.Thread(target=operator, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = outcomes["first"] + outcomes["second"]
    assert len(ids) == 20 and len(set(ids)) == 20          # every command its own request id


def test_a_report_is_matched_only_to_the_command_that_caused_it(fsw_factory, serve_factory):
    """The repro: an anneal times out on the client (and runs on); an abort sent by another client
    completes, and is not blamed for the anneal's own failure report."""
    server = serve_factory(fsw_factory(100))
    rc, _, err = ground("send", "--server", server.url, "--arm", "--timeout", "2", "anneal", "target=3000",
                        "hold=60")
    assert rc == 5, err                                    # timed out: the anneal goes on
    rc, out, err = ground("send", "--server", server.url, "anneal_abort")
    assert rc == 0, err
    assert "anneal_abort: completed" in out and "FAILED" not in out


def test_request_ids_never_repeat_across_clients_and_restarts_of_either_side(fsw_factory, serve_factory):
    port = fsw_factory(50)
    seen = []
    for _ in range(2):
        server = serve_factory(port)
        for _ in range(2):
            with connect(server=server.url) as gs:
                seen += [gs.send("ping").request_id for _ in range(3)]
        server.process.send_signal(signal.SIGKILL)         # nothing saved at exit: the disk has it all
        server.process.wait(10)
    with connect(port) as gs:                              # and a process on the port of its own
        seen += [gs.send("ping").request_id for _ in range(3)]
    assert len(seen) == 15 and len(set(seen)) == 15


def test_an_armed_hazardous_command_does_not_fail_for_timing_at_1000x(fsw_factory, serve_factory):
    server = serve_factory(fsw_factory(1000))
    for _ in range(5):
        rc, out, err = ground("send", "--server", server.url, "--arm", "mode_nominal")
        assert rc == 0, err + out
    with connect(server=server.url) as gs:
        gs.send("arm", service=11, subtype=3)              # an arm nothing follows: it expires
        gs.sleep(0.5)                                      # 500 s on board: past the 60 s window
        rejected = gs.send("schedule_reset", wait=False)
        with pytest.raises(CommandRejected) as refused:
            gs.wait_for(rejected)
        assert refused.value.reason == Reason.NOT_ARMED


@pytest.mark.parametrize("body, status_code, says", [
    (b"not json", 400, "body is not JSON"),
    (b"[]", 400, 'a command "name"'),
    (b'{"name": "pnig"}', 400, "did you mean ping?"),
    (b'{"name": "cam_capture", "args": {"framelets": 999}}', 400, "framelets"),
    (b'{"name": "cam_capture", "words": ["frames=3"]}', 400, "has no argument 'frames'"),
    (b'{"name": "ping", "timeout": -1, "follow": true}', 400, "timeout"),
    (b'{"name": "anneal", "args": {"target": 3000}}', 400, "missing argument hold"),
    (b'{"name": "ping", "arm": true}', 400, "not hazardous"),
    (b"x" * 70_000, 413, "over 65536 octets"),
])
def test_hostile_api_requests_get_one_line_and_the_server_goes_on(fsw_port, serve_factory, body, status_code,
                                                                  says):
    server = serve_factory(fsw_port)
    req = urllib.request.Request(server.url + "/api/commands", data=body, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert refused.value.code == status_code
    assert says in json.loads(refused.value.read())["error"]
    assert ground("send", "--server", server.url, "ping")[0] == 0


def test_unknown_endpoints_are_json_errors(fsw_port, serve_factory):
    server = serve_factory(fsw_port)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url + "/api/nothing", timeout=10)
    assert refused.value.code == 404 and "no such endpoint" in json.loads(refused.value.read())["error"]


def test_a_client_that_stops_reading_does_not_slow_the_others(fsw_factory, serve_factory):
    from websockets.sync.client import connect as websocket

    server = serve_factory(fsw_factory(1000))             # 1000x: housekeeping floods the stream
    with websocket(server.url.replace("http", "ws") + "/api/stream", max_size=1 << 20):
        with connect(server=server.url) as gs:      # the stalled client never reads a message
            for _ in range(20):
                gs.send("ping", timeout=10)
            assert gs.request_hk(20)["anneals"] >= 0


def test_tokens_decide_who_may_command(fsw_port, serve_factory, tmp_path):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"operators": ["o" * 24], "viewers": ["v" * 24]}))
    os.chmod(tokens, 0o600)
    server = serve_factory(fsw_port, "--tokens", str(tokens))
    rc, _, err = ground("send", "--server", server.url, "ping")
    assert rc == 2 and "a valid token is needed" in err and err.count("\n") == 1
    rc, _, err = ground("send", "--server", server.url, "--token", "v" * 24, "ping")
    assert rc == 2 and "viewers cannot command" in err
    assert ground("send", "--server", server.url, "--token", "o" * 24, "ping")[0] == 0
    viewer = json.loads(request(server.url, "GET", "/api/status", token="v" * 24).read())
    assert viewer["connected"] is True


def test_a_tokens_file_others_can_read_is_refused(fsw_port, tmp_path):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"operators": ["o" * 24]}))
    os.chmod(tokens, 0o644)
    rc, _, err = ground("serve", "--port", fsw_port, "--tokens", str(tokens))
    assert rc == 2 and "readable by others; chmod 600 it" in err and err.count("\n") == 1


def test_procedures_and_telemetry_through_the_server(fsw_port, serve_factory):
    server = serve_factory(fsw_port)
    rc, out, err = ground("tlm", "--server", server.url, "--once", "--sid", "20", timeout=60)
    assert rc == 0, err
    assert "cam_temp" in out
    with connect(server=server.url) as gs:
        assert gs.await_telemetry("mode", timeout=10) == "nominal"
        gs.send("cam_power", state="on")
        assert gs.await_telemetry("cam_power", lambda state: state == "on", timeout=10) == "on"


class Relay:
    """A device that can go away and come back: TCP on a fixed port, relaying to fsw's pty."""

    def __init__(self, pty_path: str):
        import socket

        from fsw.link import open_link

        self.flight = open_link(pty_path)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.running = threading.Event()
        self.thread = None

    def start(self):
        import socket

        if self.listener is None:
            self.listener = socket.create_server(("127.0.0.1", self.port))
        self.running.set()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.listener.settimeout(0.1)
        connection = None
        while self.running.is_set():
            if connection is None:
                try:
                    connection, _ = self.listener.accept()
                    connection.settimeout(0.01)
                except OSError:
                    continue
            try:
                data = connection.recv(65536)
                if not data:
                    connection = None
                    continue
                self.flight.write(data)
            except TimeoutError:
                pass
            except OSError:
                connection = None
                continue
            down = self.flight.read(65536, 0.01)
            if down:
                try:
                    connection.sendall(down)
                except OSError:
                    connection = None
        if connection is not None:
            connection.close()

    def unplug(self):
        self.running.clear()
        self.thread.join(5)
        self.listener.close()
        self.listener = None


def test_a_device_that_goes_away_and_comes_back_is_reopened(fsw_port, serve_factory):
    relay = Relay(fsw_port)
    relay.start()
    server = serve_factory(f"socket://127.0.0.1:{relay.port}")
    with connect(server=server.url) as gs:
        gs.send("ping")
        relay.unplug()
        deadline = time.time() + 10
        while status(server.url)["connected"] and time.time() < deadline:
            time.sleep(0.1)
        assert not status(server.url)["connected"]
        relay.start()
        deadline = time.time() + 2.5                       # back within 2 s of its return
        while not status(server.url)["connected"] and time.time() < deadline:
            time.sleep(0.1)
        assert status(server.url)["connected"]
        deadline = time.time() + 2                         # the attached client hears it on its stream
        while not gs.session.connected and time.time() < deadline:
            time.sleep(0.05)
        assert gs.send("ping").outcome == "completed"
    assert any("link back" in w for w in status(server.url)["warnings"])


def test_the_archive_is_queried_through_the_server(fsw_port, serve_factory, tmp_path):
    server = serve_factory(fsw_port, "--archive-dir", str(tmp_path / "archive"))
    with connect(server=server.url) as gs:
        for _ in range(3):
            gs.request_hk(20)
    rc, out, err = ground("archive", "query", "--server", server.url, "cam_temp", "--json")
    assert rc == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) >= 3 and all("cam_temp" in row and row["time"].endswith("Z") for row in rows)
    rc, _, err = ground("archive", "query", "--server", server.url, "cam_tmp")
    assert rc == 2 and "unknown parameter 'cam_tmp' (did you mean cam_temp?)" in err and err.count("\n") == 1


def test_export_plot_and_replay_read_the_servers_archive(fsw_port, serve_factory, tmp_path):
    """From another machine, as it were: no archive file here, only the server's URL."""
    server = serve_factory(fsw_port, "--archive-dir", str(tmp_path / "archive"))
    with connect(server=server.url) as gs:
        for _ in range(3):
            gs.request_hk(20)
        gs.send("cam_power", state="on")
        gs.await_event("cam_ready", timeout=30)
    env = {**os.environ, "PERIJOVE_HOME": str(tmp_path / "elsewhere")}     # no archive of its own
    rc, out, err = ground("export", "csv", "cam_temp", "heater_power", "--server", server.url, env=env)
    assert rc == 0, err
    rows = out.splitlines()
    assert rows[0] == "time_utc,onboard_s,parameter,value,unit"
    assert sum(",cam_temp," in row for row in rows) >= 3 and sum(",heater_power," in row for row in rows) >= 3
    rc, out, err = ground("export", "csv", "--events", "--server", server.url, env=env)
    assert rc == 0 and ",cam_ready," in out, err
    png = tmp_path / "t.png"
    rc, out, err = ground("plot", "cam_temp", "--server", server.url, "--out", str(png), env=env)
    assert rc == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", err
    rc, out, err = ground("replay", "--server", server.url, "--speed", "1000", "--exit", "--no-screen", env=env)
    assert rc == 0 and "cam_temp" in out, err
    rc, _, err = ground("replay", "x.sqlite", "--server", server.url, env=env)
    assert rc == 2 and "not both" in err and err.count("\n") == 1
    rc, _, err = ground("export", "csv", "warp", "--server", server.url, env=env)
    assert rc == 2 and "unknown parameter 'warp'" in err and err.count("\n") == 1


def test_a_server_without_an_archive_says_so(fsw_port, serve_factory):
    server = serve_factory(fsw_port)
    rc, _, err = ground("archive", "query", "--server", server.url, "cam_temp")
    assert rc == 2 and "keeps no archive" in err and err.count("\n") == 1


def test_kill_9_of_the_server_loses_no_command_it_acknowledged(fsw_port, serve_factory, tmp_path):
    from ground.archive import ArchiveReader

    archive = tmp_path / "archive"
    server = serve_factory(fsw_port, "--archive-dir", str(archive))
    sent = []
    with connect(server=server.url) as gs:
        for _ in range(5):
            sent.append(gs.send("ping", wait=False).request_id)   # acknowledged: the ids came back
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    reader = ArchiveReader(archive / "scid61.sqlite", load())
    commands = [row for row in reader.packets() if row["dir"] == "up"]
    assert [row["decoded"]["command"] for row in commands] == ["ping"] * 5
    assert sorted(row["seq"] for row in commands) == sorted(rid & 0x3FFF for rid in sent)

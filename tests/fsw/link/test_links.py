"""Every transport moves bytes both ways; opening a bad port is one clear LinkError line."""

import os
import socket
import threading

import pytest

from fsw.link import InProcessLink, LinkError, PtyLink, SerialLink, link_pair, open_link
from fsw.protocol.framing import ASM

PAYLOAD = ASM + bytes(range(256)) * 4     # every octet value, more than one read's worth


def read_exactly(link, n: int, attempts: int = 200) -> bytes:
    data = b""
    for _ in range(attempts):
        if len(data) >= n:
            break
        data += link.read(n - len(data), timeout=0.05)
    return data


def test_loop_url_echoes():
    with open_link("loop://") as link:
        assert isinstance(link, SerialLink)
        link.write(PAYLOAD)
        assert read_exactly(link, len(PAYLOAD)) == PAYLOAD
        assert link.read(timeout=0) == b""


def test_pty_pair_carries_every_octet_value_both_ways():
    with PtyLink() as flight:
        assert flight.path.startswith("/dev/")
        with open_link(flight.path) as ground:
            ground.write(PAYLOAD)
            assert read_exactly(flight, len(PAYLOAD)) == PAYLOAD
            flight.write(PAYLOAD[::-1])
            assert read_exactly(ground, len(PAYLOAD)) == PAYLOAD[::-1]


def test_open_link_pty_makes_a_new_pseudo_terminal():
    with open_link("pty") as link:
        assert isinstance(link, PtyLink) and "pty /dev/" in repr(link)


def test_a_closed_pty_reads_nothing_and_refuses_writes():
    link = PtyLink()
    link.close()
    assert link.read() == b""
    with pytest.raises(LinkError, match="closed"):
        link.write(b"x")
    link.close()


@pytest.fixture
def tcp_server():
    """A one-connection echo-and-record server on 127.0.0.1."""
    server = socket.create_server(("127.0.0.1", 0))
    received = bytearray()

    def serve():
        connection, _ = server.accept()
        with connection:
            while len(received) < len(PAYLOAD):
                chunk = connection.recv(4096)
                if not chunk:
                    break
                received.extend(chunk)
            # answer only after the client has spoken: pyserial's socket:// discards whatever
            # arrived while it was still opening
            connection.sendall(b"hello from the server")
            connection.recv(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received, thread
    server.close()


def test_socket_url_against_a_local_tcp_server(tcp_server):
    port, received, thread = tcp_server
    with open_link(f"socket://127.0.0.1:{port}") as link:
        link.write(PAYLOAD)
        assert read_exactly(link, 21) == b"hello from the server"
    thread.join(10)
    assert bytes(received) == PAYLOAD


def test_in_process_pair():
    flight, ground = link_pair()
    assert isinstance(flight, InProcessLink)
    ground.write(PAYLOAD)
    assert flight.read(10) == PAYLOAD[:10]
    assert read_exactly(flight, len(PAYLOAD) - 10) == PAYLOAD[10:]
    flight.write(b"tm")
    assert ground.read() == b"tm"
    assert ground.read(timeout=0.01) == b""


def test_in_process_pair_after_close():
    flight, ground = link_pair("bus")
    ground.write(b"last")
    flight.close()
    assert flight.read() == b"last"          # what arrived before the close is still readable
    assert flight.read() == b""              # its own end closed: nothing more, quietly
    with pytest.raises(LinkError, match="bus:ground: peer closed"):
        ground.write(b"x")
    with pytest.raises(LinkError, match="bus:ground: peer closed"):
        ground.read()                        # the peer went away: said, not silence


def test_in_process_reader_wakes_when_the_peer_writes():
    flight, ground = link_pair()
    got = []
    reader = threading.Thread(target=lambda: got.append(flight.read(timeout=10)))
    reader.start()
    ground.write(b"wake")
    reader.join(10)
    assert got == [b"wake"]


def one_line(error: LinkError) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_a_missing_port_is_one_clear_line():
    with pytest.raises(LinkError) as caught:
        open_link("/dev/ttyNO_SUCH_PORT")
    assert one_line(caught.value) == "/dev/ttyNO_SUCH_PORT: cannot open (no such port)"


def test_a_busy_port_is_one_clear_line():
    with PtyLink() as flight, open_link(flight.path):
        with pytest.raises(LinkError) as caught:
            open_link(flight.path)
    assert one_line(caught.value) == f"{flight.path}: cannot open (port busy)"


def test_a_refused_connection_is_one_clear_line():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()
    with pytest.raises(LinkError) as caught:
        open_link(f"socket://127.0.0.1:{port}")
    assert "connection refused" in one_line(caught.value)


def test_a_malformed_url_is_one_clear_line():
    with pytest.raises(LinkError) as caught:
        open_link("socket://nowhere")
    assert one_line(caught.value).startswith("socket://nowhere: ")


def test_pty_try_write_sends_what_fits_without_waiting():
    flight = PtyLink()
    ground = open_link(flight.path)
    try:
        assert flight.try_write(b"ping") == 4
        assert ground.read(16, timeout=1.0) == b"ping"
        # nobody reads: the pty buffer fills and try_write stops taking bytes instead of blocking
        taken = sum(flight.try_write(b"x" * 4096) for _ in range(64))
        assert 0 < taken < 64 * 4096
        assert flight.try_write(b"x" * 4096) == 0
    finally:
        ground.close()
        flight.close()


def test_links_that_cannot_tell_take_nothing_directly():
    with open_link("loop://") as link:
        assert link.try_write(b"abc") == 0


def test_the_line_rate_of_a_link():
    """A serial device is paced at its baud (115200 when none is given); a pty or a URL only when
    a baud is given (8N1: ten bits an octet)."""
    from fsw.link import line_rate

    assert line_rate("/dev/ttyUSB0", None) == 11_520
    assert line_rate("/dev/ttyACM0", 9600) == 960
    assert line_rate("pty", None) is None
    assert line_rate("loop://", None) is None
    assert line_rate("socket://localhost:7000", 19200) == 1920
    with PtyLink() as pty:
        assert line_rate(pty.path, None) is None
        assert line_rate(pty.path, 9600) == 960


@pytest.fixture
def ser2net_port():
    """A pty exported through ser2net as RFC 2217 on 127.0.0.1, as labgrid's exporter runs it."""
    import shutil
    import subprocess
    import time

    if shutil.which("ser2net") is None and not os.path.exists("/usr/sbin/ser2net"):
        pytest.skip("ser2net missing (apt-get install ser2net)")
    board = PtyLink()
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    ser2net = subprocess.Popen(
        [shutil.which("ser2net") or "/usr/sbin/ser2net", "-d", "-n",
         "-Y", f"connection: &c#  accepter: telnet(rfc2217,mode=server),tcp,127.0.0.1,{port}",
         "-Y", f"  connector: serialdev(nouucplock=true),{board.path},115200n81,local"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):      # until it listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield board, f"rfc2217://127.0.0.1:{port}"
    finally:
        ser2net.terminate()
        ser2net.wait(5)
        board.close()


@pytest.mark.timeout(30)
def test_rfc2217_through_ser2net_carries_every_octet_value_both_ways(ser2net_port):
    board, url = ser2net_port
    with open_link(url) as ground:
        ground.write(PAYLOAD)
        assert read_exactly(board, len(PAYLOAD)) == PAYLOAD
        board.write(PAYLOAD[::-1])
        assert read_exactly(ground, len(PAYLOAD)) == PAYLOAD[::-1]

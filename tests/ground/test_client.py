"""ground/client.py against a real socket that answers as we tell it: the reply read whole and
line by line, sized, chunked (lines split across chunks) or up to the close, and refusals and
replies that are no HTTP as one line each."""

import json
import socket
import threading

import pytest

from ground.client import ServerError, request

pytestmark = pytest.mark.timeout(20)


def answering(reply: bytes):
    """A one-shot server on the loopback that reads the request and sends `reply`, then closes;
    returns its URL and the list the request's octets are put in."""
    listener = socket.create_server(("127.0.0.1", 0))
    received = []

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(4096)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                body += connection.recv(4096)
            received.append(head + b"\r\n\r\n" + body)
            connection.sendall(reply)
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", received


def test_a_sized_reply_is_read_whole_and_the_request_carries_its_body_and_token():
    url, received = answering(b'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: application/json\r\n\r\n{"ok": true}more')
    response = request(url, "POST", "/api/commands", {"name": "ping"}, token="t" * 24)
    assert response.getheader("content-type") == "application/json"
    assert json.loads(response.read()) == {"ok": True}        # the length's octets, not what follows
    head, _, body = received[0].partition(b"\r\n\r\n")
    assert head.startswith(b"POST /api/commands HTTP/1.1\r\n")
    assert b"Authorization: Bearer " + b"t" * 24 in head and json.loads(body) == {"name": "ping"}


def test_a_chunked_stream_gives_each_line_whole_however_the_chunks_cut_it():
    lines = [b'{"stage": "queued"}\n', b'{"stage": "completed"}\n', b'{"outcome": "completed"}\n']
    stream = b"".join(lines)
    cuts = [stream[:7], stream[7:30], stream[30:31], stream[31:]]
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in cuts) + b"0\r\n\r\n"
    url, _ = answering(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
    assert list(request(url, "GET", "/api/stream")) == lines


def test_a_reply_without_a_length_ends_at_the_close():
    url, _ = answering(b"HTTP/1.1 200 OK\r\n\r\nline one\nline two")
    assert list(request(url, "GET", "/")) == [b"line one\n", b"line two"]


def test_a_refusal_is_the_servers_one_line():
    body = b'{"error": "viewers may not command"}'
    url, _ = answering(b"HTTP/1.1 403 Forbidden\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    with pytest.raises(ServerError, match=r"^http://127.0.0.1:\d+: viewers may not command \(403\)$"):
        request(url, "POST", "/api/commands", {})


@pytest.mark.parametrize("reply, says", [
    (b"SSH-2.0-OpenSSH_9.2\r\n", "not an HTTP reply"),
    (b"HTTP/1.1 200 " + b"x" * 70000 + b"\r\n\r\n", "a line of the reply is too long"),
    (b"", "not an HTTP reply"),
])
def test_what_is_no_reply_of_a_server_is_one_line(reply, says):
    url, _ = answering(reply)
    with pytest.raises(ServerError, match=says) as refused:
        request(url, "GET", "/api/status")
    assert "\n" not in str(refused.value) and str(refused.value).count(url) == 1


def test_no_server_there_and_a_url_that_is_none_are_one_line():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        free_port = taken.getsockname()[1]
    with pytest.raises(ServerError, match="Connection refused"):
        request(f"http://127.0.0.1:{free_port}", "GET", "/")
    with pytest.raises(ServerError, match="not a server URL"):
        request("https://example.invalid", "GET", "/")

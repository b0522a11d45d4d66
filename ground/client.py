"""Talking to a ground server over HTTP with the standard library alone: what a command-line
tool needs to send one command and exit, without the cost of loading the dictionary.

The request is plain HTTP/1.1 on a socket (one request a connection, `Connection: close`), and the
reply is read as it arrives, whole or line by line. http.client would do the same, but importing it
loads the email package and ssl: 11 ms, a third of `ground send`'s whole run (docs/PERFORMANCE.md).
The server is ours and speaks plain HTTP only (request() refuses any other URL)."""

import json
import os
import socket
from urllib.parse import urlsplit

MAX_LINE = 65536        # a status or header line, or a chunk-size line, longer than this is no reply of ours


class ServerError(OSError):
    """The server refused a request or could not be reached: one line saying why (an OSError,
    like a link that failed: the way to the spacecraft is what failed)."""


def server_url(option: str | None) -> str | None:
    """--server, else $PERIJOVE_SERVER, else None."""
    return option or os.environ.get("PERIJOVE_SERVER") or None


class Response:
    """A server's reply, read as it arrives: `status`, `reason` and the headers at once, then the
    body, whole (`read()`) or line by line (iterating), plain, sized or chunked."""

    def __init__(self, sock: socket.socket, url: str):
        self._socket, self._url = sock, url
        self._file = sock.makefile("rb")
        status_line = self._line()
        version, _, rest = status_line.partition(" ")
        code, _, self.reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise ServerError(f"{url}: not an HTTP reply ({status_line[:40]!r})")
        self.status = int(code)
        self.headers: dict[str, str] = {}
        while line := self._line():
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        self._chunked = "chunked" in self.getheader("Transfer-Encoding", "").lower()
        length = self.getheader("Content-Length")
        self._left = int(length) if length and length.isdigit() and not self._chunked else None

    def _line(self) -> str:
        line = self._file.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise ServerError(f"{self._url}: a line of the reply is too long")
        return line.decode("latin-1").rstrip("\r\n")

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def _pieces(self):
        """The body's octets as they come."""
        if self._chunked:
            while size := int(self._line().partition(";")[0] or "0", 16):
                yield self._file.read(size)
                self._line()                       # the CRLF after the chunk
            while self._line():                    # trailers
                pass
        elif self._left is not None:
            while self._left > 0 and (piece := self._file.read1(min(self._left, 65536))):
                self._left -= len(piece)
                yield piece
        else:
            while piece := self._file.read1(65536):
                yield piece

    def read(self) -> bytes:
        try:
            return b"".join(self._pieces())
        finally:
            self.close()

    def __iter__(self):
        """The body line by line, each as soon as it is whole (a stream of JSON lines)."""
        try:
            pending = b""
            for piece in self._pieces():
                pending += piece
                *lines, pending = pending.split(b"\n")
                yield from (line + b"\n" for line in lines)
            if pending:
                yield pending
        finally:
            self.close()

    def close(self) -> None:
        self._file.close()
        self._socket.close()


def request(url: str, method: str, path: str, body: dict | None = None, token: str | None = None,
            timeout: float = 30.0, octets: bytes | None = None) -> Response:
    """One HTTP request to the server, with a JSON body or raw octets (a file); ServerError with the
    server's one line on a refusal."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ServerError(f"{url}: not a server URL (http://HOST:PORT)")
    host, port = parts.hostname, parts.port or 80
    headers = {"Host": f"{host}:{port}", "Connection": "close",
               "Content-Type": "application/json" if octets is None else "application/octet-stream"}
    token = token or os.environ.get("PERIJOVE_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if octets is None and body is not None:
        octets = json.dumps(body).encode()
    if octets is not None:
        headers["Content-Length"] = str(len(octets))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
        try:
            sock.sendall(head.encode("latin-1") + (octets or b""))
            response = Response(sock, url)
        except BaseException:
            sock.close()
            raise
    except ServerError:
        raise
    except OSError as error:
        raise ServerError(f"{url}: {error.strerror or error}") from None
    if response.status >= 400:
        try:
            message = json.loads(response.read()).get("error", "")
        except (ValueError, AttributeError, OSError):
            message = ""
        raise ServerError(f"{url}: {message or response.reason} ({response.status})")
    return response

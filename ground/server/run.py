"""Running the server: in the foreground for `ground serve`, or in a thread of the same process
(`EmbeddedServer`, for the tests and for subcommands given --port)."""

from __future__ import annotations

import logging
import socket
import threading

import uvicorn

from .access import Access
from .api import create_app
from .station import GroundServer


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the server starts, so that its URL is known at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def make_uvicorn(server: GroundServer, access: Access) -> uvicorn.Server:
    config = uvicorn.Config(create_app(server, access), log_level="warning", access_log=False, lifespan="off",
                            ws_max_size=1 << 20)
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    return uvicorn.Server(config)


class EmbeddedServer:
    """A ground server on a loopback port in a thread of this process; `url` for clients."""

    def __init__(self, server: GroundServer, host: str = "127.0.0.1", port: int = 0, access: Access | None = None):
        self.server = server
        self.sock = bind(host, port)
        self.url = url_of(self.sock)
        self._uvicorn = make_uvicorn(server, access or Access(None))
        self._thread = threading.Thread(target=self._uvicorn.run, kwargs={"sockets": [self.sock]},
                                        name="ground-server", daemon=True)

    def start(self) -> EmbeddedServer:
        self.server.start()
        self._thread.start()
        return self

    def close(self) -> None:
        self._uvicorn.should_exit = True
        self._thread.join(timeout=5)
        self.server.close()
        self.sock.close()

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

"""Byte transports behind one small interface.

open_link(url) takes any pyserial URL (a device path, loop://, socket://host:port,
rfc2217://host:port) or "pty" (a new pseudo-terminal; its slave path is in .path).
link_pair() gives two connected in-process ends for tests and the demo.
"""

from .base import Link, LinkError
from .inprocess import InProcessLink, link_pair
from .pty_link import PtyLink
from .serial_link import SerialLink

__all__ = ["InProcessLink", "Link", "LinkError", "PtyLink", "SerialLink", "link_pair", "open_link"]


def open_link(url: str, baudrate: int = 115200) -> Link:
    if url == "pty":
        return PtyLink()
    return SerialLink(url, baudrate)

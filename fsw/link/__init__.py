"""Byte transports behind one small interface.

open_link(url) takes any pyserial URL (a device path, loop://, socket://host:port,
rfc2217://host:port) or "pty" (a new pseudo-terminal; its slave path is in .path).
link_pair() gives two connected in-process ends for tests and the demo. Any of them can be seen
through a bad line: open_link(url, channel="ber=1e-4,drop=0.01") wraps it in the channel emulator.
"""

from .base import Link, LinkError
from .channel import ChannelLink, Impairments
from .inprocess import InProcessLink, link_pair
from .pty_link import PtyLink
from .serial_link import SerialLink

__all__ = ["ChannelLink", "Impairments", "InProcessLink", "Link", "LinkError", "PtyLink", "SerialLink", "link_pair",
           "line_rate", "open_link"]

DEFAULT_BAUD = 115200


def line_rate(url: str, baud: int | None) -> float | None:
    """Octets/s a link is paced to (8N1: ten bits an octet): a serial device always, at its baud;
    a pty (ours, or a /dev/pts path) or a pyserial URL (loop://, socket://) only when a baud is given."""
    import os

    if baud is None and (url == "pty" or "://" in url or os.path.realpath(url).startswith("/dev/pts/")):
        return None
    return (baud or DEFAULT_BAUD) / 10


def open_link(url: str, baudrate: int = 115200, channel: str | Impairments | None = None) -> Link:
    """A link by URL; with channel (impairments, or their `name=value,...` text), through the emulator."""
    if channel is not None and not isinstance(channel, Impairments):
        channel = Impairments.parse(channel)      # before opening anything: ValueError, one line
    link = PtyLink() if url == "pty" else SerialLink(url, baudrate)
    if channel is None or channel.clean:
        return link
    return ChannelLink(link, channel)

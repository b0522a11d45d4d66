"""The byte-link interface every transport offers (like python-can's Bus: one API, many links)."""

import abc


class LinkError(OSError):
    """A link could not be opened or broke; the message is one line for a person."""


class Link(abc.ABC):
    """A bidirectional byte stream. Frames and packets are the protocol layer's business."""

    name: str = "link"

    @abc.abstractmethod
    def read(self, max_bytes: int = 4096, timeout: float | None = 0.1) -> bytes:
        """Up to max_bytes that have arrived, waiting at most timeout seconds for the first."""

    @abc.abstractmethod
    def write(self, data: bytes) -> None:
        """Send all of data."""

    def try_write(self, data: bytes) -> int:
        """Send what the link takes without waiting; how many octets went. Links that cannot
        tell return 0, and the caller hands the bytes to a thread that may block instead."""
        return 0

    @abc.abstractmethod
    def close(self) -> None:
        """Release the link; further reads return b"" and writes raise LinkError."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

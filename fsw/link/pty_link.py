"""A pseudo-terminal: the flight side holds the master, a ground tool opens the slave path.

A pty behaves like a serial port to the program that opens the slave (pyserial opens it like
any tty), so `fsw --port pty` can be commanded by `ground --port /dev/pts/N` unchanged.
"""

import os
import pty
import select
import termios
import tty

from .base import Link, LinkError


class PtyLink(Link):
    def __init__(self):
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        # raw mode on the slave: no echo, no line discipline, every byte passes through
        attrs = termios.tcgetattr(self._slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self._slave, termios.TCSANOW, attrs)
        self.path = os.ttyname(self._slave)
        self.name = f"pty {self.path}"
        os.set_blocking(self._master, False)

    def read(self, max_bytes: int = 4096, timeout: float | None = 0.1) -> bytes:
        if self._master < 0:
            return b""
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self._master, max_bytes)
        except BlockingIOError:
            return b""
        except OSError as error:
            raise LinkError(f"{self.name}: read failed ({error.strerror})") from None

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._master < 0:
                raise LinkError(f"{self.name}: closed")
            try:
                sent = os.write(self._master, view)
                view = view[sent:]
            except BlockingIOError:
                # the peer is not reading: the pty's buffer is full
                select.select([], [self._master], [], 1.0)
            except OSError as error:
                raise LinkError(f"{self.name}: write failed ({error.strerror})") from None

    def try_write(self, data: bytes) -> int:
        if self._master < 0:
            raise LinkError(f"{self.name}: closed")
        try:
            return os.write(self._master, data)
        except BlockingIOError:
            return 0
        except OSError as error:
            raise LinkError(f"{self.name}: write failed ({error.strerror})") from None

    def close(self) -> None:
        for fd in (self._master, self._slave):
            if fd >= 0:
                os.close(fd)
        self._master = self._slave = -1

"""Any pyserial URL: real ports, loop://, socket://, rfc2217://, spy://."""

import serial

from .base import Link, LinkError


class SerialLink(Link):
    def __init__(self, url: str, baudrate: int = 115200):
        self.name = url
        try:
            # a device path is locked while open, so a second program gets "port busy" instead
            # of silently sharing (and splitting) the byte stream
            exclusive = True if "://" not in url else None
            # pyserial's RFC 2217 client refuses a write timeout (NotImplementedError); its
            # socket is the bound there
            write_timeout = None if url.startswith("rfc2217://") else 5
            self._port = serial.serial_for_url(
                _rfc2217_options(url), baudrate=baudrate, timeout=0.1, write_timeout=write_timeout, exclusive=exclusive
            )
        except ValueError as error:
            raise LinkError(f"{url}: {error}") from None
        except serial.SerialException as error:
            raise LinkError(f"{url}: cannot open ({_why(error)})") from None

    def read(self, max_bytes: int = 4096, timeout: float | None = 0.1) -> bytes:
        port = self._port
        if not port.is_open:
            return b""
        try:
            if port.timeout != timeout:
                port.timeout = timeout
            first = port.read(1)
            if not first:
                return b""
            waiting = min(port.in_waiting, max_bytes - 1)
            return first + (port.read(waiting) if waiting else b"")
        except (serial.SerialException, OSError) as error:
            raise LinkError(f"{self.name}: read failed ({_why(error)})") from None

    def write(self, data: bytes) -> None:
        try:
            self._port.write(data)
        except (serial.SerialException, OSError) as error:
            raise LinkError(f"{self.name}: write failed ({_why(error)})") from None

    def close(self) -> None:
        self._port.close()


def _rfc2217_options(url: str) -> str:
    """ser2net (labgrid's exporter) does not answer SET_CONTROL as pyserial waits for: without
    ign_set_control every open would fail after 3 s ("timeout while waiting for option 'control'")."""
    if not url.startswith("rfc2217://") or "ign_set_control" in url:
        return url
    return url + ("&" if "?" in url else "?") + "ign_set_control"


def _why(error: Exception) -> str:
    """pyserial's messages repeat the port and an errno tuple; keep the part a person needs."""
    text = str(error)
    if "No such file" in text or "could not open port" in text and "2]" in text:
        return "no such port"
    if "Device or resource busy" in text or "Errno 16" in text or "exclusively lock" in text:
        return "port busy"
    if "Permission denied" in text:
        return "permission denied (are you in the dialout group?)"
    if "Connection refused" in text:
        return "connection refused"
    return text.splitlines()[0] if text else type(error).__name__

"""The avr-sim board as an exporter host serves it: simavr's UART exported like a real port.

    python -m hil.labgrid.avr_board        # prints: READY uart=PATH spare=PATH control=PATH

Three serial devices, each a pty that labgrid's exporter hands to ser2net (hil/labgrid/avr-sim.exporter.yaml):

  uart     the board: the firmware in the simavr harness (hil/targets/avr_sim.py), its own pty
  spare    a second board, started fresh from boot when asked, for the tests that need one
           (a fault present from boot, millis() near its wrap); a stable pty relayed to
           whichever harness runs now
  control  one command per line, one answer line: `fresh`, `inject FAULT` (on the spare),
           `reset` (the spare, as a power cycle), `stop` (the spare), `stats` (the board's
           harness statistics, as JSON)

Stops on SIGTERM or SIGINT, and the harnesses with it.
"""

import os
import pty
import select
import signal
import sys
import termios
import threading
import time
import tty

from ..targets.avr_sim import AvrSimTarget


def raw_pty() -> tuple[int, int, str]:
    """(master, slave, slave path): the slave stays open here, so the master never sees a hang-up
    between two ser2net connections."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    return master, slave, os.ttyname(slave)


def write_all(fd: int, data: bytes, patience: float = 1.0) -> None:
    """Into a pty, waiting while its reader catches up; what nobody takes within `patience`
    seconds is lost, as on a line with nobody listening."""
    while data:
        try:
            data = data[os.write(fd, data):]
        except BlockingIOError:
            if not select.select([], [fd], [], patience)[1]:
                return
        except OSError:
            return       # the other side went away


class SpareBoard:
    """The spare's stable pty, relayed both ways to its current harness."""

    def __init__(self):
        self.master, self.slave, self.path = raw_pty()
        os.set_blocking(self.master, False)
        self.target: AvrSimTarget | None = None
        self.harness_fd: int | None = None
        self.lock = threading.Lock()
        self.running = True
        threading.Thread(target=self._relay, name="spare-relay", daemon=True).start()

    def fresh(self) -> None:
        self.stop()
        termios.tcflush(self.slave, termios.TCIOFLUSH)     # nothing of the last board's
        target = AvrSimTarget()
        target.start()
        fd = os.open(target.port, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(fd)
        with self.lock:
            self.target, self.harness_fd = target, fd

    def inject(self, fault: str) -> None:
        self._running().inject(fault)

    def reset(self) -> None:
        """A power cycle of the spare's AVR: its harness, and so this pty, stay."""
        self._running().reset()

    def _running(self) -> AvrSimTarget:
        if self.target is None:
            raise RuntimeError("no spare board runs: send fresh first")
        return self.target

    def stop(self) -> None:
        with self.lock:
            target, fd = self.target, self.harness_fd
            self.target = self.harness_fd = None
        if fd is not None:
            os.close(fd)
        if target is not None:
            target.stop()

    def _relay(self) -> None:
        while self.running:
            with self.lock:
                fd = self.harness_fd
            ready, _, _ = select.select([self.master] + ([fd] if fd is not None else []), [], [], 0.1)
            for source in ready:
                try:
                    data = os.read(source, 4096)
                except (BlockingIOError, OSError):
                    continue          # the harness went away meanwhile
                with self.lock:
                    current = self.harness_fd
                if source == self.master:
                    if current is not None:
                        write_all(current, data)
                elif source == current:
                    write_all(self.master, data)


class Board:
    def __init__(self):
        self.main = AvrSimTarget()
        if self.main.skip_reason:
            raise SystemExit(f"avr-sim board: {self.main.skip_reason}")
        self.main.start()
        self.spare = SpareBoard()
        self.control_master, self.control_slave, self.control_path = raw_pty()

    def answer(self, line: str) -> str:
        words = line.split()
        if not words:
            return "error empty command"
        try:
            if words == ["fresh"]:
                self.spare.fresh()
            elif words[0] == "inject" and len(words) == 2:
                if words[1] not in self.main.capabilities.faults:
                    return f"error unknown fault {words[1]}"
                self.spare.inject(words[1])
            elif words == ["reset"]:
                self.spare.reset()
            elif words == ["stop"]:
                self.spare.stop()
            elif words == ["stats"]:
                import json

                return "ok " + json.dumps(self.main.stats())
            else:
                return f"error unknown command {line.strip()!r} (fresh, inject FAULT, reset, stop, stats)"
        except Exception as error:          # one line back, and the board keeps serving
            return f"error {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        return "ok"

    def serve(self) -> None:
        pending = b""
        while True:
            try:
                pending += os.read(self.control_master, 4096)
            except OSError:
                time.sleep(0.1)
                continue
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                write_all(self.control_master, (self.answer(line.decode(errors="replace")) + "\n").encode())

    def stop(self) -> None:
        self.spare.running = False
        self.spare.stop()
        self.main.stop()


def main() -> None:
    board = Board()

    def stop(_signum, _frame):
        board.stop()
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"READY uart={board.main.port} spare={board.spare.path} control={board.control_path}", flush=True)
    board.serve()


if __name__ == "__main__":
    main()

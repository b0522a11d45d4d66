"""The places the HIL suite can run: loop, pty, avr-sim, mpy-sim, serial."""

from .base import Capabilities, Target

TARGETS = ("loop", "pty", "avr-sim", "serial", "mpy-sim")


def make_target(name: str, port: str | None = None, baud: int | None = None, board: str = "arduino") -> Target:
    """baud: a serial port's speed (default 115200); loop and pty pace fsw's downlink to it if given."""
    if name == "loop":
        from .loop import LoopTarget
        return LoopTarget(baud=baud)
    if name == "pty":
        from .pty import PtyTarget
        return PtyTarget(baud=baud)
    if name == "avr-sim":
        from .avr_sim import AvrSimTarget
        return AvrSimTarget()
    if name == "mpy-sim":
        from .mpy_sim import MpySimTarget
        return MpySimTarget()
    if name == "serial":
        from .serial import SerialTarget
        return SerialTarget(port, baud or 115200, board)
    raise ValueError(f"unknown target {name!r}: one of {', '.join(TARGETS)}")


__all__ = ["TARGETS", "Capabilities", "Target", "make_target"]

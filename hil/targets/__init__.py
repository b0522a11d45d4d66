"""The places the HIL suite can run: loop, pty, avr-sim, serial."""

from .base import Capabilities, Target

TARGETS = ("loop", "pty", "avr-sim", "serial")


def make_target(name: str, port: str | None = None, baud: int = 115200, board: str = "arduino") -> Target:
    if name == "loop":
        from .loop import LoopTarget
        return LoopTarget()
    if name == "pty":
        from .pty import PtyTarget
        return PtyTarget()
    if name == "avr-sim":
        from .avr_sim import AvrSimTarget
        return AvrSimTarget()
    if name == "serial":
        from .serial import SerialTarget
        return SerialTarget(port, baud, board)
    raise ValueError(f"unknown target {name!r}: one of {', '.join(TARGETS)}")


__all__ = ["TARGETS", "Capabilities", "Target", "make_target"]

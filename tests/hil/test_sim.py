"""The simavr harness (hil/sim/perijove_sim.c) as a benchmark reads it: the line rate it measures
is the one simavr models, worked out from the Uno's UART settings."""

import pytest

from ground.procedures import connect
from hil.targets.avr_sim import AvrSimTarget, missing_toolchain

pytestmark = [pytest.mark.timeout(60),
              pytest.mark.skipif(missing_toolchain() is not None, reason=str(missing_toolchain()))]


def test_the_line_rate_in_the_stats_is_the_one_simavr_models():
    target = AvrSimTarget()
    target.start()
    try:
        with connect(target.port, frame_len=256, archive=False, timeout=20, on_warning=lambda _m: None,
                     key_file=None) as gs:
            gs.await_board()
            for _ in range(5):
                gs.send("ping")
        stats = target.stats()
    finally:
        target.stop()
    # U2X with UBRR 16: 16 MHz / 8 / 17 = 117,647 baud; simavr counts 11 bits an octet (start,
    # 8 data, a parity bit 8N1 does not send, stop): 93.5 us, 10,695 octets/s
    octet_us = 11 / (16e6 / 8 / 17) * 1e6
    assert stats["uart_octet_us"] == pytest.approx(octet_us, rel=0.005)

"""The Pico program's fault protection for loss of contact (hil/pico/perijove/core.py) on the
emulated board: no command for the contact timeout, and the board goes safe, saying why."""

import pytest

pytestmark = pytest.mark.timeout(120)


def test_loss_of_contact_enters_safe_mode(pico):
    pico.send("fdir_contact_timeout", seconds=2)
    assert pico.await_telemetry("safe_cause", lambda cause: cause == "loss_of_contact", timeout=20)
    assert pico.request_hk(3)["mode"] == "safe"
    pico.send("fdir_contact_timeout", seconds=0)
    pico.arm_and_send("mode_nominal")
    assert pico.request_hk(3)["mode"] == "nominal"

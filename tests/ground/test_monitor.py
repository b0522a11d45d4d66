import re
import time

from rich.console import Console

from fsw.dictionary import load
from fsw.protocol import TmPacket
from ground.monitor import render
from ground.telemetry import Record, TelemetryState

D = load()


def hk(sid, received, **values):
    fields = {p.name: (p.enum[0][0] if p.enum else 0) for p in D.structures[sid]}
    fields.update(values)
    return Record("housekeeping", f"sid{sid}", fields, TmPacket(0x011, 3, 25, time=757_000_000), received)


def draw(state, now):
    console = Console(record=True, width=160, height=60, color_system="truecolor")
    console.print(render(state, "test", now=now))
    return console.export_text(clear=False), console.export_html(inline_styles=True)


def test_values_units_limits_and_staleness():
    state = TelemetryState(D, stale_after=10)
    now = time.time()
    # cam_temp 60 C: beyond yellow (55), inside red (65); store_used 99 %: red; uptime stale
    state.apply([hk(20, now, cam_temp=6000), hk(10, now, store_used=99), hk(1, now - 60, uptime=1234)])
    state.stats.frame_seen(now)
    text, html = draw(state, now)
    assert "cam_temp" in text and "60.00" in text and "degC" in text
    assert "1234 ~" in text                         # stale: marked
    assert "background-color: #800000" in html     # red limit
    assert "color: #808000" in html                # yellow limit
    assert "FECF errors" in text and "last contact" in text and "0.0 s ago" in text


def test_events_and_warnings_are_shown():
    state = TelemetryState(D)
    subtype, _ = D.encode_event("over_temperature", {"cam_temp": 6600})
    state.apply([Record("event", "over_temperature", {"cam_temp": 6600}, TmPacket(0x030, 5, 4, time=757_000_000),
                        time.time(), "high")])
    state.warnings.append("flight dictionary 12345678 differs from ground's")
    text, _ = draw(state, time.time())
    assert "over_temperature cam_temp=6600" in text
    assert "differs from ground" in text and "never" in text


def test_mode_and_thermal_are_in_sight_at_80x24_and_safe_stands_out():
    state = TelemetryState(D)
    now = time.time()
    state.apply([hk(sid, now) for sid in D.structures])
    state.apply([hk(3, now, mode="safe", safe_cause="over_temperature"), hk(20, now, cam_temp=4500, heater_mode="anneal")])
    console = Console(record=True, width=80, height=24, color_system="truecolor")
    console.print(render(state, "test", now=now))
    text, html = console.export_text(clear=False), console.export_html(inline_styles=True)
    assert len(text.splitlines()) <= 24
    assert "mode safe" in text and "cause over_temperature" in text
    assert "45.00 degC" in text and "heater anneal" in text and "W" in text
    # safe in white on red, never in the green of a value within limits
    styles = re.findall(r'<span style="([^"]*)">safe\s*</span>', html)
    assert styles and all("background-color: #800000" in style and "#008000" not in style for style in styles), styles


def test_reasons_flags_and_units_are_shown_by_name():
    state = TelemetryState(D)
    now = time.time()
    state.apply([hk(sid, now) for sid in D.structures])
    state.apply([hk(2, now, last_reason=35), hk(10, now, cam_filters=7)])
    state.apply([Record("event", "tc_failed", {"service": 130, "subtype": 3, "reason": 34},
                        TmPacket(0x020, 5, 3, time=757_000_000), now, "medium")])
    console = Console(record=True, width=160, height=60)
    console.print(render(state, "test", now=now))
    text = console.export_text()
    assert "execution_failed" in text and "red+green+blue" in text
    assert "tc_failed service=130 subtype=3 reason=not_armed" in text

"""The live monitor: latest housekeeping with units and limit colours, link health, events.

render() is a pure function of a TelemetryState, so the live view (`ground monitor`), the replay
of an archive (`ground replay`) and the tests all draw the same thing.
"""

import time

from rich.console import Group
from rich.layout import Layout
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from fsw.protocol.cuc import cuc_to_datetime

from .fields import shown, shown_fields
from .telemetry import TelemetryState

LIMIT_STYLE = {"nominal": "green", "yellow": "bold yellow", "red": "bold white on red"}
SEVERITY_STYLE = {"info": "dim", "low": "cyan", "medium": "yellow", "high": "bold red"}
# enum values that need a person's eye: an enum has no limits, and green would say all is well
ALERT_VALUES = {
    "mode": {"safe"}, "cam_state": {"fault"}, "sensor_state": {"stuck", "failed"}, "heater_mode": {"survival"},
    "armed": {"yes"},
}
# what a person looks at first: the mode and the thermal state come first, and a status line
# keeps the most important values in sight on any terminal (80x24 included)
LEFT_SIDS = (3, 20)          # modes, thermal; the camera heads the right column
FIRST_SIDS = (*LEFT_SIDS, 10)
STATUS = (("mode", "mode"), ("cause", "safe_cause"), ("camera", "cam_state"), ("", "cam_temp"),
          ("heater", "heater_mode"), ("", "heater_power"), ("anneal", "anneal_phase"))


def value_style(state: TelemetryState, name: str, value) -> str:
    if isinstance(value, str):
        return "bold white on red" if value in ALERT_VALUES.get(name, ()) else "bold"
    return LIMIT_STYLE[state.limit_state(name)]


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def parameters_table(state: TelemetryState, sid: int, now: float) -> Table:
    dictionary = state.dictionary
    component = next(c for c in dictionary.components if c.sid == sid)
    table = Table(title=component.name, title_justify="left", expand=True, show_header=False,
                  box=None, padding=(0, 1))
    table.add_column("parameter", ratio=3)
    table.add_column("value", justify="right", ratio=2)
    table.add_column("unit", ratio=1)
    for parameter in dictionary.structures[sid]:
        value = state.value(parameter.name)
        if value is None:
            table.add_row(parameter.name, Text("-", style="dim"), parameter.unit)
            continue
        plain = _shown(value) if isinstance(value, float) else shown(parameter, value, with_unit=False)
        text = Text(plain, style=value_style(state, parameter.name, value))
        if state.is_stale(parameter.name, now):
            text = Text(text.plain + " ~", style="dim strike")   # ~: stale, not updated lately
        table.add_row(parameter.name, text, parameter.unit)
    return table


def link_panel(state: TelemetryState, now: float, source: str) -> Panel:
    stats = state.stats
    contact = "never" if stats.last_contact is None else f"{now - stats.last_contact:.1f} s ago"
    contact_style = "red" if stats.last_contact is None or now - stats.last_contact > state.stale_after else "green"
    table = Table.grid(padding=(0, 2))
    table.add_row("source", source)
    table.add_row("frames", f"{stats.frames:,}  ({stats.frames_per_second(now):.1f}/s)")
    table.add_row("packets", f"{stats.packets:,}")
    table.add_row("FECF errors", Text(str(stats.fecf_errors), style="red" if stats.fecf_errors else ""))
    table.add_row("CRC errors", Text(str(stats.crc_errors), style="red" if stats.crc_errors else ""))
    table.add_row("resyncs", Text(str(stats.resyncs), style="yellow" if stats.resyncs else ""))
    table.add_row("last contact", Text(contact, style=contact_style))
    return Panel(table, title="link")


def events_panel(state: TelemetryState, lines: int = 12) -> Panel:
    text = Text()
    for record in list(state.events)[-lines:]:
        when = cuc_to_datetime(record.time).strftime("%H:%M:%S")
        declared = state.dictionary.events_by_name[record.name].args
        fields = shown_fields(declared, record.fields)          # units, enum, flag and reason names
        text.append(f"{when} {record.name} {fields}\n", style=SEVERITY_STYLE.get(record.severity, ""))
    return Panel(text or Text("no events yet", style="dim"), title="events")


def status_line(state: TelemetryState) -> Text:
    """The mode and thermal state in one line, always drawn."""
    line = Text()
    for label, name in STATUS:
        value = state.value(name)
        if value is None or (name, value) in (("safe_cause", "none"), ("anneal_phase", "idle")):
            continue
        unit = state.dictionary.parameters[name].unit
        line.append(f"{label} " if label else "", style="dim")
        line.append(_shown(value) + (f" {unit}" if unit else ""), style=value_style(state, name, value))
        line.append("  ")
    return line or Text("no housekeeping yet", style="dim")


def render(state: TelemetryState, source: str = "", now: float | None = None) -> Layout:
    now = time.time() if now is None else now
    known = sorted(state.dictionary.structures)
    sids = [sid for sid in FIRST_SIDS if sid in known] + [sid for sid in known if sid not in FIRST_SIDS]
    half = len([sid for sid in LEFT_SIDS if sid in known]) or (len(sids) + 1) // 2
    left = Group(*(parameters_table(state, sid, now) for sid in sids[:half]))
    right = Group(*(parameters_table(state, sid, now) for sid in sids[half:]))
    layout = Layout()
    parts = [Layout(status_line(state), name="status", size=1), Layout(name="top", ratio=3),
             Layout(name="bottom", ratio=1, minimum_size=8)]
    if state.warnings:
        warning = Text("\n".join(list(state.warnings)[-2:]), style="bold white on red")
        parts.insert(0, Layout(Panel(warning, title="WARNING"), size=2 + min(len(state.warnings), 2)))
    layout.split_column(*parts)
    layout["top"].split_row(Layout(Panel(left, title="housekeeping")), Layout(Panel(right, title="housekeeping")))
    layout["bottom"].split_row(Layout(link_panel(state, now, source), ratio=1), Layout(events_panel(state), ratio=2))
    return layout


def live(state: TelemetryState, source: str, keep_going, refresh: float = 0.5, screen: bool = True,
         console=None) -> None:
    """Redraw until keep_going() is false or Ctrl-C."""
    from rich.live import Live
    with Live(render(state, source), refresh_per_second=1 / refresh, screen=screen, console=console) as view:
        try:
            while keep_going():
                time.sleep(refresh)
                view.update(render(state, source))
        except KeyboardInterrupt:
            pass

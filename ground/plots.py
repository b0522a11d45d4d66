"""Telemetry plots (matplotlib, written as PNG): one panel per parameter, on-board time along x."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")    # files only: no display needed
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from fsw.protocol.cuc import cuc_to_datetime  # noqa: E402


def plot_series(series: dict[str, list[tuple[float, float]]], dictionary, out: str | Path,
                title: str = "", marks: list[tuple[float, str]] = ()) -> Path:
    """series: {parameter: [(on-board time, value)]}; marks: vertical lines (time, label)."""
    names = list(series)
    fig, axes = plt.subplots(len(names), 1, figsize=(10, 2.6 * len(names) + 0.6), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        parameter = dictionary.parameters[name]
        points = series[name]
        times = [cuc_to_datetime(t) for t, _ in points]
        values = [v for _, v in points]
        if values and isinstance(values[0], str):
            labels = [label for label, _ in parameter.enum]
            values = [labels.index(v) if v in labels else -1 for v in values]
            ax.set_yticks(range(len(labels)), labels)
            ax.step(times, values, where="post", color="tab:blue")
        else:
            ax.plot(times, values, color="tab:red" if "temp" in name else "tab:blue", linewidth=1.5)
        for colour, limits in (("gold", parameter.yellow), ("red", parameter.red)):
            if limits:
                for bound in limits:
                    if values and min(values) - abs(bound) * 0.5 - 5 <= bound <= max(values) + abs(bound) * 0.5 + 5:
                        ax.axhline(bound, color=colour, linestyle="--", linewidth=1)
        for when, _label in marks:       # labelled once, above the top panel
            ax.axvline(cuc_to_datetime(when), color="grey", linestyle=":", linewidth=1)
        ax.set_ylabel(f"{name}\n[{parameter.unit}]" if parameter.unit else name)
        ax.grid(True, alpha=0.3)
        if not points:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="grey")
    for when, label in marks:
        axes[0, 0].annotate(label, (mdates.date2num(cuc_to_datetime(when)), 1.0),
                            xycoords=("data", "axes fraction"), fontsize=8, rotation=0, va="bottom")
    axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M"))
    axes[-1, 0].set_xlabel("on-board time (UTC)")
    if title:
        fig.suptitle(title)
    fig.autofmt_xdate()
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out

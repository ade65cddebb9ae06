"""The charts of the HTML report, each a matplotlib figure built from the JSON objects.

Every function returns a figure for the caller to save and close; matplotlib is imported
inside them (Agg backend), so importing simline never loads it. Every axis names its unit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "STATE_COLOURS",
    "cost_breakdown_figure",
    "lead_time_figure",
    "series_figure",
    "state_split_figure",
]

#: The six server states of ``docs/model.md``, their labels and colours (also the Gantt's).
STATE_COLOURS: dict[str, tuple[str, str]] = {
    "busy": ("busy", "#2e7d32"),
    "setup": ("setup", "#9ccc65"),
    "blocked": ("blocked", "#ef6c00"),
    "starved": ("starved", "#90a4ae"),
    "down": ("down", "#c62828"),
    "off_shift": ("off shift", "#5c6bc0"),
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _figure(fig: Any) -> Figure:
    """Return the figure, typed (``_pyplot`` hands out ``Any``)."""
    return fig  # type: ignore[no-any-return]


def _mean(est: Mapping[str, Any] | None) -> float:
    value = None if est is None else est.get("mean")
    return math.nan if value is None else float(value)


def _bounds(est: Mapping[str, Any]) -> tuple[float, float]:
    lo, hi = est.get("ci95") or (None, None)
    mean = _mean(est)
    return (mean if lo is None else float(lo), mean if hi is None else float(hi))


def state_split_figure(
    stations: Mapping[str, Mapping[str, Any]],
    *,
    bottleneck: str | None = None,
    title: str = "Station states",
) -> Figure:
    """Stacked horizontal bars: each station's share of measured time in each state (%)."""
    plt = _pyplot()
    names = list(stations)
    fig, ax = plt.subplots(figsize=(9.0, 1.4 + 0.45 * len(names)), layout="constrained")
    left = [0.0] * len(names)
    rows = list(range(len(names)))[::-1]
    for state, (label, colour) in STATE_COLOURS.items():
        values = [100.0 * max(_mean(stations[n].get(state)), 0.0) for n in names]
        values = [v if math.isfinite(v) else 0.0 for v in values]
        if not any(values):
            continue
        ax.barh(rows, values, left=left, color=colour, label=label, height=0.7)
        for y, x0, v in zip(rows, left, values, strict=True):
            if v >= 7:
                ax.text(x0 + v / 2, y, f"{v:.0f}", ha="center", va="center", color="white")
        left = [a + b for a, b in zip(left, values, strict=True)]
    labels = [f"{n}  (bottleneck)" if n == bottleneck else n for n in names]
    ax.set_yticks(rows, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of measured time (%), mean over replications")
    ax.set_title(title)
    fig.legend(loc="outside lower center", ncol=6, frameon=False, fontsize="small")
    return _figure(fig)


def series_figure(
    series: Mapping[str, Any], *, warmup: float, time_unit: str, hours_per_unit: float
) -> Figure:
    """WIP and throughput per bin over the whole run, mean and 95 % CI band; warm-up shaded."""
    plt = _pyplot()
    width = float(series["bin_width"])
    mids = [float(s) + width / 2 for s in series["start"]]
    fig, axes = plt.subplots(2, 1, figsize=(9.0, 5.6), sharex=True, layout="constrained")
    panels = (
        ("wip", "WIP (parts)", "#1565c0"),
        ("throughput_per_hour", "throughput (good parts/h)", "#2e7d32"),
    )
    for ax, (key, label, colour) in zip(axes, panels, strict=True):
        ests = series[key]
        means = [_mean(e) for e in ests]
        lows = [_bounds(e)[0] for e in ests]
        highs = [_bounds(e)[1] for e in ests]
        ax.fill_between(mids, lows, highs, color=colour, alpha=0.2, linewidth=0, label="95% CI")
        ax.plot(mids, means, color=colour, linewidth=1.4, label="mean")
        ax.set_ylabel(label)
        if warmup > 0:
            ax.axvspan(0.0, warmup, color="#bdbdbd", alpha=0.35, linewidth=0, label="warm-up")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower right", fontsize="small")
    from simline.report.table import readable_duration

    bin_text = readable_duration(width * hours_per_unit)
    axes[1].set_xlabel(f"time since start ({time_unit}); bins of {bin_text}")
    axes[0].set_title("WIP and throughput over time (warm-up included)")
    return _figure(fig)


def lead_time_figure(
    values: Sequence[float],
    *,
    time_unit: str,
    per_part: bool,
    estimate: Mapping[str, Any] | None = None,
) -> Figure:
    """Draw a histogram of lead times: of parts (from a trace) or of the replications' means."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9.0, 3.6), layout="constrained")
    finite = [v for v in values if math.isfinite(v)]
    bins = max(5, min(40, int(math.sqrt(len(finite))) + 1)) if per_part else max(len(finite), 3)
    bins = min(bins, 40)
    ax.hist(finite, bins=bins, color="#1565c0", alpha=0.75, edgecolor="white")
    if estimate is not None and math.isfinite(_mean(estimate)):
        lo, hi = _bounds(estimate)
        ax.axvspan(
            lo, hi, color="#ef6c00", alpha=0.18, linewidth=0, label="95% CI of the mean", zorder=0
        )
        ax.axvline(_mean(estimate), color="#ef6c00", linewidth=1.6, label="mean lead time")
        ax.legend(fontsize="small", loc="upper right")
    what = "good parts" if per_part else "replications"
    ax.set_xlabel(f"lead time ({time_unit})")
    ax.set_ylabel(f"{what} (count)")
    ax.set_title(
        "Lead time of each good part (from the trace)"
        if per_part
        else "Mean lead time of each replication"
    )
    ax.grid(alpha=0.3, axis="y")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _figure(fig)


def cost_breakdown_figure(cost: Mapping[str, Any]) -> Figure:
    """Horizontal bars: each item's cost per good part with its 95 % CI (items above 0)."""
    plt = _pyplot()
    items = [
        (name, est)
        for name, est in cost["breakdown"].items()
        if math.isfinite(_mean(est)) and _mean(est) != 0.0
    ]
    fig, ax = plt.subplots(figsize=(9.0, 1.4 + 0.38 * max(len(items), 1)), layout="constrained")
    rows = list(range(len(items)))[::-1]
    means = [_mean(e) for _, e in items]
    errors = [
        [m - _bounds(e)[0] for m, (_, e) in zip(means, items, strict=True)],
        [_bounds(e)[1] - m for m, (_, e) in zip(means, items, strict=True)],
    ]
    ax.barh(rows, means, xerr=errors, color="#5c6bc0", capsize=3, height=0.65)
    for y, m, hi in zip(rows, means, errors[1], strict=True):
        ax.text(m + hi, y, f"  {m:,.2f}", va="center", fontsize="small")
    ax.set_yticks(rows, [name for name, _ in items])
    ax.set_xlabel(f"{cost['currency']} per good part (bar: 95% CI)")
    ax.set_title(f"TCO per good part by item: {_mean(cost['tco']):,.2f} {cost['currency']}")
    ax.grid(alpha=0.3, axis="x")
    _pad_right(ax)
    return _figure(fig)


def _pad_right(ax: Axes) -> None:
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi + (hi - lo) * 0.12)

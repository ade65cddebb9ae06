"""Charts of a comparison: stacked cost breakdown per scenario and a tornado of inputs.

matplotlib is imported inside the function, with the non-interactive Agg backend, so
importing simline never loads it. The format follows the file's suffix (:data:`PLOT_FORMATS`:
``.png``, ``.svg``, ``.pdf`` and the other formats of matplotlib's Agg backend that stand
alone as an image); the file is written atomically.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from simline.cost.tco import BREAKDOWN
from simline.errors import ConfigError
from simline.report.output import atomic_path

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    from matplotlib.figure import Figure

    from simline.cost.sensitivity import SensitivityRow
    from simline.cost.tco import ScenarioCost
    from simline.cost.uncertainty import FutureComparison

__all__ = ["PLOT_FORMATS", "comparison_figure", "plot_comparison", "plot_format"]

#: The plot formats by file suffix: what ``savefig`` writes with the Agg backend, less the
#: raw pixel dumps (``.raw``, ``.rgba``), LaTeX code (``.pgf``, which needs LaTeX) and the
#: formats that depend on how Pillow was built (``.gif``, ``.avif``).
PLOT_FORMATS: dict[str, str] = {
    ".png": "png",
    ".svg": "svg",
    ".pdf": "pdf",
    ".eps": "eps",
    ".ps": "ps",
    ".jpg": "jpg",
    ".jpeg": "jpeg",
    ".tif": "tif",
    ".tiff": "tiff",
    ".webp": "webp",
}


def plot_format(path: str | os.PathLike[str]) -> str:
    """Return the plot format of a file by its suffix, before anything runs.

    Raises
    ------
    ConfigError
        If the suffix is not one of :data:`PLOT_FORMATS` (``path="--plot"``); the message
        lists them.
    """
    fmt = PLOT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        *most, last = PLOT_FORMATS
        raise ConfigError(
            f"expected a {', '.join(most)} or {last} file (got {str(path)!r})", path="--plot"
        )
    return fmt


#: Rows of the tornado chart at most (the largest swings).
TORNADO_ROWS = 14


def plot_comparison(
    path: str | os.PathLike[str],
    costs: Sequence[ScenarioCost],
    sensitivity: Sequence[SensitivityRow] | None = None,
    futures: FutureComparison | None = None,
) -> None:
    """Draw the stacked TCO breakdown of each scenario, and the tornado chart if given.

    Parameters
    ----------
    path
        The file to write; its suffix gives the format (:func:`plot_format`).
    costs
        The scenarios' costs, in one currency.
    sensitivity
        Rows of :func:`simline.cost.sensitivity.sensitivity`; the tornado shows the inputs
        that move a scenario's TCO most, with a marker where the verdict flips.
    futures
        The scenarios over the futures of their ``uncertainty`` blocks: adds the TCO
        distribution of every scenario and each one's chance of being the cheapest.
    """
    import matplotlib.pyplot as plt

    fmt = plot_format(path)
    fig = comparison_figure(costs, sensitivity, futures)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=120)
    plt.close(fig)


def comparison_figure(
    costs: Sequence[ScenarioCost],
    sensitivity: Sequence[SensitivityRow] | None = None,
    futures: FutureComparison | None = None,
) -> Figure:
    """Return the figure :func:`plot_comparison` writes (the HTML report embeds it too).

    The caller saves and closes it (``matplotlib.pyplot.close``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    currency = costs[0].currency if costs else ""
    top = ["breakdown", "tornado" if sensitivity else "breakdown"]
    layout: list[Any] = [top] if futures is None else [top, ["futures", "winning"]]
    wide = sensitivity or futures is not None
    fig, axes = plt.subplot_mosaic(
        layout, figsize=(14 if wide else 7, 5.5 * len(layout)), layout="constrained"
    )
    _breakdown(axes["breakdown"], costs)
    if sensitivity:
        _tornado(axes["tornado"], sensitivity, currency)
    if futures is not None:
        _distributions(axes["futures"], futures, currency)
        _winning(axes["winning"], futures)
    return cast("Figure", fig)


def _distributions(ax: Any, futures: FutureComparison, currency: str) -> None:
    """Each scenario's TCO per part over the futures, as its cumulative distribution.

    A cumulative curve shows a narrow distribution (a near-vertical step) and a wide one (an
    S-curve) on one scale, where histograms of both would hide the wide one; the P10, P50 and
    P90 are where a curve crosses 0.1, 0.5 and 0.9.
    """
    import numpy as np

    for k, cost in enumerate(futures.costs):
        v = cost.figures["tco"][np.isfinite(cost.figures["tco"])]
        if not v.size:
            continue
        color = f"C{k % 10}"
        ax.ecdf(v, color=color, linewidth=2, label=cost.scenario)
        p10, p50, p90 = np.percentile(v, (10, 50, 90))
        ax.plot([p10, p50, p90], [0.1, 0.5, 0.9], "o", color=color, markersize=4)
    for level in (0.1, 0.5, 0.9):
        ax.axhline(level, color="grey", linewidth=0.5, linestyle=":")
    ax.set_xlabel(f"TCO per good part ({currency})")
    ax.set_ylabel("share of futures at or below")
    ax.set_yticks([0, 0.1, 0.5, 0.9, 1.0])
    ax.set_title(f"TCO over {futures.samples:,} futures (dots: P10, P50, P90)")
    ax.legend(fontsize="small", loc="lower right")


def _winning(ax: Any, futures: FutureComparison) -> None:
    """Each scenario's share of futures in which it is the cheapest of all."""
    shares = futures.cheapest_shares()
    names = list(shares)
    bars = ax.bar(
        names, [100.0 * shares[n] for n in names], color=[f"C{k % 10}" for k in range(len(names))]
    )
    for bar, name in zip(bars, names, strict=True):
        ax.annotate(
            f"{shares[name]:.1%}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            textcoords="offset points",
            xytext=(0, 4),
            ha="center",
        )
    ax.set_ylim(0, 110)
    ax.set_ylabel("% of futures")
    ax.set_title("Probability of being the cheapest on TCO")


def _breakdown(ax: object, costs: Sequence[ScenarioCost]) -> None:
    import matplotlib.pyplot as plt

    names = [c.scenario for c in costs]
    bottoms = [0.0] * len(costs)
    cmap = plt.get_cmap("tab20")
    for k, item in enumerate(BREAKDOWN):
        values = [c.estimate(item).mean for c in costs]
        values = [v if math.isfinite(v) else 0.0 for v in values]
        if not any(values):
            continue
        ax.bar(names, values, bottom=bottoms, label=item, color=cmap(k))  # type: ignore[attr-defined]
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    for i, c in enumerate(costs):
        tco = c.estimate("tco")
        ax.errorbar(  # type: ignore[attr-defined]
            i, tco.mean, yerr=tco.half_width, color="black", capsize=6, fmt="none"
        )
        ax.annotate(  # type: ignore[attr-defined]
            f"{tco.mean:.2f}",
            (i, tco.mean),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
        )
    currency = costs[0].currency if costs else ""
    ax.set_ylabel(f"{currency} per good part")  # type: ignore[attr-defined]
    ax.set_title("TCO per good part, by item (bar: 95% CI)")  # type: ignore[attr-defined]
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))  # type: ignore[attr-defined]


def _tornado(ax: object, rows: Sequence[SensitivityRow], currency: str = "") -> None:
    top = sorted(rows, key=lambda r: r.swing, reverse=True)[:TORNADO_ROWS]
    top.reverse()
    from simline.report.table import input_range
    from simline.report.table import plain_number as num

    labels = [
        f"{r.scenario}: {r.input} {input_range(r.input, r.low, r.high, r.unit, currency)}"
        for r in top
    ]
    for y, r in enumerate(top):
        low = r.tco_low - r.tco_base
        high = r.tco_high - r.tco_base
        ax.barh(y, low, color="tab:blue", alpha=0.8)  # type: ignore[attr-defined]
        ax.barh(y, high, color="tab:red", alpha=0.8)  # type: ignore[attr-defined]
        if r.flips_in_range:
            ax.text(  # type: ignore[attr-defined]
                max(low, high, 0.0),
                y,
                f"  flips at {num(r.break_even)}",
                va="center",
                fontsize="small",
            )
    ax.set_yticks(range(len(top)), labels, fontsize="small")  # type: ignore[attr-defined]
    ax.axvline(0.0, color="black", linewidth=0.8)  # type: ignore[attr-defined]
    ax.set_xlabel("change of TCO per part (blue: low value, red: high)")  # type: ignore[attr-defined]
    ax.set_title("Sensitivity of TCO (tornado)")  # type: ignore[attr-defined]

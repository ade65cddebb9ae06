"""Main-effects and interaction plots of an experiment's objective.

A main-effects panel shows, for one factor, the objective's mean over the runs at each of
the factor's levels; an interaction panel shows, for a pair of factors, one line per level
of the second factor through the means at each level of the first (parallel lines: no
interaction). Numeric levels sit on a numeric axis in increasing order; other levels (a
site, a mapping) are categories in the order they first appear. A run whose objective is
undefined (``nan``) is left out of the means; a level (or pair of levels) with no run
leaves a gap.

matplotlib is imported inside the functions with the non-interactive Agg backend, as in
:mod:`simline.report.plots`; the format follows the file's suffix (``.png``, ``.svg``,
``.pdf``, ...: :data:`simline.report.plots.PLOT_FORMATS`) and the file is written atomically.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from itertools import combinations
from typing import TYPE_CHECKING, Any

from simline.errors import ConfigError
from simline.report.output import atomic_path
from simline.report.plots import PLOT_FORMATS, plot_format

if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence

    import pandas
    from matplotlib.figure import Figure

__all__ = ["PLOT_FORMATS", "draw_effects", "plot_effects", "plot_format"]

#: Panels per row of the figure at most.
COLUMNS = 3

#: Numeric levels up to this many get a tick each (more, as from a Latin hypercube: the axis's).
TICKS = 12


def plot_effects(
    path: str | os.PathLike[str], frame: pandas.DataFrame, factors: Sequence[str], figure: str
) -> None:
    """Draw the main effects of every factor and the interaction of every pair on the figure.

    Parameters
    ----------
    path
        The file to write; its suffix gives the format (:func:`plot_format`).
    frame
        One row per run: a column per factor (named by its path) and the objective's mean
        in the column named ``figure``.
    factors
        The factors to plot, in panel order (at least one).
    figure
        The objective's name, the column of means and the label of the y axes.

    Raises
    ------
    ConfigError
        If the suffix is not one of the formats or there is no factor (``path="--plot"``),
        or the file's directory does not exist.
    """
    fmt = plot_format(path)
    fig = draw_effects(frame, factors, figure)
    import matplotlib.pyplot as plt

    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=120)
    finally:
        plt.close(fig)


def draw_effects(frame: pandas.DataFrame, factors: Sequence[str], figure: str) -> Figure:
    """Return the matplotlib figure of :func:`plot_effects`, not saved (the caller closes it).

    Panels, titled ``main effect: FACTOR`` (one line, the means per level) and
    ``interaction: FIRST x SECOND`` (one line per level of ``SECOND``, labelled by it),
    main effects first; numeric levels at their values, categories at ``0, 1, ...``.

    Raises
    ------
    ConfigError
        If there is no factor (``path="--plot"``).
    ValueError
        If the frame lacks a factor's column or the figure's.
    """
    if not factors:
        raise ConfigError("plots need an experiment with factors (got none)", path="--plot")
    columns = [*factors, figure]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the frame has no column {missing[0]!r}")
    rows = [[row[c] for c in columns] for row in frame[columns].to_dict("records")]

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs = list(combinations(range(len(factors)), 2))
    ncols = min(COLUMNS, max(len(factors), len(pairs), 1))
    main_rows = math.ceil(len(factors) / ncols)
    pair_rows = math.ceil(len(pairs) / ncols)
    fig, axes = plt.subplots(
        main_rows + pair_rows,
        ncols,
        figsize=(4.5 * ncols, 3.6 * (main_rows + pair_rows)),
        squeeze=False,
        layout="constrained",
    )
    flat = [ax for row in axes for ax in row]
    for k, factor in enumerate(factors):
        _main_effect(flat[k], factor, figure, [(r[k], r[-1]) for r in rows])
    for k, (a, b) in enumerate(pairs):
        triples = [(r[a], r[b], r[-1]) for r in rows]
        _interaction(flat[main_rows * ncols + k], factors[a], factors[b], figure, triples)
    drawn = {*range(len(factors)), *(main_rows * ncols + k for k in range(len(pairs)))}
    for k, ax in enumerate(flat):
        if k not in drawn:
            ax.set_axis_off()
    fig.suptitle(f"Effects on {figure} (mean over runs)")
    return fig


def _key(value: Any) -> Hashable:
    """Return a hashable key for a factor level (a mapping or list as canonical JSON)."""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value  # type: ignore[no-any-return]


def _label(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _numeric(levels: Sequence[Any]) -> bool:
    return all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(float(v))
        for v in levels
    )


def _levels(values: Sequence[Any]) -> tuple[list[Any], list[float], list[str]]:
    """Distinct levels in axis order, their x positions and tick labels."""
    seen: dict[Hashable, Any] = {}
    for v in values:
        seen.setdefault(_key(v), v)
    levels = list(seen.values())
    if _numeric(levels):
        levels.sort()
        return levels, [float(v) for v in levels], [_label(v) for v in levels]
    return levels, [float(i) for i in range(len(levels))], [_label(v) for v in levels]


def _mean(values: Sequence[float | None]) -> float:
    """Mean of the defined values (an undefined mean, ``None`` or ``nan``, is left out)."""
    kept = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    return math.fsum(kept) / len(kept) if kept else math.nan


def _main_effect(ax: Any, factor: str, figure: str, pairs: Sequence[tuple[Any, float]]) -> None:
    levels, xs, labels = _levels([p[0] for p in pairs])
    means = [_mean([y for v, y in pairs if _key(v) == _key(level)]) for level in levels]
    ax.plot(xs, means, marker="o", color="tab:blue")
    if not _numeric(levels) or len(levels) <= TICKS:
        ax.set_xticks(xs, labels)
    ax.set_xlabel(factor)
    ax.set_ylabel(figure)
    ax.set_title(f"main effect: {factor}")
    ax.grid(True, alpha=0.3)


def _interaction(
    ax: Any, first: str, second: str, figure: str, triples: Sequence[tuple[Any, Any, float]]
) -> None:
    levels, xs, labels = _levels([t[0] for t in triples])
    lines, _, _ = _levels([t[1] for t in triples])
    for line in lines:
        means = [
            _mean([y for v, w, y in triples if _key(v) == _key(level) and _key(w) == _key(line)])
            for level in levels
        ]
        ax.plot(xs, means, marker="o", label=_label(line))
    if not _numeric(levels) or len(levels) <= TICKS:
        ax.set_xticks(xs, labels)
    ax.set_xlabel(first)
    ax.set_ylabel(figure)
    ax.set_title(f"interaction: {first} x {second}")
    ax.legend(title=second, fontsize="small")
    ax.grid(True, alpha=0.3)

"""Replications in rounds until every run's confidence interval is as narrow as asked.

A ``precision`` block asks for a 95 % confidence-interval half-width of one figure: relative
(``half-width <= relative * |mean|``) or absolute (``half-width <= absolute``). After each
round, :func:`replications_wanted` says which runs miss the target and how many replications
each should have after the next round; the caller runs them and asks again until it answers
``{}``.

The next total of a run of ``n`` replications whose half-width ``hw`` misses the target
``t`` is the classical projection ``ceil(n * (hw / t) ** 2)`` (the half-width falls as
``1 / sqrt(n)``), at least ``n + 1``, at most ``precision.max``, never below
``precision.min``. A run with fewer than ``precision.min`` replications gets ``min`` whatever
its half-width. The projection keeps the Student t quantile of the current ``n``, which is
conservative: from few replications it asks for up to ``(t(0.975, n - 1) / 1.96) ** 2`` times
the replications the current variance estimate needs (2.0 at ``n = 5``, 1.1 at ``n = 20``), in
exchange for fewer rounds.

Undefined values
----------------
A figure can be undefined (``nan``) in a replication (the lead time of a replication in
which no good part left the line). The half-width is that of the replications that define it
(:func:`simline.stats.estimate`), and ``n`` in the projection is the run's number of
replications, so the projection keeps the share of undefined ones. A run in which *no*
replication defines the figure asks for nothing more (more replications of a line that gives
no value are unlikely to give one; its figure is reported as ``null``); a run in which only
one does, has no half-width yet and asks for twice its replications.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from simline.stats import estimate

if TYPE_CHECKING:
    from simline.config.experiment import Precision

__all__ = ["half_width_target", "replications_wanted"]


def half_width_target(mean: float, precision: Precision) -> float:
    """Return the half-width a run of this mean must reach (``relative * |mean|`` or ``absolute``).

    Parameters
    ----------
    mean
        The run's mean of the figure.
    precision
        The experiment's ``precision`` block (``relative`` or ``absolute`` set).
    """
    if precision.relative is not None:
        return float(precision.relative) * abs(mean)
    if precision.absolute is not None:
        return float(precision.absolute)
    raise ValueError("precision needs 'relative' or 'absolute' (got neither)")


def replications_wanted(
    values: Mapping[str, Sequence[float]], precision: Precision
) -> dict[str, int]:
    """Return run id -> the total replications it should have after the next round.

    Parameters
    ----------
    values
        Run id -> the values of ``precision.figure`` in each of its replications so far.
    precision
        The experiment's ``precision`` block: ``relative`` or ``absolute``, ``min``, ``max``.

    Returns
    -------
    dict
        Only the runs that miss the target (or have fewer than ``min`` replications), in the
        order of ``values``; ``{}`` when every run meets the target or has ``max``
        replications. The same values always give the same answer.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> p = SimpleNamespace(figure="x", relative=None, absolute=0.5, min=5, max=100)
    >>> replications_wanted({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [3.0] * 5}, p)
    {'a': 78}
    """
    out: dict[str, int] = {}
    for run_id, run_values in values.items():
        wanted = _wanted(list(run_values), precision)
        if wanted is not None:
            out[run_id] = wanted
    return out


def _wanted(values: list[float], precision: Precision) -> int | None:
    n, low, top = len(values), int(precision.min), int(precision.max)
    if n >= top:
        return None
    if n < low:
        return low
    est = estimate(values)
    if est.n == 0:
        return None
    if est.n == 1:
        return min(top, 2 * n)
    half = est.half_width
    target = half_width_target(est.mean, precision)
    if half <= target:
        return None
    ratio = half / target if target > 0 else math.inf
    projected = n * ratio * ratio
    total = top if not projected < top else math.ceil(projected)
    return max(n + 1, low, min(top, total))

"""The best run of an experiment, its constraints, and every run's difference from it.

Pure functions over per-replication values: run id -> the values of a figure, by
replication index. Replication ``j`` of every run shares its random numbers (one seed for
the experiment, streams keyed by station), so differences between runs are paired by
replication index.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from simline.stats import estimate, paired_difference

if TYPE_CHECKING:
    from simline.config.experiment import Constraint

__all__ = ["best_run", "constraint_report", "differences"]


def best_run(means: Mapping[str, float], feasible: Mapping[str, bool], goal: str) -> str | None:
    """Return the run of best mean among the feasible ones.

    Parameters
    ----------
    means
        Run id -> the objective's mean. A run whose mean is not finite (no replication
        defined the figure) cannot be best.
    feasible
        Run id -> whether the run meets every constraint (judged on its means). A run that
        is not in it counts as feasible (an experiment without constraints).
    goal
        ``"min"`` or ``"max"``.

    Returns
    -------
    str or None
        The best run's id; of runs with exactly the same mean, the first in ``means``.
        ``None`` if no run is feasible with a finite mean.

    Examples
    --------
    >>> best_run({"a": 3.0, "b": 1.0, "c": 2.0}, {"b": False}, "min")
    'c'
    """
    if goal not in ("min", "max"):
        raise ValueError(f"'goal' must be 'min' or 'max' (got {goal!r})")
    best: str | None = None
    best_mean = math.nan
    for run_id, mean in means.items():
        if not feasible.get(run_id, True) or not math.isfinite(mean):
            continue
        better = mean < best_mean if goal == "min" else mean > best_mean
        if best is None or better:
            best, best_mean = run_id, mean
    return best


def constraint_report(
    constraints: Sequence[Constraint], values: Mapping[str, Mapping[str, Sequence[float]]]
) -> dict[str, list[dict[str, Any]]]:
    """Judge every run on every constraint, by its mean and its 95 % confidence interval.

    Parameters
    ----------
    constraints
        The experiment's parsed constraints (``figure``, ``op``, ``value``, ``text``,
        ``holds(mean)``).
    values
        Run id -> figure name -> the figure's value in each replication.

    Returns
    -------
    dict
        Run id -> one entry per constraint, in order::

            {"constraint": text, "mean": m, "ci95": [lo, hi], "holds": bool, "significant": bool}

        ``holds`` is the constraint applied to the mean (``False`` when the mean is
        undefined). ``significant`` says that the interval lies wholly on the side of the
        bound that the mean is on (``lo > value`` for a mean above it, ``hi < value`` for a
        mean below it): the verdict, met or broken, is not a matter of noise. It needs two
        replications or more that define the figure. Undefined numbers are ``None``; an
        entry also has ``"n"`` when some replications left the figure undefined.
    """
    report: dict[str, list[dict[str, Any]]] = {}
    for run_id, figures in values.items():
        entries: list[dict[str, Any]] = []
        for constraint in constraints:
            run_values = figures[constraint.figure]
            est = estimate(run_values)
            defined = math.isfinite(est.mean)
            bound = constraint.value
            if not defined or est.n < 2:
                significant = False
            elif est.mean > bound:
                significant = est.lo > bound
            elif est.mean < bound:
                significant = est.hi < bound
            else:
                significant = False
            entry: dict[str, Any] = {"constraint": constraint.text}
            entry.update(est.to_json(len(run_values)))
            entry["holds"] = defined and bool(constraint.holds(est.mean))
            entry["significant"] = significant
            entries.append(entry)
        report[run_id] = entries
    return report


def differences(
    values: Mapping[str, Sequence[float]], best: str, figure: str
) -> list[dict[str, Any]]:
    """Return every other run's difference from the best run, paired by replication.

    Parameters
    ----------
    values
        Run id -> the figure's value in each replication, by replication index.
    best
        The best run's id (a key of ``values``).
    figure
        The figure's name, the key of the estimate in each entry.

    Returns
    -------
    list of dict
        In the order of ``values``, without ``best``::

            {"id": run, "versus": best, figure: {"mean": d, "ci95": [lo, hi]}}

        ``d`` estimates ``run - best`` over the replications both runs have (the first
        ``min(len(run), len(best))``, as runs that a selection stopped early have fewer),
        with a Student t 95 % interval (:func:`simline.stats.paired_difference`). The
        estimate also has ``"n"`` when some pairs left the difference undefined.

    Raises
    ------
    ValueError
        If ``best`` is not in ``values``.
    """
    if best not in values:
        raise ValueError(f"the best run {best!r} has no values")
    base = values[best]
    out: list[dict[str, Any]] = []
    for run_id, run_values in values.items():
        if run_id == best:
            continue
        pairs = min(len(run_values), len(base))
        est = paired_difference(list(run_values[:pairs]), list(base[:pairs]))
        out.append({"id": run_id, "versus": best, figure: est.to_json(pairs)})
    return out

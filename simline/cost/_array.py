"""Cost formulas that take a number or an array of futures alike.

The cost model is written for one value per input; :mod:`simline.cost.uncertainty` passes
arrays (one entry per sampled future) for the inputs it draws, so that thousands of futures
cost one pass. Where a formula branches on such an input it uses :func:`where`, which keeps
the plain ``a if cond else b`` of a scalar (the figures of a run without uncertainty stay
exactly what they were) and is :func:`numpy.where` on arrays.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any, TypeVar, cast

import numpy as np

__all__ = ["is_array", "larger", "normal_quantile", "where"]

T = TypeVar("T")


def is_array(*values: Any) -> bool:
    """Whether any of the values is an array of futures."""
    return any(isinstance(v, np.ndarray) for v in values)


def where(condition: Any, yes: T, no: T) -> T:
    """``yes if condition else no``, element by element when the condition is an array."""
    if isinstance(condition, np.ndarray):
        return cast("T", np.where(condition, cast("Any", yes), cast("Any", no)))
    return yes if condition else no


def larger(a: float, b: float) -> float:
    """``max(a, b)``, element by element on arrays."""
    if is_array(a, b):
        return cast("float", np.maximum(a, b))
    return max(a, b)


def normal_quantile(p: Any) -> Any:
    """Return the standard normal quantile of ``p`` (a number or an array)."""
    if is_array(p):
        return np.vectorize(NormalDist().inv_cdf, otypes=[float])(p)
    return NormalDist().inv_cdf(p)

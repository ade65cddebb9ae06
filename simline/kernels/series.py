# mypy: disable-error-code="no-any-return"
"""The line's time series: WIP and good parts out in bins of equal width over the whole run.

A table ``ser`` (bins x 2) holds per bin ``[k w, (k + 1) w)`` (the last one closed at the
horizon) the time integral of WIP and the good parts that left in it; ``w`` is the horizon
over the number of bins. Its size is fixed before the run, whatever the number of parts. A
table of no rows keeps no series. The SimPy engine keeps the same figures
(:class:`simline.engine._line.Line`); the semantics suite checks that the engines agree.
"""

from __future__ import annotations

import numpy as np

from simline.kernels._jit import njit_kernel

__all__ = ["SER_WIDTH", "add_wip", "bin_of", "count_good"]

#: Columns of ``ser``: WIP time integral, good parts out.
SER_WIDTH = 2


@njit_kernel
def bin_of(n: int, width: float, t: float) -> int:
    """Return the bin of instant ``t`` among ``n`` bins of ``width`` (the last: from its start)."""
    k = int(t / width)
    if (k + 1) * width <= t:  # t / width rounded down across a bin's edge
        k += 1
    return min(max(k, 0), n - 1)


@njit_kernel
def add_wip(ser: np.ndarray, width: float, t0: float, t1: float, wip: float) -> None:
    """Add ``wip`` parts in line over ``[t0, t1]`` to the WIP integral of every bin it spans."""
    n = ser.shape[0]
    t = t0
    while t < t1:
        k = bin_of(n, width, t)
        end = t1 if k == n - 1 else min((k + 1) * width, t1)
        ser[k, 0] += wip * (end - t)
        t = end


@njit_kernel
def count_good(ser: np.ndarray, width: float, t: float) -> None:
    """Count a good part that left the line at ``t``."""
    if ser.shape[0] > 0:
        ser[bin_of(ser.shape[0], width, t), 1] += 1.0

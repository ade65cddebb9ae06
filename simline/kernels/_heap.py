# mypy: disable-error-code="no-any-return"
"""A binary min-heap of events on arrays, ordered by (time, sequence number).

``t[i]`` is the event time and ``e[i] = (seq, kind, who, token)``; ``seq`` grows by one per
event pushed, so events at the same time come out in the order they were pushed (FIFO), as
SimPy's event queue does.
"""

from __future__ import annotations

import numpy as np

from simline.kernels._jit import njit

__all__ = ["pop", "push"]


@njit
def _less(t: np.ndarray, e: np.ndarray, a: int, b: int) -> bool:
    return t[a] < t[b] or (t[a] == t[b] and e[a, 0] < e[b, 0])


@njit
def _swap(t: np.ndarray, e: np.ndarray, a: int, b: int) -> None:
    tt = t[a]
    t[a] = t[b]
    t[b] = tt
    for j in range(4):
        x = e[a, j]
        e[a, j] = e[b, j]
        e[b, j] = x


@njit
def push(
    t: np.ndarray, e: np.ndarray, n: int, time: float, seq: int, kind: int, who: int, token: int
) -> int:
    """Insert an event into the heap of ``n`` events; return the new size (-1: it is full)."""
    if n == t.shape[0]:
        return -1
    t[n] = time
    e[n, 0] = seq
    e[n, 1] = kind
    e[n, 2] = who
    e[n, 3] = token
    i = n
    while i > 0:
        parent = (i - 1) >> 1
        if _less(t, e, i, parent):
            _swap(t, e, i, parent)
            i = parent
        else:
            break
    return n + 1


@njit
def pop(t: np.ndarray, e: np.ndarray, n: int) -> int:
    """Remove the first event (moved to index ``n - 1``); return the new size ``n - 1``."""
    last = n - 1
    _swap(t, e, 0, last)
    i = 0
    while True:
        left = 2 * i + 1
        if left >= last:
            break
        best = left
        right = left + 1
        if right < last and _less(t, e, right, left):
            best = right
        if _less(t, e, best, i):
            _swap(t, e, i, best)
            i = best
        else:
            break
    return last

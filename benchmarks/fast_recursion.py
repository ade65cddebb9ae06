"""The practical limit: a bare Numba loop of the tandem-line departure-time recursion.

Saturated line, blocking after service: part ``i`` leaves station ``j`` at
``D[i][j] = max(D[i][j-1], D[i-1][j]) + S[i][j]``, held until ``D[i-B-1][j+1]`` when the
next station's buffer ``B`` is full. Rows are kept in a ring of ``B + 2`` parts, so memory is
constant; service times come from the same exponential process means as ``line10``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def departures(n_parts: int, means: np.ndarray, buffer: int, seed: int) -> float:
    """Return the time the last of ``n_parts`` leaves the line."""
    np.random.seed(seed)
    m = means.shape[0]
    ring = buffer + 2
    d = np.zeros((ring, m))
    last = 0.0
    for i in range(n_parts):
        row = i % ring
        prev = (i - 1) % ring
        ahead = (i - buffer - 1) % ring
        for j in range(m):
            start = d[row, j - 1] if j > 0 else 0.0
            if i > 0 and d[prev, j] > start:
                start = d[prev, j]
            done = start + np.random.exponential(means[j])
            if j + 1 < m and i - buffer - 1 >= 0 and d[ahead, j + 1] > done:
                done = d[ahead, j + 1]
            d[row, j] = done
        last = d[row, m - 1]
    return last

"""Brute-force twins of the Numba kernels, written for clarity, not speed.

Each has the public name of the kernel it checks (STUMPY's ``naive`` module style) and is
compared with it in ``tests/unit/test_kernels*.py``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import stdtrit

MASK = 0xFFFFFFFF


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & MASK


def uniforms(state: list[int], n: int) -> np.ndarray:
    """xoshiro128** on Python integers, two 32-bit outputs per double in (0, 1)."""
    s = [int(x) for x in state]
    out = np.empty(n)

    def next32() -> int:
        result = (_rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 9) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 11)
        return result

    for i in range(n):
        a = next32() >> 5
        b = next32() >> 6
        out[i] = (a * 2**26 + b + 0.5) / 2**53
    return out


def departure_times(service: np.ndarray, buffers: np.ndarray) -> np.ndarray:
    """Departure times of a saturated tandem line with blocking after service.

    ``service[i, j]`` is part ``i``'s time at station ``j``; ``buffers[j]`` the places in front
    of station ``j`` (``buffers[0]`` unused: the first station never starves). Part ``i``
    leaves station ``j`` at ``D[i, j] = max(D[i, j-1] + S[i, j], D[i-1, j] + S[i, j],
    D[i - B_{j+1} - 1, j+1])``: it starts when it has arrived and the server is free, and
    leaves when the part ``B_{j+1} + 1`` ahead of it has left the next station.
    """
    n, m = service.shape
    d = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            start = max(d[i, j - 1] if j > 0 else 0.0, d[i - 1, j] if i > 0 else 0.0)
            done = start + service[i, j]
            if j + 1 < m:
                ahead = i - int(buffers[j + 1]) - 1
                if ahead >= 0:
                    done = max(done, d[ahead, j + 1])
            d[i, j] = done
    return d


def welch_disagreement(name: str, a: list[float], b: list[float], confidence: float) -> str | None:
    """``None`` when the means of ``a`` (des) and ``b`` (fast) agree, else what differs.

    Welch's test at ``confidence``; a figure constant on both engines must be equal (to 1e-9).
    """
    n1, n2 = len(a), len(b)
    m1, m2 = math.fsum(a) / n1, math.fsum(b) / n2
    v1 = math.fsum((x - m1) ** 2 for x in a) / (n1 - 1)
    v2 = math.fsum((x - m2) ** 2 for x in b) / (n2 - 1)
    se2 = v1 / n1 + v2 / n2
    if se2 == 0.0:
        same = math.isclose(m1, m2, rel_tol=1e-9, abs_tol=1e-12)
        return None if same else f"{name}: constant figure differs: des {m1!r}, fast {m2!r}"
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    half = float(stdtrit(df, (1 + confidence) / 2)) * math.sqrt(se2)
    if abs(m1 - m2) <= half:
        return None
    return f"{name}: des {m1:.6g}, fast {m2:.6g}, |diff| {abs(m1 - m2):.3g} > {half:.3g}"

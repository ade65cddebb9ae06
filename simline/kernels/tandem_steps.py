# mypy: disable-error-code="no-any-return"
"""The steps of the departure-time recursion (:mod:`simline.kernels.tandem`).

Each is inlined into the recursion's loop by LLVM (:func:`simline.kernels._jit.njit_kernel`).
"""

from __future__ import annotations

import math

import numpy as np

from simline.kernels._jit import njit_inline, njit_kernel
from simline.kernels.activity import A_PERIODS, A_SINCE, A_TIME
from simline.kernels.distributions import CONSTANT, EXPONENTIAL, draw_fast, fill
from simline.kernels.events import stream as _stream
from simline.kernels.layout import (
    C_EVENTS,
    C_GOOD,
    C_SCRAP,
    P_FAILURE,
    P_PROCESS,
    P_REPAIR,
    X_BIN,
    X_SOJOURN,
    X_WIP_ACC,
)
from simline.kernels.random import u01_inline as _u01
from simline.kernels.series import add_wip, count_good
from simline.vocabulary import BUSY, DOWN

# Columns of the per-position table ``pos``.
T_STATION, T_CAP, T_PROCESS, T_FAIL, T_TTF, T_TTR = range(6)
POS_WIDTH = 6


@njit_inline
def _clip(a: float, b: float, lo: float, hi: float) -> float:
    """Length of ``[a, b]`` inside ``[lo, hi]``."""
    return max(0.0, min(b, hi) - max(a, lo))


@njit_kernel
def _end_period(act: np.ndarray, k: int, end: float, lo: float, hi: float) -> None:
    """Station ``k``'s active period ends at ``end``: count what of it lies in ``[lo, hi]``.

    The recursion's form of :func:`simline.kernels.activity.end_period` (it runs past the
    warm-up's end and the horizon, and clips instead of resetting).
    """
    a = max(act[k, A_SINCE], lo)
    b = min(end, hi)
    if b > a:
        act[k, A_TIME] += b - a
        act[k, A_PERIODS] += 1.0


@njit_kernel
def _pop_exit(exits: np.ndarray, n: int) -> None:
    """Remove the earliest of the ``n + 1`` exit times in the heap ``exits`` (``n`` left)."""
    last = exits[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and exits[c + 1] < exits[c]:
            c += 1
        if exits[c] < last:
            exits[i] = exits[c]
            i = c
        else:
            break
    exits[i] = last


@njit_kernel
def _push_exit(exits: np.ndarray, n: int, t: float) -> None:
    """Add exit time ``t`` to the heap of the ``n`` in ``exits``."""
    i = n
    while i > 0:
        up = (i - 1) // 2
        if exits[up] <= t:
            break
        exits[i] = exits[up]
        i = up
    exits[i] = t


@njit_kernel
def _process_time(
    dist: int,
    j: int,
    st: int,
    dint: np.ndarray,
    dpar: np.ndarray,
    emp: np.ndarray,
    rs: np.ndarray,
    block: np.ndarray,
    used: np.ndarray,
) -> float:
    """Return step ``j``'s next process time, from station ``st``'s process stream.

    Constant and exponential inline; the others drawn ahead in blocks, one dispatch per block
    (:func:`~simline.kernels.distributions.fill`). The stream's numbers, in order.
    """
    code = dint[dist, 0]
    if code == CONSTANT:
        return dpar[dist, 0]
    if code == EXPONENTIAL:
        return -dpar[dist, 0] * math.log(_u01(rs, _stream(st, P_PROCESS)))
    u = used[j]
    if u == block.shape[1]:
        fill(dist, dint, dpar, emp, rs, _stream(st, P_PROCESS), block[j])
        u = 0
    used[j] = u + 1
    return block[j, u]


@njit_kernel
def _failures(
    j: int,
    st: int,
    now: float,
    work: float,
    pos: np.ndarray,
    dint: np.ndarray,
    dpar: np.ndarray,
    emp: np.ndarray,
    rs: np.ndarray,
    ttf: np.ndarray,
    ci: np.ndarray,
    acc: np.ndarray,
    window: np.ndarray,
) -> tuple[float, float]:
    """Work ``work`` from ``now`` at step ``j``, failing on the operating basis meanwhile.

    Returns (when the work that is left resumes after the last repair, the work left).
    """
    warmup = window[0]
    horizon = window[1]
    while ttf[j] < work:  # fails before the work is done: repair, then resume
        fails = now + ttf[j]
        acc[st, BUSY] += _clip(now, fails, warmup, horizon)
        work -= ttf[j]
        now = fails + draw_fast(pos[j, T_TTR], dint, dpar, emp, rs, _stream(st, P_REPAIR))
        acc[st, DOWN] += _clip(fails, now, warmup, horizon)
        ttf[j] = draw_fast(pos[j, T_TTF], dint, dpar, emp, rs, _stream(st, P_FAILURE))
        ci[C_EVENTS] += 2
    ttf[j] -= work
    return now, work


@njit_kernel
def _record_exit(
    released: float,
    t: float,
    good: bool,
    where: int,
    ci: np.ndarray,
    cf: np.ndarray,
    st_cnt: np.ndarray,
    p_cnt: np.ndarray,
    p_lead: np.ndarray,
    window: np.ndarray,
    ser: np.ndarray,
) -> None:
    """Count a part released at ``released`` that left at ``t`` (scrapped at ``where``)."""
    warmup = window[0]
    horizon = window[1]
    cf[X_WIP_ACC] += _clip(released, t, warmup, horizon)
    if ser.shape[0] > 0:
        add_wip(ser, cf[X_BIN], released, min(t, horizon), 1.0)
    if t > horizon:
        return
    if good:
        ci[C_GOOD] += 1
        count_good(ser, cf[X_BIN], t)
    else:
        ci[C_SCRAP] += 1
    if t <= warmup:
        return
    cf[X_SOJOURN] += t - released
    if good:
        lead = t - released
        p_cnt[0, 1] += 1
        m = p_cnt[0, 3] + 1
        p_cnt[0, 3] = m
        mean = p_lead[0, 0]
        delta = lead - mean
        mean += delta / m
        p_lead[0, 0] = mean
        p_lead[0, 1] += delta * (lead - mean)
    else:
        p_cnt[0, 2] += 1
        st_cnt[where, 1] += 1

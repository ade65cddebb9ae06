# mypy: disable-error-code="no-any-return"
"""Each station's active periods, for the bottleneck marker: one table for both kernels.

A station is *active* while none of its servers waits (``simline.vocabulary.WAITING_STATES``:
starved or blocked). An active period is a longest stretch of positive length in
which it is active; a wait of no length (a server that hands a part on and takes the next
at the same instant) does not end it. The table ``act`` (stations x ``ACT_WIDTH``) holds per
station: when the current period began, when the station last began to wait, the active time
and the number of periods in the measured window, and how many of its servers wait now.

The SimPy engine keeps the same figures (:class:`simline.engine._station.Station`); the
semantics suite checks that every engine gives the same ones.
"""

from __future__ import annotations

import numpy as np

from simline.kernels._jit import njit_kernel

__all__ = [
    "ACT_WIDTH",
    "A_PERIODS",
    "A_SINCE",
    "A_TIME",
    "A_WAIT",
    "A_WAITING",
    "close_activity",
    "end_period",
    "measure_activity",
    "waiting_changed",
]

# Columns of ``act``: the current period began at, waiting began at, active time, periods,
# servers waiting now (counts are whole numbers held exactly in a float64).
A_SINCE, A_WAIT, A_TIME, A_PERIODS, A_WAITING = range(5)
ACT_WIDTH = 5


@njit_kernel
def end_period(act: np.ndarray, k: int, end: float) -> None:
    """Station ``k``'s current period ends at ``end``: count it if it has a length."""
    length = end - act[k, A_SINCE]
    if length > 0.0:
        act[k, A_TIME] += length
        act[k, A_PERIODS] += 1.0


@njit_kernel
def waiting_changed(act: np.ndarray, k: int, now: float, waits: bool) -> None:
    """Count a server of station ``k`` that began (``waits``) or stopped waiting at ``now``."""
    if waits:
        act[k, A_WAITING] += 1.0
        if act[k, A_WAITING] == 1.0:
            act[k, A_WAIT] = now
    else:
        act[k, A_WAITING] -= 1.0
        if act[k, A_WAITING] == 0.0 and now > act[k, A_WAIT]:
            end_period(act, k, act[k, A_WAIT])
            act[k, A_SINCE] = now


@njit_kernel
def measure_activity(act: np.ndarray, warmup: float) -> None:
    """End the warm-up at ``warmup``: only what lies after it counts from now on."""
    for k in range(act.shape[0]):
        act[k, A_TIME] = 0.0
        act[k, A_PERIODS] = 0.0
        act[k, A_SINCE] = max(act[k, A_SINCE], warmup)
        if act[k, A_WAITING] > 0.0:  # its last period ended in the warm-up
            act[k, A_SINCE] = warmup
            act[k, A_WAIT] = warmup


@njit_kernel
def close_activity(act: np.ndarray, horizon: float) -> None:
    """End the run at ``horizon``, and with it every station's last period."""
    for k in range(act.shape[0]):
        end_period(act, k, horizon if act[k, A_WAITING] == 0.0 else act[k, A_WAIT])

# mypy: disable-error-code="no-any-return"
"""Parts: their pool, their release and their exit.

A part's exit keeps its statistics (lead time by Welford's running mean and sum of squares).
"""

from __future__ import annotations

from simline.kernels._jit import njit_kernel
from simline.kernels.layout import (
    C_FREE,
    C_GOOD,
    C_RELEASED,
    C_SCRAP,
    C_STATUS,
    OVERFLOW,
    X_BIN,
    X_NOW,
    X_SOJOURN,
    LinePlan,
    LineState,
)
from simline.kernels.random import u01
from simline.kernels.series import count_good
from simline.kernels.servers import wip_step

__all__ = ["free_part", "new_part", "pick", "record_exit", "release"]


@njit_kernel
def new_part(state: LineState, product: int) -> int:
    """Take a part from the pool (empty: flag the overflow, hand out part 0; the run is void)."""
    ci = state.ci
    top = ci[C_FREE]
    empty = top == 0
    ci[C_STATUS] |= OVERFLOW * empty
    part = state.free[max(top - 1, 0)] * (1 - empty)
    ci[C_FREE] = top - 1 + empty
    state.pt_prod[part] = product
    state.pt_step[part] = 0
    state.pt_rel[part] = -1.0
    return part


@njit_kernel
def free_part(state: LineState, part: int) -> None:
    """Give ``part`` back to the pool."""
    top = state.ci[C_FREE]
    state.free[top] = part
    state.ci[C_FREE] = top + 1


@njit_kernel
def release(state: LineState, part: int) -> None:
    """``part`` enters the line now: it counts as released and as work in process."""
    state.pt_rel[part] = state.cf[X_NOW]
    state.ci[C_RELEASED] += 1
    state.p_cnt[state.pt_prod[part], 0] += 1
    wip_step(state, 1)


@njit_kernel
def pick(plan: LinePlan, state: LineState, row: int, n: int, stream: int) -> int:
    """Index drawn by cumulative shares ``plan.pick_cum[row, :n]`` (row -1: ``mix_cum``)."""
    if n == 1:
        return 0
    u = u01(state.rs, stream)
    j = 0
    if row < 0:
        while j < n - 1 and plan.mix_cum[j] <= u:
            j += 1
    else:
        while j < n - 1 and plan.pick_cum[row, j] <= u:
            j += 1
    return j


@njit_kernel
def record_exit(state: LineState, part: int, station: int, good: bool) -> None:
    """``part`` leaves the line at ``station``: good (its lead time counts) or scrapped."""
    p = state.pt_prod[part]
    now = state.cf[X_NOW]
    state.cf[X_SOJOURN] += now - state.pt_rel[part]
    p_cnt = state.p_cnt
    if good:
        lead = now - state.pt_rel[part]
        state.ci[C_GOOD] += 1
        p_cnt[p, 1] += 1
        n = p_cnt[p, 3] + 1
        p_cnt[p, 3] = n
        mean = state.p_lead[p, 0]
        delta = lead - mean
        mean += delta / n
        state.p_lead[p, 0] = mean
        state.p_lead[p, 1] += delta * (lead - mean)
        count_good(state.ser, state.cf[X_BIN], now)
    else:
        state.ci[C_SCRAP] += 1
        p_cnt[p, 2] += 1
        state.st_cnt[station, 1] += 1
    wip_step(state, -1)
    free_part(state, part)

# mypy: disable-error-code="no-any-return"
"""Batch stations: builds taken whole from the buffer.

A server takes up to the build size of parts, oldest first, once the build is full or its
oldest part has waited ``max_wait``.
"""

from __future__ import annotations

from simline.kernels._jit import njit_kernel
from simline.kernels.buffers import admit, arm, pop_getter, pop_item
from simline.kernels.events import push_now
from simline.kernels.layout import (
    B_EXPIRED,
    B_GLEN,
    B_IHEAD,
    B_ILEN,
    B_PLEN,
    EV_WAKE,
    S_BSIZE,
    V_BROW,
    V_NB,
    V_PART,
    V_WAITING_IN,
    X_NOW,
    LinePlan,
    LineState,
)

__all__ = ["dispatch", "pop_build", "ready"]


@njit_kernel
def ready(plan: LinePlan, state: LineState, b: int) -> bool:
    """Whether a build may start at batch buffer ``b`` now."""
    buf = state.buf
    n = buf[b, B_ILEN]
    if n >= plan.st[b, S_BSIZE]:
        return True
    if n == 0:
        return False
    head = state.items[b, buf[b, B_IHEAD]]
    return head == buf[b, B_EXPIRED] or state.pt_ent[head] + plan.stf[b] <= state.cf[X_NOW]


@njit_kernel
def pop_build(plan: LinePlan, state: LineState, b: int, s: int, limit: int) -> None:
    """Move up to ``limit`` parts of batch buffer ``b``, oldest first, into ``s``'s build."""
    buf = state.buf
    sv = state.sv
    row = sv[s, V_BROW]
    n = min(limit, buf[b, B_ILEN])
    for i in range(n):
        part = pop_item(state, b)
        if part == buf[b, B_EXPIRED]:
            buf[b, B_EXPIRED] = -1
        state.bld[row, i] = part
    sv[s, V_NB] = n
    if n > 0:
        sv[s, V_PART] = state.bld[row, 0]
    if buf[b, B_PLEN] > 0:
        admit(plan, state, b)
    if buf[b, B_ILEN] > 0 and n > 0:
        arm(plan, state, b, state.items[b, buf[b, B_IHEAD]])


@njit_kernel
def dispatch(plan: LinePlan, state: LineState, b: int) -> None:
    """Start the ready builds of batch buffer ``b`` on its waiting servers."""
    size = plan.st[b, S_BSIZE]
    while state.buf[b, B_GLEN] > 0 and ready(plan, state, b):
        s = pop_getter(state, b)
        if s < 0:
            break
        pop_build(plan, state, b, s, size)
        state.sv[s, V_WAITING_IN] = -1
        push_now(state, EV_WAKE, s, 0)

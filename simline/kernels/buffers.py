# mypy: disable-error-code="no-any-return"
"""FIFO buffers, with blocking after service.

Each buffer has its places as a ring, the queue of blocked putters (servers, or -1 for a
part waiting outside the line) and the queue of waiting servers.

A part that gets its place is released (from outside) or frees its blocked server, which
goes on at once (an event now). A server that is down neither takes nor hands a part: the
first one up in a queue goes first.
"""

from __future__ import annotations

import math

from simline.kernels._jit import njit_kernel
from simline.kernels.events import push, push_now
from simline.kernels.layout import (
    B_GLEN,
    B_IHEAD,
    B_ILEN,
    B_PHEAD,
    B_PLEN,
    C_STATUS,
    EV_EXPIRE,
    EV_WAKE,
    OVERFLOW,
    S_BSIZE,
    S_CAP,
    V_DOWN,
    V_PART,
    V_WAITING_IN,
    X_NOW,
    LinePlan,
    LineState,
)
from simline.kernels.parts import release
from simline.kernels.servers import up

__all__ = [
    "accepts",
    "add_getter",
    "admit",
    "admitted",
    "any_up_putter",
    "append_putter",
    "arm",
    "give",
    "has_room",
    "place",
    "pop_getter",
    "pop_item",
    "pop_putter",
    "push_item",
    "ring",
    "take",
]


@njit_kernel
def ring(i: int, width: int) -> int:
    """Return ``i % width`` for ``0 <= i < 2 * width`` (a ring index) without a division."""
    return i - width if i >= width else i


@njit_kernel
def has_room(plan: LinePlan, state: LineState, b: int) -> bool:
    """Whether buffer ``b`` has a free place."""
    cap = plan.st[b, S_CAP]
    return (cap < 0) | (state.buf[b, B_ILEN] < cap)


@njit_kernel
def pop_item(state: LineState, b: int) -> int:
    """Remove and return the oldest part in ``b``'s places."""
    buf = state.buf
    head = buf[b, B_IHEAD]
    part = state.items[b, head]
    buf[b, B_IHEAD] = ring(head + 1, state.items.shape[1])
    buf[b, B_ILEN] -= 1
    return part


@njit_kernel
def push_item(state: LineState, b: int, part: int) -> None:
    """Append ``part`` to buffer ``b``'s places (full: flag the overflow; the run is void)."""
    buf = state.buf
    width = state.items.shape[1]
    n = buf[b, B_ILEN]
    full = n == width
    state.ci[C_STATUS] |= OVERFLOW * full
    state.items[b, ring(buf[b, B_IHEAD] + n - full, width)] = part
    buf[b, B_ILEN] = n + 1 - full


@njit_kernel
def append_putter(state: LineState, b: int, owner: int, part: int) -> None:
    """Queue ``part`` of server ``owner`` (-1: from outside) for a place at buffer ``b``."""
    buf = state.buf
    width = state.put_o.shape[1]
    n = buf[b, B_PLEN]
    if n == width:
        state.ci[C_STATUS] = OVERFLOW
    else:
        j = ring(buf[b, B_PHEAD] + n, width)
        state.put_o[b, j] = owner
        state.put_p[b, j] = part
        buf[b, B_PLEN] = n + 1
        if owner >= 0:
            state.sv[owner, V_WAITING_IN] = b


@njit_kernel
def any_up_putter(state: LineState, b: int) -> bool:
    """Whether a putter queued at ``b`` is up (outside the line counts as up)."""
    width = state.put_o.shape[1]
    head = state.buf[b, B_PHEAD]
    for i in range(state.buf[b, B_PLEN]):
        if up(state, state.put_o[b, ring(head + i, width)]):
            return True
    return False


@njit_kernel
def pop_putter(state: LineState, b: int) -> tuple[int, int]:
    """Remove the first putter whose server is up; return (owner, part), part -1: none."""
    put_o = state.put_o
    put_p = state.put_p
    buf = state.buf
    width = put_o.shape[1]
    head = buf[b, B_PHEAD]
    n = buf[b, B_PLEN]
    for i in range(n):
        j = ring(head + i, width)
        owner = put_o[b, j]
        if up(state, owner):
            part = put_p[b, j]
            if i == 0:
                buf[b, B_PHEAD] = ring(head + 1, width)
            else:
                for k in range(i, n - 1):
                    a = ring(head + k, width)
                    c = ring(head + k + 1, width)
                    put_o[b, a] = put_o[b, c]
                    put_p[b, a] = put_p[b, c]
            buf[b, B_PLEN] = n - 1
            return owner, part
    return -1, -1


@njit_kernel
def add_getter(state: LineState, b: int, s: int) -> None:
    """Server ``s`` waits at buffer ``b`` for a part (or a build)."""
    n = state.buf[b, B_GLEN]
    state.getters[b, n] = s
    state.buf[b, B_GLEN] = n + 1
    state.sv[s, V_WAITING_IN] = b


@njit_kernel
def pop_getter(state: LineState, b: int) -> int:
    """Remove and return the first waiting server of ``b`` that is up (-1: none)."""
    getters = state.getters
    n = state.buf[b, B_GLEN]
    for i in range(n):
        s = getters[b, i]
        if state.sv[s, V_DOWN] == 0:
            for k in range(i, n - 1):
                getters[b, k] = getters[b, k + 1]
            state.buf[b, B_GLEN] = n - 1
            return s
    return -1


@njit_kernel
def accepts(plan: LinePlan, state: LineState, b: int) -> bool:
    """Whether a part can enter ``b`` now: a place, or (not a batch buffer) a server up."""
    if has_room(plan, state, b):
        return True
    if plan.st[b, S_BSIZE] > 0:
        return False
    for i in range(state.buf[b, B_GLEN]):  # noqa: SIM110 - no any() over generators in Numba
        if state.sv[state.getters[b, i], V_DOWN] == 0:
            return True
    return False


@njit_kernel
def give(state: LineState, s: int, part: int) -> None:
    """Hand ``part`` to the waiting server ``s``; it resumes at once (at this time)."""
    state.sv[s, V_PART] = part
    state.sv[s, V_WAITING_IN] = -1
    push_now(state, EV_WAKE, s, 0)


@njit_kernel
def arm(plan: LinePlan, state: LineState, b: int, head: int) -> None:
    """Wake the servers waiting at batch buffer ``b`` when ``head``'s max_wait is over."""
    wait = plan.stf[b]
    if wait != math.inf:
        now = state.cf[X_NOW]
        push(state, now + max(state.pt_ent[head] + wait - now, 0.0), EV_EXPIRE, b, head)


@njit_kernel
def place(plan: LinePlan, state: LineState, b: int, part: int) -> None:
    """Put ``part`` into a place of ``b`` (a batch buffer notes when it entered)."""
    push_item(state, b, part)
    if plan.st[b, S_BSIZE] > 0:
        state.pt_ent[part] = state.cf[X_NOW]
        if state.buf[b, B_ILEN] == 1:
            arm(plan, state, b, part)


@njit_kernel
def admitted(state: LineState, owner: int, part: int) -> int:
    """``part`` got its place: release it (from outside) or wake its blocked server."""
    if owner < 0:
        if state.pt_rel[part] < 0.0:
            release(state, part)
    else:
        state.sv[owner, V_PART] = -1
        state.sv[owner, V_WAITING_IN] = -1
        push_now(state, EV_WAKE, owner, 0)
    return part


@njit_kernel
def admit(plan: LinePlan, state: LineState, b: int) -> None:
    """Give ``b``'s free places to its blocked putters, first come (and up) first."""
    while state.buf[b, B_PLEN] > 0 and has_room(plan, state, b):
        owner, part = pop_putter(state, b)
        if part < 0:
            return
        place(plan, state, b, admitted(state, owner, part))


@njit_kernel
def take(plan: LinePlan, state: LineState, b: int) -> int:
    """Take the oldest part of ``b`` (else a blocked putter's, directly); -1: none."""
    if state.buf[b, B_ILEN] > 0:
        part = pop_item(state, b)
        if state.buf[b, B_PLEN] > 0:
            admit(plan, state, b)
        return part
    if state.buf[b, B_PLEN] > 0:
        owner, part = pop_putter(state, b)
        if part >= 0:
            return admitted(state, owner, part)
    return -1

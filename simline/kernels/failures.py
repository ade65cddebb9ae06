# mypy: disable-error-code="no-any-return"
"""Failures on the calendar basis, and the deadlock check.

On the calendar basis the clock runs whatever the server does; work is interrupted and
resumes with its remaining time.

(Failures on the operating basis are part of a server's work: :mod:`station`.)
"""

from __future__ import annotations

from simline.kernels._jit import njit_kernel
from simline.kernels.distributions import draw
from simline.kernels.events import push, push_now, stream
from simline.kernels.layout import (
    B_DLQ,
    B_ILEN,
    B_MARK,
    C_BLOCKED,
    C_BLOCKS,
    C_MARK,
    C_STATUS,
    DEADLOCK,
    EV_CALFAIL,
    EV_CALREP,
    EV_WAKE,
    P_FAILURE,
    P_REPAIR,
    S_CAP,
    S_CYCLE,
    S_FIRST,
    S_SERVERS,
    S_TTF,
    S_TTR,
    V_BASE,
    V_DOWN,
    V_IN_WORK,
    V_STATION,
    V_WAIT_REPAIR,
    V_WAITING_IN,
    X_NOW,
    LinePlan,
    LineState,
)
from simline.kernels.servers import interrupt, set_state
from simline.vocabulary import BLOCKED

__all__ = [
    "calendar_fail",
    "calendar_repair",
    "check_deadlock",
    "deadlocked",
    "schedule_failure",
]


@njit_kernel
def schedule_failure(plan: LinePlan, state: LineState, s: int) -> None:
    """Calendar basis: ``s``'s next failure, one time to failure from now."""
    k = state.sv[s, V_STATION]
    ttf = draw(plan.st[k, S_TTF], plan.dint, plan.dpar, plan.emp, state.rs, stream(k, P_FAILURE))
    push(state, state.cf[X_NOW] + ttf, EV_CALFAIL, s, 0)


@njit_kernel
def calendar_fail(plan: LinePlan, state: LineState, s: int) -> bool:
    """Fail ``s`` now; ``True`` when its work was interrupted (its process goes on)."""
    sv = state.sv
    st = sv[s, V_STATION]
    sv[s, V_DOWN] = 1
    set_state(state, s, sv[s, V_BASE])
    repair = draw(
        plan.st[st, S_TTR], plan.dint, plan.dpar, plan.emp, state.rs, stream(st, P_REPAIR)
    )
    push(state, state.cf[X_NOW] + repair, EV_CALREP, s, 0)
    if not sv[s, V_IN_WORK]:
        return False
    interrupt(plan, state, s)
    return True


@njit_kernel
def calendar_repair(state: LineState, s: int) -> int:
    """Repair ``s``; returns the buffer to match again (-1: none)."""
    sv = state.sv
    sv[s, V_DOWN] = 0
    set_state(state, s, sv[s, V_BASE])
    if sv[s, V_WAIT_REPAIR]:
        sv[s, V_WAIT_REPAIR] = 0
        push_now(state, EV_WAKE, s, 0)
        return -1
    return sv[s, V_WAITING_IN]


@njit_kernel
def deadlocked(plan: LinePlan, state: LineState, k: int) -> bool:
    """Whether station ``k``, one of whose servers just blocked, is part of a deadlock.

    Walks the stations whose full buffers the blocked servers wait for (queue down the
    ``B_DLQ`` column, visited ones marked with a fresh stamp in ``B_MARK``); the first
    server that is not blocked at a full buffer ends the walk: no deadlock. If every station
    reached has only such servers, none will ever take a part again (see
    ``simline.engine._deadlock``): the marked stations are the deadlock.
    """
    buf = state.buf
    sv = state.sv
    stab = plan.st
    stamp = state.ci[C_MARK] + 1
    state.ci[C_MARK] = stamp
    buf[k, B_MARK] = stamp
    buf[0, B_DLQ] = k
    n = 1
    i = 0
    while i < n:
        b = buf[i, B_DLQ]
        i += 1
        first = stab[b, S_FIRST]
        for s in range(first, first + stab[b, S_SERVERS]):
            t = sv[s, V_WAITING_IN]
            if sv[s, V_BASE] != BLOCKED or t < 0:
                return False
            cap = stab[t, S_CAP]
            if cap < 0 or buf[t, B_ILEN] < cap:
                return False
            if buf[t, B_MARK] != stamp:
                buf[t, B_MARK] = stamp
                buf[n, B_DLQ] = t
                n += 1
    return True


@njit_kernel
def check_deadlock(plan: LinePlan, state: LineState) -> None:
    """After an event in which servers blocked: flag a deadlock if they made one.

    A deadlock needs a cycle of stations, each feeding the next in some routing
    (``st[:, S_CYCLE]`` marks the stations on one), and one that formed in this event
    holds such a station where a server blocked in it (the rest of the deadlock would have
    been one before). With one such block that station is checked (``ci[C_BLOCKED]``),
    with several every station on a cycle (rare: a shift change, a batch).
    """
    ci = state.ci
    if ci[C_BLOCKS] == 1:
        found = deadlocked(plan, state, ci[C_BLOCKED])
    else:
        found = False
        for k in range(plan.st.shape[0]):
            if plan.st[k, S_CYCLE] and deadlocked(plan, state, k):
                found = True
                break
    ci[C_BLOCKS] = 0
    if found:
        ci[C_STATUS] |= DEADLOCK

# mypy: disable-error-code="no-any-return"
"""The operator pool and its shifts.

Manned servers take their operators before work and give them back after it, first come
first served; the shift pattern sets how many are on duty.

``state.opl`` holds, for ``n`` servers: the holders in the order they took their operators
``[0, n)``, the queue for operators ``[n, 2n)``, and the servers to run on after the
current event, in order ``[2n, 3n)``.
"""

from __future__ import annotations

from simline.kernels._jit import njit_kernel
from simline.kernels.events import push, push_now
from simline.kernels.layout import (
    C_HLEN,
    C_OFF,
    C_OPFREE,
    C_PSIZE,
    C_QLEN,
    C_WFI,
    EV_SHIFT,
    EV_WAKE,
    V_BASE,
    V_HAS_OPS,
    V_IN_WORK,
    V_MANNED,
    X_NOW,
    X_WEEK,
    LinePlan,
    LineState,
)
from simline.kernels.servers import interrupt, operators_of, set_state

__all__ = ["acquire", "release_operators", "shift"]


@njit_kernel
def _hold(plan: LinePlan, state: LineState, s: int) -> None:
    ci = state.ci
    ci[C_OPFREE] -= operators_of(plan, state, s)
    h = ci[C_HLEN]
    state.opl[h] = s
    ci[C_HLEN] = h + 1
    state.sv[s, V_HAS_OPS] = 1


@njit_kernel
def acquire(plan: LinePlan, state: LineState, s: int) -> bool:
    """Take ``s``'s operators (``True``), or queue it for them (first come first served)."""
    ci = state.ci
    if ci[C_QLEN] == 0 and ci[C_OPFREE] >= operators_of(plan, state, s):
        _hold(plan, state, s)
        return True
    n = ci[C_QLEN]
    state.opl[state.sv.shape[0] + n] = s
    ci[C_QLEN] = n + 1
    return False


@njit_kernel
def _serve(plan: LinePlan, state: LineState) -> None:
    """Give free operators to the queue, strictly in order; each served server resumes."""
    ci = state.ci
    opl = state.opl
    q0 = state.sv.shape[0]
    while ci[C_QLEN] > 0:
        s = int(opl[q0])
        if ci[C_OPFREE] < operators_of(plan, state, s):
            break
        n = ci[C_QLEN]
        for i in range(n - 1):
            opl[q0 + i] = opl[q0 + i + 1]
        ci[C_QLEN] = n - 1
        _hold(plan, state, s)
        push_now(state, EV_WAKE, s, 0)


@njit_kernel
def release_operators(plan: LinePlan, state: LineState, s: int) -> None:
    """Server ``s`` gives its operators back; the queue is served."""
    ci = state.ci
    opl = state.opl
    ci[C_OPFREE] += operators_of(plan, state, s)
    n = ci[C_HLEN]
    j = 0
    while opl[j] != s:
        j += 1
    for i in range(j, n - 1):
        opl[i] = opl[i + 1]
    ci[C_HLEN] = n - 1
    state.sv[s, V_HAS_OPS] = 0
    if ci[C_QLEN] > 0:
        _serve(plan, state)


@njit_kernel
def _resize(plan: LinePlan, state: LineState, size: int, n_adv: int) -> int:
    """Operators on duty become ``size``; the latest holders give theirs back if needed.

    The interrupted servers are listed after the ``n_adv`` already in ``opl[2n:]``: they go
    on after this event, in that order. Returns the new count.
    """
    ci = state.ci
    sv = state.sv
    opl = state.opl
    n_srv = sv.shape[0]
    ci[C_OPFREE] += size - ci[C_PSIZE]
    ci[C_PSIZE] = size
    while ci[C_OPFREE] < 0 and ci[C_HLEN] > 0:
        h = ci[C_HLEN] - 1
        s = opl[h]
        ci[C_HLEN] = h
        sv[s, V_HAS_OPS] = 0
        ci[C_OPFREE] += operators_of(plan, state, s)
        if sv[s, V_IN_WORK]:
            interrupt(plan, state, s)
            opl[2 * n_srv + n_adv] = s
            n_adv += 1
    if ci[C_QLEN] > 0:
        _serve(plan, state)
    off = 1 if size == 0 else 0
    if off != ci[C_OFF]:
        ci[C_OFF] = off
        for s in range(n_srv):
            if sv[s, V_MANNED]:
                set_state(state, s, sv[s, V_BASE])
    return n_adv


@njit_kernel
def shift(plan: LinePlan, state: LineState, pc: int) -> int:
    """Run the pool from ``pc`` (0: next change, 1: at it, 2: after a zero delay).

    A decrease waits a zero delay first, so work ending at that instant is finished.
    Returns how many interrupted servers go on after this event (in ``opl[2n:]``).
    """
    ci = state.ci
    cf = state.cf
    now = cf[X_NOW]
    n_adv = 0
    while True:
        i = ci[C_WFI]
        size = plan.wf_n[i]
        if pc == 0:
            at = cf[X_WEEK] + plan.wf_t[i]
            if at > now:
                push(state, now + (at - now), EV_SHIFT, 1, 0)
                return n_adv
            pc = 1
        if pc == 1 and size < ci[C_PSIZE]:
            push(state, now, EV_SHIFT, 2, 0)
            return n_adv
        if size != ci[C_PSIZE]:
            n_adv = _resize(plan, state, size, n_adv)
        i += 1
        if i == plan.wf_t.shape[0]:
            i = 0
            cf[X_WEEK] += plan.window[2]
        ci[C_WFI] = i
        pc = 0

# mypy: disable-error-code="no-any-return"
"""A server's state and its work.

The time accounting of the six states, and work started and interrupted with its remaining
time.
"""

from __future__ import annotations

from simline.kernels._jit import njit_kernel
from simline.kernels.activity import waiting_changed
from simline.kernels.layout import (
    C_OFF,
    C_WIP,
    F_REMAIN,
    F_SEG_START,
    F_SINCE,
    F_TTF_LEFT,
    FAIL_OPERATING,
    PC_WORK,
    S_FAIL,
    S_OPS,
    V_BASE,
    V_DOWN,
    V_IN_WORK,
    V_MANNED,
    V_PC,
    V_STATE,
    V_STATION,
    V_TOKEN,
    V_WBASE,
    V_WNEXT,
    X_BIN,
    X_NOW,
    X_SER_T,
    X_WIP_ACC,
    X_WIP_T,
    LinePlan,
    LineState,
)
from simline.kernels.series import add_wip
from simline.vocabulary import BLOCKED, DOWN, OFF_SHIFT, STARVED

__all__ = ["interrupt", "operators_of", "set_state", "start_work", "up", "wip_step"]


@njit_kernel
def set_state(state: LineState, s: int, base: int) -> None:
    """Server ``s`` enters base state ``base``; the time of its previous state is accounted.

    Down comes first, then off shift (a manned server while no operator is on duty). A
    change between waiting and not waiting updates the station's active periods.
    """
    sv = state.sv
    sv[s, V_BASE] = base
    new = base
    if sv[s, V_DOWN]:
        new = DOWN
    elif sv[s, V_MANNED] and state.ci[C_OFF]:
        new = OFF_SHIFT
    old = sv[s, V_STATE]
    if new != old:
        now = state.cf[X_NOW]
        k = sv[s, V_STATION]
        state.acc[k, old] += now - state.sf[s, F_SINCE]
        sv[s, V_STATE] = new
        state.sf[s, F_SINCE] = now
        waits = _waiting(new)
        if waits != _waiting(old):
            waiting_changed(state.act, k, now, waits)


@njit_kernel
def _waiting(st: int) -> bool:
    """Whether state ``st`` is one of ``simline.vocabulary.WAITING_STATES``."""
    return (st == STARVED) | (st == BLOCKED)


@njit_kernel
def wip_step(state: LineState, delta: int) -> None:
    """Change the work in process by ``delta`` now (its time integral brought up to date)."""
    cf = state.cf
    now = cf[X_NOW]
    cf[X_WIP_ACC] += state.ci[C_WIP] * (now - cf[X_WIP_T])
    cf[X_WIP_T] = now
    if state.ser.shape[0] > 0:
        add_wip(state.ser, cf[X_BIN], cf[X_SER_T], now, state.ci[C_WIP])
        cf[X_SER_T] = now
    state.ci[C_WIP] += delta


@njit_kernel
def up(state: LineState, owner: int) -> bool:
    """Whether ``owner`` (a server, or -1: outside the line) is up."""
    return (owner < 0) | (state.sv[max(owner, 0), V_DOWN] == 0)


@njit_kernel
def operators_of(plan: LinePlan, state: LineState, s: int) -> int:
    """Operators server ``s`` needs while it works."""
    return plan.st[state.sv[s, V_STATION], S_OPS]


@njit_kernel
def start_work(state: LineState, s: int, duration: float, base: int, after: int) -> None:
    """Start work of ``duration`` in state ``base``; the process goes on at ``after``."""
    state.sf[s, F_REMAIN] = duration
    state.sv[s, V_WBASE] = base
    state.sv[s, V_WNEXT] = after
    state.sv[s, V_PC] = PC_WORK


@njit_kernel
def interrupt(plan: LinePlan, state: LineState, s: int) -> None:
    """Pause ``s``'s work now with its remaining time (its process goes on at PC_WORK)."""
    sv = state.sv
    sf = state.sf
    sv[s, V_IN_WORK] = 0
    sv[s, V_TOKEN] += 1
    elapsed = state.cf[X_NOW] - sf[s, F_SEG_START]
    sf[s, F_REMAIN] = max(sf[s, F_REMAIN] - elapsed, 0.0)
    if plan.st[sv[s, V_STATION], S_FAIL] == FAIL_OPERATING:
        sf[s, F_TTF_LEFT] = max(sf[s, F_TTF_LEFT] - elapsed, 0.0)
    sv[s, V_PC] = PC_WORK

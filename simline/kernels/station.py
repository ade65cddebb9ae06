# mypy: disable-error-code="no-any-return"
"""A server's process, as a state machine.

Its program counter (``PC_*``) says where it stands, exactly as a SimPy process would be
suspended at a ``yield``.

The process loops: take a part (a single-part station) or a build (a batch station), set up
if the product changed, work (paused by failures and missing operators, resumed with the
remaining time), then scrap-check and hand on each part, blocking while its next buffer
has no place. :func:`advance` runs it until it waits for an event. Each step is a function
returning whether the process goes on now.
"""

from __future__ import annotations

from simline.kernels._jit import njit_kernel
from simline.kernels.batches import dispatch, pop_build, ready
from simline.kernels.buffers import add_getter, append_putter, take
from simline.kernels.distributions import draw, draw_fast
from simline.kernels.events import push, stream
from simline.kernels.layout import (
    B_GLEN,
    C_BLOCKED,
    C_BLOCKS,
    C_STATUS,
    EV_OPREP,
    EV_SEG,
    F_REMAIN,
    F_SEG_START,
    F_STEP,
    F_TTF_LEFT,
    FAIL_CALENDAR,
    FAIL_OPERATING,
    P_FAILURE,
    P_MIX,
    P_PROCESS,
    P_REPAIR,
    P_SCRAP,
    P_SETUP,
    PC_DONE,
    PC_GOT,
    PC_HAND,
    PC_OPREP,
    PC_PROCESS,
    PC_PUT,
    PC_SEGEND,
    PC_TAKE,
    PC_TOP,
    PC_WORK,
    S_BSIZE,
    S_CYCLE,
    S_FAIL,
    S_NPICK,
    S_PERPART,
    S_SAT,
    S_SETUP,
    S_TTF,
    S_TTR,
    V_BIDX,
    V_BROW,
    V_DOWN,
    V_FAILING,
    V_HAS_OPS,
    V_IN_WORK,
    V_LAST,
    V_MANNED,
    V_NB,
    V_PART,
    V_PC,
    V_STATION,
    V_TOKEN,
    V_WAIT_REPAIR,
    V_WBASE,
    V_WNEXT,
    X_NOW,
    LinePlan,
    LineState,
)
from simline.kernels.operators import acquire, release_operators
from simline.kernels.parts import new_part, pick, release
from simline.kernels.random import u01
from simline.kernels.routing import leave, put
from simline.kernels.servers import set_state, start_work
from simline.vocabulary import BLOCKED, BUSY, SETUP, STARVED

__all__ = ["advance"]


@njit_kernel
def _starve(state: LineState, s: int, station: int) -> bool:
    """``s`` found nothing to take: it waits at its station's buffer, starved."""
    set_state(state, s, STARVED)
    add_getter(state, station, s)
    return False


@njit_kernel
def _release_new(plan: LinePlan, state: LineState, s: int, st: int, want: int) -> None:
    """Fill the build with new parts (by the mix): a saturated first station starts full."""
    sv = state.sv
    size = plan.st[st, S_BSIZE]
    for n in range(sv[s, V_NB], want):
        k = pick(plan, state, st, plan.st[st, S_NPICK], stream(st, P_MIX))
        part = new_part(state, plan.pick_prod[st, k])
        release(state, part)
        if size > 0:
            state.bld[sv[s, V_BROW], n] = part
        else:
            sv[s, V_PART] = part
    sv[s, V_NB] = want


@njit_kernel
def _take_part(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_TAKE at a single-part station: the oldest part (held in ``V_PART``)."""
    sv = state.sv
    saturated = plan.st[st, S_SAT]
    part = take(plan, state, st)
    sv[s, V_PART] = part
    sv[s, V_NB] = 1 if part >= 0 else 0
    sv[s, V_PC] = PC_GOT
    if part < 0 and not saturated:
        return _starve(state, s, st)
    if saturated:
        _release_new(plan, state, s, st, 1)
    return True


@njit_kernel
def _take_build(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_TAKE at a batch station: a whole build, once one is ready (in ``bld``)."""
    sv = state.sv
    saturated = plan.st[st, S_SAT]
    size = plan.st[st, S_BSIZE]
    ok = bool(saturated) or ready(plan, state, st)
    if ok:
        pop_build(plan, state, st, s, size)
        if state.buf[st, B_GLEN] > 0:
            dispatch(plan, state, st)
    sv[s, V_PC] = PC_GOT
    if not ok:
        return _starve(state, s, st)
    if saturated:
        _release_new(plan, state, s, st, size)
    sv[s, V_PART] = state.bld[sv[s, V_BROW], 0]
    return True


@njit_kernel
def _set_up(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_GOT: a setup first if the product differs from the last one (if one is set)."""
    sv = state.sv
    sv[s, V_PC] = PC_PROCESS
    if plan.st[st, S_SETUP]:
        product = state.pt_prod[sv[s, V_PART]]
        last = sv[s, V_LAST]
        if last != product:
            sv[s, V_LAST] = product
            if last >= 0:
                dist = plan.setup[st, last, product]
                if dist >= 0:
                    duration = draw(
                        dist, plan.dint, plan.dpar, plan.emp, state.rs, stream(st, P_SETUP)
                    )
                    start_work(state, s, duration, SETUP, PC_PROCESS)
    return True


@njit_kernel
def _process(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_PROCESS: draw the process time (a build's per-part times added) and start it."""
    sv = state.sv
    k = stream(st, P_PROCESS)
    duration = draw_fast(
        plan.proc[st, state.pt_prod[sv[s, V_PART]]], plan.dint, plan.dpar, plan.emp, state.rs, k
    )
    if plan.st[st, S_BSIZE] > 0:
        per_part = plan.st[st, S_PERPART]
        if per_part >= 0:
            for _ in range(sv[s, V_NB]):
                duration += draw(per_part, plan.dint, plan.dpar, plan.emp, state.rs, k)
    else:  # one part (in V_PART): a build of one for the hand-on below
        sv[s, V_NB] = 1
    start_work(state, s, duration, BUSY, PC_DONE)
    return True


@njit_kernel
def _work(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_WORK: (re)start the work's remaining time once up and manned; wait for its end.

    The segment ends at the work's end, or at the next failure (operating basis) if that
    comes first.
    """
    sv = state.sv
    sf = state.sf
    base = sv[s, V_WBASE]
    if sv[s, V_DOWN]:
        set_state(state, s, base)
        sv[s, V_WAIT_REPAIR] = 1
        return False
    if sv[s, V_MANNED] and not sv[s, V_HAS_OPS]:
        set_state(state, s, STARVED)
        if not acquire(plan, state, s):
            return False  # queued: served in turn (an EV_WAKE), back here
    set_state(state, s, base)
    now = state.cf[X_NOW]
    remaining = sf[s, F_REMAIN]
    step = remaining
    failing = 0
    if plan.st[st, S_FAIL] == FAIL_OPERATING and sf[s, F_TTF_LEFT] < remaining:
        failing = 1
        step = sf[s, F_TTF_LEFT]
    sv[s, V_FAILING] = failing
    sf[s, F_SEG_START] = now
    sf[s, F_STEP] = step
    sv[s, V_IN_WORK] = 1
    token = sv[s, V_TOKEN] + 1
    sv[s, V_TOKEN] = token
    sv[s, V_PC] = PC_SEGEND
    push(state, now + step, EV_SEG, s, token)
    return False


@njit_kernel
def _segment_end(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_SEGEND: the work is done, or the server fails (operating basis) and waits."""
    sv = state.sv
    sf = state.sf
    sv[s, V_IN_WORK] = 0
    step = sf[s, F_STEP]
    if not sv[s, V_FAILING]:
        if plan.st[st, S_FAIL] == FAIL_OPERATING:
            sf[s, F_TTF_LEFT] -= step
        sv[s, V_PC] = sv[s, V_WNEXT]
        return True
    sf[s, F_REMAIN] -= step
    sf[s, F_TTF_LEFT] = 0.0
    sv[s, V_DOWN] = 1
    set_state(state, s, sv[s, V_WBASE])
    sv[s, V_PC] = PC_OPREP
    repair = draw(
        plan.st[st, S_TTR], plan.dint, plan.dpar, plan.emp, state.rs, stream(st, P_REPAIR)
    )
    push(state, state.cf[X_NOW] + repair, EV_OPREP, s, 0)
    return False


@njit_kernel
def _repaired(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_OPREP: repaired (operating basis); the next time to failure; back to work."""
    sv = state.sv
    sv[s, V_DOWN] = 0
    state.sf[s, F_TTF_LEFT] = draw(
        plan.st[st, S_TTF], plan.dint, plan.dpar, plan.emp, state.rs, stream(st, P_FAILURE)
    )
    set_state(state, s, sv[s, V_WBASE])
    sv[s, V_PC] = PC_WORK
    return True


@njit_kernel
def _done(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_DONE: the part or build is done; operators go back; the parts are counted."""
    sv = state.sv
    if sv[s, V_HAS_OPS]:
        release_operators(plan, state, s)
    n = sv[s, V_NB]
    state.st_cnt[st, 0] += n
    if plan.st[st, S_BSIZE] > 0:
        state.st_cnt[st, 2] += 1
        state.st_cnt[st, 3] += n
    sv[s, V_BIDX] = 0
    sv[s, V_PC] = PC_HAND
    return True


@njit_kernel
def _held(plan: LinePlan, state: LineState, s: int, st: int, i: int) -> int:
    """Part ``i`` of what ``s`` holds (its build, or its one part)."""
    if plan.st[st, S_BSIZE] > 0:
        return state.bld[state.sv[s, V_BROW], i]
    return state.sv[s, V_PART]


@njit_kernel
def _hand(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_HAND: scrap-check the next part done; it leaves the line or is put on."""
    sv = state.sv
    i = sv[s, V_BIDX]
    if i == sv[s, V_NB]:
        sv[s, V_NB] = 0
        sv[s, V_PART] = -1
        sv[s, V_PC] = PC_TOP
        return True
    part = _held(plan, state, s, st, i)
    sv[s, V_BIDX] = i + 1
    p_scrap = plan.scrap[st]
    good = not (p_scrap > 0.0 and u01(state.rs, stream(st, P_SCRAP)) < p_scrap)
    step = state.pt_step[part] + 1
    if not good or step == plan.route_len[state.pt_prod[part]]:
        leave(plan, state, part, st, good)
        return True
    state.pt_step[part] = step
    sv[s, V_PC] = PC_PUT
    if sv[s, V_DOWN]:
        sv[s, V_WAIT_REPAIR] = 1
        return False
    return True


@njit_kernel
def _put_on(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_PUT: put the part just handed on, blocking while there is no place."""
    sv = state.sv
    part = _held(plan, state, s, st, sv[s, V_BIDX] - 1)
    target = plan.route[state.pt_prod[part], state.pt_step[part]]
    sv[s, V_PC] = PC_HAND
    if put(plan, state, target, part):
        return True
    set_state(state, s, BLOCKED)
    append_putter(state, target, s, part)
    if plan.st[st, S_CYCLE]:  # on a cycle of routings: a deadlock?
        state.ci[C_BLOCKS] += 1  # (the event loop checks, after this event)
        state.ci[C_BLOCKED] = st
    return False


@njit_kernel
def _top(plan: LinePlan, state: LineState, s: int, st: int) -> bool:
    """PC_TOP: a new cycle; down on the calendar basis, it waits for the repair first."""
    sv = state.sv
    sv[s, V_PC] = PC_TAKE
    if plan.st[st, S_FAIL] == FAIL_CALENDAR and sv[s, V_DOWN]:
        set_state(state, s, STARVED)
        sv[s, V_WAIT_REPAIR] = 1
        return False
    return True


@njit_kernel
def advance(plan: LinePlan, state: LineState, s: int) -> None:
    """Run server ``s``'s process from its program counter until it waits for an event."""
    st = state.sv[s, V_STATION]
    batch = plan.st[st, S_BSIZE] > 0
    go = True
    while go and state.ci[C_STATUS] == 0:
        pc = state.sv[s, V_PC]
        if pc == PC_TOP:
            go = _top(plan, state, s, st)
        elif pc == PC_TAKE:
            go = _take_build(plan, state, s, st) if batch else _take_part(plan, state, s, st)
        elif pc == PC_GOT:
            go = _set_up(plan, state, s, st)
        elif pc == PC_PROCESS:
            go = _process(plan, state, s, st)
        elif pc == PC_WORK:
            go = _work(plan, state, s, st)
        elif pc == PC_SEGEND:
            go = _segment_end(plan, state, s, st)
        elif pc == PC_OPREP:
            go = _repaired(plan, state, s, st)
        elif pc == PC_DONE:
            go = _done(plan, state, s, st)
        elif pc == PC_HAND:
            go = _hand(plan, state, s, st)
        else:
            go = _put_on(plan, state, s, st)

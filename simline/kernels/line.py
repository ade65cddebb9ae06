# mypy: disable-error-code="no-any-return"
"""The production line's event loop: the event kernel of the fast engine.

The model is the one of ``docs/model.md`` (the SimPy engine is its reference): servers in
parallel at each station, FIFO buffers (finite, zero or unlimited) with blocking after
service, products with routings and mix, saturated / interarrival / CONWIP release, failures
on an operating or a calendar basis (work resumes with its remaining time), setups, scrap,
batches, an operator pool on shifts, warm-up. Its parts, one module each:

- :mod:`~simline.kernels.layout`: the arrays (columns, shapes, allocation);
- :mod:`~simline.kernels.events`: the event heap;
- :mod:`~simline.kernels.parts`, :mod:`~simline.kernels.buffers`,
  :mod:`~simline.kernels.batches`, :mod:`~simline.kernels.routing`: parts, buffers, builds,
  and parts moving along their routings;
- :mod:`~simline.kernels.servers`, :mod:`~simline.kernels.station`: a server's states and
  its process (a state machine);
- :mod:`~simline.kernels.operators`: the operator pool and its shifts;
- :mod:`~simline.kernels.failures`: calendar failures and the deadlock check;
- this module: the start of the run, one event's handling, the loop.

All state lives in preallocated arrays (:class:`~simline.kernels.layout.LineState`): parts
in a fixed pool recycled through a free list, buffers as rings, the event list as a binary
heap. When a capacity is too small (an unlimited buffer grew past it) the kernel stops with
``ci[C_STATUS] != 0`` and the wrapper runs again with every capacity doubled; the run is
deterministic, so the result is the same as with large enough arrays from the start.

Every function is a plain Numba function of ``(plan, state)``, compiled without Numba's
runtime (:func:`simline.kernels._jit.njit_kernel`): Numba compiles each once, and LLVM
inlines them into their callers. The entry calls the loop once (for the warm-up and the
measured run alike), so that the loop's code is compiled into it once, not twice.
"""

from __future__ import annotations

from simline.kernels._jit import is_cached, njit_kernel, njit_loop
from simline.kernels.activity import A_WAITING, close_activity, measure_activity
from simline.kernels.distributions import draw, draw_fast
from simline.kernels.events import pop_event, push, sift, stream
from simline.kernels.failures import (
    calendar_fail,
    calendar_repair,
    check_deadlock,
    deadlocked,
    schedule_failure,
)
from simline.kernels.layout import (
    B_EXPIRED,
    B_IHEAD,
    B_ILEN,
    C_BLOCKS,
    C_EVENTS,
    C_FREE,
    C_HEAP,
    C_LIMIT,
    C_MOST_PUSHED,
    C_OFF,
    C_OPFREE,
    C_PSIZE,
    C_STATUS,
    CONWIP,
    DEADLOCK,
    EV_ARRIVAL,
    EV_CALFAIL,
    EV_CALREP,
    EV_EXPIRE,
    EV_OPREP,
    EV_SEG,
    EV_SHIFT,
    EV_WAKE,
    F_SINCE,
    F_TTF_LEFT,
    FAIL_CALENDAR,
    FAIL_OPERATING,
    INTERARRIVAL,
    OVERFLOW,
    P_ARRIVAL,
    P_FAILURE,
    P_MIX,
    PC_SEGEND,
    PC_TOP,
    S_FAIL,
    S_OPS,
    S_TTF,
    V_BASE,
    V_BROW,
    V_LAST,
    V_MANNED,
    V_PART,
    V_PC,
    V_STATE,
    V_STATION,
    V_TOKEN,
    V_WAITING_IN,
    X_BIN,
    X_NOW,
    X_SOJOURN,
    X_WIP_ACC,
    X_WIP_T,
    LinePlan,
    LineState,
    check_shapes,
    heap_reserve,
)
from simline.kernels.operators import shift
from simline.kernels.parts import new_part, pick
from simline.kernels.routing import enter, refill, retry
from simline.kernels.servers import wip_step
from simline.kernels.station import advance
from simline.vocabulary import BLOCKED, OFF_SHIFT, STARVED

__all__ = ["DEADLOCK", "OVERFLOW", "compiled", "simulate_line"]


@njit_kernel
def _arrival(plan: LinePlan, state: LineState, token: int) -> None:
    """Handle an arrival (token 1: the arrivals start; the first comes after one gap).

    The part goes in first, then the next arrival is scheduled, as in the SimPy engine:
    what the part's entry schedules (a max_wait timer) comes first at a tie.
    """
    n_st = plan.st.shape[0]
    k = stream(n_st, P_ARRIVAL)
    if token != 1:
        product = pick(plan, state, -1, plan.mix_cum.shape[0], stream(n_st, P_MIX))
        enter(plan, state, new_part(state, product))
        gap = draw_fast(plan.cfg[2], plan.dint, plan.dpar, plan.emp, state.rs, k)
    else:
        gap = draw(plan.cfg[2], plan.dint, plan.dpar, plan.emp, state.rs, k)
    push(state, state.cf[X_NOW] + gap, EV_ARRIVAL, 0, 0)


@njit_kernel
def _expired(plan: LinePlan, state: LineState, b: int, token: int) -> int:
    """Handle a max_wait timer of batch buffer ``b``: return the buffer to match, or -1.

    ``token`` is the part the timer was for (it must still be the oldest, and not a later
    part that got its id), or -1: a request to match waiting servers and parts again.
    """
    if token < 0:
        return b
    buf = state.buf
    now = state.cf[X_NOW]
    if (
        buf[b, B_ILEN] > 0
        and state.items[b, buf[b, B_IHEAD]] == token
        and state.pt_ent[token] + plan.stf[b] <= now + 1e-9 * (1.0 + now)
    ):
        buf[b, B_EXPIRED] = token
        return b
    return -1


@njit_kernel
def _handle(plan: LinePlan, state: LineState, kind: int, who: int, token: int) -> None:
    """Handle one event; then the servers whose processes go on now run, in order."""
    sv = state.sv
    n_srv = sv.shape[0]
    adv0 = 2 * n_srv  # the servers to run on, in state.opl[adv0:]
    n_adv = 0
    again = -1
    if kind in (EV_WAKE, EV_SEG, EV_OPREP):
        n_adv = 1
        state.opl[adv0] = who
    elif kind == EV_CALFAIL:
        if token == 2:  # the failure process starts: its first time to failure
            schedule_failure(plan, state, who)
        elif token == 0:  # let work that ends at this very instant finish first
            push(state, state.cf[X_NOW], EV_CALFAIL, who, 1)
        elif calendar_fail(plan, state, who):
            n_adv = 1
            state.opl[adv0] = who
    elif kind == EV_CALREP:
        again = calendar_repair(state, who)
    elif kind == EV_ARRIVAL:
        _arrival(plan, state, token)
    elif kind == EV_SHIFT:
        n_adv = shift(plan, state, who)
    elif kind == EV_EXPIRE:
        again = _expired(plan, state, who, token)
    if again >= 0:  # match waiting servers and parts at this buffer again
        retry(plan, state, again)
        if (
            kind == EV_CALREP
            and sv[who, V_BASE] == BLOCKED
            and sv[who, V_WAITING_IN] >= 0
            and deadlocked(plan, state, sv[who, V_STATION])
        ):
            state.ci[C_STATUS] |= DEADLOCK  # repaired, still blocked: the room went to others
    if kind == EV_CALREP:  # the next calendar failure of the repaired server
        schedule_failure(plan, state, who)
    for j in range(n_adv):
        advance(plan, state, state.opl[adv0 + j])
    if state.ci[C_BLOCKS] > 0:  # servers blocked: a deadlock? (see failures.deadlocked)
        check_deadlock(plan, state)


@njit_kernel
def _initialize(plan: LinePlan, state: LineState) -> None:
    """Set up time 0: free parts, the pool on duty, idle servers, the first events.

    The processes start at time 0 in the SimPy engine's order (each server, then its
    calendar failures; the pool; the arrivals), each scheduling its first event when it
    starts (tokens 2 / 1), so that events of one later instant come in its order.
    """
    ci = state.ci
    sv = state.sv
    n_srv = sv.shape[0]
    free = state.free
    for i in range(free.shape[0]):
        free[i] = free.shape[0] - 1 - i
    ci[C_FREE] = free.shape[0]
    ci[C_LIMIT] = state.ht.shape[0] - heap_reserve(n_srv, state.bld.shape[1])
    state.buf[:, B_EXPIRED] = -1
    ci[C_PSIZE] = plan.cfg[3]
    ci[C_OPFREE] = plan.cfg[3]
    ci[C_OFF] = 1 if plan.cfg[3] == 0 else 0
    if state.ser.shape[0] > 0:
        state.cf[X_BIN] = plan.window[1] / state.ser.shape[0]
    for s in range(n_srv):
        k = plan.server_station[s]
        manned = 1 if plan.st[k, S_OPS] > 0 else 0
        sv[s, V_STATION] = k
        sv[s, V_BROW] = plan.server_build_row[s]
        sv[s, V_MANNED] = manned
        if manned and ci[C_OFF]:
            sv[s, V_STATE] = OFF_SHIFT
        else:
            sv[s, V_STATE] = STARVED
            state.act[k, A_WAITING] += 1.0
        sv[s, V_BASE] = STARVED
        sv[s, V_PC] = PC_TOP
        sv[s, V_PART] = -1
        sv[s, V_LAST] = -1
        sv[s, V_WAITING_IN] = -1
        if plan.st[k, S_FAIL] == FAIL_OPERATING:
            state.sf[s, F_TTF_LEFT] = draw(
                plan.st[k, S_TTF], plan.dint, plan.dpar, plan.emp, state.rs, stream(k, P_FAILURE)
            )
    if plan.cfg[0] == CONWIP:
        for _ in range(plan.cfg[1]):
            refill(plan, state)
    for s in range(n_srv):
        push(state, 0.0, EV_WAKE, s, 0)
        if plan.st[sv[s, V_STATION], S_FAIL] == FAIL_CALENDAR:
            push(state, 0.0, EV_CALFAIL, s, 2)
    if plan.cfg[4] > 0 and plan.window[2] > 0.0:
        push(state, 0.0, EV_SHIFT, 0, 0)
    if plan.cfg[0] == INTERARRIVAL:
        push(state, 0.0, EV_ARRIVAL, 0, 1)
    ci[C_MOST_PUSHED] = ci[C_HEAP]  # the start's pushes count as one event's
    sift(state, 0)


@njit_kernel
def _start_measuring(state: LineState, warmup: float) -> None:
    """Everything up to and at the warm-up's end belongs to the warm-up: reset the results."""
    state.acc[:, :] = 0.0
    state.st_cnt[:, :] = 0
    state.p_cnt[:, :] = 0
    state.p_lead[:, :] = 0.0
    for s in range(state.sv.shape[0]):
        state.sf[s, F_SINCE] = warmup
    state.cf[X_WIP_ACC] = 0.0
    state.cf[X_WIP_T] = warmup
    state.cf[X_SOJOURN] = 0.0
    measure_activity(state.act, warmup)


@njit_kernel
def _run_until(plan: LinePlan, state: LineState, until: float) -> bool:
    """Handle the events up to and at ``until``; ``False`` when the run had to stop."""
    ci = state.ci
    sv = state.sv
    while ci[C_HEAP] > 0 and state.ht[0] <= until:
        kind, who, token = pop_event(state)
        if kind == EV_SEG and (token != sv[who, V_TOKEN] or sv[who, V_PC] != PC_SEGEND):
            continue  # work interrupted meanwhile: a stale event
        n = ci[C_HEAP]
        ci[C_EVENTS] += 1
        _handle(plan, state, kind, who, token)
        ci[C_MOST_PUSHED] = max(ci[C_MOST_PUSHED], ci[C_HEAP] - n)
        sift(state, n)
        if ci[C_STATUS] != 0:
            return False
    return True


@njit_loop
def _simulate(plan: LinePlan, state: LineState) -> None:
    """Run the line from time 0 to the horizon (the warm-up's results are dropped)."""
    _initialize(plan, state)
    warmup = plan.window[0]
    horizon = plan.window[1]
    for phase in range(2):  # the warm-up, then the measured run: one loop, compiled once
        if phase == 1:
            _start_measuring(state, warmup)
        if not _run_until(plan, state, plan.window[phase]):
            return
    state.cf[X_NOW] = horizon
    sv = state.sv
    for s in range(sv.shape[0]):
        state.acc[sv[s, V_STATION], sv[s, V_STATE]] += horizon - state.sf[s, F_SINCE]
        state.sf[s, F_SINCE] = horizon
    close_activity(state.act, horizon)
    wip_step(state, 0)


def simulate_line(plan: LinePlan, state: LineState) -> int:
    """Run the line packed in ``plan`` from time 0 to ``plan.window[1]``, into ``state``.

    Parameters
    ----------
    plan
        The packed plan (see :class:`~simline.kernels.layout.LinePlan`).
    state
        A fresh state of matching shapes (:func:`~simline.kernels.layout.new_state`),
        seeded stream states in ``state.rs``.

    Returns
    -------
    int
        0 when the run completed; with the bit :data:`OVERFLOW` set when a capacity (part
        pool, a buffer, the event heap) was too small: the results are then meaningless;
        else :data:`DEADLOCK` when the line deadlocked at ``state.cf[X_NOW]``.

    Raises
    ------
    ValueError
        When ``plan`` and ``state`` do not fit together, or the kernel cannot run the plan
        (:func:`~simline.kernels.layout.check_shapes`).
    """
    check_shapes(plan, state)
    _simulate(plan, state)
    return int(state.ci[C_STATUS])


def compiled() -> bool:
    """Whether the kernel is in Numba's disk cache (else its first run compiles it)."""
    return is_cached(_simulate)

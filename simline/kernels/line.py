# mypy: disable-error-code="no-any-return"
"""The production line's event loop as one Numba kernel.

The model is the one of ``docs/model.md`` (the SimPy engine is its reference): servers in
parallel at each station, FIFO buffers (finite, zero or unlimited) with blocking after
service, products with routings and mix, saturated / interarrival / CONWIP release, failures
on an operating or a calendar basis (work resumes with its remaining time), setups, scrap,
warm-up. Each server runs as a small state machine: its program counter (``PC_*``) says where
its process stands, exactly as a SimPy process would be suspended at a ``yield``.

All state lives in preallocated arrays (:class:`LineArrays`): parts in a fixed pool recycled
through a free list, buffers as ring buffers, the event list as a binary heap. When a
capacity is too small (an unlimited buffer grew past it) the kernel stops with
``status[0] != 0`` and the wrapper runs again with every capacity doubled; the run is
deterministic, so the result is the same as with large enough arrays from the start.

Speed: the whole run is one function, compiled without Numba's runtime
(:func:`simline.kernels._jit.njit_loop`). With the runtime, passing an array costs a
reference-count increment and decrement (atomic operations): the first version, which
passed all ~34 arrays (the :class:`LineArrays` tuple) to a dozen helpers per event, spent
most of its time there, and later versions still a third. The loop allocates nothing, so it
needs no runtime and pays none of it.

Compile time: the helpers on the hot path (a server's process, the hand-over of a part,
the event list's sift), and those calling them, are closures over the kernel's arrays, which
Numba inlines at each call site, re-analysing the kernel each time: that cost grows with
(inlined call sites) x (kernel size). The other helpers are plain functions taking the
arrays they need, which LLVM inlines or calls at no cost to Numba: the cold compile went
from 44 s to 18 s this way, at the same speed (making the hand-over a plain function too
would save 3 s more and double the run time). A push only appends the event; one sift per
event (:func:`_sift`, two call sites) restores the heap.
The results are those of the first version, number for number.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simline.kernels._jit import is_cached, njit, njit_loop
from simline.kernels.random import draw, draw_fast
from simline.kernels.random import u01 as _u01
from simline.vocabulary import Purpose, State

__all__ = ["LineArrays", "compiled", "simulate_line"]

# Server states (simline.vocabulary.State) as plain integers for the kernel.
BUSY, SETUP, BLOCKED = int(State.BUSY), int(State.SETUP), int(State.BLOCKED)
STARVED, DOWN, OFF_SHIFT = int(State.STARVED), int(State.DOWN), int(State.OFF_SHIFT)
# Stream purposes (simline.vocabulary.Purpose); stream of (station, purpose) = 7 * station + p.
P_PROCESS, P_FAILURE, P_REPAIR = int(Purpose.PROCESS), int(Purpose.FAILURE), int(Purpose.REPAIR)
P_SETUP, P_SCRAP, P_ARRIVAL = int(Purpose.SETUP), int(Purpose.SCRAP), int(Purpose.ARRIVAL)
P_MIX = int(Purpose.MIX)
N_PURPOSES = len(Purpose)
# Release modes.
SATURATED, INTERARRIVAL, CONWIP = 0, 1, 2
# Station table columns.
(
    S_SERVERS,
    S_CAP,
    S_FIRST,
    S_FAIL,
    S_TTF,
    S_TTR,
    S_SAT,
    S_SETUP,
    S_NPICK,
    S_OPS,
    S_BSIZE,
    S_PERPART,
    S_CYCLE,
) = range(13)
ST_WIDTH = 13
FAIL_NONE, FAIL_OPERATING, FAIL_CALENDAR = 0, 1, 2
# Server integer columns.
(
    V_STATION,
    V_STATE,
    V_BASE,
    V_DOWN,
    V_PC,
    V_PART,
    V_LAST,
    V_WAITING_IN,
    V_TOKEN,
    V_IN_WORK,
    V_FAILING,
    V_WBASE,
    V_WNEXT,
    V_WAIT_REPAIR,
    V_MANNED,
    V_HAS_OPS,
    V_NB,
    V_BIDX,
    V_BROW,
) = range(19)
SV_WIDTH = 19
# Server float columns.
F_SINCE, F_REMAIN, F_SEG_START, F_STEP, F_TTF_LEFT = range(5)
SF_WIDTH = 5
# Program counters of a server's process.
(
    PC_TOP,
    PC_TAKE,
    PC_GOT,
    PC_PROCESS,
    PC_WORK,
    PC_SEGEND,
    PC_OPREP,
    PC_DONE,
    PC_HAND,
    PC_PUT,
) = range(10)
# Event kinds.
EV_WAKE, EV_SEG, EV_OPREP, EV_CALFAIL, EV_CALREP, EV_ARRIVAL, EV_SHIFT, EV_EXPIRE = range(8)
# Buffer columns (B_EXPIRED: the part whose max_wait ran out while it was the oldest;
# B_MARK, B_DLQ: the deadlock check's marks and, down the column, its queue of stations).
B_IHEAD, B_ILEN, B_PHEAD, B_PLEN, B_GLEN, B_EXPIRED, B_MARK, B_DLQ = range(8)
BUF_WIDTH = 8
# Integer counters.
(
    C_SEQ,
    C_HEAP,
    C_FREE,
    C_STATUS,
    C_EVENTS,
    C_RELEASED,
    C_GOOD,
    C_SCRAP,
    C_WIP,
    C_PSIZE,
    C_OPFREE,
    C_OFF,
    C_HLEN,
    C_QLEN,
    C_WFI,
    C_NADV,
    C_MARK,
    C_BLOCKS,
    C_BLOCKED,
) = range(19)
CI_WIDTH = 19
# Float counters.
X_NOW, X_WIP_ACC, X_WIP_T, X_SOJOURN, X_WEEK = range(5)
CF_WIDTH = 5
#: status[0] when a capacity was exceeded (the wrapper doubles and runs again).
OVERFLOW = 1
#: status bit when the line deadlocked (:func:`_deadlocked`): the run stops there, the
#: stations of the deadlock are those with ``buf[:, B_MARK] == ci[C_MARK]``.
DEADLOCK = 2


class LineArrays(NamedTuple):
    """Every array of one run: the packed plan, the run state and the results.

    Plan (read only): ``st`` (stations x ``ST_WIDTH``), ``scrap`` per station, ``proc``
    (station x product: distribution row), ``setup`` (station x from x to: distribution row or
    -1), ``route`` / ``route_len``, ``pick_prod`` / ``pick_cum`` (products a saturated first
    station releases and their cumulative shares), ``mix_cum``, ``dint`` / ``dpar`` / ``emp``
    (distributions, see :mod:`simline.kernels.random`; ``st[:, S_CYCLE]`` is 1 for a station
    on a cycle of routings, where a deadlock is possible), ``cfg`` (release mode, CONWIP level,
    interarrival distribution row, operators on duty at 0, shift changes per period),
    ``window`` (warm-up, horizon, shift period), ``stf`` (batch max_wait per station),
    ``wf_t`` / ``wf_n`` (the weekly step function of operators on duty).

    Run state: ``rs`` (random stream states), ``sv`` / ``sf`` (servers), ``items``, ``put_o``,
    ``put_p``, ``getters``, ``buf`` (buffers), ``pt_prod`` / ``pt_step`` / ``pt_rel`` /
    ``free`` (part pool), ``ht`` / ``he`` (event heap), ``ci`` / ``cf`` (counters), ``opl``
    (operator holders, in the order they took them; the queue for operators; scratch),
    ``bld`` (the build of each server of a batch station, in its row ``V_BROW`` of ``sv``; as
    wide as the largest build; a server of another station holds its one part in
    ``V_PART``), ``pt_ent`` (when a part entered a batch buffer).

    Results: ``acc`` (station x state time), ``st_cnt`` (parts out, scrap, builds, build
    parts), ``p_cnt``
    (released, good, scrap, lead n per product), ``p_lead`` (lead mean, m2).
    """

    st: np.ndarray
    scrap: np.ndarray
    proc: np.ndarray
    setup: np.ndarray
    route: np.ndarray
    route_len: np.ndarray
    pick_prod: np.ndarray
    pick_cum: np.ndarray
    mix_cum: np.ndarray
    dint: np.ndarray
    dpar: np.ndarray
    emp: np.ndarray
    cfg: np.ndarray
    window: np.ndarray
    rs: np.ndarray
    sv: np.ndarray
    sf: np.ndarray
    items: np.ndarray
    put_o: np.ndarray
    put_p: np.ndarray
    getters: np.ndarray
    buf: np.ndarray
    pt_prod: np.ndarray
    pt_step: np.ndarray
    pt_rel: np.ndarray
    free: np.ndarray
    ht: np.ndarray
    he: np.ndarray
    ci: np.ndarray
    cf: np.ndarray
    acc: np.ndarray
    st_cnt: np.ndarray
    p_cnt: np.ndarray
    p_lead: np.ndarray
    stf: np.ndarray
    wf_t: np.ndarray
    wf_n: np.ndarray
    opl: np.ndarray
    bld: np.ndarray
    pt_ent: np.ndarray


@njit
def _ring(i: int, width: int) -> int:
    """Return ``i % width`` for ``0 <= i < 2 * width`` (a ring index) without a division."""
    return i - width if i >= width else i


@njit
def _heap_reserve(n_srv: int, build: int) -> int:
    """Heap room kept above the overflow limit: every push one event can make."""
    return 6 * n_srv + 2 * build + 16


@njit
def _stream(station: int, purpose: int) -> int:
    """Return the stream of (station or release, purpose)."""
    return N_PURPOSES * station + purpose


@njit
def _push(
    ht: np.ndarray,
    he: np.ndarray,
    ci: np.ndarray,
    heap_limit: int,
    time: float,
    kind: int,
    who: int,
    token: int,
) -> None:
    """Append an event to the heap's arrays; :func:`_sift` orders it after the event.

    There are dozens of pushes: so a push only appends (with its sequence number) and one
    sift, after each event, restores the heap, which is the heap of pushing one by one (no
    event is popped in between). Past ``heap_limit`` events the overflow is flagged (the run
    stops after this event) without a branch: the room left above the limit holds every push
    one event can make (at most one per server, plus its own work, a failure or repair and
    an arrival).
    """
    n = ci[C_HEAP]
    seq = ci[C_SEQ]
    ci[C_SEQ] = seq + 1
    ci[C_HEAP] = n + 1
    ci[C_STATUS] |= OVERFLOW * (n >= heap_limit)  # no branch: see the docstring
    ht[n] = time
    he[n, 0] = seq
    he[n, 1] = kind
    he[n, 2] = who
    he[n, 3] = token


@njit
def _wip_step(ci: np.ndarray, cf: np.ndarray, delta: int) -> None:
    now = cf[X_NOW]
    cf[X_WIP_ACC] += ci[C_WIP] * (now - cf[X_WIP_T])
    cf[X_WIP_T] = now
    ci[C_WIP] += delta


@njit
def _free_part(free: np.ndarray, ci: np.ndarray, part: int) -> None:
    top = ci[C_FREE]
    free[top] = part
    ci[C_FREE] = top + 1


@njit
def _release(
    pt_rel: np.ndarray,
    pt_prod: np.ndarray,
    p_cnt: np.ndarray,
    ci: np.ndarray,
    cf: np.ndarray,
    part: int,
) -> None:
    pt_rel[part] = cf[X_NOW]
    ci[C_RELEASED] += 1
    p_cnt[pt_prod[part], 0] += 1
    _wip_step(ci, cf, 1)


@njit
def _has_room(stab: np.ndarray, buf: np.ndarray, b: int) -> bool:
    cap = stab[b, S_CAP]
    return (cap < 0) | (buf[b, B_ILEN] < cap)


@njit
def _pop_item(items: np.ndarray, buf: np.ndarray, b: int) -> int:
    head = buf[b, B_IHEAD]
    part = items[b, head]
    buf[b, B_IHEAD] = _ring(head + 1, items.shape[1])
    buf[b, B_ILEN] -= 1
    return part


@njit
def _up(sv: np.ndarray, owner: int) -> bool:
    return (owner < 0) | (sv[max(owner, 0), V_DOWN] == 0)


@njit
def _ops(stab: np.ndarray, sv: np.ndarray, s: int) -> int:
    return stab[sv[s, V_STATION], S_OPS]


@njit
def _new_part(
    free: np.ndarray,
    pt_prod: np.ndarray,
    pt_step: np.ndarray,
    pt_rel: np.ndarray,
    ci: np.ndarray,
    product: int,
) -> int:
    """Take a part from the pool (empty: flag the overflow, hand out part 0; the run is void)."""
    top = ci[C_FREE]
    empty = top == 0
    ci[C_STATUS] |= OVERFLOW * empty
    part = free[max(top - 1, 0)] * (1 - empty)
    ci[C_FREE] = top - 1 + empty
    pt_prod[part] = product
    pt_step[part] = 0
    pt_rel[part] = -1.0
    return part


@njit
def _push_item(items: np.ndarray, buf: np.ndarray, ci: np.ndarray, b: int, part: int) -> None:
    """Append ``part`` to buffer ``b``'s places (full: flag the overflow; the run is void)."""
    width = items.shape[1]
    n = buf[b, B_ILEN]
    full = n == width
    ci[C_STATUS] |= OVERFLOW * full
    items[b, _ring(buf[b, B_IHEAD] + n - full, width)] = part
    buf[b, B_ILEN] = n + 1 - full


@njit
def _drawn(
    dint: np.ndarray, dpar: np.ndarray, emp: np.ndarray, rs: np.ndarray, dist: int, stream: int
) -> float:
    """Draw from distribution ``dist`` by a call (the rare draws: setups, failures)."""
    return draw(dist, dint, dpar, emp, rs, stream)


@njit
def _give(
    sv: np.ndarray,
    ht: np.ndarray,
    he: np.ndarray,
    ci: np.ndarray,
    cf: np.ndarray,
    heap_limit: int,
    s: int,
    part: int,
) -> None:
    """Hand ``part`` to the waiting server ``s``; it resumes at once (at this time)."""
    sv[s, V_PART] = part
    sv[s, V_WAITING_IN] = -1
    _push(ht, he, ci, heap_limit, cf[X_NOW], EV_WAKE, s, 0)


@njit
def _start_work(
    sv: np.ndarray, sf: np.ndarray, s: int, duration: float, base: int, after: int
) -> None:
    """Start work of ``duration`` in state ``base``; the process goes on at ``after``."""
    sf[s, F_REMAIN] = duration
    sv[s, V_WBASE] = base
    sv[s, V_WNEXT] = after
    sv[s, V_PC] = PC_WORK


@njit
def _set(
    sv: np.ndarray,
    sf: np.ndarray,
    ci: np.ndarray,
    cf: np.ndarray,
    acc: np.ndarray,
    s: int,
    base: int,
) -> None:
    """Enter base state ``base``; account the time of the previous state.

    Down comes first, then off shift (a manned server while no operator is on duty).
    """
    sv[s, V_BASE] = base
    state = base
    if sv[s, V_DOWN]:
        state = DOWN
    elif sv[s, V_MANNED] and ci[C_OFF]:
        state = OFF_SHIFT
    old = sv[s, V_STATE]
    if state != old:
        now = cf[X_NOW]
        acc[sv[s, V_STATION], old] += now - sf[s, F_SINCE]
        sv[s, V_STATE] = state
        sf[s, F_SINCE] = now


@njit
def _append_putter(
    put_o: np.ndarray,
    put_p: np.ndarray,
    buf: np.ndarray,
    ci: np.ndarray,
    sv: np.ndarray,
    b: int,
    owner: int,
    part: int,
) -> None:
    """Queue ``part`` of server ``owner`` (-1: from outside) for a place at buffer ``b``."""
    width = put_o.shape[1]
    n = buf[b, B_PLEN]
    if n == width:
        ci[C_STATUS] = OVERFLOW
    else:
        j = _ring(buf[b, B_PHEAD] + n, width)
        put_o[b, j] = owner
        put_p[b, j] = part
        buf[b, B_PLEN] = n + 1
        if owner >= 0:
            sv[owner, V_WAITING_IN] = b


@njit
def _any_up_putter(put_o: np.ndarray, buf: np.ndarray, sv: np.ndarray, b: int) -> bool:
    width = put_o.shape[1]
    head = buf[b, B_PHEAD]
    for i in range(buf[b, B_PLEN]):  # noqa: SIM110 - no any() over generators in Numba
        if _up(sv, put_o[b, _ring(head + i, width)]):
            return True
    return False


@njit
def _pop_putter(
    put_o: np.ndarray, put_p: np.ndarray, buf: np.ndarray, sv: np.ndarray, b: int
) -> tuple[int, int]:
    """Remove the first putter whose server is up; return (owner, part), part -1: none."""
    width = put_o.shape[1]
    head = buf[b, B_PHEAD]
    n = buf[b, B_PLEN]
    for i in range(n):
        j = _ring(head + i, width)
        owner = put_o[b, j]
        if _up(sv, owner):
            part = put_p[b, j]
            if i == 0:
                buf[b, B_PHEAD] = _ring(head + 1, width)
            else:
                for k in range(i, n - 1):
                    a = _ring(head + k, width)
                    c = _ring(head + k + 1, width)
                    put_o[b, a] = put_o[b, c]
                    put_p[b, a] = put_p[b, c]
            buf[b, B_PLEN] = n - 1
            return owner, part
    return -1, -1


@njit
def _pop_getter(getters: np.ndarray, buf: np.ndarray, sv: np.ndarray, b: int) -> int:
    """Remove and return the first waiting server of ``b`` that is up (-1: none)."""
    n = buf[b, B_GLEN]
    for i in range(n):
        s = getters[b, i]
        if sv[s, V_DOWN] == 0:
            for k in range(i, n - 1):
                getters[b, k] = getters[b, k + 1]
            buf[b, B_GLEN] = n - 1
            return s
    return -1


@njit
def _accepts(
    stab: np.ndarray, buf: np.ndarray, getters: np.ndarray, sv: np.ndarray, b: int
) -> bool:
    """Whether a part can enter ``b`` now: a place, or (not a batch buffer) a server up."""
    if _has_room(stab, buf, b):
        return True
    if stab[b, S_BSIZE] > 0:
        return False
    for i in range(buf[b, B_GLEN]):  # noqa: SIM110 - no any() over generators in Numba
        if sv[getters[b, i], V_DOWN] == 0:
            return True
    return False


@njit
def _arm(
    stf: np.ndarray,
    pt_ent: np.ndarray,
    ht: np.ndarray,
    he: np.ndarray,
    ci: np.ndarray,
    cf: np.ndarray,
    heap_limit: int,
    b: int,
    head: int,
) -> None:
    """Wake the servers waiting at batch buffer ``b`` when ``head``'s max_wait is over."""
    wait = stf[b]
    if wait != math.inf:
        now = cf[X_NOW]
        _push(ht, he, ci, heap_limit, now + max(pt_ent[head] + wait - now, 0.0), EV_EXPIRE, b, head)


@njit
def _place(
    stab: np.ndarray,
    stf: np.ndarray,
    items: np.ndarray,
    buf: np.ndarray,
    pt_ent: np.ndarray,
    ht: np.ndarray,
    he: np.ndarray,
    ci: np.ndarray,
    cf: np.ndarray,
    heap_limit: int,
    b: int,
    part: int,
) -> None:
    """Put ``part`` into a place of ``b`` (a batch buffer notes when it entered)."""
    _push_item(items, buf, ci, b, part)
    if stab[b, S_BSIZE] > 0:
        pt_ent[part] = cf[X_NOW]
        if buf[b, B_ILEN] == 1:
            _arm(stf, pt_ent, ht, he, ci, cf, heap_limit, b, part)


@njit
def _admitted(
    sv: np.ndarray,
    pt_rel: np.ndarray,
    pt_prod: np.ndarray,
    p_cnt: np.ndarray,
    ht: np.ndarray,
    he: np.ndarray,
    ci: np.ndarray,
    cf: np.ndarray,
    heap_limit: int,
    owner: int,
    part: int,
) -> int:
    """``part`` got its place: release it (from outside) or wake its blocked server."""
    if owner < 0:
        if pt_rel[part] < 0.0:
            _release(pt_rel, pt_prod, p_cnt, ci, cf, part)
    else:
        sv[owner, V_PART] = -1
        sv[owner, V_WAITING_IN] = -1
        _push(ht, he, ci, heap_limit, cf[X_NOW], EV_WAKE, owner, 0)
    return part


@njit
def _deadlocked(stab: np.ndarray, sv: np.ndarray, buf: np.ndarray, ci: np.ndarray, k: int) -> bool:
    """Whether station ``k``, one of whose servers just blocked, is part of a deadlock.

    Walks the stations whose full buffers the blocked servers wait for (queue down the
    ``B_DLQ`` column, visited ones marked with a fresh stamp in ``B_MARK``); the first
    server that is not blocked at a full buffer ends the walk: no deadlock. If every station
    reached has only such servers, none will ever take a part again (see
    ``simline.engine._deadlock``): the marked stations are the deadlock.
    """
    stamp = ci[C_MARK] + 1
    ci[C_MARK] = stamp
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


@njit
def _check_deadlock(stab: np.ndarray, sv: np.ndarray, buf: np.ndarray, ci: np.ndarray) -> None:
    """After an event in which servers blocked: flag a deadlock if they made one.

    A deadlock needs a cycle of stations, each feeding the next in some routing
    (``stab[:, S_CYCLE]`` marks the stations on one), and one that formed in this event
    holds such a station where a server blocked in it (the rest of the deadlock would have
    been one before). With one such block that station is checked (``ci[C_BLOCKED]``),
    with several every station on a cycle (rare: a shift change, a batch).
    """
    if ci[C_BLOCKS] == 1:
        found = _deadlocked(stab, sv, buf, ci, ci[C_BLOCKED])
    else:
        found = False
        for k in range(stab.shape[0]):
            if stab[k, S_CYCLE] and _deadlocked(stab, sv, buf, ci, k):
                found = True
                break
    ci[C_BLOCKS] = 0
    if found:
        ci[C_STATUS] |= DEADLOCK


@njit_loop
def _simulate_line_kernel(
    stab: np.ndarray,
    scrap: np.ndarray,
    proc: np.ndarray,
    setup: np.ndarray,
    route: np.ndarray,
    route_len: np.ndarray,
    pick_prod: np.ndarray,
    pick_cum: np.ndarray,
    mix_cum: np.ndarray,
    dint: np.ndarray,
    dpar: np.ndarray,
    emp: np.ndarray,
    cfg: np.ndarray,
    window: np.ndarray,
    rs: np.ndarray,
    sv: np.ndarray,
    sf: np.ndarray,
    items: np.ndarray,
    put_o: np.ndarray,
    put_p: np.ndarray,
    getters: np.ndarray,
    buf: np.ndarray,
    pt_prod: np.ndarray,
    pt_step: np.ndarray,
    pt_rel: np.ndarray,
    free: np.ndarray,
    ht: np.ndarray,
    he: np.ndarray,
    ci: np.ndarray,
    cf: np.ndarray,
    acc: np.ndarray,
    st_cnt: np.ndarray,
    p_cnt: np.ndarray,
    p_lead: np.ndarray,
    stf: np.ndarray,
    wf_t: np.ndarray,
    wf_n: np.ndarray,
    opl: np.ndarray,
    bld: np.ndarray,
    pt_ent: np.ndarray,
) -> None:
    """Run the line; the arguments are the fields of :class:`LineArrays`, in order."""
    n_st = stab.shape[0]
    n_srv = sv.shape[0]
    heap_limit = ht.shape[0] - _heap_reserve(n_srv, bld.shape[1])
    # opl: holders of operators [0, n_srv), queue for operators [n_srv, 2 n_srv), then the
    # servers to run on after the current event (interrupted ones, in order) [2 n_srv, 3 n_srv).
    q0 = n_srv
    adv0 = 2 * n_srv

    # -- events, states and draws --------------------------------------------------------------

    def _sift(lo: int) -> None:
        """Sift up the events appended at ``lo`` and after, in order (by time, sequence)."""
        for j in range(lo, ci[C_HEAP]):
            time = ht[j]
            seq = he[j, 0]
            kind = he[j, 1]
            who = he[j, 2]
            token = he[j, 3]
            i = j
            while i > 0:  # sift the hole up
                up = (i - 1) >> 1
                if ht[up] < time or (ht[up] == time and he[up, 0] < seq):
                    break
                ht[i] = ht[up]
                he[i, 0] = he[up, 0]
                he[i, 1] = he[up, 1]
                he[i, 2] = he[up, 2]
                he[i, 3] = he[up, 3]
                i = up
            ht[i] = time
            he[i, 0] = seq
            he[i, 1] = kind
            he[i, 2] = who
            he[i, 3] = token

    def _pick(row: int, n: int, stream: int) -> int:
        """Index drawn by cumulative shares ``pick_cum[row, :n]`` (-1: ``mix_cum``)."""
        if n == 1:
            return 0
        u = _u01(rs, stream)
        j = 0
        if row < 0:
            while j < n - 1 and mix_cum[j] <= u:
                j += 1
        else:
            while j < n - 1 and pick_cum[row, j] <= u:
                j += 1
        return j

    # -- parts entering and leaving ------------------------------------------------------------

    def _admit(b: int) -> None:
        while buf[b, B_PLEN] > 0 and _has_room(stab, buf, b):
            owner, part = _pop_putter(put_o, put_p, buf, sv, b)
            if part < 0:
                return
            _place(
                stab,
                stf,
                items,
                buf,
                pt_ent,
                ht,
                he,
                ci,
                cf,
                heap_limit,
                b,
                _admitted(sv, pt_rel, pt_prod, p_cnt, ht, he, ci, cf, heap_limit, owner, part),
            )

    def _ready(b: int) -> bool:
        """Whether a build may start at batch buffer ``b`` now."""
        n = buf[b, B_ILEN]
        if n >= stab[b, S_BSIZE]:
            return True
        if n == 0:
            return False
        head = items[b, buf[b, B_IHEAD]]
        return head == buf[b, B_EXPIRED] or pt_ent[head] + stf[b] <= cf[X_NOW]

    def _pop_build(b: int, s: int, limit: int) -> None:
        """Move up to ``limit`` parts of batch buffer ``b``, oldest first, into ``s``'s build."""
        n = min(limit, buf[b, B_ILEN])
        for i in range(n):
            part = _pop_item(items, buf, b)
            if part == buf[b, B_EXPIRED]:
                buf[b, B_EXPIRED] = -1
            bld[sv[s, V_BROW], i] = part
        sv[s, V_NB] = n
        if n > 0:
            sv[s, V_PART] = bld[sv[s, V_BROW], 0]
        if buf[b, B_PLEN] > 0:
            _admit(b)
        if buf[b, B_ILEN] > 0 and n > 0:
            _arm(stf, pt_ent, ht, he, ci, cf, heap_limit, b, items[b, buf[b, B_IHEAD]])

    def _dispatch(b: int) -> None:
        """Start the ready builds of batch buffer ``b`` on its waiting servers."""
        size = stab[b, S_BSIZE]
        while buf[b, B_GLEN] > 0 and _ready(b):
            s = _pop_getter(getters, buf, sv, b)
            if s < 0:
                break
            _pop_build(b, s, size)
            sv[s, V_WAITING_IN] = -1
            _push(ht, he, ci, heap_limit, cf[X_NOW], EV_WAKE, s, 0)

    def _put(b: int, part: int) -> bool:
        """Move ``part`` onto the first waiting server of ``b``, else into a place.

        At a batch station the part goes into a place, and waiting servers take the builds
        that are ready.
        """
        if stab[b, S_BSIZE] > 0:
            if not _has_room(stab, buf, b):
                return False
            _place(stab, stf, items, buf, pt_ent, ht, he, ci, cf, heap_limit, b, part)
            if buf[b, B_GLEN] > 0:  # servers wait: the first takes the build at once
                _dispatch(b)
            return True
        if buf[b, B_GLEN] > 0:
            s = _pop_getter(getters, buf, sv, b)
            if s >= 0:
                _give(sv, ht, he, ci, cf, heap_limit, s, part)
                return True
        if _has_room(stab, buf, b):
            _push_item(items, buf, ci, b, part)
            return True
        return False

    def _enter(part: int) -> None:
        """Send a new part to its first buffer, or queue it outside (released when it gets in)."""
        b = route[pt_prod[part], 0]
        if _accepts(stab, buf, getters, sv, b):
            if pt_rel[part] < 0.0:
                _release(pt_rel, pt_prod, p_cnt, ci, cf, part)
            _put(b, part)
        else:
            _append_putter(put_o, put_p, buf, ci, sv, b, -1, part)

    def _refill() -> None:
        """CONWIP: release a new part (product by the release mix) into its first buffer."""
        product = _pick(-1, mix_cum.shape[0], _stream(n_st, P_MIX))
        part = _new_part(free, pt_prod, pt_step, pt_rel, ci, product)
        _release(pt_rel, pt_prod, p_cnt, ci, cf, part)
        _enter(part)

    def _exit(part: int, station: int, good: bool) -> None:
        """``part`` leaves the line at ``station``: good (its lead time counts) or scrapped."""
        p = pt_prod[part]
        now = cf[X_NOW]
        cf[X_SOJOURN] += now - pt_rel[part]
        if good:
            lead = now - pt_rel[part]
            ci[C_GOOD] += 1
            p_cnt[p, 1] += 1
            n = p_cnt[p, 3] + 1
            p_cnt[p, 3] = n
            mean = p_lead[p, 0]
            delta = lead - mean
            mean += delta / n
            p_lead[p, 0] = mean
            p_lead[p, 1] += delta * (lead - mean)
        else:
            ci[C_SCRAP] += 1
            p_cnt[p, 2] += 1
            st_cnt[station, 1] += 1
        _wip_step(ci, cf, -1)
        _free_part(free, ci, part)
        if cfg[0] == CONWIP:
            _refill()

    def _take(b: int) -> int:
        if buf[b, B_ILEN] > 0:
            part = _pop_item(items, buf, b)
            if buf[b, B_PLEN] > 0:
                _admit(b)
            return part
        if buf[b, B_PLEN] > 0:
            owner, part = _pop_putter(put_o, put_p, buf, sv, b)
            if part >= 0:
                return _admitted(
                    sv, pt_rel, pt_prod, p_cnt, ht, he, ci, cf, heap_limit, owner, part
                )
        return -1

    def _retry(b: int) -> None:
        """Match waiting servers and parts again (a server waiting at ``b`` was repaired)."""
        if stab[b, S_BSIZE] > 0:
            _dispatch(b)
            if buf[b, B_PLEN] > 0:
                _admit(b)
            return
        while buf[b, B_GLEN] > 0 and (buf[b, B_ILEN] > 0 or _any_up_putter(put_o, buf, sv, b)):
            s = _pop_getter(getters, buf, sv, b)
            if s < 0:
                break
            _give(sv, ht, he, ci, cf, heap_limit, s, _take(b))
        if buf[b, B_PLEN] > 0:
            _admit(b)

    # -- a server's process ----------------------------------------------------------------------

    # -- operators ---------------------------------------------------------------------------

    def _hold(s: int) -> None:
        ci[C_OPFREE] -= _ops(stab, sv, s)
        h = ci[C_HLEN]
        opl[h] = s
        ci[C_HLEN] = h + 1
        sv[s, V_HAS_OPS] = 1

    def _acquire(s: int) -> bool:
        """Take ``s``'s operators (``True``), or queue it for them (first come first served)."""
        if ci[C_QLEN] == 0 and ci[C_OPFREE] >= _ops(stab, sv, s):
            _hold(s)
            return True
        n = ci[C_QLEN]
        opl[q0 + n] = s
        ci[C_QLEN] = n + 1
        return False

    def _serve() -> None:
        """Give free operators to the queue, strictly in order; each served server resumes."""
        while ci[C_QLEN] > 0:
            s = int(opl[q0])
            if ci[C_OPFREE] < _ops(stab, sv, s):
                break
            n = ci[C_QLEN]
            for i in range(n - 1):
                opl[q0 + i] = opl[q0 + i + 1]
            ci[C_QLEN] = n - 1
            _hold(s)
            _push(ht, he, ci, heap_limit, cf[X_NOW], EV_WAKE, s, 0)

    def _release_ops(s: int) -> None:
        ci[C_OPFREE] += _ops(stab, sv, s)
        n = ci[C_HLEN]
        j = 0
        while opl[j] != s:
            j += 1
        for i in range(j, n - 1):
            opl[i] = opl[i + 1]
        ci[C_HLEN] = n - 1
        sv[s, V_HAS_OPS] = 0
        if ci[C_QLEN] > 0:
            _serve()

    def _interrupt(s: int) -> None:
        """Pause ``s``'s work now with its remaining time (its process goes on at PC_WORK)."""
        now = cf[X_NOW]
        sv[s, V_IN_WORK] = 0
        sv[s, V_TOKEN] += 1
        elapsed = now - sf[s, F_SEG_START]
        sf[s, F_REMAIN] = max(sf[s, F_REMAIN] - elapsed, 0.0)
        if stab[sv[s, V_STATION], S_FAIL] == FAIL_OPERATING:
            sf[s, F_TTF_LEFT] = max(sf[s, F_TTF_LEFT] - elapsed, 0.0)
        sv[s, V_PC] = PC_WORK

    def _resize(size: int, n_adv: int) -> int:
        """Operators on duty become ``size``; the latest holders give theirs back if needed.

        The interrupted servers are listed after the ``n_adv`` already in ``opl[adv0:]``:
        they go on after this event, in that order. Returns the new count.
        """
        ci[C_OPFREE] += size - ci[C_PSIZE]
        ci[C_PSIZE] = size
        while ci[C_OPFREE] < 0 and ci[C_HLEN] > 0:
            h = ci[C_HLEN] - 1
            s = opl[h]
            ci[C_HLEN] = h
            sv[s, V_HAS_OPS] = 0
            ci[C_OPFREE] += _ops(stab, sv, s)
            if sv[s, V_IN_WORK]:
                _interrupt(s)
                opl[adv0 + n_adv] = s
                n_adv += 1
        if ci[C_QLEN] > 0:
            _serve()
        off = 1 if size == 0 else 0
        if off != ci[C_OFF]:
            ci[C_OFF] = off
            for s in range(n_srv):
                if sv[s, V_MANNED]:
                    _set(sv, sf, ci, cf, acc, s, sv[s, V_BASE])
        return n_adv

    def _shift(pc: int) -> int:
        """Run the pool from ``pc`` (0: next change, 1: at it, 2: after a zero delay).

        A decrease waits a zero delay first, so work ending at that instant is finished.
        Returns how many interrupted servers go on after this event (in ``opl[adv0:]``).
        """
        now = cf[X_NOW]
        n_adv = 0
        while True:
            i = ci[C_WFI]
            size = wf_n[i]
            if pc == 0:
                at = cf[X_WEEK] + wf_t[i]
                if at > now:
                    _push(ht, he, ci, heap_limit, now + (at - now), EV_SHIFT, 1, 0)
                    return n_adv
                pc = 1
            if pc == 1 and size < ci[C_PSIZE]:
                _push(ht, he, ci, heap_limit, now, EV_SHIFT, 2, 0)
                return n_adv
            if size != ci[C_PSIZE]:
                n_adv = _resize(size, n_adv)
            i += 1
            if i == wf_t.shape[0]:
                i = 0
                cf[X_WEEK] += window[2]
            ci[C_WFI] = i
            pc = 0

    # -- a server's process ----------------------------------------------------------------------

    def _advance(s: int) -> None:
        """Run server ``s``'s process from its program counter until it waits for an event."""
        st = sv[s, V_STATION]
        calendar = stab[st, S_FAIL] == FAIL_CALENDAR
        operating = stab[st, S_FAIL] == FAIL_OPERATING
        size = stab[st, S_BSIZE]
        while True:
            if ci[C_STATUS] != 0:
                return
            pc = sv[s, V_PC]
            now = cf[X_NOW]
            if pc == PC_TOP:
                sv[s, V_PC] = PC_TAKE
                if calendar and sv[s, V_DOWN]:
                    _set(sv, sf, ci, cf, acc, s, STARVED)
                    sv[s, V_WAIT_REPAIR] = 1
                    return
            elif pc == PC_TAKE:
                saturated = stab[st, S_SAT]
                want = 1
                if size > 0:  # a batch station: a whole build
                    want = size
                    if saturated or _ready(st):
                        _pop_build(st, s, size)
                        if buf[st, B_GLEN] > 0:
                            _dispatch(st)
                        ok = True
                    else:
                        ok = False
                else:
                    part = _take(st)
                    ok = part >= 0 or saturated
                    sv[s, V_PART] = part  # one part: held in V_PART, not in bld
                    sv[s, V_NB] = 1 if part >= 0 else 0
                sv[s, V_PC] = PC_GOT
                if not ok:
                    _set(sv, sf, ci, cf, acc, s, STARVED)
                    n = buf[st, B_GLEN]
                    getters[st, n] = s
                    buf[st, B_GLEN] = n + 1
                    sv[s, V_WAITING_IN] = st
                    return
                if saturated:  # new parts: a saturated first station always starts full
                    for n in range(sv[s, V_NB], want):
                        k = _pick(st, stab[st, S_NPICK], _stream(st, P_MIX))
                        part = _new_part(free, pt_prod, pt_step, pt_rel, ci, pick_prod[st, k])
                        _release(pt_rel, pt_prod, p_cnt, ci, cf, part)
                        if size > 0:
                            bld[sv[s, V_BROW], n] = part
                        else:
                            sv[s, V_PART] = part
                    sv[s, V_NB] = want
                if size > 0:
                    sv[s, V_PART] = bld[sv[s, V_BROW], 0]
            elif pc == PC_GOT:
                sv[s, V_PC] = PC_PROCESS
                if stab[st, S_SETUP]:
                    product = pt_prod[sv[s, V_PART]]
                    last = sv[s, V_LAST]
                    if last != product:
                        sv[s, V_LAST] = product
                        if last >= 0:
                            dist = setup[st, last, product]
                            if dist >= 0:
                                duration = _drawn(dint, dpar, emp, rs, dist, _stream(st, P_SETUP))
                                _start_work(sv, sf, s, duration, SETUP, PC_PROCESS)
            elif pc == PC_PROCESS:
                part = sv[s, V_PART]
                duration = draw_fast(
                    proc[st, pt_prod[part]], dint, dpar, emp, rs, _stream(st, P_PROCESS)
                )
                if size > 0:
                    per_part = stab[st, S_PERPART]
                    if per_part >= 0:
                        for _ in range(sv[s, V_NB]):
                            duration += _drawn(
                                dint, dpar, emp, rs, per_part, _stream(st, P_PROCESS)
                            )
                else:  # one part (in V_PART): a build of one for the hand-on below
                    sv[s, V_NB] = 1
                _start_work(sv, sf, s, duration, BUSY, PC_DONE)
            elif pc == PC_WORK:
                base = sv[s, V_WBASE]
                if sv[s, V_DOWN]:
                    _set(sv, sf, ci, cf, acc, s, base)
                    sv[s, V_WAIT_REPAIR] = 1
                    return
                if sv[s, V_MANNED] and not sv[s, V_HAS_OPS]:
                    _set(sv, sf, ci, cf, acc, s, STARVED)
                    if not _acquire(s):
                        return  # queued: served in turn (an EV_WAKE), back here
                _set(sv, sf, ci, cf, acc, s, base)
                remaining = sf[s, F_REMAIN]
                step_t = remaining
                failing = 0
                if operating and sf[s, F_TTF_LEFT] < remaining:
                    failing = 1
                    step_t = sf[s, F_TTF_LEFT]
                sv[s, V_FAILING] = failing
                sf[s, F_SEG_START] = now
                sf[s, F_STEP] = step_t
                sv[s, V_IN_WORK] = 1
                token = sv[s, V_TOKEN] + 1
                sv[s, V_TOKEN] = token
                sv[s, V_PC] = PC_SEGEND
                _push(ht, he, ci, heap_limit, now + step_t, EV_SEG, s, token)
                return
            elif pc == PC_SEGEND:
                sv[s, V_IN_WORK] = 0
                step_t = sf[s, F_STEP]
                if not sv[s, V_FAILING]:
                    if operating:
                        sf[s, F_TTF_LEFT] -= step_t
                    sv[s, V_PC] = sv[s, V_WNEXT]
                    continue
                sf[s, F_REMAIN] -= step_t
                sf[s, F_TTF_LEFT] = 0.0
                sv[s, V_DOWN] = 1
                _set(sv, sf, ci, cf, acc, s, sv[s, V_WBASE])
                sv[s, V_PC] = PC_OPREP
                _push(
                    ht,
                    he,
                    ci,
                    heap_limit,
                    now + _drawn(dint, dpar, emp, rs, stab[st, S_TTR], _stream(st, P_REPAIR)),
                    EV_OPREP,
                    s,
                    0,
                )
                return
            elif pc == PC_OPREP:  # repaired (operating basis)
                sv[s, V_DOWN] = 0
                sf[s, F_TTF_LEFT] = _drawn(
                    dint, dpar, emp, rs, stab[st, S_TTF], _stream(st, P_FAILURE)
                )
                _set(sv, sf, ci, cf, acc, s, sv[s, V_WBASE])
                sv[s, V_PC] = PC_WORK
            elif pc == PC_DONE:  # the part or build is done
                if sv[s, V_HAS_OPS]:
                    _release_ops(s)
                n = sv[s, V_NB]
                st_cnt[st, 0] += n
                if size > 0:
                    st_cnt[st, 2] += 1
                    st_cnt[st, 3] += n
                sv[s, V_BIDX] = 0
                sv[s, V_PC] = PC_HAND
            elif pc == PC_HAND:  # scrap-check the next part done, then hand it on
                i = sv[s, V_BIDX]
                if i == sv[s, V_NB]:
                    sv[s, V_NB] = 0
                    sv[s, V_PART] = -1
                    sv[s, V_PC] = PC_TOP
                    continue
                part = bld[sv[s, V_BROW], i] if size > 0 else sv[s, V_PART]
                sv[s, V_BIDX] = i + 1
                p_scrap = scrap[st]
                good = not (p_scrap > 0.0 and _u01(rs, _stream(st, P_SCRAP)) < p_scrap)
                step = pt_step[part] + 1
                if not good or step == route_len[pt_prod[part]]:
                    _exit(part, st, good)
                    continue
                pt_step[part] = step
                sv[s, V_PC] = PC_PUT
                if sv[s, V_DOWN]:
                    sv[s, V_WAIT_REPAIR] = 1
                    return
            else:  # PC_PUT: put the part just handed on (blocking while there is no place)
                part = bld[sv[s, V_BROW], sv[s, V_BIDX] - 1] if size > 0 else sv[s, V_PART]
                target = route[pt_prod[part], pt_step[part]]
                sv[s, V_PC] = PC_HAND
                if not _put(target, part):
                    _set(sv, sf, ci, cf, acc, s, BLOCKED)
                    _append_putter(put_o, put_p, buf, ci, sv, target, s, part)
                    if stab[st, S_CYCLE]:  # on a cycle of routings: a deadlock?
                        ci[C_BLOCKS] += 1  # (the event loop checks, after this event)
                        ci[C_BLOCKED] = st
                    return

    def _calendar_fail(s: int) -> bool:
        """Fail ``s`` now; ``True`` when its work was interrupted (its process goes on)."""
        st = sv[s, V_STATION]
        now = cf[X_NOW]
        sv[s, V_DOWN] = 1
        _set(sv, sf, ci, cf, acc, s, sv[s, V_BASE])
        _push(
            ht,
            he,
            ci,
            heap_limit,
            now + _drawn(dint, dpar, emp, rs, stab[st, S_TTR], _stream(st, P_REPAIR)),
            EV_CALREP,
            s,
            0,
        )
        if not sv[s, V_IN_WORK]:
            return False
        _interrupt(s)
        return True

    def _calendar_repair(s: int) -> int:
        """Repair ``s``; returns the buffer to match again (-1: none), then the next failure."""
        sv[s, V_DOWN] = 0
        _set(sv, sf, ci, cf, acc, s, sv[s, V_BASE])
        if sv[s, V_WAIT_REPAIR]:
            sv[s, V_WAIT_REPAIR] = 0
            _push(ht, he, ci, heap_limit, cf[X_NOW], EV_WAKE, s, 0)
            return -1
        return sv[s, V_WAITING_IN]

    def _arrival() -> None:
        # The part goes in first, then the next arrival is scheduled, as in the SimPy
        # engine: what the part's entry schedules (a max_wait timer) comes first at a tie.
        now = cf[X_NOW]
        product = _pick(-1, mix_cum.shape[0], _stream(n_st, P_MIX))
        _enter(_new_part(free, pt_prod, pt_step, pt_rel, ci, product))
        _push(
            ht,
            he,
            ci,
            heap_limit,
            now + draw_fast(cfg[2], dint, dpar, emp, rs, _stream(n_st, P_ARRIVAL)),
            EV_ARRIVAL,
            0,
            0,
        )

    # -- the run ---------------------------------------------------------------------------------

    for i in range(free.shape[0]):
        free[i] = free.shape[0] - 1 - i
    ci[C_FREE] = free.shape[0]
    buf[:, B_EXPIRED] = -1
    ci[C_PSIZE] = cfg[3]
    ci[C_OPFREE] = cfg[3]
    ci[C_OFF] = 1 if cfg[3] == 0 else 0
    for s in range(n_srv):
        k = sv[s, V_STATION]
        manned = 1 if stab[k, S_OPS] > 0 else 0
        sv[s, V_MANNED] = manned
        sv[s, V_STATE] = OFF_SHIFT if manned and ci[C_OFF] else STARVED
        sv[s, V_BASE] = STARVED
        sv[s, V_PC] = PC_TOP
        sv[s, V_PART] = -1
        sv[s, V_LAST] = -1
        sv[s, V_WAITING_IN] = -1
        if stab[k, S_FAIL] == FAIL_OPERATING:
            sf[s, F_TTF_LEFT] = _drawn(dint, dpar, emp, rs, stab[k, S_TTF], _stream(k, P_FAILURE))
    if cfg[0] == CONWIP:
        for _ in range(cfg[1]):
            _refill()
    # The processes start at time 0 in the SimPy engine's order (each server, then its
    # calendar failures; the pool; the arrivals), each scheduling its first event when it
    # starts (token 2 / 1 below), so that events of one later instant come in its order.
    for s in range(n_srv):
        _push(ht, he, ci, heap_limit, 0.0, EV_WAKE, s, 0)
        if stab[sv[s, V_STATION], S_FAIL] == FAIL_CALENDAR:
            _push(ht, he, ci, heap_limit, 0.0, EV_CALFAIL, s, 2)
    if cfg[4] > 0 and window[2] > 0.0:
        _push(ht, he, ci, heap_limit, 0.0, EV_SHIFT, 0, 0)
    if cfg[0] == INTERARRIVAL:
        _push(ht, he, ci, heap_limit, 0.0, EV_ARRIVAL, 0, 1)
    _sift(0)
    warmup = window[0]
    horizon = window[1]
    for phase in range(2):
        until = warmup if phase == 0 else horizon
        while ci[C_HEAP] > 0 and ht[0] <= until:
            # Pop the first event (time, sequence number): sift the last one down from the top.
            n = ci[C_HEAP] - 1
            cf[X_NOW] = ht[0]
            kind = he[0, 1]
            who = he[0, 2]
            token = he[0, 3]
            xt = ht[n]
            xs = he[n, 0]
            i = 0
            while True:
                c = 2 * i + 1
                if c >= n:
                    break
                if c + 1 < n and (
                    ht[c + 1] < ht[c] or (ht[c + 1] == ht[c] and he[c + 1, 0] < he[c, 0])
                ):
                    c += 1
                if ht[c] < xt or (ht[c] == xt and he[c, 0] < xs):
                    ht[i] = ht[c]
                    he[i, 0] = he[c, 0]
                    he[i, 1] = he[c, 1]
                    he[i, 2] = he[c, 2]
                    he[i, 3] = he[c, 3]
                    i = c
                else:
                    break
            ht[i] = xt
            he[i, 0] = xs
            he[i, 1] = he[n, 1]
            he[i, 2] = he[n, 2]
            he[i, 3] = he[n, 3]
            ci[C_HEAP] = n
            if kind == EV_SEG and (token != sv[who, V_TOKEN] or sv[who, V_PC] != PC_SEGEND):
                continue  # work interrupted meanwhile: a stale event
            ci[C_EVENTS] += 1
            # The servers whose processes go on now, in order: ``who`` for most events.
            n_adv = 1
            opl[adv0] = who
            again = -1
            if kind == EV_CALFAIL:
                if token == 2:  # the failure process starts: its first time to failure
                    k = sv[who, V_STATION]
                    ttf = _drawn(dint, dpar, emp, rs, stab[k, S_TTF], _stream(k, P_FAILURE))
                    _push(ht, he, ci, heap_limit, cf[X_NOW] + ttf, EV_CALFAIL, who, 0)
                    n_adv = 0
                elif token == 0:
                    # Let work that ends at this very instant finish before the breakdown.
                    _push(ht, he, ci, heap_limit, cf[X_NOW], EV_CALFAIL, who, 1)
                    n_adv = 0
                elif not _calendar_fail(who):
                    n_adv = 0
            elif kind == EV_CALREP:
                again = _calendar_repair(who)
                n_adv = 0
            elif kind == EV_ARRIVAL:
                if token == 1:  # the arrivals start: the first comes after one interarrival
                    gap = _drawn(dint, dpar, emp, rs, cfg[2], _stream(n_st, P_ARRIVAL))
                    _push(ht, he, ci, heap_limit, cf[X_NOW] + gap, EV_ARRIVAL, 0, 0)
                else:
                    _arrival()
                n_adv = 0
            elif kind == EV_SHIFT:
                n_adv = _shift(who)
            elif kind == EV_EXPIRE:
                # A max_wait timer of batch buffer ``who``: is part ``token`` still the oldest?
                n_adv = 0
                # (token -1: a request to match waiting servers and parts there again.)
                if token < 0:
                    again = who
                elif (
                    buf[who, B_ILEN] > 0
                    and items[who, buf[who, B_IHEAD]] == token
                    # and not a later part that got the id of the one the timer was for
                    and pt_ent[token] + stf[who] <= cf[X_NOW] + 1e-9 * (1.0 + cf[X_NOW])
                ):
                    buf[who, B_EXPIRED] = token
                    again = who
            if again >= 0:  # match waiting servers and parts at this buffer again
                _retry(again)
                if (
                    kind == EV_CALREP
                    and sv[who, V_BASE] == BLOCKED
                    and sv[who, V_WAITING_IN] >= 0
                    and _deadlocked(stab, sv, buf, ci, sv[who, V_STATION])
                ):
                    ci[C_STATUS] |= DEADLOCK  # repaired, still blocked: the room went to others
            if kind == EV_CALREP:  # the next calendar failure of the repaired server
                k = sv[who, V_STATION]
                _push(
                    ht,
                    he,
                    ci,
                    heap_limit,
                    cf[X_NOW] + _drawn(dint, dpar, emp, rs, stab[k, S_TTF], _stream(k, P_FAILURE)),
                    EV_CALFAIL,
                    who,
                    0,
                )
            for j in range(n_adv):
                _advance(opl[adv0 + j])
            if ci[C_BLOCKS] > 0:  # servers blocked: a deadlock? (see _deadlocked)
                _check_deadlock(stab, sv, buf, ci)
            _sift(n)
            if ci[C_STATUS] != 0:
                return
        if phase == 0:
            # Start measuring: everything up to and at the warm-up's end belongs to the warm-up.
            acc[:, :] = 0.0
            st_cnt[:, :] = 0
            p_cnt[:, :] = 0
            p_lead[:, :] = 0.0
            for s in range(n_srv):
                sf[s, F_SINCE] = warmup
            cf[X_WIP_ACC] = 0.0
            cf[X_WIP_T] = warmup
            cf[X_SOJOURN] = 0.0
    cf[X_NOW] = horizon
    for s in range(n_srv):
        acc[sv[s, V_STATION], sv[s, V_STATE]] += horizon - sf[s, F_SINCE]
        sf[s, F_SINCE] = horizon
    _wip_step(ci, cf, 0)


def simulate_line(m: LineArrays) -> int:
    """Run the line packed in ``m`` from time 0 to ``m.window[1]``.

    Parameters
    ----------
    m
        The packed plan with zeroed run-state and result arrays of matching shapes (see
        :class:`LineArrays`); ``m.rs`` holds the seeded stream states.

    Returns
    -------
    int
        0 when the run completed; with the bit :data:`OVERFLOW` set when a capacity (part
        pool, a buffer, the event heap) was too small: the results are then meaningless;
        else :data:`DEADLOCK` when the line deadlocked at ``m.cf[X_NOW]``.

    Raises
    ------
    ValueError
        When the arrays do not fit together, or the plan has what the kernel cannot run (a
        batch station without buffer places) instead of deadlocking on it.
    """
    n_st = m.st.shape[0]
    n_prod = m.route.shape[0]
    if m.st.shape[1] != ST_WIDTH or m.sv.shape[1] != SV_WIDTH or m.sf.shape[1] != SF_WIDTH:
        raise ValueError("station or server tables have the wrong width")
    if m.proc.shape != (n_st, n_prod) or m.setup.shape != (n_st, n_prod, n_prod):
        raise ValueError("process or setup tables do not match stations x products")
    if m.rs.shape != (N_PURPOSES * (n_st + 1), 4):
        raise ValueError(f"'rs' must have {N_PURPOSES * (n_st + 1)} stream rows")
    reserve = _heap_reserve(m.sv.shape[0], m.bld.shape[1])
    if m.ht.shape[0] <= reserve or m.he.shape != (m.ht.shape[0], 4):
        raise ValueError(f"the event heap must hold more than {reserve} events")
    if m.acc.shape != (n_st, 6) or m.p_cnt.shape != (n_prod, 4) or m.st_cnt.shape != (n_st, 4):
        raise ValueError("result arrays do not match stations x products")
    if m.ci.shape[0] != CI_WIDTH or m.cf.shape[0] != CF_WIDTH or m.buf.shape[1] != BUF_WIDTH:
        raise ValueError("counter or buffer arrays have the wrong size")
    if m.opl.shape[0] != 3 * m.sv.shape[0]:
        raise ValueError("operator arrays do not match the servers")
    sizes = m.st[m.sv[:, V_STATION], S_BSIZE]
    rows = m.sv[:, V_BROW][sizes > 0]
    if m.bld.shape[0] < 1 or ((rows < 0) | (rows >= m.bld.shape[0])).any():
        raise ValueError("a batch server's row V_BROW is not a row of 'bld'")
    if m.bld.shape[1] < max(int(sizes.max(initial=0)), 1):
        raise ValueError("'bld' must be as wide as the largest build")
    if ((m.st[:, S_BSIZE] > 0) & (m.st[:, S_CAP] == 0)).any():
        raise ValueError("a batch station needs buffer places (its builds could never gather)")
    if m.cfg.shape[0] != 5 or m.window.shape[0] != 3 or m.wf_t.shape != m.wf_n.shape:
        raise ValueError("'cfg', 'window' or the shift pattern have the wrong size")
    if not 0.0 <= m.window[0] <= m.window[1]:
        raise ValueError(f"'window' must be 0 <= warmup <= horizon (got {m.window!r})")
    _simulate_line_kernel(*m)
    return int(m.ci[C_STATUS])


def compiled() -> bool:
    """Whether the kernel is in Numba's disk cache (else its first run compiles it)."""
    return is_cached(_simulate_line_kernel)

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
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simline.kernels import _heap
from simline.kernels._jit import njit
from simline.kernels.random import draw, u01

__all__ = ["LineArrays", "simulate_line"]

# Server states, in the order of simline.plan.STATES.
BUSY, SETUP, BLOCKED, STARVED, DOWN = 0, 1, 2, 3, 4
# Stream purposes (simline.engine.rng.Purpose); stream of (station, purpose) = 7 * station + p.
P_PROCESS, P_FAILURE, P_REPAIR, P_SETUP, P_SCRAP, P_ARRIVAL, P_MIX = 0, 1, 2, 3, 4, 5, 6
N_PURPOSES = 7
# Release modes.
SATURATED, INTERARRIVAL, CONWIP = 0, 1, 2
# Station table columns.
S_SERVERS, S_CAP, S_FIRST, S_FAIL, S_TTF, S_TTR, S_SAT, S_SETUP, S_NPICK = range(9)
ST_WIDTH = 9
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
) = range(14)
SV_WIDTH = 14
# Server float columns.
F_SINCE, F_REMAIN, F_SEG_START, F_STEP, F_TTF_LEFT = range(5)
SF_WIDTH = 5
# Program counters of a server's process.
PC_TOP, PC_TAKE, PC_GOT, PC_PROCESS, PC_FINISH, PC_PUT, PC_WORK, PC_SEGEND, PC_OPREP = range(9)
# Event kinds.
EV_WAKE, EV_SEG, EV_OPREP, EV_CALFAIL, EV_CALREP, EV_ARRIVAL = range(6)
# Buffer columns.
B_IHEAD, B_ILEN, B_PHEAD, B_PLEN, B_GLEN = range(5)
# Integer counters.
C_SEQ, C_HEAP, C_FREE, C_STATUS, C_EVENTS, C_RELEASED, C_GOOD, C_SCRAP, C_WIP = range(9)
# Float counters.
X_NOW, X_WIP_ACC, X_WIP_T, X_SOJOURN = range(4)
#: status[0] when a capacity was exceeded (the wrapper doubles and runs again).
OVERFLOW = 1


class LineArrays(NamedTuple):
    """Every array of one run: the packed plan, the run state and the results.

    Plan (read only): ``st`` (stations x ``ST_WIDTH``), ``scrap`` per station, ``proc``
    (station x product: distribution row), ``setup`` (station x from x to: distribution row or
    -1), ``route`` / ``route_len``, ``pick_prod`` / ``pick_cum`` (products a saturated first
    station releases and their cumulative shares), ``mix_cum``, ``dint`` / ``dpar`` / ``emp``
    (distributions, see :mod:`simline.kernels.random`), ``cfg`` (release mode, CONWIP level,
    interarrival distribution row), ``window`` (warm-up, horizon).

    Run state: ``rs`` (random stream states), ``sv`` / ``sf`` (servers), ``items``, ``put_o``,
    ``put_p``, ``getters``, ``buf`` (buffers), ``pt_prod`` / ``pt_step`` / ``pt_rel`` /
    ``free`` (part pool), ``ht`` / ``he`` (event heap), ``ci`` / ``cf`` (counters).

    Results: ``acc`` (station x state time), ``st_cnt`` (parts out, scrap), ``p_cnt``
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


# -- events and states -----------------------------------------------------------------------


@njit
def _push(m: LineArrays, time: float, kind: int, who: int, token: int) -> None:
    seq = m.ci[C_SEQ]
    m.ci[C_SEQ] = seq + 1
    n = _heap.push(m.ht, m.he, m.ci[C_HEAP], time, seq, kind, who, token)
    if n < 0:
        m.ci[C_STATUS] = OVERFLOW
    else:
        m.ci[C_HEAP] = n


@njit
def _set(m: LineArrays, s: int, base: int) -> None:
    """Enter base state ``base``; account the time of the previous state (down first)."""
    m.sv[s, V_BASE] = base
    state = DOWN if m.sv[s, V_DOWN] else base
    old = m.sv[s, V_STATE]
    if state != old:
        now = m.cf[X_NOW]
        m.acc[m.sv[s, V_STATION], old] += now - m.sf[s, F_SINCE]
        m.sv[s, V_STATE] = state
        m.sf[s, F_SINCE] = now


@njit
def _stream(station: int, purpose: int) -> int:
    return N_PURPOSES * station + purpose


@njit
def _draw(m: LineArrays, dist: int, stream: int) -> float:
    return draw(dist, m.dint, m.dpar, m.emp, m.rs, stream)


@njit
def _pick(cum: np.ndarray, n: int, m: LineArrays, stream: int) -> int:
    """Index drawn by cumulative shares ``cum[:n]`` (no draw when ``n == 1``)."""
    if n == 1:
        return 0
    u = u01(m.rs, stream)
    j = 0
    while j < n - 1 and cum[j] <= u:
        j += 1
    return j


# -- parts entering and leaving ----------------------------------------------------------------


@njit
def _wip_step(m: LineArrays, delta: int) -> None:
    now = m.cf[X_NOW]
    m.cf[X_WIP_ACC] += m.ci[C_WIP] * (now - m.cf[X_WIP_T])
    m.cf[X_WIP_T] = now
    m.ci[C_WIP] += delta


@njit
def _new_part(m: LineArrays, product: int) -> int:
    top = m.ci[C_FREE]
    if top == 0:
        m.ci[C_STATUS] = OVERFLOW
        return 0
    part = m.free[top - 1]
    m.ci[C_FREE] = top - 1
    m.pt_prod[part] = product
    m.pt_step[part] = 0
    m.pt_rel[part] = -1.0
    return part


@njit
def _free_part(m: LineArrays, part: int) -> None:
    top = m.ci[C_FREE]
    m.free[top] = part
    m.ci[C_FREE] = top + 1


@njit
def _release(m: LineArrays, part: int) -> None:
    m.pt_rel[part] = m.cf[X_NOW]
    m.ci[C_RELEASED] += 1
    m.p_cnt[m.pt_prod[part], 0] += 1
    _wip_step(m, 1)


@njit
def _refill(m: LineArrays) -> None:
    """CONWIP: release a new part (product by the release mix) into its first buffer."""
    n_st = m.st.shape[0]
    product = _pick(m.mix_cum, m.mix_cum.shape[0], m, _stream(n_st, P_MIX))
    part = _new_part(m, product)
    _release(m, part)
    _enter(m, part)


@njit
def _enter(m: LineArrays, part: int) -> None:
    """Send a new part to its first buffer, or queue it outside (released when it gets in)."""
    b = m.route[m.pt_prod[part], 0]
    if _accepts(m, b):
        if m.pt_rel[part] < 0.0:
            _release(m, part)
        _put(m, b, part)
    else:
        _append_putter(m, b, -1, part)


@njit
def _leave(m: LineArrays, part: int) -> None:
    p = m.pt_prod[part]
    lead = m.cf[X_NOW] - m.pt_rel[part]
    m.ci[C_GOOD] += 1
    m.p_cnt[p, 1] += 1
    m.cf[X_SOJOURN] += lead
    n = m.p_cnt[p, 3] + 1
    m.p_cnt[p, 3] = n
    mean = m.p_lead[p, 0]
    delta = lead - mean
    mean += delta / n
    m.p_lead[p, 0] = mean
    m.p_lead[p, 1] += delta * (lead - mean)
    _wip_step(m, -1)
    _free_part(m, part)
    if m.cfg[0] == CONWIP:
        _refill(m)


@njit
def _scrap(m: LineArrays, part: int, station: int) -> None:
    m.ci[C_SCRAP] += 1
    m.p_cnt[m.pt_prod[part], 2] += 1
    m.st_cnt[station, 1] += 1
    m.cf[X_SOJOURN] += m.cf[X_NOW] - m.pt_rel[part]
    _wip_step(m, -1)
    _free_part(m, part)
    if m.cfg[0] == CONWIP:
        _refill(m)


# -- buffers -----------------------------------------------------------------------------------


@njit
def _has_room(m: LineArrays, b: int) -> bool:
    cap = m.st[b, S_CAP]
    return cap < 0 or m.buf[b, B_ILEN] < cap


@njit
def _push_item(m: LineArrays, b: int, part: int) -> None:
    width = m.items.shape[1]
    n = m.buf[b, B_ILEN]
    if n == width:
        m.ci[C_STATUS] = OVERFLOW
        return
    m.items[b, (m.buf[b, B_IHEAD] + n) % width] = part
    m.buf[b, B_ILEN] = n + 1


@njit
def _pop_item(m: LineArrays, b: int) -> int:
    head = m.buf[b, B_IHEAD]
    part = m.items[b, head]
    m.buf[b, B_IHEAD] = (head + 1) % m.items.shape[1]
    m.buf[b, B_ILEN] -= 1
    return part


@njit
def _append_putter(m: LineArrays, b: int, owner: int, part: int) -> None:
    width = m.put_o.shape[1]
    n = m.buf[b, B_PLEN]
    if n == width:
        m.ci[C_STATUS] = OVERFLOW
        return
    j = (m.buf[b, B_PHEAD] + n) % width
    m.put_o[b, j] = owner
    m.put_p[b, j] = part
    m.buf[b, B_PLEN] = n + 1
    if owner >= 0:
        m.sv[owner, V_WAITING_IN] = b


@njit
def _up(m: LineArrays, owner: int) -> bool:
    return owner < 0 or m.sv[owner, V_DOWN] == 0


@njit
def _any_up_putter(m: LineArrays, b: int) -> bool:
    width = m.put_o.shape[1]
    head = m.buf[b, B_PHEAD]
    for i in range(m.buf[b, B_PLEN]):  # noqa: SIM110 - no any() over generators in Numba
        if _up(m, m.put_o[b, (head + i) % width]):
            return True
    return False


@njit
def _pop_putter(m: LineArrays, b: int) -> tuple[int, int]:
    """Remove the first putter whose server is up; return (owner, part), part -1: none."""
    width = m.put_o.shape[1]
    head = m.buf[b, B_PHEAD]
    n = m.buf[b, B_PLEN]
    for i in range(n):
        j = (head + i) % width
        owner = m.put_o[b, j]
        if _up(m, owner):
            part = m.put_p[b, j]
            if i == 0:
                m.buf[b, B_PHEAD] = (head + 1) % width
            else:
                for k in range(i, n - 1):
                    a = (head + k) % width
                    c = (head + k + 1) % width
                    m.put_o[b, a] = m.put_o[b, c]
                    m.put_p[b, a] = m.put_p[b, c]
            m.buf[b, B_PLEN] = n - 1
            return owner, part
    return -1, -1


@njit
def _pop_getter(m: LineArrays, b: int) -> int:
    """Remove and return the first waiting server of ``b`` that is up (-1: none)."""
    n = m.buf[b, B_GLEN]
    for i in range(n):
        s = m.getters[b, i]
        if m.sv[s, V_DOWN] == 0:
            for k in range(i, n - 1):
                m.getters[b, k] = m.getters[b, k + 1]
            m.buf[b, B_GLEN] = n - 1
            return s
    return -1


@njit
def _accepts(m: LineArrays, b: int) -> bool:
    if _has_room(m, b):
        return True
    for i in range(m.buf[b, B_GLEN]):  # noqa: SIM110 - no any() over generators in Numba
        if m.sv[m.getters[b, i], V_DOWN] == 0:
            return True
    return False


@njit
def _give(m: LineArrays, s: int, part: int) -> None:
    """Hand ``part`` to the waiting server ``s``; it resumes at once (at this time)."""
    m.sv[s, V_PART] = part
    m.sv[s, V_WAITING_IN] = -1
    _push(m, m.cf[X_NOW], EV_WAKE, s, 0)


@njit
def _put(m: LineArrays, b: int, part: int) -> bool:
    """Move ``part`` onto the first waiting server of ``b``, else into a place."""
    if m.buf[b, B_GLEN] > 0:
        s = _pop_getter(m, b)
        if s >= 0:
            _give(m, s, part)
            return True
    if _has_room(m, b):
        _push_item(m, b, part)
        return True
    return False


@njit
def _admitted(m: LineArrays, owner: int, part: int) -> int:
    if owner < 0:
        if m.pt_rel[part] < 0.0:
            _release(m, part)
    else:
        m.sv[owner, V_PART] = -1
        m.sv[owner, V_WAITING_IN] = -1
        _push(m, m.cf[X_NOW], EV_WAKE, owner, 0)
    return part


@njit
def _admit(m: LineArrays, b: int) -> None:
    while m.buf[b, B_PLEN] > 0 and _has_room(m, b):
        owner, part = _pop_putter(m, b)
        if part < 0:
            return
        _push_item(m, b, _admitted(m, owner, part))


@njit
def _take(m: LineArrays, b: int) -> int:
    if m.buf[b, B_ILEN] > 0:
        part = _pop_item(m, b)
        if m.buf[b, B_PLEN] > 0:
            _admit(m, b)
        return part
    if m.buf[b, B_PLEN] > 0:
        owner, part = _pop_putter(m, b)
        if part >= 0:
            return _admitted(m, owner, part)
    return -1


@njit
def _retry(m: LineArrays, b: int) -> None:
    """Match waiting servers and parts again (a server waiting at ``b`` was repaired)."""
    while m.buf[b, B_GLEN] > 0 and (m.buf[b, B_ILEN] > 0 or _any_up_putter(m, b)):
        s = _pop_getter(m, b)
        if s < 0:
            break
        _give(m, s, _take(m, b))
    if m.buf[b, B_PLEN] > 0:
        _admit(m, b)


# -- a server's process ------------------------------------------------------------------------


@njit
def _start_work(m: LineArrays, s: int, duration: float, base: int, after: int) -> None:
    m.sf[s, F_REMAIN] = duration
    m.sv[s, V_WBASE] = base
    m.sv[s, V_WNEXT] = after
    m.sv[s, V_PC] = PC_WORK


@njit
def _advance(m: LineArrays, s: int) -> None:
    """Run server ``s``'s process from its program counter until it waits for an event."""
    st = m.sv[s, V_STATION]
    calendar = m.st[st, S_FAIL] == FAIL_CALENDAR
    operating = m.st[st, S_FAIL] == FAIL_OPERATING
    while True:
        if m.ci[C_STATUS] != 0:
            return
        pc = m.sv[s, V_PC]
        now = m.cf[X_NOW]
        if pc == PC_TOP:
            m.sv[s, V_PC] = PC_TAKE
            if calendar and m.sv[s, V_DOWN]:
                _set(m, s, STARVED)
                m.sv[s, V_WAIT_REPAIR] = 1
                return
        elif pc == PC_TAKE:
            part = _take(m, st)
            if part < 0:
                if m.st[st, S_SAT]:
                    k = _pick(m.pick_cum[st], m.st[st, S_NPICK], m, _stream(st, P_MIX))
                    part = _new_part(m, m.pick_prod[st, k])
                    _release(m, part)
                else:
                    _set(m, s, STARVED)
                    n = m.buf[st, B_GLEN]
                    m.getters[st, n] = s
                    m.buf[st, B_GLEN] = n + 1
                    m.sv[s, V_WAITING_IN] = st
                    m.sv[s, V_PC] = PC_GOT
                    return
            m.sv[s, V_PART] = part
            m.sv[s, V_PC] = PC_GOT
        elif pc == PC_GOT:
            m.sv[s, V_PC] = PC_PROCESS
            if m.st[st, S_SETUP]:
                product = m.pt_prod[m.sv[s, V_PART]]
                last = m.sv[s, V_LAST]
                if last != product:
                    m.sv[s, V_LAST] = product
                    if last >= 0:
                        dist = m.setup[st, last, product]
                        if dist >= 0:
                            duration = _draw(m, dist, _stream(st, P_SETUP))
                            _start_work(m, s, duration, SETUP, PC_PROCESS)
        elif pc == PC_PROCESS:
            product = m.pt_prod[m.sv[s, V_PART]]
            duration = _draw(m, m.proc[st, product], _stream(st, P_PROCESS))
            _start_work(m, s, duration, BUSY, PC_FINISH)
        elif pc == PC_FINISH:
            part = m.sv[s, V_PART]
            m.st_cnt[st, 0] += 1
            m.sv[s, V_PC] = PC_TOP
            p_scrap = m.scrap[st]
            if p_scrap > 0.0 and u01(m.rs, _stream(st, P_SCRAP)) < p_scrap:
                m.sv[s, V_PART] = -1
                _scrap(m, part, st)
                continue
            product = m.pt_prod[part]
            step = m.pt_step[part] + 1
            if step == m.route_len[product]:
                m.sv[s, V_PART] = -1
                _leave(m, part)
                continue
            m.pt_step[part] = step
            m.sv[s, V_PC] = PC_PUT
            if calendar and m.sv[s, V_DOWN]:
                m.sv[s, V_WAIT_REPAIR] = 1
                return
        elif pc == PC_PUT:
            part = m.sv[s, V_PART]
            target = m.route[m.pt_prod[part], m.pt_step[part]]
            m.sv[s, V_PC] = PC_TOP
            if _put(m, target, part):
                m.sv[s, V_PART] = -1
            else:
                _set(m, s, BLOCKED)
                _append_putter(m, target, s, part)
                return
        elif pc == PC_WORK:
            base = m.sv[s, V_WBASE]
            _set(m, s, base)
            if m.sv[s, V_DOWN]:
                m.sv[s, V_WAIT_REPAIR] = 1
                return
            remaining = m.sf[s, F_REMAIN]
            step_t = remaining
            failing = 0
            if operating and m.sf[s, F_TTF_LEFT] < remaining:
                failing = 1
                step_t = m.sf[s, F_TTF_LEFT]
            m.sv[s, V_FAILING] = failing
            m.sf[s, F_SEG_START] = now
            m.sf[s, F_STEP] = step_t
            m.sv[s, V_IN_WORK] = 1
            token = m.sv[s, V_TOKEN] + 1
            m.sv[s, V_TOKEN] = token
            m.sv[s, V_PC] = PC_SEGEND
            _push(m, now + step_t, EV_SEG, s, token)
            return
        elif pc == PC_SEGEND:
            m.sv[s, V_IN_WORK] = 0
            step_t = m.sf[s, F_STEP]
            if not m.sv[s, V_FAILING]:
                if operating:
                    m.sf[s, F_TTF_LEFT] -= step_t
                m.sv[s, V_PC] = m.sv[s, V_WNEXT]
                continue
            m.sf[s, F_REMAIN] -= step_t
            m.sf[s, F_TTF_LEFT] = 0.0
            m.sv[s, V_DOWN] = 1
            _set(m, s, m.sv[s, V_WBASE])
            m.sv[s, V_PC] = PC_OPREP
            _push(m, now + _draw(m, m.st[st, S_TTR], _stream(st, P_REPAIR)), EV_OPREP, s, 0)
            return
        else:  # PC_OPREP: repaired (operating basis)
            m.sv[s, V_DOWN] = 0
            m.sf[s, F_TTF_LEFT] = _draw(m, m.st[st, S_TTF], _stream(st, P_FAILURE))
            _set(m, s, m.sv[s, V_WBASE])
            m.sv[s, V_PC] = PC_WORK


@njit
def _calendar_fail(m: LineArrays, s: int) -> None:
    st = m.sv[s, V_STATION]
    now = m.cf[X_NOW]
    m.sv[s, V_DOWN] = 1
    _set(m, s, m.sv[s, V_BASE])
    if m.sv[s, V_IN_WORK]:
        m.sv[s, V_IN_WORK] = 0
        m.sv[s, V_TOKEN] += 1
        elapsed = now - m.sf[s, F_SEG_START]
        m.sf[s, F_REMAIN] = max(m.sf[s, F_REMAIN] - elapsed, 0.0)
        m.sv[s, V_PC] = PC_WORK
        _advance(m, s)
    _push(m, now + _draw(m, m.st[st, S_TTR], _stream(st, P_REPAIR)), EV_CALREP, s, 0)


@njit
def _calendar_repair(m: LineArrays, s: int) -> None:
    st = m.sv[s, V_STATION]
    now = m.cf[X_NOW]
    m.sv[s, V_DOWN] = 0
    _set(m, s, m.sv[s, V_BASE])
    if m.sv[s, V_WAIT_REPAIR]:
        m.sv[s, V_WAIT_REPAIR] = 0
        _push(m, now, EV_WAKE, s, 0)
    elif m.sv[s, V_WAITING_IN] >= 0:
        _retry(m, m.sv[s, V_WAITING_IN])
    _push(m, now + _draw(m, m.st[st, S_TTF], _stream(st, P_FAILURE)), EV_CALFAIL, s, 0)


# -- the run -----------------------------------------------------------------------------------


@njit
def _step(m: LineArrays) -> None:
    """Process the first event of the heap."""
    n = _heap.pop(m.ht, m.he, m.ci[C_HEAP])
    m.ci[C_HEAP] = n
    m.cf[X_NOW] = m.ht[n]
    kind = m.he[n, 1]
    who = m.he[n, 2]
    if kind == EV_SEG:
        if m.he[n, 3] != m.sv[who, V_TOKEN] or m.sv[who, V_PC] != PC_SEGEND:
            return  # work interrupted meanwhile: a stale event
        _advance(m, who)
    elif kind == EV_WAKE or kind == EV_OPREP:  # noqa: SIM109 - plain compares for Numba
        _advance(m, who)
    elif kind == EV_CALFAIL:
        _calendar_fail(m, who)
    elif kind == EV_CALREP:
        _calendar_repair(m, who)
    else:  # EV_ARRIVAL
        n_st = m.st.shape[0]
        now = m.cf[X_NOW]
        _push(m, now + _draw(m, m.cfg[2], _stream(n_st, P_ARRIVAL)), EV_ARRIVAL, 0, 0)
        product = _pick(m.mix_cum, m.mix_cum.shape[0], m, _stream(n_st, P_MIX))
        _enter(m, _new_part(m, product))
    m.ci[C_EVENTS] += 1


@njit
def _run_until(m: LineArrays, t: float) -> None:
    while m.ci[C_HEAP] > 0 and m.ht[0] <= t:
        _step(m)
        if m.ci[C_STATUS] != 0:
            return


@njit
def _simulate_line_kernel(m: LineArrays) -> None:
    n_st = m.st.shape[0]
    n_srv = m.sv.shape[0]
    for i in range(m.free.shape[0]):
        m.free[i] = m.free.shape[0] - 1 - i
    m.ci[C_FREE] = m.free.shape[0]
    for s in range(n_srv):
        st = m.sv[s, V_STATION]
        m.sv[s, V_STATE] = STARVED
        m.sv[s, V_BASE] = STARVED
        m.sv[s, V_PC] = PC_TOP
        m.sv[s, V_PART] = -1
        m.sv[s, V_LAST] = -1
        m.sv[s, V_WAITING_IN] = -1
        if m.st[st, S_FAIL] == FAIL_OPERATING:
            m.sf[s, F_TTF_LEFT] = _draw(m, m.st[st, S_TTF], _stream(st, P_FAILURE))
    if m.cfg[0] == CONWIP:
        for _ in range(m.cfg[1]):
            _refill(m)
    elif m.cfg[0] == INTERARRIVAL:
        _push(m, _draw(m, m.cfg[2], _stream(n_st, P_ARRIVAL)), EV_ARRIVAL, 0, 0)
    for s in range(n_srv):
        _push(m, 0.0, EV_WAKE, s, 0)
        st = m.sv[s, V_STATION]
        if m.st[st, S_FAIL] == FAIL_CALENDAR:
            _push(m, _draw(m, m.st[st, S_TTF], _stream(st, P_FAILURE)), EV_CALFAIL, s, 0)
    warmup = m.window[0]
    horizon = m.window[1]
    _run_until(m, warmup)
    if m.ci[C_STATUS] != 0:
        return
    # Start measuring: everything up to and at the warm-up's end belongs to the warm-up.
    m.acc[:, :] = 0.0
    m.st_cnt[:, :] = 0
    m.p_cnt[:, :] = 0
    m.p_lead[:, :] = 0.0
    for s in range(n_srv):
        m.sf[s, F_SINCE] = warmup
    m.cf[X_WIP_ACC] = 0.0
    m.cf[X_WIP_T] = warmup
    m.cf[X_SOJOURN] = 0.0
    _run_until(m, horizon)
    if m.ci[C_STATUS] != 0:
        return
    m.cf[X_NOW] = horizon
    for s in range(n_srv):
        m.acc[m.sv[s, V_STATION], m.sv[s, V_STATE]] += horizon - m.sf[s, F_SINCE]
        m.sf[s, F_SINCE] = horizon
    _wip_step(m, 0)


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
        0 when the run completed, :data:`OVERFLOW` when a capacity (part pool, a buffer, the
        event heap) was too small: the results are then meaningless.
    """
    n_st = m.st.shape[0]
    n_prod = m.route.shape[0]
    if m.st.shape[1] != ST_WIDTH or m.sv.shape[1] != SV_WIDTH or m.sf.shape[1] != SF_WIDTH:
        raise ValueError("station or server tables have the wrong width")
    if m.proc.shape != (n_st, n_prod) or m.setup.shape != (n_st, n_prod, n_prod):
        raise ValueError("process or setup tables do not match stations x products")
    if m.rs.shape != (N_PURPOSES * (n_st + 1), 4):
        raise ValueError(f"'rs' must have {N_PURPOSES * (n_st + 1)} stream rows")
    if m.acc.shape != (n_st, 6) or m.p_cnt.shape != (n_prod, 4):
        raise ValueError("result arrays do not match stations x products")
    if not 0.0 <= m.window[0] <= m.window[1]:
        raise ValueError(f"'window' must be 0 <= warmup <= horizon (got {m.window!r})")
    _simulate_line_kernel(m)
    return int(m.ci[C_STATUS])

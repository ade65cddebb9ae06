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

Speed: the whole run is one ``@njit`` function. The helpers (the event heap, buffers, parts,
a server's process, the uniform and exponential draws) are closures over the kernel's
arrays, which Numba inlines into it; only the rarer samplers are a call
(:func:`simline.kernels.random.draw`). A call costs a reference-count increment and
decrement (an atomic operation in Numba's runtime) per array argument: the first version,
which passed all ~34 arrays (the :class:`LineArrays` tuple) to a dozen helpers per event,
spent most of its time there. Inlined code pays it only where a helper's body branches
around an early ``return`` (hence the heap's overflow limit instead of a ``return``).
The results are those of the first version, number for number.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simline.kernels._jit import njit
from simline.kernels.random import CONSTANT, EXPONENTIAL, draw

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
MASK32 = 0xFFFFFFFF
TWO_M53 = 1.0 / 9007199254740992.0
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


@njit
def _ring(i: int, width: int) -> int:
    """Return ``i % width`` for ``0 <= i < 2 * width`` (a ring index) without a division."""
    return i - width if i >= width else i


@njit
def _stream(station: int, purpose: int) -> int:
    """Return the stream of (station or release, purpose)."""
    return N_PURPOSES * station + purpose


@njit
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
) -> None:
    """Run the line; the arguments are the fields of :class:`LineArrays`, in order."""
    n_st = stab.shape[0]
    heap_limit = ht.shape[0] - sv.shape[0] - 4

    # -- events, states and draws --------------------------------------------------------------

    def _push(time: float, kind: int, who: int, token: int) -> None:
        """Insert an event into the heap, ordered by (time, sequence number).

        Past ``heap_limit`` events the overflow is flagged (the run stops after this event)
        instead of returning early, which keeps this code free of reference counting: the
        room left above the limit holds every push one event can make (at most one per
        server, plus its own work, a failure or repair and an arrival).
        """
        n = ci[C_HEAP]
        seq = ci[C_SEQ]
        ci[C_SEQ] = seq + 1
        ci[C_HEAP] = n + 1
        if n >= heap_limit:
            ci[C_STATUS] = OVERFLOW
        i = n
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

    def _set(s: int, base: int) -> None:
        """Enter base state ``base``; account the time of the previous state (down first)."""
        sv[s, V_BASE] = base
        state = DOWN if sv[s, V_DOWN] else base
        old = sv[s, V_STATE]
        if state != old:
            now = cf[X_NOW]
            acc[sv[s, V_STATION], old] += now - sf[s, F_SINCE]
            sv[s, V_STATE] = state
            sf[s, F_SINCE] = now

    def _u01(k: int) -> float:
        """Draw a uniform on (0, 1) from stream ``k``: :func:`u01`, written out to be inlined."""
        out = 0
        for word in range(2):
            s0 = rs[k, 0]
            s1 = rs[k, 1]
            s2 = rs[k, 2]
            s3 = rs[k, 3]
            x = (s1 * 5) & MASK32
            x = (((x << 7) | (x >> 25)) & MASK32) * 9 & MASK32
            t = (s1 << 9) & MASK32
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            rs[k, 0] = s0
            rs[k, 1] = s1
            rs[k, 2] = s2
            rs[k, 3] = ((s3 << 11) | (s3 >> 21)) & MASK32
            out = x >> 5 if word == 0 else out * 67108864 + (x >> 6)
        return (out + 0.5) * TWO_M53

    def _draw(dist: int, stream: int) -> float:
        """Draw from distribution ``dist``: constant and exponential inline, others a call."""
        code = dint[dist, 0]
        if code == CONSTANT:
            return dpar[dist, 0]
        if code == EXPONENTIAL:
            return -dpar[dist, 0] * math.log(_u01(stream))
        return draw(dist, dint, dpar, emp, rs, stream)

    def _pick(row: int, n: int, stream: int) -> int:
        """Index drawn by cumulative shares ``pick_cum[row, :n]`` (-1: ``mix_cum``)."""
        if n == 1:
            return 0
        u = _u01(stream)
        j = 0
        if row < 0:
            while j < n - 1 and mix_cum[j] <= u:
                j += 1
        else:
            while j < n - 1 and pick_cum[row, j] <= u:
                j += 1
        return j

    # -- parts entering and leaving ------------------------------------------------------------

    def _wip_step(delta: int) -> None:
        now = cf[X_NOW]
        cf[X_WIP_ACC] += ci[C_WIP] * (now - cf[X_WIP_T])
        cf[X_WIP_T] = now
        ci[C_WIP] += delta

    def _new_part(product: int) -> int:
        top = ci[C_FREE]
        part = 0  # the pool is empty: flag it, hand out part 0 (the run is void anyway)
        if top == 0:
            ci[C_STATUS] = OVERFLOW
        else:
            part = free[top - 1]
            ci[C_FREE] = top - 1
        pt_prod[part] = product
        pt_step[part] = 0
        pt_rel[part] = -1.0
        return part

    def _free_part(part: int) -> None:
        top = ci[C_FREE]
        free[top] = part
        ci[C_FREE] = top + 1

    def _release(part: int) -> None:
        pt_rel[part] = cf[X_NOW]
        ci[C_RELEASED] += 1
        p_cnt[pt_prod[part], 0] += 1
        _wip_step(1)

    # -- buffers -----------------------------------------------------------------------------------

    def _has_room(b: int) -> bool:
        cap = stab[b, S_CAP]
        return cap < 0 or buf[b, B_ILEN] < cap

    def _push_item(b: int, part: int) -> None:
        width = items.shape[1]
        n = buf[b, B_ILEN]
        if n == width:
            ci[C_STATUS] = OVERFLOW
        else:
            items[b, _ring(buf[b, B_IHEAD] + n, width)] = part
            buf[b, B_ILEN] = n + 1

    def _pop_item(b: int) -> int:
        head = buf[b, B_IHEAD]
        part = items[b, head]
        buf[b, B_IHEAD] = _ring(head + 1, items.shape[1])
        buf[b, B_ILEN] -= 1
        return part

    def _append_putter(b: int, owner: int, part: int) -> None:
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

    def _up(owner: int) -> bool:
        return owner < 0 or sv[owner, V_DOWN] == 0

    def _any_up_putter(b: int) -> bool:
        width = put_o.shape[1]
        head = buf[b, B_PHEAD]
        for i in range(buf[b, B_PLEN]):  # noqa: SIM110 - no any() over generators in Numba
            if _up(put_o[b, _ring(head + i, width)]):
                return True
        return False

    def _pop_putter(b: int) -> tuple[int, int]:
        """Remove the first putter whose server is up; return (owner, part), part -1: none."""
        width = put_o.shape[1]
        head = buf[b, B_PHEAD]
        n = buf[b, B_PLEN]
        for i in range(n):
            j = _ring(head + i, width)
            owner = put_o[b, j]
            if _up(owner):
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

    def _pop_getter(b: int) -> int:
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

    def _accepts(b: int) -> bool:
        if _has_room(b):
            return True
        for i in range(buf[b, B_GLEN]):  # noqa: SIM110 - no any() over generators in Numba
            if sv[getters[b, i], V_DOWN] == 0:
                return True
        return False

    def _give(s: int, part: int) -> None:
        """Hand ``part`` to the waiting server ``s``; it resumes at once (at this time)."""
        sv[s, V_PART] = part
        sv[s, V_WAITING_IN] = -1
        _push(cf[X_NOW], EV_WAKE, s, 0)

    def _put(b: int, part: int) -> bool:
        """Move ``part`` onto the first waiting server of ``b``, else into a place."""
        if buf[b, B_GLEN] > 0:
            s = _pop_getter(b)
            if s >= 0:
                _give(s, part)
                return True
        if _has_room(b):
            _push_item(b, part)
            return True
        return False

    def _enter(part: int) -> None:
        """Send a new part to its first buffer, or queue it outside (released when it gets in)."""
        b = route[pt_prod[part], 0]
        if _accepts(b):
            if pt_rel[part] < 0.0:
                _release(part)
            _put(b, part)
        else:
            _append_putter(b, -1, part)

    def _refill() -> None:
        """CONWIP: release a new part (product by the release mix) into its first buffer."""
        product = _pick(-1, mix_cum.shape[0], _stream(n_st, P_MIX))
        part = _new_part(product)
        _release(part)
        _enter(part)

    def _leave(part: int) -> None:
        p = pt_prod[part]
        lead = cf[X_NOW] - pt_rel[part]
        ci[C_GOOD] += 1
        p_cnt[p, 1] += 1
        cf[X_SOJOURN] += lead
        n = p_cnt[p, 3] + 1
        p_cnt[p, 3] = n
        mean = p_lead[p, 0]
        delta = lead - mean
        mean += delta / n
        p_lead[p, 0] = mean
        p_lead[p, 1] += delta * (lead - mean)
        _wip_step(-1)
        _free_part(part)
        if cfg[0] == CONWIP:
            _refill()

    def _scrap(part: int, station: int) -> None:
        ci[C_SCRAP] += 1
        p_cnt[pt_prod[part], 2] += 1
        st_cnt[station, 1] += 1
        cf[X_SOJOURN] += cf[X_NOW] - pt_rel[part]
        _wip_step(-1)
        _free_part(part)
        if cfg[0] == CONWIP:
            _refill()

    def _admitted(owner: int, part: int) -> int:
        if owner < 0:
            if pt_rel[part] < 0.0:
                _release(part)
        else:
            sv[owner, V_PART] = -1
            sv[owner, V_WAITING_IN] = -1
            _push(cf[X_NOW], EV_WAKE, owner, 0)
        return part

    def _admit(b: int) -> None:
        while buf[b, B_PLEN] > 0 and _has_room(b):
            owner, part = _pop_putter(b)
            if part < 0:
                return
            _push_item(b, _admitted(owner, part))

    def _take(b: int) -> int:
        if buf[b, B_ILEN] > 0:
            part = _pop_item(b)
            if buf[b, B_PLEN] > 0:
                _admit(b)
            return part
        if buf[b, B_PLEN] > 0:
            owner, part = _pop_putter(b)
            if part >= 0:
                return _admitted(owner, part)
        return -1

    def _retry(b: int) -> None:
        """Match waiting servers and parts again (a server waiting at ``b`` was repaired)."""
        while buf[b, B_GLEN] > 0 and (buf[b, B_ILEN] > 0 or _any_up_putter(b)):
            s = _pop_getter(b)
            if s < 0:
                break
            _give(s, _take(b))
        if buf[b, B_PLEN] > 0:
            _admit(b)

    # -- a server's process ----------------------------------------------------------------------

    def _start_work(s: int, duration: float, base: int, after: int) -> None:
        sf[s, F_REMAIN] = duration
        sv[s, V_WBASE] = base
        sv[s, V_WNEXT] = after
        sv[s, V_PC] = PC_WORK

    def _advance(s: int) -> None:
        """Run server ``s``'s process from its program counter until it waits for an event."""
        st = sv[s, V_STATION]
        calendar = stab[st, S_FAIL] == FAIL_CALENDAR
        operating = stab[st, S_FAIL] == FAIL_OPERATING
        while True:
            if ci[C_STATUS] != 0:
                return
            pc = sv[s, V_PC]
            now = cf[X_NOW]
            if pc == PC_TOP:
                sv[s, V_PC] = PC_TAKE
                if calendar and sv[s, V_DOWN]:
                    _set(s, STARVED)
                    sv[s, V_WAIT_REPAIR] = 1
                    return
            elif pc == PC_TAKE:
                part = _take(st)
                if part < 0:
                    if stab[st, S_SAT]:
                        k = _pick(st, stab[st, S_NPICK], _stream(st, P_MIX))
                        part = _new_part(pick_prod[st, k])
                        _release(part)
                    else:
                        _set(s, STARVED)
                        n = buf[st, B_GLEN]
                        getters[st, n] = s
                        buf[st, B_GLEN] = n + 1
                        sv[s, V_WAITING_IN] = st
                        sv[s, V_PC] = PC_GOT
                        return
                sv[s, V_PART] = part
                sv[s, V_PC] = PC_GOT
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
                                duration = _draw(dist, _stream(st, P_SETUP))
                                _start_work(s, duration, SETUP, PC_PROCESS)
            elif pc == PC_PROCESS:
                product = pt_prod[sv[s, V_PART]]
                duration = _draw(proc[st, product], _stream(st, P_PROCESS))
                _start_work(s, duration, BUSY, PC_FINISH)
            elif pc == PC_FINISH:
                part = sv[s, V_PART]
                st_cnt[st, 0] += 1
                sv[s, V_PC] = PC_TOP
                p_scrap = scrap[st]
                if p_scrap > 0.0 and _u01(_stream(st, P_SCRAP)) < p_scrap:
                    sv[s, V_PART] = -1
                    _scrap(part, st)
                    continue
                product = pt_prod[part]
                step = pt_step[part] + 1
                if step == route_len[product]:
                    sv[s, V_PART] = -1
                    _leave(part)
                    continue
                pt_step[part] = step
                sv[s, V_PC] = PC_PUT
                if calendar and sv[s, V_DOWN]:
                    sv[s, V_WAIT_REPAIR] = 1
                    return
            elif pc == PC_PUT:
                part = sv[s, V_PART]
                target = route[pt_prod[part], pt_step[part]]
                sv[s, V_PC] = PC_TOP
                if _put(target, part):
                    sv[s, V_PART] = -1
                else:
                    _set(s, BLOCKED)
                    _append_putter(target, s, part)
                    return
            elif pc == PC_WORK:
                base = sv[s, V_WBASE]
                _set(s, base)
                if sv[s, V_DOWN]:
                    sv[s, V_WAIT_REPAIR] = 1
                    return
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
                _push(now + step_t, EV_SEG, s, token)
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
                _set(s, sv[s, V_WBASE])
                sv[s, V_PC] = PC_OPREP
                _push(now + _draw(stab[st, S_TTR], _stream(st, P_REPAIR)), EV_OPREP, s, 0)
                return
            else:  # PC_OPREP: repaired (operating basis)
                sv[s, V_DOWN] = 0
                sf[s, F_TTF_LEFT] = _draw(stab[st, S_TTF], _stream(st, P_FAILURE))
                _set(s, sv[s, V_WBASE])
                sv[s, V_PC] = PC_WORK

    def _calendar_fail(s: int) -> bool:
        """Fail ``s`` now; ``True`` when its work was interrupted (its process goes on)."""
        st = sv[s, V_STATION]
        now = cf[X_NOW]
        sv[s, V_DOWN] = 1
        _set(s, sv[s, V_BASE])
        _push(now + _draw(stab[st, S_TTR], _stream(st, P_REPAIR)), EV_CALREP, s, 0)
        if not sv[s, V_IN_WORK]:
            return False
        sv[s, V_IN_WORK] = 0
        sv[s, V_TOKEN] += 1
        elapsed = now - sf[s, F_SEG_START]
        sf[s, F_REMAIN] = max(sf[s, F_REMAIN] - elapsed, 0.0)
        sv[s, V_PC] = PC_WORK
        return True

    def _calendar_repair(s: int) -> None:
        st = sv[s, V_STATION]
        now = cf[X_NOW]
        sv[s, V_DOWN] = 0
        _set(s, sv[s, V_BASE])
        if sv[s, V_WAIT_REPAIR]:
            sv[s, V_WAIT_REPAIR] = 0
            _push(now, EV_WAKE, s, 0)
        elif sv[s, V_WAITING_IN] >= 0:
            _retry(sv[s, V_WAITING_IN])
        _push(now + _draw(stab[st, S_TTF], _stream(st, P_FAILURE)), EV_CALFAIL, s, 0)

    def _arrival() -> None:
        now = cf[X_NOW]
        _push(now + _draw(cfg[2], _stream(n_st, P_ARRIVAL)), EV_ARRIVAL, 0, 0)
        product = _pick(-1, mix_cum.shape[0], _stream(n_st, P_MIX))
        _enter(_new_part(product))

    # -- the run ---------------------------------------------------------------------------------

    n_srv = sv.shape[0]
    for i in range(free.shape[0]):
        free[i] = free.shape[0] - 1 - i
    ci[C_FREE] = free.shape[0]
    for s in range(n_srv):
        k = sv[s, V_STATION]
        sv[s, V_STATE] = STARVED
        sv[s, V_BASE] = STARVED
        sv[s, V_PC] = PC_TOP
        sv[s, V_PART] = -1
        sv[s, V_LAST] = -1
        sv[s, V_WAITING_IN] = -1
        if stab[k, S_FAIL] == FAIL_OPERATING:
            sf[s, F_TTF_LEFT] = _draw(stab[k, S_TTF], _stream(k, P_FAILURE))
    if cfg[0] == CONWIP:
        for _ in range(cfg[1]):
            _refill()
    elif cfg[0] == INTERARRIVAL:
        _push(_draw(cfg[2], _stream(n_st, P_ARRIVAL)), EV_ARRIVAL, 0, 0)
    for s in range(n_srv):
        _push(0.0, EV_WAKE, s, 0)
        k = sv[s, V_STATION]
        if stab[k, S_FAIL] == FAIL_CALENDAR:
            _push(_draw(stab[k, S_TTF], _stream(k, P_FAILURE)), EV_CALFAIL, s, 0)
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
            go = True
            if kind == EV_CALFAIL:
                go = _calendar_fail(who)
            elif kind == EV_CALREP:
                _calendar_repair(who)
                go = False
            elif kind == EV_ARRIVAL:
                _arrival()
                go = False
            if go:
                _advance(who)
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
    _wip_step(0)


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
    if m.ht.shape[0] <= m.sv.shape[0] + 4 or m.he.shape != (m.ht.shape[0], 4):
        raise ValueError("the event heap must hold more than (servers + 4) events")
    if m.acc.shape != (n_st, 6) or m.p_cnt.shape != (n_prod, 4):
        raise ValueError("result arrays do not match stations x products")
    if not 0.0 <= m.window[0] <= m.window[1]:
        raise ValueError(f"'window' must be 0 <= warmup <= horizon (got {m.window!r})")
    _simulate_line_kernel(*m)
    return int(m.ci[C_STATUS])

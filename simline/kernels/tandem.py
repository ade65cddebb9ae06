# mypy: disable-error-code="no-any-return"
"""A serial line of single servers as a departure-time recursion: the fast path of ``fast``.

Most sweeps run plain serial lines: one product, one server per station, no builds, no
operators, failures (if any) counted in operating time. Such a line needs no event list.
With one server and a FIFO buffer, parts pass every station in the order they came, so the
``k``-th part at a station starts at ``max(its arrival, the departure of part k-1)`` and,
blocked after service, leaves at ``max(done, the time a place frees downstream)``, where the
place frees when the part ``B`` ahead of it starts at the next station (``B`` the next
buffer's places; with no place, when the one ahead leaves it). Every time depends on earlier
parts only, so the kernel walks the parts one by one through the routing.

Statistics are those of the event kernel (:mod:`simline.kernels.line`), each interval
(starved, busy, down, blocked, a part's time in line) clipped to the measured window
``[warmup, horizon]`` and counts taken in ``(warmup, horizon]``; the loop stops at the first
part released after the horizon. It draws from the same streams in the same order as the
event kernel (process times when work starts, repairs and the next time to failure as they
come, scrap when a part is done, interarrival times one by one), so it gives the event
kernel's results: counts exactly, sums up to rounding (``tests/unit/test_tandem.py``). Only
``ci[C_EVENTS]`` differs: it counts this kernel's steps (releases, station visits, and two
per failure), not the event kernel's events.

Memory: a ring of the last starts and departures per station (``max buffer + 2`` of each)
and, under CONWIP, a heap of the ``N`` exit times to come, whatever the number of parts.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simline.kernels._jit import is_cached, njit_loop
from simline.kernels.activity import A_SINCE, A_WAIT
from simline.kernels.distributions import draw_fast
from simline.kernels.events import stream as _stream
from simline.kernels.layout import (
    C_EVENTS,
    C_GOOD,
    C_RELEASED,
    C_SCRAP,
    C_WIP,
    CONWIP,
    INTERARRIVAL,
    N_PURPOSES,
    P_ARRIVAL,
    P_FAILURE,
    P_SCRAP,
    SATURATED,
)
from simline.kernels.random import u01_inline as _u01
from simline.kernels.tandem_steps import (
    POS_WIDTH,
    T_CAP,
    T_FAIL,
    T_PROCESS,
    T_STATION,
    T_TTF,
    _clip,
    _end_period,
    _failures,
    _pop_exit,
    _process_time,
    _push_exit,
    _record_exit,
)
from simline.vocabulary import BLOCKED, BUSY, STARVED

__all__ = ["POS_WIDTH", "TandemArrays", "compiled", "simulate_tandem"]


class TandemArrays(NamedTuple):
    """Every array of one run of :func:`simulate_tandem`.

    Plan (read only): ``pos`` (one row per step of the routing: station, buffer places of
    that station or -1 for unlimited, process distribution row, 1 when it fails in operating
    time, time-to-failure and repair distribution rows), ``scrap`` (per step), ``dint`` /
    ``dpar`` / ``emp`` (distributions, see :mod:`simline.kernels.random`), ``cfg`` (release
    mode as in :mod:`simline.kernels.layout`, CONWIP level, interarrival distribution row),
    ``window`` (warm-up, horizon).

    Run state: ``rs`` (stream states, rows as in :mod:`simline.kernels.layout`), ``starts`` /
    ``leaves`` (per step, a ring of the last parts' start and departure times), ``reached``
    (parts that reached each step), ``ttf`` (operating time left to the next failure),
    ``exits`` (CONWIP: heap of the exit times of the parts in line), ``block`` / ``used``
    (per step, process times drawn ahead in a block, and how many of them are used: start
    with ``used`` at the block's size).

    Results, shaped and indexed as :class:`simline.kernels.layout.LineState`'s: ``ci`` /
    ``cf`` (counters), ``acc`` (station x state time), ``st_cnt``, ``p_cnt``, ``p_lead``,
    ``act`` (active periods, :mod:`simline.kernels.activity`), ``ser`` (the time series,
    :mod:`simline.kernels.series`; no rows: none kept).
    """

    pos: np.ndarray
    scrap: np.ndarray
    dint: np.ndarray
    dpar: np.ndarray
    emp: np.ndarray
    cfg: np.ndarray
    window: np.ndarray
    rs: np.ndarray
    starts: np.ndarray
    leaves: np.ndarray
    reached: np.ndarray
    ttf: np.ndarray
    exits: np.ndarray
    block: np.ndarray
    used: np.ndarray
    ci: np.ndarray
    cf: np.ndarray
    acc: np.ndarray
    st_cnt: np.ndarray
    p_cnt: np.ndarray
    p_lead: np.ndarray
    act: np.ndarray
    ser: np.ndarray


@njit_loop
def _simulate_tandem_kernel(
    pos: np.ndarray,
    scrap: np.ndarray,
    dint: np.ndarray,
    dpar: np.ndarray,
    emp: np.ndarray,
    cfg: np.ndarray,
    window: np.ndarray,
    rs: np.ndarray,
    starts: np.ndarray,
    leaves: np.ndarray,
    reached: np.ndarray,
    ttf: np.ndarray,
    exits: np.ndarray,
    block: np.ndarray,
    used: np.ndarray,
    ci: np.ndarray,
    cf: np.ndarray,
    acc: np.ndarray,
    st_cnt: np.ndarray,
    p_cnt: np.ndarray,
    p_lead: np.ndarray,
    act: np.ndarray,
    ser: np.ndarray,
) -> None:
    """Run the line; the arguments are the fields of :class:`TandemArrays`, in order.

    Compiled without Numba's runtime (:func:`simline.kernels._jit.njit_loop`): it allocates
    nothing, and so no helper pays reference counting on the arrays it is given.
    """
    steps = pos.shape[0]
    width = starts.shape[1]
    warmup = window[0]
    horizon = window[1]
    mode = cfg[0]
    level = cfg[1]
    release_stream = N_PURPOSES * acc.shape[0]

    def _place_frees(j: int) -> float:
        """When the next part can enter step ``j``'s buffer (0: at once, unlimited buffer).

        With ``B >= 1`` places, when the part ``B`` ahead of it has started there; with
        none, when the part ahead has left the server.
        """
        cap = pos[j, T_CAP]
        k = reached[j]
        if cap < 0:
            return 0.0
        if cap == 0:
            return leaves[j, (k - 1) % width] if k >= 1 else 0.0
        return starts[j, (k - cap) % width] if k >= cap else 0.0

    for j in range(steps):
        if pos[j, T_FAIL]:
            ttf[j] = draw_fast(
                pos[j, T_TTF], dint, dpar, emp, rs, _stream(pos[j, T_STATION], P_FAILURE)
            )
    arrival = 0.0
    in_heap = 0
    n = 0
    while True:
        # -- when part n is released ----------------------------------------------------------
        if mode == SATURATED:  # the first station starts it as soon as it is free
            k = reached[0]
            released = leaves[0, (k - 1) % width] if k >= 1 else 0.0
        elif mode == INTERARRIVAL:  # it arrives, and waits outside for a place
            arrival += draw_fast(cfg[2], dint, dpar, emp, rs, release_stream + P_ARRIVAL)
            if arrival > horizon:
                break
            released = max(arrival, _place_frees(0))
        elif n < level:  # CONWIP: N at time 0, then one as each part leaves
            released = 0.0
        elif in_heap == 0:  # CONWIP with N = 0: nothing is ever released
            break
        else:
            released = exits[0]
            in_heap -= 1
            _pop_exit(exits, in_heap)
        if released > horizon:
            break
        ci[C_RELEASED] += 1
        ci[C_EVENTS] += 1
        if released > warmup:
            p_cnt[0, 0] += 1
        # -- its way through the routing -----------------------------------------------------
        t = released
        good = True
        where = 0
        for j in range(steps):
            st = pos[j, T_STATION]
            k = reached[j]
            slot = k % width
            idle_since = leaves[j, (k - 1) % width] if k >= 1 else 0.0
            start = max(t, idle_since)
            acc[st, STARVED] += _clip(idle_since, start, warmup, horizon)
            work = _process_time(pos[j, T_PROCESS], j, st, dint, dpar, emp, rs, block, used)
            now = start
            if pos[j, T_FAIL]:
                now, work = _failures(
                    j, st, now, work, pos, dint, dpar, emp, rs, ttf, ci, acc, window
                )
            done = now + work
            acc[st, BUSY] += _clip(now, done, warmup, horizon)
            if start > act[st, A_WAIT]:  # it waited: its active period ended then
                _end_period(act, st, act[st, A_WAIT], warmup, horizon)
                act[st, A_SINCE] = start
            act[st, A_WAIT] = done
            ci[C_EVENTS] += 1
            if warmup < done <= horizon:
                st_cnt[st, 0] += 1
            starts[j, slot] = start
            reached[j] = k + 1
            p_scrap = scrap[j]
            if p_scrap > 0.0 and _u01(rs, _stream(st, P_SCRAP)) < p_scrap:
                good = False
            if not good or j == steps - 1:  # leaves the line: no blocking
                leaves[j, slot] = done
                t = done
                where = st
                break
            leave = max(done, _place_frees(j + 1))
            acc[st, BLOCKED] += _clip(done, leave, warmup, horizon)
            leaves[j, slot] = leave
            t = leave
        # -- it left the line at t ------------------------------------------------------------
        _record_exit(released, t, good, where, ci, cf, st_cnt, p_cnt, p_lead, window, ser)
        if mode == CONWIP:
            _push_exit(exits, in_heap, t)
            in_heap += 1
        n += 1
    # -- every station idle from its last departure to the end ---------------------------------
    for j in range(steps):
        k = reached[j]
        idle_since = leaves[j, (k - 1) % width] if k >= 1 else 0.0
        acc[pos[j, T_STATION], STARVED] += _clip(idle_since, horizon, warmup, horizon)
        _end_period(act, pos[j, T_STATION], act[pos[j, T_STATION], A_WAIT], warmup, horizon)
    ci[C_WIP] = ci[C_RELEASED] - ci[C_GOOD] - ci[C_SCRAP]


def simulate_tandem(m: TandemArrays) -> None:
    """Run the serial line packed in ``m`` from time 0 to ``m.window[1]``.

    Parameters
    ----------
    m
        The packed line with zeroed run-state and result arrays of matching shapes (see
        :class:`TandemArrays`); ``m.rs`` holds the seeded stream states. Stations that are
        not a step of the routing get no time here (the caller adds their idle time).
    """
    steps = m.pos.shape[0]
    if steps == 0 or m.pos.shape[1] != POS_WIDTH or m.scrap.shape != (steps,):
        raise ValueError("'pos' must have one row of POS_WIDTH per step, 'scrap' one per step")
    if m.starts.shape != m.leaves.shape or m.starts.shape[0] != steps:
        raise ValueError("'starts' and 'leaves' must have one ring per step")
    caps = m.pos[:, T_CAP]
    if m.starts.shape[1] < int(caps.max(initial=0)) + 2:
        raise ValueError("the rings must hold the largest buffer + 2 parts")
    if m.reached.shape != (steps,) or m.ttf.shape != (steps,):
        raise ValueError("'reached' and 'ttf' must have one entry per step")
    if m.block.shape[0] != steps or m.used.shape != (steps,) or m.block.shape[1] < 1:
        raise ValueError("'block' and 'used' must have one row per step")
    if ((m.used < 0) | (m.used > m.block.shape[1])).any():
        raise ValueError("'used' must lie in [0, block size]")
    if m.cfg[0] == CONWIP and m.exits.shape[0] < m.cfg[1]:
        raise ValueError("'exits' must hold the CONWIP level")
    if m.rs.shape != (N_PURPOSES * (m.acc.shape[0] + 1), 4):
        raise ValueError(f"'rs' must have {N_PURPOSES * (m.acc.shape[0] + 1)} stream rows")
    if not 0.0 <= m.window[0] <= m.window[1]:
        raise ValueError(f"'window' must be 0 <= warmup <= horizon (got {m.window!r})")
    _simulate_tandem_kernel(*m)


def compiled() -> bool:
    """Whether the kernel is in Numba's disk cache (else its first run compiles it)."""
    return is_cached(_simulate_tandem_kernel)

"""Exact figures of a saturated tandem line of exponential machines, from its Markov chain.

The line: ``K`` single-server stations in series, station ``i`` with exponential process
times of rate ``mu[i]``; a buffer of ``buffers[i - 1]`` places in front of station ``i`` for
``i = 2 .. K`` (``0`` allowed); the first station never starves (``saturated`` release);
blocking after service (``docs/model.md``, "Stations, buffers, blocking"): a finished part
that finds neither a free server nor a free place downstream stays on its server, which is
then blocked until a place frees. The last station never blocks.

The state is each station's server (``STARVED``, ``WORKING`` or ``BLOCKED``; the first is never
starved, the last never blocked) and each buffer's content. Exponential times make it a
continuous-time Markov chain; :func:`line` enumerates the states reachable from the empty line,
builds the generator and solves ``pi Q = 0``, ``sum(pi) = 1`` with ``scipy.sparse.linalg``.
The throughput is ``mu[K]`` times the probability that the last station works; the mean WIP
counts every part on a server (working or blocked) or in a buffer, as simline does (a part
is released when the first station takes it).

When a server frees (its part moved on or left) it takes the head of its buffer; that frees
a place, into which the part held by a blocked server upstream moves at once, freeing that
server in turn: the chain of moves runs upstream in the same instant. With a buffer of ``0``
places the blocked part goes straight onto the freed server. The first station, once free,
starts a new part at once.

Checks (``tests/integration/test_ctmc_line.py``): two stations with ``b`` places give the
birth-death chain of ``tests/analytic.two_machine_line`` (``mu (b + 2) / (b + 3)`` for equal
rates: ``b + 3`` equally likely states for the number of parts between the machines, only
the empty one starving the second); three balanced stations without buffers give
``0.5641 mu`` ([HB67]_, table of exact values); and long simulations with simline's ``des``
engine agree with it.

References
----------
.. [HB67] F. S. Hillier, R. W. Boling, "Finite queues in series with exponential or Erlang
   service times -- a numerical approach", *Operations Research* 15(2):286-303, 1967.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import linalg

__all__ = ["BLOCKED", "STARVED", "WORKING", "LineResult", "line", "throughput"]

STARVED, WORKING, BLOCKED = 0, 1, 2

#: A state: the servers' states (station 1 .. K), then the buffers' contents (stations 2 .. K).
State = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class LineResult:
    """Exact stationary figures of the line.

    Attributes
    ----------
    throughput
        Parts per time unit leaving the last station.
    wip
        Mean number of parts in the line (on servers, working or blocked, and in buffers).
    states
        Number of states of the chain.
    blocked
        Per station, the probability that its server is blocked.
    starved
        Per station, the probability that its server is starved.
    """

    throughput: float
    wip: float
    states: int
    blocked: tuple[float, ...]
    starved: tuple[float, ...]


def _free(servers: list[int], content: list[int], j: int, buffers: Sequence[int]) -> None:
    """Station ``j``'s server (0-based) just freed: it takes work, and blocked parts move up."""
    while True:
        if j == 0:
            servers[0] = WORKING  # saturated: a new part at once
            return
        if content[j - 1] > 0:
            content[j - 1] -= 1
            servers[j] = WORKING
            if servers[j - 1] == BLOCKED:  # the blocked part takes the freed place
                content[j - 1] += 1
                j -= 1
                continue
            return
        if servers[j - 1] == BLOCKED:  # a buffer of 0 places: straight onto the server
            servers[j] = WORKING
            j -= 1
            continue
        servers[j] = STARVED
        return


def _finish(state: State, i: int, buffers: Sequence[int]) -> State:
    """The state after station ``i`` (0-based, working) finishes its part."""
    k = len(buffers) + 1
    servers = list(state[:k])
    content = list(state[k:])
    if i < k - 1:
        if servers[i + 1] == STARVED:
            servers[i + 1] = WORKING
        elif content[i] < buffers[i]:
            content[i] += 1
        else:
            servers[i] = BLOCKED
            return (*servers, *content)
    _free(servers, content, i, buffers)
    return (*servers, *content)


def line(rates: Sequence[float], buffers: Sequence[int]) -> LineResult:
    """Solve the chain of a saturated tandem line with blocking after service.

    Parameters
    ----------
    rates
        Process rates ``mu_1 .. mu_K`` of the stations (``K >= 1``), per time unit.
    buffers
        Places in front of stations ``2 .. K`` (``K - 1`` integers ``>= 0``).

    Returns
    -------
    LineResult
        Throughput, mean WIP and per-station blocking and starvation.
    """
    k = len(rates)
    if k < 1 or len(buffers) != k - 1:
        raise ValueError(f"need K >= 1 rates and K - 1 buffers (got {len(rates)}, {len(buffers)})")
    if any(r <= 0 for r in rates) or any(b < 0 or int(b) != b for b in buffers):
        raise ValueError(f"need rates > 0 and whole buffers >= 0 (got {rates!r}, {buffers!r})")
    buffers = [int(b) for b in buffers]
    start: State = (WORKING, *([STARVED] * (k - 1)), *([0] * (k - 1)))
    index: dict[State, int] = {start: 0}
    order: list[State] = [start]
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    pos = 0
    while pos < len(order):
        state = order[pos]
        for i in range(k):
            if state[i] != WORKING:
                continue
            nxt = _finish(state, i, buffers)
            if nxt not in index:
                index[nxt] = len(order)
                order.append(nxt)
            rows.append(pos)
            cols.append(index[nxt])
            vals.append(float(rates[i]))
        pos += 1
    n = len(order)
    q = sparse.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    q = q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())
    # pi Q = 0 with sum(pi) = 1: the transposed system with its last equation replaced.
    a = q.T.tolil()
    a[n - 1, :] = np.ones(n)
    rhs = np.zeros(n)
    rhs[n - 1] = 1.0
    pi = np.asarray(linalg.spsolve(a.tocsc(), rhs)).ravel()
    states = np.array(order)
    last_working = states[:, k - 1] == WORKING
    on_servers = (states[:, :k] != STARVED).sum(axis=1)
    in_buffers = states[:, k:].sum(axis=1) if k > 1 else np.zeros(n)
    return LineResult(
        throughput=float(rates[k - 1] * pi[last_working].sum()),
        wip=float(pi @ (on_servers + in_buffers)),
        states=n,
        blocked=tuple(float(pi[states[:, i] == BLOCKED].sum()) for i in range(k)),
        starved=tuple(float(pi[states[:, i] == STARVED].sum()) for i in range(k)),
    )


def throughput(rates: Sequence[float], buffers: Sequence[int]) -> float:
    """Exact throughput of the line (see :func:`line`)."""
    return line(rates, buffers).throughput

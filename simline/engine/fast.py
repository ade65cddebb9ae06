"""The fast backend: the line model of ``docs/model.md`` run by the Numba kernels.

:func:`simulate` packs a :class:`~simline.plan.Plan` into the event kernel's tables
(:class:`simline.kernels.layout.LinePlan`, once per plan), allocates a run's state
(:func:`simline.kernels.layout.new_state`), seeds one in-kernel stream per (station or
``release``, purpose) from the same seed sequences as the SimPy engine
(:func:`simline.engine.rng.seed_sequence`), runs the kernel and builds the same
:class:`~simline.engine.results.RunResult` as :mod:`simline.engine.des`, with
``backend="fast"``. The numbers are not those of the SimPy engine (other generators), but the
model is the same: the two agree statistically (``tests/integration/test_agreement.py``).

Two kernels: a serial line of single servers (:func:`tandem_steps`) runs as the departure-
time recursion of :mod:`simline.kernels.tandem`, every other plan as the event loop of
:mod:`simline.kernels.line`. On the plans both can run they give the same numbers
(``tests/unit/test_tandem.py``); only ``RunResult.events`` differs: each counts its own
steps (the recursion: releases, station visits and failures).

:func:`supports` says which plans the kernels cover; ``--backend auto`` falls back to the
SimPy engine for the others and ``--backend fast`` refuses them with a :class:`ConfigError`.
"""

from __future__ import annotations

import itertools
import math
import pickle
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple, TypeVar

import numpy as np

from simline.engine import rng
from simline.engine._deadlock import deadlock_message
from simline.engine.results import RunResult, Series, product_results, station_results
from simline.errors import ConfigError, SimlineWarning, SimulationError

_M = TypeVar("_M")

if TYPE_CHECKING:
    from simline.kernels.layout import Capacities, LinePlan, LineState
    from simline.kernels.tandem import TandemArrays
    from simline.plan import Dist, Plan

__all__ = ["simulate", "supports", "tandem_steps", "uncompiled_kernels"]

_N_PURPOSES = len(rng.Purpose)
_MODES = {"saturated": 0, "interarrival": 1, "conwip": 2}
#: Process times the recursion draws ahead per station (for other than constant/exponential).
_BLOCK = 64
#: The recursion keeps a ring of ``max buffer + 2`` start and departure times per station:
#: it runs the lines where these hold at most this many (8 MiB each), the event kernel
#: the others.
_TANDEM_RING = 1 << 20
#: How often the capacities may be doubled before giving up (2**20 times the first guess).
_MAX_DOUBLINGS = 20


#: Most entries of the kernel's dense setup table (stations x products x products, 8 bytes
#: each: 128 MiB). A plan with more runs on the SimPy engine, which keeps setups sparse.
SETUP_TABLE_MAX = 2**24


def supports(plan: Plan) -> str | None:
    """Return why the fast backend cannot run ``plan``, or ``None`` when it can.

    Parameters
    ----------
    plan
        The compiled scenario.

    Returns
    -------
    str or None
        The unsupported feature, named as in the scenario file. Every feature of the model
        is covered (only the trace is not, see :func:`simulate`); the limits are the size
        of the kernel's setup table, a station x product x product array, and the size of
        the arrays before the first event (:data:`_MAX_START_BYTES`). A batch station with
        a buffer of 0 places (a plan built in code: a scenario file cannot have one) runs
        on the SimPy engine only.
    """
    n_st, n_prod = len(plan.stations), len(plan.products)
    if n_st * n_prod * n_prod > SETUP_TABLE_MAX:
        return (
            f"{n_prod:,} products at {n_st:,} stations (its table of product changes would "
            f"hold {n_st * n_prod * n_prod:,} entries, at most {SETUP_TABLE_MAX:,})"
        )
    for sp in plan.stations:
        if sp.batch is not None and sp.buffer == 0:
            # A scenario file cannot ask for this ('buffer' must hold a build), a plan can:
            # the SimPy engine hands blocked parts straight to a free server, the event
            # kernel has no such path and would wait for ever.
            return f"a batch station without buffer places (station {sp.name!r}, buffer 0)"
    if tandem_steps(plan) is not None:
        return None
    return _too_large(plan)


def simulate(
    plan: Plan, replication: int, *, trace: bool = False, kernel: str = "auto", bins: int = 0
) -> RunResult:
    """Run one replication of ``plan`` with the Numba kernels.

    Parameters
    ----------
    plan
        The compiled scenario (see :func:`supports`).
    replication
        The replication number: it selects the random streams.
    trace
        Not available in this backend (``True`` is an error).
    kernel
        ``"auto"``: the departure-time recursion (:mod:`simline.kernels.tandem`) for the
        plans :func:`tandem_steps` accepts, the event kernel for the others; ``"events"`` or
        ``"tandem"`` force one (the tests compare the two).
    bins
        Keep the line's time series in this many bins over the whole run (0: none), as
        :func:`simline.engine.des.simulate` does.

    Returns
    -------
    RunResult
        As :func:`simline.engine.des.simulate` returns it, with ``backend="fast"``;
        ``events`` counts the kernel's events, ``trace`` is ``None``.

    Raises
    ------
    ConfigError
        If the plan uses a feature the kernels do not cover, or a trace is asked for.
    SimulationError
        If the measured length is not positive, the line grows without bound, or it
        deadlocks (see :mod:`simline.engine._deadlock`).
    ValueError
        If ``kernel`` is unknown, or ``"tandem"`` for a plan :func:`tandem_steps` refuses.
    """
    if kernel not in ("auto", "events", "tandem"):
        raise ValueError(f"'kernel' must be 'auto', 'events' or 'tandem' (got {kernel!r})")
    reason = supports(plan)
    if reason is not None:
        raise ConfigError(
            f"the fast (Numba) backend does not support {reason} yet; "
            "use --backend des or --backend auto",
            path="--backend",
        )
    if trace:
        raise ConfigError(
            "the fast (Numba) backend records no trace; use --backend des", path="--trace"
        )
    if not plan.length > 0.0 or plan.warmup < 0.0:
        raise SimulationError(
            f"'length' must be > 0 and 'warmup' >= 0 (got {plan.length!r}, {plan.warmup!r})"
        )
    states = _stream_states(plan, replication)
    if bins < 0:
        raise ValueError(f"'bins' must be >= 0 (got {bins})")
    if kernel != "events" and tandem_steps(plan) is not None:
        return _result(plan, replication, _run_tandem(plan, states, bins))
    if kernel == "tandem":
        raise ValueError(f"scenario {plan.name!r} is not a serial line of single servers")
    from simline.kernels.layout import X_NOW, new_state
    from simline.kernels.line import DEADLOCK, OVERFLOW, simulate_line

    packed = _line_plan(plan)
    for doubling in range(_first_doubling(plan), _MAX_DOUBLINGS + 1):
        size = _layout(plan, 2**doubling)[0]
        if doubling > 0 and size.nbytes > _MAX_BYTES:
            break
        m = new_state(packed, size.capacities(), states, bins)  # fresh, the streams copied
        status = int(_call_kernel(lambda m: simulate_line(packed, m), m) or 0)
        if status & OVERFLOW:
            continue
        _remember_doubling(plan, doubling)
        if status & DEADLOCK:
            raise SimulationError(
                deadlock_message(plan, replication, float(m.cf[X_NOW]), _deadlocked(plan, m))
            )
        return _result(plan, replication, m)
    raise SimulationError(
        f"scenario {plan.name!r}, replication {replication}: the line holds more parts than "
        "the fast backend can store (is a station overloaded?)"
    )


#: The notice (a :class:`~simline.errors.SimlineWarning`) when the cache was repaired.
CACHE_REPAIRED = "the fast engine's cache was damaged; recompiling"


def _call_kernel(run: Callable[[_M], int | None], m: _M) -> int | None:
    """Call a kernel's wrapper; if Numba's cache of the kernels is damaged, repair and retry.

    A truncated or garbled cache file makes loading the kernel fail (an ``UnpicklingError``
    or another error of unpickling). The damaged files are then deleted, the notice
    :data:`CACHE_REPAIRED` is issued as a :class:`~simline.errors.SimlineWarning`, and the
    call is made again, which compiles the kernel afresh. An error that is not the cache's
    goes on as it was.
    """
    from simline.kernels._jit import repair_cache
    from simline.kernels.line import _simulate

    try:
        return run(m)
    except Exception as exc:
        repaired = repair_cache(_simulate)
        if not repaired and not isinstance(exc, (pickle.UnpicklingError, EOFError)):
            raise
        if repaired:
            warnings.warn(CACHE_REPAIRED, SimlineWarning, stacklevel=3)
    return run(m)


def _deadlocked(plan: Plan, m: LineState) -> list[str]:
    """Return the stations of the deadlock the kernel found: those its last check marked."""
    from simline.kernels.layout import B_DLQ, B_MARK, C_MARK

    n = int((m.buf[:, B_MARK] == m.ci[C_MARK]).sum())
    return [plan.stations[int(b)].name for b in m.buf[:n, B_DLQ]]


def uncompiled_kernels(plans: Iterable[Plan]) -> set[str]:
    """Name the kernels (``"tandem"``, ``"events"``) these plans need that are not cached yet.

    Their first run compiles them, for the times in
    :data:`simline.engine.warmup.COMPILE_CPU_SECONDS` (measured, docs/performance.md).
    """
    from simline.kernels import line, tandem

    needed = {"tandem" if tandem_steps(plan) is not None else "events" for plan in plans}
    cached = {"tandem": tandem.compiled, "events": line.compiled}
    return {name for name in needed if not cached[name]()}


def tandem_steps(plan: Plan) -> tuple[int, ...] | None:
    """Return the routing when ``plan`` is a serial line the recursion runs, else ``None``.

    That is: one product, whose routing visits a station at most once; one server at each
    station of its routing; no builds; no station that needs operators from a workforce;
    failures, if any, counted in operating time; buffers small enough for its rings
    (:data:`_TANDEM_RING`). (Setups never happen with one product: a
    server's first part needs none.) Stations off the routing may be anything but batch
    stations or calendar failures, which would make them change state.
    """
    if len(plan.products) != 1:
        return None
    workforce = plan.workforce
    if workforce is not None and any(s.operators > 0 for s in plan.stations):
        return None
    for sp in plan.stations:
        if sp.batch is not None or (sp.failure is not None and not sp.failure.operating):
            return None
    routing = plan.products[0].routing
    if len(set(routing)) != len(routing) or any(plan.stations[i].servers != 1 for i in routing):
        return None
    longest = max((plan.stations[i].buffer or 0 for i in routing), default=0)
    if len(routing) * (longest + 2) > _TANDEM_RING:
        return None  # its rings would be large: the event kernel grows with the run instead
    return routing


def _run_tandem(plan: Plan, states: np.ndarray, bins: int = 0) -> TandemArrays:
    """Pack ``plan`` (a line :func:`tandem_steps` accepts) and run the recursion."""
    from simline.kernels.activity import ACT_WIDTH
    from simline.kernels.distributions import dist_tables
    from simline.kernels.layout import CF_WIDTH, CI_WIDTH, X_BIN
    from simline.kernels.series import SER_WIDTH
    from simline.kernels.tandem import POS_WIDTH, TandemArrays, simulate_tandem
    from simline.vocabulary import STARVED

    steps = tandem_steps(plan)
    assert steps is not None
    dists: list[Dist] = []

    def row(dist: Dist) -> int:
        dists.append(dist)
        return len(dists) - 1

    pos = np.zeros((len(steps), POS_WIDTH), dtype=np.int64)
    for j, i in enumerate(steps):
        sp = plan.stations[i]
        pos[j, :3] = (i, -1 if sp.buffer is None else sp.buffer, row(sp.process[0]))
        if sp.failure is not None:
            pos[j, 3:] = (1, row(sp.failure.ttf), row(sp.failure.ttr))
    release = plan.release
    cfg = np.array([_MODES[release.mode], release.wip if release.mode == "conwip" else 0, 0])
    if release.mode == "interarrival":
        if release.interarrival is None:
            raise SimulationError("'release.interarrival' must be set for interarrival release")
        cfg[2] = row(release.interarrival)
    dint, dpar, emp = dist_tables([(int(d.code), d.params) for d in dists])
    width = int(pos[:, 1].max(initial=0)) + 2
    n_st = len(plan.stations)
    m = TandemArrays(
        pos=pos,
        scrap=np.array([plan.stations[i].scrap for i in steps], dtype=np.float64),
        dint=dint,
        dpar=dpar,
        emp=emp,
        cfg=cfg.astype(np.int64),
        window=np.array([plan.warmup, plan.horizon], dtype=np.float64),
        rs=states,
        starts=np.zeros((len(steps), width), dtype=np.float64),
        leaves=np.zeros((len(steps), width), dtype=np.float64),
        reached=np.zeros(len(steps), dtype=np.int64),
        ttf=np.zeros(len(steps), dtype=np.float64),
        exits=np.zeros(max(int(cfg[1]), 1), dtype=np.float64),
        block=np.zeros((len(steps), _BLOCK), dtype=np.float64),
        used=np.full(len(steps), _BLOCK, dtype=np.int64),
        ci=np.zeros(CI_WIDTH, dtype=np.int64),
        cf=np.zeros(CF_WIDTH, dtype=np.float64),
        acc=np.zeros((n_st, 6), dtype=np.float64),
        st_cnt=np.zeros((n_st, 4), dtype=np.int64),
        p_cnt=np.zeros((1, 4), dtype=np.int64),
        p_lead=np.zeros((1, 2), dtype=np.float64),
        act=np.zeros((n_st, ACT_WIDTH), dtype=np.float64),
        ser=np.zeros((bins, SER_WIDTH), dtype=np.float64),
    )
    if bins > 0:
        m.cf[X_BIN] = plan.horizon / bins
    _call_kernel(simulate_tandem, m)
    for i, sp in enumerate(plan.stations):  # off the routing: idle all the measured time
        if i not in steps:
            m.acc[i, STARVED] = sp.servers * plan.length
    return m


#: Per plan (by identity, the few most recent): how often the capacities had to be doubled
#: last time. The next replications start there instead of overflowing again from the
#: first guess; the result does not depend on the capacities (see ``simulate_line``).
_DOUBLINGS: dict[int, tuple[Plan, int]] = {}
_DOUBLINGS_KEPT = 16


def _first_doubling(plan: Plan) -> int:
    hit = _DOUBLINGS.get(id(plan))
    return hit[1] if hit is not None and hit[0] is plan else 0


def _remember_doubling(plan: Plan, doubling: int) -> None:
    if doubling == 0 or _first_doubling(plan) == doubling:
        return
    _DOUBLINGS[id(plan)] = (plan, doubling)
    while len(_DOUBLINGS) > _DOUBLINGS_KEPT:  # forget the oldest
        _DOUBLINGS.pop(next(iter(_DOUBLINGS)), None)


def _used_purposes(plan: Plan) -> list[set[rng.Purpose]]:
    """List the purposes each owner (stations in plan order, then release) draws from."""
    purpose = rng.Purpose
    used: list[set[rng.Purpose]] = []
    saturated = plan.release.mode == "saturated"
    for i, sp in enumerate(plan.stations):
        own = {purpose.PROCESS}
        if sp.failure is not None:
            own |= {purpose.FAILURE, purpose.REPAIR}
        if sp.setup is not None:
            own.add(purpose.SETUP)
        if sp.scrap > 0.0:
            own.add(purpose.SCRAP)
        if saturated and len(plan.first_products(i)) > 1:
            own.add(purpose.MIX)
        used.append(own)
    release: set[rng.Purpose] = set()
    if plan.release.mode == "interarrival":
        release.add(purpose.ARRIVAL)
    if not saturated and len(plan.products) > 1:
        release.add(purpose.MIX)
    used.append(release)
    return used


def _stream_states(plan: Plan, replication: int) -> np.ndarray:
    """One xoshiro128** state per (owner, purpose): stations in plan order, then release.

    Each is seeded from the stream's seed sequence (:func:`simline.engine.rng.seed_sequence`,
    computed in one batch by :func:`simline.kernels.random.seed_states`). Only the streams
    the kernel draws from are seeded; the others stay zero and are never read.
    """
    from simline.kernels.random import seed_states

    owners = [s.name for s in plan.stations] + [rng.RELEASE]
    rows: list[int] = []
    words: list[list[int]] = []
    for i, (owner, used) in enumerate(zip(owners, _used_purposes(plan), strict=True)):
        for purpose in sorted(used):
            rows.append(i * _N_PURPOSES + int(purpose))
            words.append(rng.entropy(plan.seed, replication, owner, purpose))
    states = np.zeros((len(owners) * _N_PURPOSES, 4), dtype=np.int64)
    if rows:
        states[rows] = seed_states(words)
    return states


def _cumulative(weights: list[float]) -> np.ndarray:
    if sum(weights) <= 0.0:
        weights = [1.0] * len(weights)
    cum = np.cumsum(np.asarray(weights, dtype=np.float64) / math.fsum(weights))
    cum[-1] = 1.0
    return cum


#: Capacities start at this many places times the scale (then double when a run needs
#: more): for a buffer without limit, and the part pool's and queues' headroom.
_BASE = 64
#: A configured capacity (buffer places, CONWIP level, builds) is given its full size at
#: first only up to this many places times the scale: larger ones grow with the run, as
#: far as it fills them, so a million-place buffer that holds ten parts costs ten.
_ROOM = 4096
#: Integer columns per server (``simline.kernels.layout.SV_WIDTH``, not imported to keep
#: the kernels' import out of :func:`supports`).
SV_COLUMNS = 19
#: The event kernel's arrays may take this much memory at the start (bytes); a plan needing
#: more (tens of thousands of servers, thousands of products with setups) runs on des.
_MAX_START_BYTES = 512 * 2**20
#: ... and this much when they grow: beyond it the line holds more parts than the fast
#: backend can store (an overloaded station, most likely).
_MAX_BYTES = 4 * 2**30


class _Sizes(NamedTuple):
    """The capacities of one run of the event kernel (see :func:`_sizes`)."""

    items: int
    putters: int
    parts: int
    heap: int
    build: int
    bld_rows: int
    nbytes: int

    def capacities(self) -> Capacities:
        """Return the kernel's :class:`~simline.kernels.layout.Capacities` of these sizes."""
        from simline.kernels.layout import Capacities

        return Capacities(
            self.items, self.putters, self.parts, self.heap, self.build, self.bld_rows
        )


def _parts_bound(plan: Plan) -> float:
    """Return the most parts the line can ever hold at once (``math.inf``: no bound).

    CONWIP holds exactly its level. Under saturated release parts are created on a server
    of a first station, so they are all on servers (a build each at most) or in buffers;
    an unlimited buffer (or interarrival release, whose parts may queue outside) has no
    bound.
    """
    release = plan.release
    if release.mode == "conwip":
        return float(release.wip)
    if release.mode == "interarrival" or any(s.buffer is None for s in plan.stations):
        return math.inf
    held = sum(s.servers * (s.batch.size if s.batch is not None else 1) for s in plan.stations)
    return float(held + sum(s.buffer or 0 for s in plan.stations))


def _sizes(plan: Plan, scale: int) -> _Sizes:
    """Size every array of the event kernel from what a run can use, ``scale`` x the start.

    Nothing is sized from a configured maximum alone: a capacity is the least of what the
    configuration allows, what the line can hold (:func:`_parts_bound`) and a start that
    doubles with ``scale`` (the kernel flags an overflow and the run starts again larger).
    A buffer's queue of blocked parts holds the servers of the stations that feed it (and
    the parts that wait outside, at a first station). A build takes a row of ``bld``, as
    wide as the largest build, for each server of a batch station; any other server holds
    its one part in ``sv``. Nothing per server is allocated here, so a plan too large to run is
    told apart cheaply (:func:`_too_large`).
    """
    stations = plan.stations
    n_st, n_prod = len(stations), len(plan.products)
    n_srv = sum(s.servers for s in stations)
    base, room = _BASE * scale, _ROOM * scale
    bound = _parts_bound(plan)
    finite = [s.buffer for s in stations if s.buffer is not None]
    unlimited = n_st - len(finite)
    items = int(max(1, min(max([*finite, base]), room, bound)))
    mode = plan.release.mode
    outside = (
        0 if mode == "saturated" else min(plan.release.wip, room) if mode == "conwip" else base
    )
    feeders: list[set[int]] = [set() for _ in stations]
    firsts: set[int] = set()
    for prod in plan.products:
        firsts.add(prod.routing[0])
        for a, b in itertools.pairwise(prod.routing):
            feeders[b].add(a)
    queue = max(
        sum(stations[a].servers for a in feeders[b]) + (outside if b in firsts else 0)
        for b in range(n_st)
    )
    putters = int(min(queue + base, max(bound, 1) + base))
    widths = [s.batch.size if s.batch is not None else 1 for s in stations]
    build = max(widths)
    held = sum(s.servers * (w + 1) for s, w in zip(stations, widths, strict=True))
    parts = min(
        min(held, room + n_srv)
        + sum(min(c, items) for c in finite)
        + unlimited * items
        + (0 if mode == "saturated" else len(firsts) * putters)
        + 16,
        bound + n_srv + 16,
    )
    parts = int(max(parts, n_srv + 16))
    heap = 8 * n_srv + 2 * build + base + 16
    rows = max(sum(s.servers for s in stations if s.batch is not None), 1)
    words = (
        n_srv * (SV_COLUMNS + 5)  # sv, sf
        + n_st * max(s.servers for s in stations)  # getters
        + rows * build  # bld
        + n_st * n_prod * (n_prod + 3)  # setup, proc, pick tables
        + n_st * (items + 2 * putters)  # buffers
        + parts * 6  # part pool
        + heap * 5  # event heap
        + 3 * n_srv  # operators
    )
    return _Sizes(items, putters, parts, heap, build, rows, 8 * words)


#: Per plan (by identity, the few most recent) and scale: what :func:`_layout` computed.
_LAYOUTS: dict[tuple[int, int], tuple[Plan, tuple[_Sizes, list[int], np.ndarray]]] = {}


def _layout(plan: Plan, scale: int) -> tuple[_Sizes, list[int], np.ndarray]:
    """Return :func:`_sizes`, :func:`_on_cycle` and :func:`_build_slots` of ``plan``.

    Computed once per plan and scale: every replication packs the same plan.
    """
    key = (id(plan), scale)
    hit = _LAYOUTS.get(key)
    if hit is not None and hit[0] is plan:
        return hit[1]
    layout = (_sizes(plan, scale), _on_cycle(plan), _build_slots(plan))
    _LAYOUTS[key] = (plan, layout)
    while len(_LAYOUTS) > _DOUBLINGS_KEPT:  # forget the oldest
        _LAYOUTS.pop(next(iter(_LAYOUTS)), None)
    return layout


def _on_cycle(plan: Plan) -> list[int]:
    """Mark (1) each station on a cycle of stations that feed each other in the routings.

    Only there can blocked servers wait for each other for ever (a deadlock), so only
    there does the event kernel look for one.
    """
    n_st = len(plan.stations)
    feeds: list[set[int]] = [set() for _ in range(n_st)]
    for prod in plan.products:
        for a, b in itertools.pairwise(prod.routing):
            feeds[a].add(b)
    marks = []
    for i in range(n_st):
        seen: set[int] = set()
        todo = list(feeds[i])
        while todo and i not in seen:
            j = todo.pop()
            if j not in seen:
                seen.add(j)
                todo.extend(feeds[j])
        marks.append(1 if i in seen else 0)
    return marks


def _build_slots(plan: Plan) -> np.ndarray:
    """Return each server's row of ``bld``: one per server of a batch station (0 for others)."""
    rows = np.zeros(sum(s.servers for s in plan.stations), dtype=np.int64)
    s = row = 0
    for sp in plan.stations:
        if sp.batch is not None:
            rows[s : s + sp.servers] = np.arange(row, row + sp.servers)
            row += sp.servers
        s += sp.servers
    return rows


def _too_large(plan: Plan) -> str | None:
    """Why the event kernel's arrays would be too large for ``plan`` at the start, or None."""
    nbytes = _layout(plan, 1)[0].nbytes
    if nbytes > _MAX_START_BYTES:
        return (
            f"a line this large ({nbytes / 2**20:,.0f} MiB of arrays before the first "
            f"event; the limit is {_MAX_START_BYTES // 2**20} MiB)"
        )
    return None


def line_run(plan: Plan, replication: int, scale: int = 1) -> tuple[LinePlan, LineState]:
    """Return the event kernel's tables of ``plan`` and a fresh state for one replication.

    What :func:`simulate` passes to :func:`simline.kernels.line.simulate_line` (capacities
    ``scale`` times the first guess), for tests and benchmarks that look inside a run.
    """
    from simline.kernels.layout import new_state

    packed = _line_plan(plan)
    capacities = _layout(plan, scale)[0].capacities()
    return packed, new_state(packed, capacities, _stream_states(plan, replication))


#: Per plan (by identity, the few most recent): its packed tables (:func:`_pack`).
_PACKED: dict[int, tuple[Plan, LinePlan]] = {}


def _line_plan(plan: Plan) -> LinePlan:
    """Return ``plan`` packed for the event kernel: once per plan, for every replication."""
    hit = _PACKED.get(id(plan))
    if hit is not None and hit[0] is plan:
        return hit[1]
    packed = _pack(plan)
    _PACKED[id(plan)] = (plan, packed)
    while len(_PACKED) > _DOUBLINGS_KEPT:  # forget the oldest
        _PACKED.pop(next(iter(_PACKED)), None)
    return packed


def _pack(plan: Plan) -> LinePlan:
    """Pack ``plan`` into the event kernel's tables (:class:`~simline.kernels.layout.LinePlan`)."""
    from simline.kernels.distributions import dist_tables
    from simline.kernels.layout import (
        S_BSIZE,
        S_CYCLE,
        S_OPS,
        S_PERPART,
        ST_WIDTH,
        LinePlan,
    )

    dists: list[Dist] = []

    def row(dist: Dist) -> int:
        dists.append(dist)
        return len(dists) - 1

    stations = plan.stations
    products = plan.products
    n_st, n_prod = len(stations), len(products)
    n_srv = sum(s.servers for s in stations)
    st = np.zeros((n_st, ST_WIDTH), dtype=np.int64)
    proc = np.zeros((n_st, n_prod), dtype=np.int64)
    setup = np.full((n_st, n_prod, n_prod), -1, dtype=np.int64)
    pick_prod = np.zeros((n_st, n_prod), dtype=np.int64)
    pick_cum = np.ones((n_st, n_prod), dtype=np.float64)
    sv_station = np.zeros(n_srv, dtype=np.int64)
    stf = np.full(n_st, math.inf, dtype=np.float64)
    workforce = plan.workforce
    saturated = plan.release.mode == "saturated"
    first = 0
    for i, sp in enumerate(stations):
        st[i, 0] = sp.servers
        st[i, 1] = -1 if sp.buffer is None else sp.buffer
        st[i, 2] = first
        sv_station[first : first + sp.servers] = i
        first += sp.servers
        if sp.failure is not None:
            st[i, 3] = 1 if sp.failure.operating else 2
            st[i, 4] = row(sp.failure.ttf)
            st[i, 5] = row(sp.failure.ttr)
        for p, dist in enumerate(sp.process):
            proc[i, p] = row(dist)
        if sp.setup is not None:
            if sp.setup.other is not None:
                setup[i] = row(sp.setup.other)
                np.fill_diagonal(setup[i], -1)
            for a, b, entry in sp.setup.changes:
                setup[i, a, b] = row(entry)
            st[i, 7] = int(bool((setup[i] >= 0).any()))
        if workforce is not None:
            st[i, S_OPS] = sp.operators
        st[i, S_PERPART] = -1
        if sp.batch is not None:
            st[i, S_BSIZE] = sp.batch.size
            stf[i] = sp.batch.max_wait
            if not sp.batch.per_part.is_zero:
                st[i, S_PERPART] = row(sp.batch.per_part)
        firsts = plan.first_products(i)
        if saturated and firsts:
            st[i, 6] = 1
            st[i, 8] = len(firsts)
            pick_prod[i, : len(firsts)] = firsts
            pick_cum[i, : len(firsts)] = _cumulative([products[p].mix for p in firsts])
    _, cycle, slots = _layout(plan, 1)
    st[:, S_CYCLE] = cycle
    cfg = np.zeros(5, dtype=np.int64)
    period = 0.0
    changes: tuple[tuple[float, int], ...] = ((0.0, 0),)
    if workforce is not None and any(s.operators > 0 for s in stations):
        cfg[3] = workforce.on_duty(0.0)
        cfg[4] = len(workforce.changes)
        period = workforce.period
        changes = workforce.changes
    cfg[0] = _MODES[plan.release.mode]
    cfg[1] = plan.release.wip if plan.release.mode == "conwip" else 0
    if plan.release.mode == "interarrival":
        if plan.release.interarrival is None:
            raise SimulationError("'release.interarrival' must be set for interarrival release")
        cfg[2] = row(plan.release.interarrival)
    longest = max(len(p.routing) for p in products)
    route = np.zeros((n_prod, longest), dtype=np.int64)
    route_len = np.zeros(n_prod, dtype=np.int64)
    for p, prod in enumerate(products):
        route[p, : len(prod.routing)] = prod.routing
        route_len[p] = len(prod.routing)
    dint, dpar, emp = dist_tables([(int(d.code), d.params) for d in dists])

    return LinePlan(
        st=st,
        scrap=np.array([s.scrap for s in stations], dtype=np.float64),
        proc=proc,
        setup=setup,
        route=route,
        route_len=route_len,
        pick_prod=pick_prod,
        pick_cum=pick_cum,
        mix_cum=_cumulative([p.mix for p in products]),
        dint=dint,
        dpar=dpar,
        emp=emp,
        cfg=cfg,
        window=np.array([plan.warmup, plan.horizon, period], dtype=np.float64),
        stf=stf,
        wf_t=np.array([t for t, _ in changes], dtype=np.float64),
        wf_n=np.array([n for _, n in changes], dtype=np.int64),
        server_station=sv_station,
        server_build_row=slots,
    )


def _result(plan: Plan, replication: int, m: LineState | TandemArrays) -> RunResult:
    from simline.kernels.activity import A_PERIODS, A_TIME
    from simline.kernels.layout import (
        C_EVENTS,
        C_GOOD,
        C_RELEASED,
        C_SCRAP,
        C_WIP,
        X_SOJOURN,
        X_WIP_ACC,
    )

    stations = station_results(
        [sp.name for sp in plan.stations],
        [sp.servers for sp in plan.stations],
        m.acc,
        m.st_cnt,
        m.act[:, [A_TIME, A_PERIODS]],
    )
    products = product_results([prod.name for prod in plan.products], m.p_cnt, m.p_lead)
    paid = plan.paid_operator_time()
    return RunResult(
        scenario=plan.name,
        backend="fast",
        replication=replication,
        seed=plan.seed,
        measured_time=plan.length,
        hours_per_unit=plan.hours_per_unit,
        stations=stations,
        products=products,
        wip_integral=float(m.cf[X_WIP_ACC]),
        operator_paid_time=float(paid),
        released_total=int(m.ci[C_RELEASED]),
        good_total=int(m.ci[C_GOOD]),
        scrap_total=int(m.ci[C_SCRAP]),
        wip_end=int(m.ci[C_WIP]),
        events=int(m.ci[C_EVENTS]),
        sojourn_sum=float(m.cf[X_SOJOURN]),
        trace=None,
        series=_series(m),
    )


def _series(m: LineState | TandemArrays) -> Series | None:
    from simline.kernels.layout import X_BIN

    if m.ser.shape[0] == 0:
        return None
    return Series(
        width=float(m.cf[X_BIN]),
        wip_integral=tuple(float(x) for x in m.ser[:, 0]),
        good=tuple(int(n) for n in m.ser[:, 1]),
    )

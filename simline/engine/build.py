"""Plan to run time: everything the SimPy engine needs, built once before the run.

This is the only place that reads a :class:`~simline.plan.Plan`: it creates the named random
streams and the samplers over them, the buffers, stations, servers, the operator pool, and
starts every process. Nothing on the hot path looks anything up by name afterwards.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simline.engine import rng
from simline.engine._buffer import BatchBuffer, Buffer
from simline.engine._line import Line
from simline.engine._sampling import Sampler
from simline.engine._station import Server, Station
from simline.engine._streams import Draws, Streams, draws
from simline.engine._workforce import OperatorPool
from simline.errors import SimulationError

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    import simpy

    from simline.engine.results import TraceRow
    from simline.plan import Plan, SetupPlan, StationPlan

__all__ = ["build"]


def build(
    env: simpy.Environment,
    plan: Plan,
    replication: int,
    trace: list[TraceRow] | None,
    streams: Streams = "numpy",
) -> Line:
    """Build replication ``replication`` of ``plan`` in ``env`` and start its processes.

    Parameters
    ----------
    env
        A fresh environment at time 0.
    plan
        The scenario to simulate.
    replication
        The replication number (selects the random streams).
    trace
        A list to append trace rows to, or ``None`` for no trace.
    streams
        Where the random numbers come from: ``"numpy"``, numpy's generators; ``"kernel"``,
        the fast engine's streams and variate algorithms (see :mod:`simline.engine._streams`).

    Returns
    -------
    Line
        The run state, ``line.stations`` in plan order. Nothing is measured yet: the caller
        calls :meth:`Line.start_measuring` at the end of the warm-up.

    Raises
    ------
    SimulationError
        If a batch station could never start a build.
    ValueError
        If ``streams`` is unknown.
    """
    line = Line(env, tuple(p.name for p in plan.products), trace)
    source = draws(plan, replication, streams)

    pool = OperatorPool(env, plan.workforce) if plan.workforce is not None else None
    saturated = plan.release.mode == "saturated"
    stations = [
        _station(line, i, sp, plan, source, pool, saturated) for i, sp in enumerate(plan.stations)
    ]
    line.stations = stations
    line.routes = tuple(tuple(stations[i] for i in p.routing) for p in plan.products)

    for station, sp in zip(stations, plan.stations, strict=True):
        for _ in range(sp.servers):
            server = Server(env, station)
            station.servers.append(server)
            line.servers.append(server)
            body = server.run_batch() if sp.batch is not None else server.run()
            server.proc = env.process(body)
            if station.fail_calendar:
                env.process(server.fail_calendar())
            if station.pool is not None:
                station.pool.manned.append(server)
    if pool is not None:
        env.process(pool.run())

    release = plan.release
    if release.mode != "saturated":
        mix = source.choice([p.mix for p in plan.products], rng.RELEASE, rng.Purpose.MIX)
        if release.mode == "interarrival":
            if release.interarrival is None:
                raise SimulationError("'release.interarrival' must be set for interarrival release")
            gap = source.sampler(release.interarrival, rng.RELEASE, rng.Purpose.ARRIVAL)
            env.process(_arrivals(env, line, gap, mix))
        else:

            def refill() -> None:
                line.enter(line.release_new(mix()))

            for _ in range(release.wip):
                refill()
            line.refill = refill
    return line


def _station(
    line: Line,
    index: int,
    sp: StationPlan,
    plan: Plan,
    source: Draws,
    pool: OperatorPool | None,
    saturated: bool,
) -> Station:
    """One station with its samplers and buffer (no servers yet)."""
    env = line.env
    name = sp.name
    st = Station(line, index, name)
    products = plan.products

    process = rng.Purpose.PROCESS
    st.process = [source.sampler(d, name, process) for d in sp.process]
    st.process += [None] * (len(products) - len(st.process))

    if sp.setup is not None:
        st.setup = _setup_lookup(sp.setup, source, name)

    if sp.scrap > 0.0:
        st.scrap_p = float(sp.scrap)
        st.scrap_u = source.uniform(name, rng.Purpose.SCRAP)

    if sp.failure is not None:
        st.ttf = source.sampler(sp.failure.ttf, name, rng.Purpose.FAILURE)
        st.ttr = source.sampler(sp.failure.ttr, name, rng.Purpose.REPAIR)
        st.fail_operating = sp.failure.operating
        st.fail_calendar = not sp.failure.operating

    st.k = sp.operators
    if sp.operators > 0 and pool is not None:
        st.pool = pool
    st.plain = sp.failure is None and st.pool is None

    firsts = plan.first_products(index)
    if saturated and firsts:
        st.saturated = True
        st.pick = _picker(firsts, [products[p].mix for p in firsts], source, name)

    if sp.batch is None:
        st.buffer = Buffer(env, line, name, sp.buffer)
    else:
        batch = sp.batch
        st.batch_size = batch.size
        if not batch.per_part.is_zero:
            st.per_part = source.sampler(batch.per_part, name, process)
        receives = any(index in p.routing[1:] for p in products) or (bool(firsts) and not saturated)
        cap = math.inf if sp.buffer is None else sp.buffer
        if receives and 0 < cap < batch.size and batch.max_wait == math.inf:
            raise SimulationError(
                f"station {name!r}: a batch of {batch.size} could never start with a buffer "
                f"of {sp.buffer} places and no max_wait"
            )
        st.buffer = BatchBuffer(env, line, name, sp.buffer, batch.size, batch.max_wait)
    st.buffer.owner = st
    return st


def _picker(
    products: tuple[int, ...], weights: list[float], source: Draws, owner: str
) -> Callable[[], int]:
    """Draw one of ``products`` by ``weights`` (no draw at all for one product)."""
    if len(products) == 1:
        only = products[0]
        return lambda: only
    if sum(weights) <= 0.0:
        weights = [1.0] * len(products)
    index = source.choice(weights, owner, rng.Purpose.MIX)
    return lambda: products[index()]


def _arrivals(
    env: simpy.Environment, line: Line, gap: Sampler, mix: Callable[[], int]
) -> Generator[simpy.Event, object, None]:
    """Interarrival release: a new part every ``gap()``, its product drawn by ``mix``."""
    timeout = env.timeout
    while True:
        yield timeout(gap())
        line.enter(line.new_part(mix()))


def _setup_lookup(
    setup: SetupPlan, source: Draws, owner: str
) -> Callable[[int, int], Sampler | None]:
    """Return ``lookup(from, to)``: the setup sampler of a change of product, or ``None``.

    Each change of product gets its own sampler over the station's setup stream, made the
    first time the change happens (a sampler draws nothing before its first call, so this
    gives the numbers a sampler per change made up front would). Only the changes that occur
    cost memory, not every pair of products.
    """
    made: dict[tuple[int, int], Sampler] = {}

    def lookup(prev: int, nxt: int) -> Sampler | None:
        key = (prev, nxt)
        found = made.get(key)
        if found is None:
            dist = setup.get(prev, nxt)
            if dist is None:
                return None
            found = made[key] = source.sampler(dist, owner, rng.Purpose.SETUP)
        return found

    return lookup

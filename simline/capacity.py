"""What each station can make and what it is offered, from the plan alone (no simulation).

:func:`station_loads` gives, per station, its effective capacity in parts per hour, the
rate of parts offered to it and their ratio, the *load*. A station with a load of 1 or more
cannot keep up: what happens to the excess depends on the release and the buffers
(:attr:`StationLoad.excess`). The same model bounds the run's events in
:mod:`simline.engine.budget` (with ``ideal=True``).

The model, per station ``i``:

- **Flows.** Parts enter at the release and follow their product's routing. Under
  ``interarrival`` release product ``p`` enters at ``mix[p] / mean interarrival``; after each
  visit the flow is multiplied by ``1 - scrap`` of the station just left; a routing that visits
  a station twice offers it both flows. A station offered more than its capacity passes on
  only its capacity (``capacity / offered`` of each product's flow, as a FIFO buffer that
  grows keeps the mix it is fed): stations downstream of an overloaded one are offered what it
  lets through.
- **Capacity** = ``servers * availability * working share / work per part``, in parts per
  hour, at the mix of products the station is offered:

  - *availability* = ``mtbf / (mtbf + mttr)`` (means). On a calendar basis it is the share of
    all time a server is up. On an operating basis the clock to failure runs only while it
    works, so at full load a part of work ``w`` costs ``w * (1 + mttr / mtbf)``: the same
    factor, and the capacity (which is the rate at full load) is exact in both cases. (On an
    operating basis with shifts, a repair that runs on past a shift end costs less shift
    time than ``mttr``; that is ignored, so the capacity errs on the low side there.)
  - *working share*: for a manned station (``operators: k > 0``) with a workforce, the
    share of the week's server time in which enough operators are on duty:
    ``sum over the week's periods of min(servers, on_duty // k) * duration / (servers *
    week)``. The pool is taken as the station's alone: stations that share it can make less
    together than their capacities say (a pool too small for all of them is not detected
    here). Without a workforce, or with ``operators: 0``, the share is 1.
  - *work per part*: the mean process time of each product, weighted by the share of the
    parts offered that are of that product, plus the expected setup per part: consecutive
    parts on a server are taken as independent draws from that mix (exact when the release
    draws products independently and routings keep their order, as FIFO serial lines do), so
    it is ``sum over a != b of share[a] * share[b] * mean setup(a, b)``. Setup is work: it
    counts against the same availability and working share.
  - *batch station*: full builds (the station is only short of capacity when its buffer
    always holds a build), so per part ``(process + setup) / size + per_part_time``, with
    the setup between consecutive builds weighted by their first parts' products.

- **Release.** ``interarrival``: exact rates (as above). ``saturated``: a station that is
  the first of some routing takes the parts pushed into its buffer first and fills its spare
  capacity with new parts (by mix among the products that start there): its load is 1 from
  its own releases unless the parts pushed into it already load it to 1 or more. The rates are
  found by iterating to the fixed point. ``conwip``: the line releases as fast as its busiest
  station allows (the rates of ``interarrival`` scaled so that the highest load is 1); its
  WIP is bounded, so it is never unstable.

Blocking and starving are ignored: the offered rates of a line with finite buffers are upper
bounds (blocking can make an upstream station pass on less than its capacity), and a line
whose every load is below 1 can still fall short of its release when blocking costs enough
capacity (two stations with no buffer between them and exponential times make 2/3 of what
each can). Under ``interarrival`` release and unlimited buffers, the loads below 1 are exact:
the line is then limited by its release.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from simline.plan import Plan, StationPlan

__all__ = ["LOAD_LIMIT", "Excess", "StationLoad", "station_loads"]

#: A station whose load is at least this cannot keep up. Just below 1, so that two stations
#: of exactly equal capacity (a load of 1 up to rounding) count: with random times the queue
#: between them grows without bound (like the square root of the run's length). With nothing
#: random on the way (constant times, no failures, no scrap, one product) a load of 1 keeps
#: pace, and only a load above 1 by more than the same margin counts.
LOAD_LIMIT = 1.0 - 1e-9

#: Where a station's excess goes: ``"none"`` (it keeps up), ``"wip"`` (into a buffer without
#: limit: WIP and lead time grow with the run's length), ``"outside"`` (every buffer on the
#: way is finite and the release is by interarrival: arrivals wait outside the line in a queue
#: that grows) or ``"blocking"`` (saturated release behind finite buffers: the first station
#: is blocked and releases less; the station is the line's bottleneck, nothing grows).
Excess = Literal["none", "wip", "outside", "blocking"]

_SWEEPS = 1000
_TOLERANCE = 1e-13


@dataclass(frozen=True, slots=True)
class StationLoad:
    """One station's capacity against the parts offered to it.

    Attributes
    ----------
    capacity_per_hour
        Parts per hour the station can make at the mix it is offered (``inf`` when its work
        takes no time, or no product visits it).
    offered_per_hour
        Parts per hour entering its buffer: from the release or from upstream stations
        (what an overloaded upstream station lets through), plus under ``saturated`` release
        the new parts it releases itself.
    load
        ``offered_per_hour / capacity_per_hour`` (0 when nothing is offered).
    released_per_hour
        The new parts it releases itself under ``saturated`` release (0 otherwise).
    excess
        Where the parts it cannot take go (:data:`Excess`); ``"none"`` when it keeps up.
    """

    capacity_per_hour: float
    offered_per_hour: float
    load: float
    released_per_hour: float = 0.0
    excess: Excess = "none"

    @property
    def short_per_hour(self) -> float:
        """Parts per hour it is offered beyond what it can make (0 when it keeps up)."""
        return max(self.offered_per_hour - self.capacity_per_hour, 0.0)


def station_loads(plan: Plan, *, ideal: bool = False) -> dict[str, StationLoad]:
    """Return each station's capacity, offered rate and load, by station name.

    Parameters
    ----------
    plan
        The compiled scenario.
    ideal
        Ignore failures, shifts and setups: the most each station could make (an upper
        bound on every rate, for the run budget).

    Returns
    -------
    dict
        A :class:`StationLoad` per station, in the plan's order.

    Examples
    --------
    >>> from simline.config import parse_scenario
    >>> from simline.plan import compile_plan
    >>> plan = compile_plan(parse_scenario({
    ...     "simline": 1, "name": "two", "time_unit": "min",
    ...     "release": {"interarrival": "exp(2)"},
    ...     "stations": {
    ...         "a": {"kind": "machine", "process_time": "exp(1.5)"},
    ...         "b": {"kind": "machine", "process_time": 2.5},
    ...     },
    ... }))
    >>> loads = station_loads(plan)
    >>> loads["a"].capacity_per_hour, loads["a"].offered_per_hour, loads["a"].load
    (40.0, 30.0, 0.75)
    >>> round(loads["b"].load, 3), loads["b"].excess
    (1.25, 'wip')
    """
    model = _Model(plan, ideal)
    model.solve()
    return model.loads()


class _Model:
    """The flows of one plan, solved to their fixed point (rates per time unit)."""

    def __init__(self, plan: Plan, ideal: bool) -> None:
        self.plan = plan
        self.ideal = ideal
        n = len(plan.stations)
        self.server_time = [_server_time(plan, sp, ideal) for sp in plan.stations]
        #: (product, position) of every visit of each station
        self.visits: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for p, prod in enumerate(plan.products):
            for k, i in enumerate(prod.routing):
                self.visits[i].append((p, k))
        self.mode = plan.release.mode
        self.release = [0.0] * len(plan.products)
        if self.mode == "interarrival":
            dist = plan.release.interarrival
            gap = dist.mean if dist is not None else math.inf
            rate = 1.0 / gap if gap > 0.0 else math.inf
            self.release = [rate * prod.mix for prod in plan.products]
        elif self.mode == "conwip":
            self.release = [prod.mix for prod in plan.products]  # scaled in solve()
        self.passed = [1.0] * n
        self.flow = [[0.0] * len(prod.routing) for prod in plan.products]
        self.capacity = [math.inf] * n
        self.offered = [0.0] * n
        self.pushed = [0.0] * n

    def solve(self) -> None:
        """Iterate flows, capacities and saturated releases until they no longer change."""
        plan = self.plan
        starts = [plan.first_products(i) for i in range(len(plan.stations))]
        if self.mode == "saturated":
            self.release = [0.0] * len(plan.products)
        for _ in range(_SWEEPS):
            before = [*self.release, *self.passed]
            self._push()
            if self.mode == "saturated":
                self._saturate(starts)
                self._push()
            if self.mode == "conwip":
                self._scale_to_bottleneck()
                self._push()
            self.passed = [
                min(1.0, cap / off) if off > cap else 1.0
                for cap, off in zip(self.capacity, self.offered, strict=True)
            ]
            after = [*self.release, *self.passed]
            if all(_close(a, b) for a, b in zip(before, after, strict=True)):
                break

    def _push(self) -> None:
        """Flows along every routing from the release, then each station's figures."""
        plan = self.plan
        for p, prod in enumerate(plan.products):
            rate = self.release[p]
            for k, i in enumerate(prod.routing):
                self.flow[p][k] = rate
                if 0.0 < rate < math.inf:  # an endless release stays endless (nothing runs)
                    rate = rate * self.passed[i] * (1.0 - plan.stations[i].scrap)
        for i, sp in enumerate(plan.stations):
            rates = [(p, self.flow[p][k]) for p, k in self.visits[i]]
            self.offered[i] = math.fsum(r for _, r in rates)
            self.pushed[i] = math.fsum(self.flow[p][k] for p, k in self.visits[i] if k > 0)
            self.capacity[i] = self._capacity(i, sp, rates)

    def _capacity(self, i: int, sp: StationPlan, rates: list[tuple[int, float]]) -> float:
        """Parts per time unit at the mix of ``rates`` (the release mix when nothing flows)."""
        share: dict[int, float] = {}
        total = math.fsum(r for _, r in rates)
        if not math.isfinite(total) or total <= 0.0:
            rates = [(p, self.plan.products[p].mix) for p, _ in self.visits[i]]
            total = math.fsum(r for _, r in rates)
        if total <= 0.0:
            return math.inf
        for p, r in rates:
            share[p] = share.get(p, 0.0) + r / total
        work = math.fsum(s * max(sp.process[p].mean, 0.0) for p, s in share.items())
        if not self.ideal:
            work += _expected_setup(sp, share)
        if sp.batch is not None:
            work = work / sp.batch.size + max(sp.batch.per_part.mean, 0.0)
        if work <= 0.0:
            return math.inf
        return self.server_time[i] / work

    def _saturate(self, starts: list[tuple[int, ...]]) -> None:
        """Each first station releases what its capacity leaves after the parts pushed to it."""
        plan = self.plan
        for i, products in enumerate(starts):
            if not products:
                continue
            spare = max(self.capacity[i] - self.pushed[i], 0.0)
            weight = math.fsum(plan.products[p].mix for p in products)
            for p in products:
                mix = plan.products[p].mix
                self.release[p] = spare * (mix / weight if weight > 0 else 1.0 / len(products))

    def _scale_to_bottleneck(self) -> None:
        worst = max(
            (off / cap for cap, off in zip(self.capacity, self.offered, strict=True) if off > 0),
            default=0.0,
        )
        if worst > 0.0 and math.isfinite(worst):
            self.release = [r / worst for r in self.release]
            self.passed = [1.0] * len(self.passed)

    def loads(self) -> dict[str, StationLoad]:
        plan = self.plan
        per_hour = 1.0 / plan.hours_per_unit
        out: dict[str, StationLoad] = {}
        for i, sp in enumerate(plan.stations):
            cap, off = self.capacity[i], self.offered[i]
            released = off - self.pushed[i] if self.mode == "saturated" else 0.0
            load = off / cap if off > 0.0 and cap < math.inf else 0.0
            pushed_load = (off - released) / cap if cap < math.inf else 0.0
            excess: Excess = "none"
            over = self.mode != "conwip" and pushed_load >= LOAD_LIMIT
            balanced = pushed_load <= 2.0 - LOAD_LIMIT
            if over and not (balanced and self._deterministic(i)):
                excess = self._excess(i)
            out[sp.name] = StationLoad(
                capacity_per_hour=cap * per_hour,
                offered_per_hour=off * per_hour,
                load=load,
                released_per_hour=released * per_hour,
                excess=excess,
            )
        return out

    def _excess(self, i: int) -> Excess:
        """Where station ``i``'s excess goes: the first unlimited buffer it backs up into."""
        plan = self.plan
        first = 1 if self.mode == "saturated" else 0
        for p, k in self.visits[i]:
            if k < first or self.flow[p][k] <= 0.0:
                continue
            chain = plan.products[p].routing[first : k + 1]
            if any(plan.stations[j].buffer is None for j in chain):
                return "wip"
        return "outside" if self.mode == "interarrival" else "blocking"

    def _deterministic(self, i: int) -> bool:
        """Whether nothing random reaches station ``i``: times, failures, scrap, mix.

        Then a load of exactly 1 keeps pace (a queue of constant length), unlike random times.
        """
        plan = self.plan
        if len(plan.products) > 1:
            return False
        gap = plan.release.interarrival
        if self.mode == "interarrival" and (gap is None or gap.scv > 0.0):
            return False
        for p, k in self.visits[i]:
            for j in plan.products[p].routing[: k + 1]:
                sj = plan.stations[j]
                per_part = sj.batch.per_part.scv if sj.batch is not None else 0.0
                if sj.process[p].scv > 0.0 or per_part > 0.0:
                    return False
                if sj.failure is not None or sj.scrap > 0.0:
                    return False
        return True


def _server_time(plan: Plan, sp: StationPlan, ideal: bool) -> float:
    """Server time per unit of time: servers x availability x working share."""
    servers = float(sp.servers)
    if ideal:
        return servers
    if sp.failure is not None:
        up = max(sp.failure.ttf.mean, 0.0)
        cycle = up + max(sp.failure.ttr.mean, 0.0)
        servers *= up / cycle if cycle > 0.0 else 1.0
    workforce = plan.workforce
    if sp.operators > 0 and workforce is not None and workforce.period > 0.0:
        bounds = [*workforce.changes, (workforce.period, 0)]
        usable = math.fsum(
            min(sp.servers, n // sp.operators) * (t1 - t0)
            for (t0, n), (t1, _) in itertools.pairwise(bounds)
        )
        servers *= usable / (workforce.period * sp.servers)
    return servers


def _expected_setup(sp: StationPlan, share: dict[int, float]) -> float:
    """Mean setup per start: the next product and the last drawn independently from ``share``."""
    setup = sp.setup
    if setup is None:
        return 0.0
    listed = 0.0
    listed_weight = 0.0
    for a, b, dist in setup.changes:
        w = share.get(a, 0.0) * share.get(b, 0.0)
        listed += w * max(dist.mean, 0.0)
        listed_weight += w
    if setup.other is None:
        return listed
    change = 1.0 - math.fsum(s * s for s in share.values())
    return listed + max(change - listed_weight, 0.0) * max(setup.other.mean, 0.0)


def _close(a: float, b: float) -> bool:
    if a == b:
        return True
    return abs(a - b) <= _TOLERANCE * max(abs(a), abs(b))

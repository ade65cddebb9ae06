"""Same-stream runs: random scenarios, and every engine drawing the very same numbers.

The SimPy engine run with ``streams="kernel"`` (:func:`simline.engine.des.simulate`) draws
from the fast engine's streams (seeded alike, per station or release and purpose) with the
kernels' variate algorithms. Where both engines make the same draws from a stream in the same
order, a random scenario then has one sample path, and every figure must agree as on a
deterministic one (``test_same_stream.py``).

:func:`stochastic_scenarios` draws such scenarios with random times over every feature the
kernels run: 1 to 4 stations with 1 to 3 servers, buffers of 0 to 6 places and unlimited
ones, batch stations with and without ``max_wait``, failures in operating and in calendar
time, operators from a pool on one or two shifts, setups (one distribution for every change,
or per change of product), scrap, up to three products by ``mix``, the three release modes,
and every distribution of the spec. One time in four a duration is a constant on a half
minute, and shifts start on the hour, so that some events still fall on the same instant.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

from simline.config import parse_scenario
from simline.plan import Plan, compile_plan
from tests.strategies import StationDraws, layout_routing, releases, scenario_mapping, stations

__all__ = [
    "RANDOM",
    "durations",
    "plan_of",
    "serial_scenarios",
    "stochastic_scenarios",
]


@st.composite
def durations(draw: st.DrawFn, low: float, high: float) -> Any:
    """A random duration of mean in ``[low, high]`` (minutes), in any of the spec's forms."""
    mean = draw(st.floats(low, high, allow_nan=False))
    form = draw(
        st.sampled_from(
            [
                "constant",
                "constant",
                "constant",
                "exponential",
                "uniform",
                "triangular",
                "normal",
                "lognormal",
                "gamma",
                "erlang",
                "weibull",
                "empirical",
            ]
        )
    )
    if form == "constant":
        return {"dist": "constant", "value": max(0.5, round(2 * mean) / 2)}
    if form == "exponential":
        return {"dist": "exponential", "mean": mean}
    if form == "uniform":
        return {"dist": "uniform", "low": mean * 0.5, "high": mean * 1.5}
    if form == "triangular":
        return {"dist": "triangular", "low": mean * 0.5, "mode": mean, "high": mean * 2}
    if form == "normal":
        # sd up to the mean: negative draws happen, and are drawn again
        return {"dist": "normal", "mean": mean, "sd": mean * draw(st.floats(0.1, 1.0))}
    if form == "lognormal":
        return {"dist": "lognormal", "mean": mean, "cv": draw(st.floats(0.1, 1.5))}
    if form == "gamma":
        # cv above 1: a shape below 1, the sampler's boosted branch
        return {"dist": "gamma", "mean": mean, "cv": draw(st.floats(0.2, 1.6))}
    if form == "erlang":
        return {"dist": "erlang", "mean": mean, "k": draw(st.integers(1, 4))}
    if form == "weibull":
        return {"dist": "weibull", "shape": draw(st.floats(0.7, 3.0)), "scale": mean}
    values = draw(st.lists(st.floats(low, high), min_size=1, max_size=4))
    weights = draw(st.lists(st.floats(0.1, 1.0), min_size=len(values), max_size=len(values)))
    return {"dist": "empirical", "values": values, "weights": weights}


#: Random times (a constant now and then), scrap.
RANDOM = StationDraws(
    additive_one_in=4,
    buffer_max=6,
    batch_max=4,
    max_wait=st.one_of(st.sampled_from([2.0, 5.0, 10.0]), st.floats(1.0, 20.0)),
    per_part_time=st.one_of(st.just(0), durations(0.1, 0.5)),
    build_time=durations(2.0, 6.0),
    process_time=durations(0.5, 3.0),
    mtbf=st.one_of(st.floats(10.0, 200.0), durations(10.0, 100.0)),
    mttr=durations(1.0, 10.0),
    setup=durations(0.5, 3.0),
    scrap=True,
)


@st.composite
def _setup_matrix(draw: st.DrawFn, products: list[str]) -> dict[str, Any]:
    """``{from_to: ...}``: setups for some changes of product only."""
    pairs = [(a, b) for a, b in itertools.permutations(products, 2)]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=len(pairs), unique=True))
    table: dict[str, dict[str, Any]] = {}
    for a, b in chosen:
        table.setdefault(a, {})[b] = draw(durations(0.5, 3.0))
    return {"from_to": table}


@st.composite
def stochastic_scenarios(draw: st.DrawFn, max_stations: int = 4) -> dict[str, Any]:
    """A valid scenario mapping with 1 to ``max_stations`` stations and 1 to 3 products."""
    n_stations = draw(st.integers(1, max_stations))
    names = [f"s{i}" for i in range(n_stations)]
    n_products = draw(st.integers(1, 3))
    products: dict[str, Any] = {}
    for p in range(n_products):
        products[f"p{p}"] = {
            "routing": layout_routing(draw, names),
            "mix": draw(st.sampled_from([0.2, 0.5, 1.0])),
        }
    workforce_size = draw(st.integers(1, 3))
    station_map = draw(stations(names, products, workforce_size, RANDOM))
    for station in station_map.values():
        if "setup" in station and draw(st.booleans()):
            station["setup"] = draw(_setup_matrix(list(products)))
        batch = station.get("batch")
        if batch is not None and "max_wait" not in batch and draw(st.booleans()):
            batch["max_wait"] = draw(RANDOM.max_wait)
    release = draw(releases(durations(0.5, 4.0), 10))
    data = scenario_mapping(draw, "stochastic", (products, release, station_map))
    if draw(st.booleans()):
        begin = draw(st.integers(0, 6))
        end = begin + draw(st.integers(1, 8))
        shifts = [[f"{begin:02d}:00", f"{end:02d}:00"]]
        if draw(st.booleans()):
            later = end + draw(st.integers(0, 2))
            shifts.append([f"{later:02d}:00", f"{later + draw(st.integers(1, 6)):02d}:00"])
        days = draw(
            st.lists(
                st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
                min_size=1,
                max_size=7,
                unique=True,
            )
        )
        data["workforce"] = {"operators": workforce_size, "shifts": shifts, "days": days}
    return data


@st.composite
def serial_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario the recursion runs: one product through single servers, random times.

    Stations 1 to 5 with one server each, buffers of 0 to 6 places or unlimited, failures
    in operating time, scrap, the three release modes; the routing may skip stations (those
    off it have no batch and no calendar failures).
    """
    n_stations = draw(st.integers(1, 5))
    names = [f"s{i}" for i in range(n_stations)]
    routing = layout_routing(draw, names)
    station_map: dict[str, Any] = {}
    for name in names:
        station: dict[str, Any] = {
            "kind": draw(st.sampled_from(["machine", "robot"])),
            "servers": 1,
            "process_time": draw(RANDOM.process_time),
        }
        buffer = draw(st.one_of(st.none(), st.integers(0, 6)))
        if buffer is not None:
            station["buffer"] = buffer
        if draw(st.booleans()):
            station["failures"] = {
                "mtbf": draw(RANDOM.mtbf),
                "mttr": draw(RANDOM.mttr),
                "basis": "operating",
            }
        if draw(st.booleans()):
            station["scrap"] = draw(st.floats(0.0, 0.2))
        station_map[name] = station
    release = draw(releases(durations(0.5, 4.0), 10))
    return scenario_mapping(draw, "serial", ({"p0": {"routing": routing}}, release, station_map))


def plan_of(data: dict[str, Any]) -> Plan:
    """Validate and compile a scenario mapping."""
    return compile_plan(parse_scenario(data))

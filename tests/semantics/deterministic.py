"""Hypothesis strategies for deterministic scenarios: every duration constant, no random choice.

A scenario drawn here leaves the engines nothing to draw: process, setup, per-part, failure
and repair times are constants, no station scraps, and the product of a new part is never
chosen by ``mix`` (one product; or, under ``saturated`` release, two products whose routings
start at different stations, so each first station releases its own). Every engine must then
give the same figures exactly (``test_differential.py``). Times are small integers or halves
and shifts start on the hour, so that events often fall on the same instant: the tie rules of
``docs/model.md`` are what these scenarios test.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from simline.config import parse_scenario
from simline.plan import Plan, compile_plan
from tests.strategies import StationDraws, layout_routing, scenario_mapping, stations


def constant(value: float) -> dict[str, Any]:
    """The spec's constant distribution of ``value`` (a plain number would be a mean)."""
    return {"dist": "constant", "value": value}


def _constants(*values: float) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(values).map(constant)


#: Constant times, halves and whole numbers so that events coincide; no scrap.
CONSTANT_TIMES = StationDraws(
    additive_one_in=3,
    buffer_max=4,
    batch_max=4,
    max_wait=st.sampled_from([1.0, 2.0, 5.0, 10.0]),
    per_part_time=_constants(0.0, 0.5, 1.0),
    build_time=_constants(2.0, 3.0, 4.0, 6.0),
    process_time=_constants(0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0),
    mtbf=_constants(5.0, 10.0, 20.0, 30.0, 45.0),
    mttr=_constants(1.0, 2.0, 3.0, 5.0),
    setup=_constants(0.5, 1.0, 2.0),
    scrap=False,
)


@st.composite
def deterministic_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario mapping with 1 to 4 stations, every duration constant."""
    n_stations = draw(st.integers(1, 4))
    names = [f"s{i}" for i in range(n_stations)]
    release = draw(
        st.one_of(
            st.just("saturated"),
            st.builds(lambda d: {"interarrival": d}, st.sampled_from([1.0, 1.5, 2.0, 3.0, 4.0])),
            st.builds(lambda n: {"conwip": n}, st.integers(1, 8)),
        )
    )
    products: dict[str, Any] = {}
    products["p0"] = {"routing": layout_routing(draw, names), "mix": 1.0}
    if release == "saturated" and n_stations > 1 and draw(st.booleans()):
        # a second product whose routing starts elsewhere: no station chooses between them
        start = draw(st.sampled_from([n for n in names if n != products["p0"]["routing"][0]]))
        rest = draw(st.lists(st.sampled_from(names), max_size=n_stations, unique=True))
        picked = sorted({start, *(n for n in rest if names.index(n) > names.index(start))})
        products["p1"] = {"routing": sorted(picked, key=names.index), "mix": 1.0}

    workforce_size = draw(st.integers(1, 3))
    has_workforce = draw(st.booleans())
    station_map = draw(stations(names, products, workforce_size, CONSTANT_TIMES))

    parts = (products, release, station_map)
    data = scenario_mapping(draw, "deterministic", parts, lengths=(120, 240, 600), seed=1)
    if has_workforce:
        # one or two shifts on Monday, the second back to back with the first or after a gap
        begin = draw(st.integers(0, 3))
        end = begin + draw(st.integers(1, 4))
        shifts = [[f"{begin:02d}:00", f"{end:02d}:00"]]
        if draw(st.booleans()):
            later = end + draw(st.integers(0, 2))
            shifts.append([f"{later:02d}:00", f"{later + draw(st.integers(1, 3)):02d}:00"])
        data["workforce"] = {"operators": workforce_size, "shifts": shifts, "days": ["mon"]}
    return data


def plan_of(data: dict[str, Any]) -> Plan:
    """Validate and compile a scenario mapping drawn by :func:`deterministic_scenarios`."""
    return compile_plan(parse_scenario(data))

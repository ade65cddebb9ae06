"""Hypothesis strategies: valid scenario mappings in the format of the spec.

They cover every feature of the line model (parallel servers, finite and zero buffers, several
products with routings and mix, the three release modes, failures on both bases, setups,
scrap, additive batches, operators and shifts) at small sizes and short run lengths, so that
a property test can run many of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

KINDS = ("manual", "machine", "robot")


@st.composite
def distributions(draw: st.DrawFn, mean_low: float = 0.5, mean_high: float = 3.0) -> Any:
    """A random duration in one of the spec's forms (minutes)."""
    mean = draw(st.floats(mean_low, mean_high, allow_nan=False))
    form = draw(
        st.sampled_from(["const", "exp", "uniform", "tri", "lognormal", "erlang", "normal"])
    )
    if form == "const":
        return round(mean, 3)
    if form == "exp":
        return {"dist": "exponential", "mean": mean}
    if form == "uniform":
        return f"uniform({mean * 0.5:.4f}, {mean * 1.5:.4f})"
    if form == "tri":
        return {"dist": "triangular", "low": mean * 0.5, "mode": mean, "high": mean * 2}
    if form == "lognormal":
        return f"lognormal({mean:.4f}, cv={draw(st.floats(0.1, 1.5)):.3f})"
    if form == "erlang":
        return {"dist": "erlang", "mean": mean, "k": draw(st.integers(1, 4))}
    return {"dist": "normal", "mean": mean, "sd": mean * 0.3}


@dataclass(frozen=True)
class StationDraws:
    """What :func:`stations` draws a station's numbers from (random or constant times)."""

    additive_one_in: int  #: one station in this many is an additive batch station
    buffer_max: int
    batch_max: int
    max_wait: st.SearchStrategy[float]
    per_part_time: st.SearchStrategy[Any]
    build_time: st.SearchStrategy[Any]
    process_time: st.SearchStrategy[Any]
    mtbf: st.SearchStrategy[Any]
    mttr: st.SearchStrategy[Any]
    setup: st.SearchStrategy[Any]
    scrap: bool


@st.composite
def stations(
    draw: st.DrawFn, names: list[str], products: dict[str, Any], workforce: int, d: StationDraws
) -> dict[str, Any]:
    """The ``stations`` mapping: kind, servers, buffer, times, failures, setup, operators."""
    out: dict[str, Any] = {}
    for name in names:
        additive = draw(st.integers(0, d.additive_one_in)) == 0
        station: dict[str, Any] = {
            "kind": "additive" if additive else draw(st.sampled_from(KINDS)),
            "servers": draw(st.integers(1, 3)),
        }
        buffer = draw(st.one_of(st.none(), st.integers(0, d.buffer_max)))
        if additive:
            size = draw(st.integers(1, d.batch_max))
            batch: dict[str, Any] = {"size": size}
            if draw(st.booleans()):
                batch["max_wait"] = draw(d.max_wait)
            if buffer is not None:
                buffer = max(buffer, size)
            station["batch"] = batch
            station["per_part_time"] = draw(d.per_part_time)
            station["process_time"] = draw(d.build_time)
        elif draw(st.booleans()) and len(products) > 1:
            station["process_time"] = {p: draw(d.process_time) for p in products}
        else:
            station["process_time"] = draw(d.process_time)
        if buffer is not None:
            station["buffer"] = buffer
        if draw(st.booleans()):
            station["failures"] = {
                "mtbf": draw(d.mtbf),
                "mttr": draw(d.mttr),
                "basis": draw(st.sampled_from(["operating", "calendar"])),
            }
        if len(products) > 1 and draw(st.booleans()):
            station["setup"] = draw(d.setup)
        if d.scrap and draw(st.booleans()):
            station["scrap"] = draw(st.floats(0.0, 0.2))
        if station["kind"] == "manual" or draw(st.booleans()):
            station["operators"] = draw(st.integers(0, workforce))
        out[name] = station
    return out


#: Random times, scrap: what :func:`scenarios` draws.
RANDOM_TIMES = StationDraws(
    additive_one_in=5,
    buffer_max=6,
    batch_max=5,
    max_wait=st.floats(1.0, 20.0),
    per_part_time=distributions(0.1, 0.5),
    build_time=distributions(2.0, 6.0),
    process_time=distributions(),
    mtbf=st.floats(20.0, 200.0),
    mttr=distributions(1.0, 10.0),
    setup=distributions(0.5, 3.0),
    scrap=True,
)


def layout_routing(draw: st.DrawFn, names: list[str]) -> list[str]:
    """A routing: a non-empty subsequence of the layout ``names``, in layout order."""
    picked = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    return sorted(picked, key=names.index)


def releases(interarrival: st.SearchStrategy[Any], wip_max: int) -> st.SearchStrategy[Any]:
    """The three release modes: saturated, ``interarrival`` times, CONWIP of 1 to ``wip_max``."""
    return st.one_of(
        st.just("saturated"),
        st.builds(lambda d: {"interarrival": d}, interarrival),
        st.builds(lambda n: {"conwip": n}, st.integers(1, wip_max)),
    )


def scenario_mapping(
    draw: st.DrawFn,
    name: str,
    parts: tuple[dict[str, Any], Any, dict[str, Any]],
    lengths: tuple[int, ...] = (240, 600, 1440),
    seed: int | None = None,
) -> dict[str, Any]:
    """A scenario of ``parts`` (products, release, stations), one replication in minutes.

    The warm-up (0, 30 or 120), the length (of ``lengths``) and, unless given, the seed are
    drawn, in that order.
    """
    products, release, station_map = parts
    return {
        "simline": 1,
        "name": name,
        "time_unit": "min",
        "run": {
            "warmup": draw(st.sampled_from([0, 30, 120])),
            "length": draw(st.sampled_from(list(lengths))),
            "replications": 1,
            "seed": draw(st.integers(0, 2**32 - 1)) if seed is None else seed,
        },
        "products": products,
        "release": release,
        "stations": station_map,
    }


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario mapping with 1 to 4 stations and 1 or 2 products."""
    n_stations = draw(st.integers(1, 4))
    names = [f"s{i}" for i in range(n_stations)]
    n_products = draw(st.integers(1, 2))
    products: dict[str, Any] = {}
    for p in range(n_products):
        routing = layout_routing(draw, names)
        products[f"p{p}"] = {"routing": routing, "mix": draw(st.floats(0.1, 1.0))}

    workforce_size = draw(st.integers(1, 3))
    has_workforce = draw(st.booleans())
    station_map = draw(stations(names, products, workforce_size, RANDOM_TIMES))

    release = draw(releases(distributions(1.0, 4.0), 8))
    data = scenario_mapping(draw, "generated", (products, release, station_map))
    if has_workforce:
        start = draw(st.integers(0, 20))
        data["workforce"] = {
            "operators": workforce_size,
            "shifts": [[f"{start:02d}:00", f"{(start + draw(st.integers(2, 10))) % 24:02d}:00"]],
            "days": draw(
                st.lists(
                    st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
                    min_size=1,
                    max_size=7,
                    unique=True,
                )
            ),
        }
    return data

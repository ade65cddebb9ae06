"""The bottleneck marker on lines whose bottleneck is known by construction.

Each line below has one station whose capacity (parts per hour it can make while up and on
shift, times the share of the time it is up and on shift) is at least 15 % below every other
station's, so it sets the line's output; the marker must name it in every replication but at
most one of ten on both engines (a margin that wide leaves a correct marker no room to waver;
one replication in ten is allowed to a lucky streak of the runner-up), and say how sure it is.
"""

from __future__ import annotations

from typing import Any

import pytest

from simline.config import parse_scenario
from simline.plan import compile_plan
from simline.stats import summarize
from tests.integration.conftest import BACKENDS, run, scenario

R = 10


def _named(data: dict[str, Any], backend: str) -> tuple[str | None, dict[str, float]]:
    plan = compile_plan(parse_scenario(data, source=f"<{data['name']}>"))
    found = summarize(plan, run(data, backend)).bottleneck
    return found.station, found.share


def _line(name: str, stations: dict[str, Any], **kw: Any) -> dict[str, Any]:
    stations = {n: {"kind": "machine", **s} for n, s in stations.items()}
    return scenario(name, stations, warmup=500, length=20000, replications=R, seed=11, **kw)


CASES: dict[str, tuple[dict[str, Any], str]] = {
    # five exponential machines with small buffers, the third 25 % slower than the rest
    "serial": (
        _line(
            "bn-serial",
            {
                "a": {"process_time": "exp(1.0)", "buffer": 3},
                "b": {"process_time": "exp(1.0)", "buffer": 3},
                "c": {"process_time": "exp(1.25)", "buffer": 3},
                "d": {"process_time": "exp(1.0)", "buffer": 3},
                "e": {"process_time": "exp(1.0)", "buffer": 3},
            },
        ),
        "c",
    ),
    # two ovens bake builds of 10 in 100 min (12 parts/h together) behind a cutter that makes
    # 15: an oven free while the other bakes waits (starved) for its build to fill
    "starved batch station": (
        _line(
            "bn-batch",
            {
                "cut": {"process_time": "exp(4.0)", "buffer": 5},
                "oven": {"servers": 2, "batch": {"size": 10}, "process_time": 100, "buffer": 20},
                "pack": {"process_time": "exp(2.0)", "buffer": 5},
            },
        ),
        "oven",
    ),
    # a manual station on one 12-hour shift a day (720 parts/day) between lights-out
    # machines that make 960 and 1200 parts a day around the clock
    "off shift half the time": (
        _line(
            "bn-shift",
            {
                "a": {"kind": "machine", "process_time": "exp(1.5)", "buffer": 50},
                "b": {"kind": "manual", "process_time": "exp(1.0)", "buffer": 400},
                "c": {"kind": "machine", "process_time": "exp(1.2)", "buffer": 50},
            },
            workforce={
                "operators": 1,
                "shifts": [["06:00", "18:00"]],
                "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            },
        ),
        "b",
    ),
    # the first machine (1.2 min a part) is the slowest; the faster next one fails now and
    # then and fills the small buffer between them, so the first is blocked, never starved
    "blocked, not starved": (
        _line(
            "bn-blocked",
            {
                "a": {"process_time": "exp(1.2)", "buffer": 3},
                "b": {
                    "process_time": "exp(0.9)",
                    "buffer": 3,
                    "failures": {"mtbf": "8h", "mttr": "exp(20min)"},
                },
            },
        ),
        "a",
    ),
    # parallel servers: three of 3.3 min (54.5 parts/h) between single machines of 60/h
    "parallel servers": (
        _line(
            "bn-parallel",
            {
                "a": {"process_time": "exp(0.8)", "buffer": 5},
                "b": {"servers": 3, "process_time": "exp(3.9)", "buffer": 5},
                "c": {"process_time": "exp(0.8)", "buffer": 5},
            },
        ),
        "b",
    ),
    # saturated release into an unlimited buffer in front of a slower machine: both never
    # wait once the queue has built up; the parts the first makes pile up before the second
    "unlimited buffer before the slow one": (
        _line(
            "bn-pileup",
            {"a": {"process_time": 1.0}, "b": {"process_time": 1.2}},
        ),
        "b",
    ),
}


#: Lines whose output is what their release lets in: the marker must name no station.
RELEASE_LIMITED: dict[str, dict[str, Any]] = {
    # arrivals every 2 min on average into machines of 1 and 1.2 min: loads 0.5 and 0.6
    "arrivals below capacity": _line(
        "bn-arrivals",
        {"a": {"process_time": "exp(1.0)"}, "b": {"process_time": "exp(1.2)"}},
        release={"interarrival": "exp(2.0)"},
    ),
    # CONWIP 1 in a line of three: its critical WIP is 1/1.2 + 1 + 0.8/1.2 = 2.5 parts, so
    # with one part in the line the slowest machine waits for it most of the time
    "conwip below the critical WIP": _line(
        "bn-conwip",
        {
            "a": {"process_time": "exp(1.0)"},
            "b": {"process_time": "exp(1.2)"},
            "c": {"process_time": "exp(0.8)"},
        },
        release={"conwip": 1},
    ),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", list(RELEASE_LIMITED))
def test_a_line_limited_by_its_release_names_no_station(case: str, backend: str) -> None:
    data = RELEASE_LIMITED[case]
    plan = compile_plan(parse_scenario(data, source=f"<{data['name']}>"))
    found = summarize(plan, run(data, backend)).bottleneck
    assert (found.station, found.reason) == (None, "release"), case
    assert found.share  # what would limit it next is still there to read


def test_arrivals_faster_than_the_line_name_the_station() -> None:
    # the same two machines fed every 1.1 min: b (1.2 min) cannot keep up
    data = _line(
        "bn-arrivals-fast",
        {"a": {"process_time": "exp(1.0)"}, "b": {"process_time": "exp(1.2)"}},
        release={"interarrival": "exp(1.1)"},
    )
    assert _named(data, "des")[0] == "b"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", list(CASES))
def test_the_marker_names_the_known_bottleneck(case: str, backend: str) -> None:
    data, expected = CASES[case]
    station, share = _named(data, backend)
    assert station == expected, (case, share)
    assert share[expected] >= 0.9, (case, share)

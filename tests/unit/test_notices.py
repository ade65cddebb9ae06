"""simline.notices: an unstable line told before it runs, WIP growth measured after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simline.config import load_scenario, parse_scenario
from simline.engine import des
from simline.engine.results import ProductResult, RunResult
from simline.notices import GROWTH_SHARE, load_notices, trend_notice
from simline.plan import Plan, compile_plan


def plan_of(stations: dict[str, Any], release: Any, **run: Any) -> Plan:
    return compile_plan(
        parse_scenario(
            {
                "simline": 1,
                "name": "t",
                "time_unit": "min",
                "run": {"warmup": "1d", "length": "1w", "replications": 3, "seed": 5, **run},
                "release": release,
                "stations": stations,
            }
        )
    )


FAST_INTO_SLOW = {
    "cut": {"kind": "machine", "process_time": "exp(1.5)", "buffer": 5},
    "print": {"kind": "machine", "process_time": "exp(2)"},
}


def test_a_station_behind_an_unlimited_buffer_that_cannot_keep_up_is_named() -> None:
    (notice,) = load_notices(plan_of(FAST_INTO_SLOW, "saturated"))
    assert (notice.kind, notice.station) == ("unstable", "print")
    assert notice.message == (
        "unstable line: 'print' can make 30.0 parts/h but is offered 40.0 parts/h (10.0 "
        "more; load 1.33); WIP and lead time grow with the run's length and their figures "
        "are not steady-state"
    )
    assert notice.figures == pytest.approx(
        {"capacity_per_hour": 30, "offered_per_hour": 40, "load": 4 / 3, "short_per_hour": 10}
    )
    assert notice.to_json("t")["station"] == "print"


def test_arrivals_behind_finite_buffers_queue_outside() -> None:
    stations = {
        "cut": {"kind": "machine", "process_time": 1, "buffer": 10},
        "print": {"kind": "machine", "process_time": 2, "buffer": 10},
    }
    (notice,) = load_notices(plan_of(stations, {"interarrival": 1.8}))
    assert (notice.kind, notice.station) == ("backlog", "print")
    assert "queue outside the line" in notice.message


@pytest.mark.parametrize(
    "release", ["saturated", {"conwip": 20}, {"interarrival": "exp(2.5)"}], ids=str
)
def test_lines_that_keep_up_or_block_get_no_notice(release: Any) -> None:
    # saturated behind a finite buffer: print is the bottleneck and blocks cut; conwip
    # bounds the WIP; interarrival every 2.5 min loads print to 0.8
    stations = {**FAST_INTO_SLOW, "print": {**FAST_INTO_SLOW["print"], "buffer": 10}}
    assert load_notices(plan_of(stations, release)) == []


CONFIGS = Path(__file__).parents[2] / "configs"
SHIPPED = sorted([*CONFIGS.glob("*.yaml"), *CONFIGS.glob("reshoring/*.yaml")])


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_no_shipped_scenario_is_unstable(path: Path) -> None:
    assert load_notices(compile_plan(load_scenario(path))) == []


# -- the trend test, on runs ---------------------------------------------------------------

#: Two exponential stations of 1 min with no place between them make 2/3 of a part a minute
#: (the blocking of the first by the second costs a third of their capacity): fed every
#: 1.25 min (0.8/min) the loads are 0.8, below 1, but WIP grows by about 0.8 - 2/3 a minute,
#: 8 parts/h, 20 % of what leaves. The capacity model cannot see it; the trend test must.
BLOCKED_PAIR = {
    "a": {"kind": "machine", "process_time": "exp(1)"},
    "b": {"kind": "machine", "process_time": "exp(1)", "buffer": 0},
}


def replications(plan: Plan) -> list[RunResult]:
    return [des.simulate(plan, i) for i in range(plan.replications)]


def test_the_trend_test_sees_a_line_that_blocking_makes_unstable() -> None:
    plan = plan_of(BLOCKED_PAIR, {"interarrival": "exp(1.25)"})
    assert load_notices(plan) == []
    notice = trend_notice(plan, replications(plan))
    assert notice is not None
    assert (notice.kind, notice.station) == ("wip_growth", None)
    growth = notice.figures["growth_per_hour"]
    assert growth["ci95"][0] > 0
    assert growth["ci95"][0] <= 60 * (0.8 - 2 / 3) <= growth["ci95"][1]
    assert notice.message.startswith("WIP grew by ")


@pytest.mark.parametrize(
    ("stations", "gap"),
    [(BLOCKED_PAIR, "exp(2)"), ({"m": {"kind": "machine", "process_time": "exp(0.9)"}}, "exp(1)")],
    ids=["blocked-pair-at-0.5", "mm1-at-0.9"],
)
def test_the_trend_test_leaves_stable_lines_alone(stations: dict[str, Any], gap: str) -> None:
    # the pair fed at 0.5/min (below its 2/3), and an M/M/1 at load 0.9 (mean WIP 9)
    plan = plan_of(stations, {"interarrival": gap})
    assert trend_notice(plan, replications(plan)) is None


def fake(plan: Plan, i: int, released: int, left: int) -> RunResult:
    return RunResult(
        scenario=plan.name,
        backend="des",
        replication=i,
        seed=plan.seed,
        measured_time=60.0,
        hours_per_unit=1 / 60,
        stations={},
        products={"part": ProductResult(released, left, 0, left, 1.0, 0.0)},
        wip_integral=0.0,
        operator_paid_time=0.0,
        released_total=released,
        good_total=left,
        scrap_total=0,
        wip_end=released - left,
        events=0,
    )


def test_growth_is_reported_from_its_share_of_the_parts_leaving() -> None:
    plan = plan_of(BLOCKED_PAIR, {"interarrival": 1})
    just_under = [fake(plan, i, 1000 + 49 + i % 2, 1000) for i in range(4)]
    assert trend_notice(plan, just_under) is None  # 4.95 % of 1000/h
    over = [fake(plan, i, 1000 + 51 + i % 2, 1000) for i in range(4)]
    notice = trend_notice(plan, over)
    assert notice is not None
    assert notice.figures["growth_per_hour"]["mean"] == pytest.approx(51.5)
    assert "5% of the 1,000.0 parts/h leaving the line" in notice.message
    assert GROWTH_SHARE == 0.05
    # a large but noisy growth whose CI reaches 0 is not reported
    noisy = [fake(plan, i, 1000 + g, 1000) for i, g in enumerate((300, -250, 10))]
    assert trend_notice(plan, noisy) is None
    # one replication has no CI to judge by
    assert trend_notice(plan, over[:1]) is None

"""simline.stats: Student t intervals, paired differences, summaries of hand-built results."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from simline.engine.results import ProductResult, RunResult, StationResult
from simline.plan import BatchPlan, Dist, Plan, ProductPlan, ReleasePlan, StationPlan
from simline.stats import (
    PRODUCT_FIGURES,
    STATION_FIGURES,
    Estimate,
    SummaryAccumulator,
    estimate,
    line_oee_candidates,
    paired_difference,
    planned_time_per_part,
    replication_figures,
    summarize,
)

# t(0.975, 4) = 2.7764451051977987; t(0.975, 1) = 12.706204736174698 (tables)
T4 = 2.7764451051977987
T1 = 12.706204736174698


def test_estimate_by_hand() -> None:
    e = estimate([1.0, 2.0, 3.0, 4.0, 5.0])
    half = T4 * math.sqrt(2.5) / math.sqrt(5)
    assert e.mean == 3.0
    assert e.n == 5
    assert e.lo == pytest.approx(3.0 - half, rel=1e-12)
    assert e.hi == pytest.approx(3.0 + half, rel=1e-12)
    assert e.half_width == pytest.approx(half, rel=1e-12)
    assert round(e.lo, 4) == 1.0368


def test_estimate_two_values() -> None:
    e = estimate([10, 12])
    assert e.mean == 11.0
    assert e.hi - e.mean == pytest.approx(T1 * math.sqrt(2.0) / math.sqrt(2), rel=1e-12)


def test_one_value_has_a_degenerate_interval() -> None:
    assert estimate([4.5]) == Estimate(4.5, 4.5, 4.5, 1)


def test_constant_values_have_a_degenerate_interval() -> None:
    assert estimate([2.0, 2.0, 2.0]) == Estimate(2.0, 2.0, 2.0, 3)


def test_nan_values_are_ignored() -> None:
    assert estimate([1.0, math.nan, 2.0, 3.0, 4.0, 5.0, math.nan]) == estimate(
        [1.0, 2.0, 3.0, 4.0, 5.0]
    )
    assert estimate([math.nan, 7.0]) == Estimate(7.0, 7.0, 7.0, 1)


@pytest.mark.parametrize("values", [[], [math.nan, math.nan]])
def test_no_defined_value_is_nan_and_null_in_json(values: list[float]) -> None:
    e = estimate(values)
    assert e.n == 0
    assert math.isnan(e.mean) and math.isnan(e.lo) and math.isnan(e.hi)
    assert e.to_json() == {"mean": None, "ci95": [None, None]}
    json.dumps(e.to_json(), allow_nan=False)


def test_to_json_shape() -> None:
    assert Estimate(1.5, 1.0, 2.0, 3).to_json() == {"mean": 1.5, "ci95": [1.0, 2.0]}


def test_paired_difference_is_a_minus_b() -> None:
    a = [10.0, 12.0, 11.0, 13.0, 14.0]
    b = [9.0, 10.0, 8.0, 9.0, 9.0]
    assert paired_difference(a, b) == estimate([1.0, 2.0, 3.0, 4.0, 5.0])


def test_paired_difference_is_tighter_than_the_two_apart() -> None:
    # common random numbers: b follows a closely, so the difference varies little
    a = [10.0, 20.0, 15.0, 30.0, 25.0]
    b = [x + 1.0 + 0.1 * i for i, x in enumerate(a)]
    d = paired_difference(b, a)
    assert d.mean == pytest.approx(1.2)
    assert d.half_width < 0.2 * estimate(a).half_width


def test_paired_difference_drops_incomplete_pairs() -> None:
    d = paired_difference([1.0, math.nan, 3.0], [0.0, 1.0, math.nan])
    assert d == Estimate(1.0, 1.0, 1.0, 1)


def test_paired_difference_needs_equal_lengths() -> None:
    with pytest.raises(ValueError, match="as many on each side"):
        paired_difference([1.0, 2.0], [1.0])


# --- summaries of hand-built results -------------------------------------------------------


def _plan() -> Plan:
    station = StationPlan(
        name="saw",
        kind="machine",
        servers=2,
        buffer=None,
        process=(Dist.constant(1.0), Dist.constant(2.0)),
        failure=None,
        setup=None,
        scrap=0.0,
        operators=0,
        batch=None,
    )
    weld = StationPlan(
        name="weld",
        kind="manual",
        servers=1,
        buffer=5,
        process=(Dist.constant(1.0), Dist.constant(1.0)),
        failure=None,
        setup=None,
        scrap=0.1,
        operators=1,
        batch=None,
    )
    return Plan(
        name="hand",
        time_unit="min",
        hours_per_unit=1 / 60,
        warmup=0.0,
        length=600.0,
        replications=2,
        seed=1,
        stations=(station, weld),
        products=(ProductPlan("a", (0, 1), 0.5), ProductPlan("b", (0, 1), 0.5)),
        release=ReleasePlan("saturated"),
        workforce=None,
    )


def _result(replication: int, good_a: int, good_b: int, lead_a: float, lead_b_n: int) -> RunResult:
    # measured 600 min = 10 h; saw has 2 servers -> state times sum to 1200
    saw = StationResult(2, (600.0, 120.0, 60.0, 300.0, 120.0, 0.0), good_a + good_b + 3, 0)
    weld = StationResult(1, (480.0, 0.0, 0.0, 60.0, 0.0, 60.0), good_a + good_b + 3, 3)
    return RunResult(
        scenario="hand",
        backend="des",
        replication=replication,
        seed=1,
        measured_time=600.0,
        hours_per_unit=1 / 60,
        stations={"saw": saw, "weld": weld},
        products={
            "a": ProductResult(good_a + 2, good_a, 2, good_a, lead_a, 0.0),
            "b": ProductResult(good_b + 1, good_b, 1, lead_b_n, 30.0, 0.0),
        },
        wip_integral=600.0 * (4 + replication),
        operator_paid_time=600.0,
        released_total=good_a + good_b + 3,
        good_total=good_a + good_b,
        scrap_total=3,
        wip_end=0,
        events=100,
    )


def test_replication_figures() -> None:
    plan = _plan()
    f = replication_figures(plan, _result(0, 100, 50, 20.0, 50))
    assert f[("throughput_per_hour",)] == pytest.approx(15.0)
    assert f[("good_parts",)] == 150.0
    assert f[("scrap_parts",)] == 3.0
    assert f[("wip",)] == pytest.approx(4.0)
    assert f[("lead_time",)] == pytest.approx((100 * 20.0 + 50 * 30.0) / 150)
    assert f[("products", "a", "throughput_per_hour")] == pytest.approx(10.0)
    assert f[("products", "b", "lead_time")] == 30.0
    assert f[("stations", "saw", "busy")] == pytest.approx(0.5)
    assert f[("stations", "saw", "setup")] == pytest.approx(0.1)
    assert f[("stations", "saw", "utilization")] == pytest.approx(0.6)
    assert f[("stations", "weld", "off_shift")] == pytest.approx(0.1)
    assert f[("stations", "weld", "parts_out")] == 153.0
    states = sum(f[("stations", "saw", s)] for s in STATION_FIGURES[:6])
    assert states == pytest.approx(1.0)


def test_summarize_over_replications() -> None:
    plan = _plan()
    results = [_result(0, 100, 50, 20.0, 50), _result(1, 110, 40, 22.0, 40)]
    s = summarize(plan, results)
    assert s.scenario == "hand"
    assert s.replications == 2
    assert s.measured_time == 600.0
    assert s.throughput_per_hour == estimate([15.0, 15.0])
    assert s.good_parts.mean == 150.0
    assert s.wip == estimate([4.0, 5.0])
    assert s.products["a"].good_parts == estimate([100.0, 110.0])
    assert s.products["a"].lead_time == estimate([20.0, 22.0])
    assert s.stations["saw"].utilization.mean == pytest.approx(0.6)
    assert s.stations["weld"].utilization.mean == pytest.approx(0.8)
    assert list(s.products) == ["a", "b"]
    assert list(s.stations) == ["saw", "weld"]
    assert s.bottleneck.station == "weld"


def test_lead_time_without_good_parts_is_left_out() -> None:
    plan = _plan()
    results = [_result(0, 100, 0, 20.0, 0), _result(1, 110, 0, 22.0, 0)]
    s = summarize(plan, results)
    assert s.products["b"].lead_time.n == 0
    assert math.isnan(s.products["b"].lead_time.mean)
    assert s.products["b"].throughput_per_hour == Estimate(0.0, 0.0, 0.0, 2)


def test_figures_iterates_every_figure_in_order() -> None:
    s = summarize(_plan(), [_result(0, 100, 50, 20.0, 50)])
    keys = [k for k, _ in s.figures()]
    assert keys[:5] == [
        ("throughput_per_hour",),
        ("lead_time",),
        ("wip",),
        ("good_parts",),
        ("scrap_parts",),
    ]
    assert len(keys) == 5 + 2 * len(PRODUCT_FIGURES) + 2 * len(STATION_FIGURES) + 2 * 2 + 1
    assert keys[-2] == ("bottleneck", "active_period", "weld")
    assert keys[-1] == ("oee",)


def test_accumulator_streams_and_matches_summarize() -> None:
    plan = _plan()
    results = [_result(i, 100 + i, 50 - i, 20.0 + i, 50 - i) for i in range(4)]
    acc = SummaryAccumulator(plan)
    for r in results:
        acc.add(r)
    assert len(acc) == 4
    assert acc.summary() == summarize(plan, iter(results))


def test_bottleneck_is_judged_on_the_time_a_station_could_work() -> None:
    plan = _plan()
    # saw: 70% utilized but 30% blocked; weld: 45% utilized, off shift the rest, never idle
    saw = StationResult(2, (840.0, 0.0, 360.0, 0.0, 0.0, 0.0), 10, 0)
    weld = StationResult(1, (270.0, 0.0, 0.0, 0.0, 0.0, 330.0), 10, 0)
    result = _result(0, 100, 50, 20.0, 50)
    shifted = dataclasses.replace(result, stations={"saw": saw, "weld": weld})
    s = summarize(plan, [shifted])
    assert s.stations["saw"].utilization.mean > s.stations["weld"].utilization.mean
    assert s.bottleneck.station == "weld"


def test_no_bottleneck_when_nothing_worked() -> None:
    plan = _plan()
    idle = StationResult(1, (0.0, 0.0, 0.0, 600.0, 0.0, 0.0), 0, 0)
    result = _result(0, 100, 50, 20.0, 50)
    s = summarize(plan, [dataclasses.replace(result, stations={"saw": idle, "weld": idle})])
    assert s.bottleneck.station is None


# --- OEE (docs/model.md, "OEE") --------------------------------------------------------------


def test_station_oee_by_hand() -> None:
    f = replication_figures(_plan(), _result(0, 100, 50, 20.0, 50))
    # saw: 2 servers x 600 min, no off shift -> planned busy time 1200; half the parts are a
    # (1 min), half b (2 min) -> 1.5 min planned per part; 153 out, none scrapped there.
    availability, performance, quality = 600.0 / 1200.0, 153 * 1.5 / 600.0, 1.0
    assert f[("stations", "saw", "oee")] == pytest.approx(availability * performance * quality)
    assert f[("stations", "saw", "oee")] == pytest.approx(0.19125)
    # weld: 600 min less 60 off shift -> 540; busy 480; 153 out of which 3 scrapped there.
    availability, performance, quality = 480.0 / 540.0, 153 * 1.0 / 480.0, 150 / 153
    assert f[("stations", "weld", "oee")] == pytest.approx(availability * performance * quality)
    assert f[("stations", "weld", "oee")] == pytest.approx(150 / 540)


def test_line_oee_is_the_bottlenecks_for_the_good_parts_leaving_the_line() -> None:
    plan = _plan()
    results = [_result(0, 100, 50, 20.0, 50), _result(1, 110, 40, 22.0, 40)]
    # were saw the bottleneck: good a (1 min) and b (2 min) over its 1200 planned minutes
    assert line_oee_candidates(plan, results[0]) == pytest.approx(
        {"saw": (100 * 1.0 + 50 * 2.0) / 1200.0, "weld": 150 / 540}
    )
    s = summarize(plan, results)
    assert s.bottleneck.station == "weld"
    assert s.oee == estimate([150 / 540, 150 / 540])


def test_line_oee_is_undefined_without_a_bottleneck() -> None:
    plan = _plan()
    idle = StationResult(1, (0.0, 0.0, 0.0, 600.0, 0.0, 0.0), 0, 0)
    result = _result(0, 100, 50, 20.0, 50)
    s = summarize(plan, [dataclasses.replace(result, stations={"saw": idle, "weld": idle})])
    assert math.isnan(s.oee.mean)
    assert s.stations["saw"].oee.mean == 0.0


def test_oee_of_a_station_always_off_shift_is_undefined() -> None:
    plan = _plan()
    off = StationResult(1, (0.0, 0.0, 0.0, 0.0, 0.0, 600.0), 0, 0)
    result = dataclasses.replace(_result(0, 100, 50, 20.0, 50), stations={"saw": off, "weld": off})
    assert math.isnan(replication_figures(plan, result)[("stations", "weld", "oee")])


def test_planned_time_per_part_of_a_batch_station_is_a_full_build_shared() -> None:
    plan = _plan()
    printer = dataclasses.replace(
        plan.stations[0],
        batch=BatchPlan(size=4, max_wait=math.inf, per_part=Dist.constant(1.0)),
        process=(Dist.constant(10.0), Dist.constant(10.0)),
    )
    batched = dataclasses.replace(plan, stations=(printer, plan.stations[1]))
    assert planned_time_per_part(batched, 0, 0) == pytest.approx((10.0 + 4 * 1.0) / 4)
    assert planned_time_per_part(plan, 0, 1) == 2.0

"""The ``uncertainty`` block: validated paths, draws, one costing pass over all futures."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import simline.api._scenarios as scenarios_api
from simline.config import apply_overrides, load_scenario, parse_scenario
from simline.config.uncertainty import canonical_path, quantiles, with_values
from simline.cost import scenario_cost
from simline.cost.uncertainty import (
    FutureCosts,
    compare_futures,
    futures_cost,
    payback,
    stream_key,
)
from simline.errors import ConfigError
from simline.experiment.replicate import run_replications
from simline.plan import compile_plan
from tests.spec import run_cli

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
CN = CONFIGS / "reshoring" / "cn-manual-sea.yaml"
NL = CONFIGS / "reshoring" / "nl-robot-am.yaml"


def _scenario(inputs: dict[str, Any], **block: Any) -> dict[str, Any]:
    return {
        "simline": 1,
        "name": "u",
        "run": {"length": "1d", "warmup": 0, "replications": 3, "seed": 4},
        "stations": {
            "mill": {
                "kind": "machine",
                "process_time": "exp(5)",
                "capex": 100000,
                "life_years": 5,
                "energy": {"busy_kw": 10, "idle_kw": 1},
            },
        },
        "products": {"part": {"routing": ["mill"], "material_cost": 3.0, "mass_kg": 1.0}},
        "site": "nl",
        "logistics": {"mode": "road", "rate_per_part": 0.5, "transit": "2d"},
        "demand": {"annual": 50000, "cv_weekly": 0.2},
        "uncertainty": {"inputs": inputs, **block},
    }


def _error(inputs: dict[str, Any], **block: Any) -> str:
    with pytest.raises(ConfigError) as info:
        parse_scenario(_scenario(inputs, **block))
    return str(info.value)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("site.labour_cost", "site has no key 'labour_cost'"),
        ("stations.saw.capex", "stations has no 'saw'; it has mill"),
        ("logistics.legs[0].rate_per_part", "logistics.legs is not given"),
        ("stations.mill.process_time", "this key changes the simulation"),
        ("run.length", "this key changes the simulation"),
        ("tco.horizon_years", "whole number"),
        ("logistics.mode", "holds text ('road')"),
        ("site", "holds a site, not a number"),
    ],
)
def test_a_path_that_is_missing_or_changes_the_line_is_refused(path: str, expected: str) -> None:
    message = _error({path: "uniform(1, 2)"})
    assert f"uncertainty.inputs.{path}: " in message
    assert expected in message


def test_draws_outside_the_keys_range_and_zero_samples_are_refused() -> None:
    assert "reaches 20, but 'supplier_margin' must be <= 10" in _error(
        {"tco.supplier_margin": "uniform(0, 20)"}
    )
    assert "capex: expected a number >= 0 (got -100)" in _error(
        {"stations.mill.capex": "uniform(-100, 100)"}
    )
    assert "uncertainty.samples: 'samples' must be >= 1" in _error(
        {"tco.wage_growth": "uniform(0, 0.1)"}, samples=0
    )
    assert "not a duration" in _error({"tco.wage_growth": "uniform(1d, 2d)"})
    assert "draws would average" in _error({"tco.wage_growth": "normal(0.03, 0.1)"})
    assert "not given in this scenario, so there is nothing to vary" in _error(
        {"logistics.rate_per_container": "uniform(1, 2)"}
    )
    assert "tco has no key 'fx_grwoth'" in _error(
        {"tco.wage_growth": "uniform(0, 0.1)"}, shared={"x": ["tco.fx_grwoth"]}
    )
    assert "in the streams x and y" in _error(
        {"tco.wage_growth": "uniform(0, 0.1)"},
        shared={"x": ["tco.wage_growth"], "y": ["tco.wage_growth"]},
    )
    assert "same input" in _error(
        {"stations.mill.capex": "uniform(1, 2)", "stations.mill[capex]": "uniform(1, 2)"}
    )


def test_bad_input_is_exit_2_with_file_line_and_path_before_simulating(tmp_path: Path) -> None:
    data = yaml.safe_load(CN.read_text())
    data["uncertainty"]["inputs"]["stations.mill.servers"] = "uniform(1, 2)"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = run_cli("run", str(path), "-q")
    assert result.returncode == 2
    line = next(
        i + 1 for i, t in enumerate(path.read_text().splitlines()) if "stations.mill.servers" in t
    )
    assert result.stderr.startswith(
        f"simline: error: {path}:{line}: uncertainty.inputs.stations.mill.servers: "
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("dist", "mean", "sd"),
    [
        ("uniform(2, 4)", 3.0, 2 / math.sqrt(12)),
        ("tri(1, 2, 6)", 3.0, math.sqrt((1 + 4 + 36 - 2 - 6 - 12) / 18)),
        ({"dist": "lognormal", "mean": 5, "cv": 0.5}, 5.0, 2.5),
        ({"dist": "gamma", "mean": 5, "cv": 0.5}, 5.0, 2.5),
        ({"dist": "erlang", "mean": 6, "k": 3}, 6.0, 6 / math.sqrt(3)),
        ("exp(2)", 2.0, 2.0),
    ],
)
def test_draws_have_their_distributions_mean(dist: Any, mean: float, sd: float) -> None:
    from pydantic import TypeAdapter

    from simline.config.distributions import DistConfig

    parsed = TypeAdapter(DistConfig).validate_python(dist, context={"time_unit": "min"})
    n = 200_000
    u = np.random.default_rng(7).random(n)
    draws = quantiles(parsed, u, "min")
    # the sample mean lies within 4 standard errors of the mean (a 1-in-15,000 miss)
    assert abs(draws.mean() - mean) < 4 * sd / math.sqrt(n)
    assert abs(draws.std() - sd) < 0.02 * sd


def test_every_future_costs_what_a_costing_of_that_future_alone_gives() -> None:
    config = apply_overrides(load_scenario(CN), replications=2, length="1d")
    results = run_replications(compile_plan(config), backend="des", jobs=1)
    futures = futures_cost(config, results, samples=50)
    assert futures is not None and futures.samples == 50
    for k in (0, 17, 49):
        one = with_values(config, {p: float(v[k]) for p, v in futures.draws.items()})
        alone = scenario_cost(one, results)
        for figure in ("tco", "tco_year", "npv"):
            assert futures.figures[figure][k] == pytest.approx(
                alone.estimate(figure).mean, rel=1e-12
            )


def test_the_draws_depend_on_seed_and_site_only_and_pair_across_layouts() -> None:
    a = parse_scenario(_scenario({"site.labour_cost_per_hour": "uniform(40, 50)"}))
    results = run_replications(compile_plan(a), backend="des", jobs=1)
    first = futures_cost(a, results)
    again = futures_cost(a, results)
    assert first is not None and again is not None
    assert np.array_equal(first.figures["tco"], again.figures["tco"])
    other_seed = futures_cost(a, results, seed=2)
    assert other_seed is not None
    assert not np.array_equal(first.figures["tco"], other_seed.figures["tco"])
    # the same input at the same site in another layout takes the same values
    data = _scenario({"site.labour_cost_per_hour": "uniform(40, 50)"})
    data["name"] = "b"
    data["stations"]["mill"]["servers"] = 2
    b = parse_scenario(data)
    b_costs = futures_cost(b, run_replications(compile_plan(b), backend="des", jobs=1))
    assert b_costs is not None
    path = "site.labour_cost_per_hour"
    assert np.array_equal(first.draws[path], b_costs.draws[path])
    # at another site it is drawn on its own stream
    assert stream_key(a, path) != stream_key(
        a.model_copy(update={"site": a.site.model_copy(update={"name": "x"})}), path
    )
    assert canonical_path("logistics.legs.0.rate_per_kg") == "logistics.legs[0].rate_per_kg"


def test_the_site_profiles_ranges_are_drawn_unless_the_scenario_gives_the_input() -> None:
    config = parse_scenario(_scenario({"tco.wage_growth": "uniform(0.02, 0.05)"}))
    results = run_replications(compile_plan(config), backend="des", jobs=1)
    costs = futures_cost(config, results)
    assert costs is not None
    assert set(costs.draws) == {
        "site.co2_price_per_t",
        "site.inventory_carrying_rate",
        "tco.wage_growth",
    }
    assert 60 <= costs.draws["site.co2_price_per_t"].min() < 61
    mine = parse_scenario(_scenario({"site.energy_price_per_kwh": "uniform(0.3, 0.4)"}))
    mine_costs = futures_cost(mine, results)
    assert mine_costs is not None
    assert mine_costs.draws["site.energy_price_per_kwh"].min() >= 0.3
    # labour cost drives the TCO of a line with an operator upwards, wage growth does not
    drivers = {d["input"]: d["rank_correlation"] for d in mine_costs.drivers}
    assert drivers["site.energy_price_per_kwh"] > 0.9


def _synthetic(
    name: str, cash: float, capital: float, investment: float, growth: float = 0.0
) -> FutureCosts:
    ones = np.ones(4)
    return FutureCosts(
        scenario=name,
        samples=4,
        seed=0,
        draws={},
        figures={
            "tco": ones * (cash + capital),
            "capital": ones * capital,
            "price": ones * 2.0,
            "labour_share": ones * 0.5,
        },
        investment=ones * investment,
        wage_growth=np.array([0.0, 0.0, growth, 0.0]),
        fx_growth=np.zeros(4),
        volume=ones * 10.0,
    )


def test_payback_is_the_year_the_cash_savings_repay_the_extra_capital() -> None:
    reference = _synthetic("offshore", cash=10.0, capital=0.0, investment=0.0, growth=0.1)
    automated = _synthetic("automated", cash=6.0, capital=3.0, investment=100.0)
    years = payback(automated, reference)
    # 10 parts a year save 4 each: 40 a year, 100 repaid after 2.5 years (wages flat) ...
    assert years[0] == pytest.approx(2.5)
    # ... and sooner when the offshore wages (half its price of 2) grow 10 % a year:
    # savings 40, 41, 42.1: the third year closes the gap of 19 after 81
    assert years[2] == pytest.approx(2 + 19 / 42.1)
    cheap = _synthetic("cheap", cash=6.0, capital=0.0, investment=0.0)
    assert np.isnan(payback(cheap, reference)).all()  # no extra capital: does not apply
    never = _synthetic("never", cash=11.0, capital=0.0, investment=10.0)
    late = payback(never, reference)
    # dearer every year at flat wages; the offshore wages rising 10 % a year close the gap
    assert np.isinf(late[[0, 1, 3]]).all()
    assert 10 < late[2] < 20


def test_a_run_with_uncertainty_simulates_each_replication_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    real = scenarios_api._replicate

    def counted(plan: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(plan.replications)
        return real(plan, *args, **kwargs)

    monkeypatch.setattr(scenarios_api, "_replicate", counted)
    outcome = scenarios_api.compare([CN, NL], replications=2, length="1d", backend="des")
    assert calls == [2, 2]
    block = outcome.to_dict()["uncertainty"]
    assert block["samples"] == 2000 and block["futures_from"] == "cn-manual-sea"
    (versus,) = block["differences"]
    assert 0.0 <= versus["probability_cheaper"] <= 1.0
    assert sum(block["probability_cheapest"].values()) == pytest.approx(1.0)
    assert outcome.futures is not None
    again = compare_futures(list(outcome.scenarios), [list(r) for r in outcome.results], [1.0, 1.0])
    assert again is not None
    assert again.versus[0].probability_cheaper == versus["probability_cheaper"]


def test_the_html_report_and_the_plot_show_the_futures(tmp_path: Path) -> None:
    from simline.report.html import compare_report
    from simline.report.plots import plot_comparison

    outcome = scenarios_api.compare([CN, NL], replications=2, length="1d", backend="des")
    assert outcome.costs is not None and outcome.futures is not None
    page = compare_report(
        outcome.to_dict(), plans=outcome.plans, costs=outcome.costs, futures=outcome.futures
    )
    assert "Cheapest of all" in page and "Payback years P10 / P50 / P90" in page
    png = tmp_path / "futures.png"
    plot_comparison(png, list(outcome.costs), None, outcome.futures)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_shared_stream_pairs_one_market_number_across_sites() -> None:
    nl = parse_scenario(_scenario({}, shared={"eu-ets": ["site.co2_price_per_t"]}))
    data = _scenario({}, shared={"eu-ets": ["site.co2_price_per_t"]})
    data["name"], data["site"] = "pl", "pl"
    pl = parse_scenario(data)
    results = run_replications(compile_plan(nl), backend="des", jobs=1)
    a, b = futures_cost(nl, results), futures_cost(pl, results)
    assert a is not None and b is not None
    assert np.array_equal(a.draws["site.co2_price_per_t"], b.draws["site.co2_price_per_t"])
    # the carrying rate is not shared: each site draws its own
    assert not np.array_equal(
        a.draws["site.inventory_carrying_rate"], b.draws["site.inventory_carrying_rate"]
    )
    (versus,) = compare_futures([nl, pl], [results, results], [1.0, 1.0]).versus  # type: ignore[union-attr]
    names = [(d["input"], d["shared"]) for d in versus.drivers]
    assert names.count(("site.co2_price_per_t", "eu-ets")) <= 1


def test_wage_growth_moves_the_chance_of_being_cheaper_over_the_horizon_only() -> None:
    flat = _scenario({"tco.wage_growth": "uniform(0, 0.3)"})
    flat["site"] = {"labour_cost_per_hour": 40, "energy_price_per_kwh": 0.2}  # no ranges
    flat["stations"]["mill"]["kind"] = "manual"  # an operator: wages in the price
    config = parse_scenario(flat)
    results = run_replications(compile_plan(config), backend="des", jobs=1)
    costs = futures_cost(config, results)
    assert costs is not None
    assert np.ptp(costs.figures["tco"]) == 0  # year one: wages have not grown yet
    assert np.ptp(costs.figures["npv"]) > 0
    other = {k: v for k, v in flat.items() if k != "uncertainty"}
    other["name"] = "fixed"  # the same line, wages growing at 0 in every future
    both = compare_futures([parse_scenario(other), config], [results, results], [1.0, 1.0])
    assert both is not None
    (versus,) = both.versus
    assert versus.probability_cheaper == 0.5  # year one: every future a tie
    assert versus.probability_cheaper_over_horizon == 0.0  # growing wages cost more
    (driver,) = versus.npv_drivers
    assert driver["input"] == "tco.wage_growth" and driver["rank_correlation"] > 0.99


def test_sensitivity_varies_a_drawn_input_between_its_p10_and_p90() -> None:
    from simline.cost import sensitivity

    config = parse_scenario(_scenario({"site.labour_cost_per_hour": "uniform(40, 50)"}))
    results = run_replications(compile_plan(config), backend="des", jobs=1)
    rows = {r.input: r for r in sensitivity([config], [results], [1.0])}
    assert (rows["labour_cost_per_hour"].low, rows["labour_cost_per_hour"].high) == (
        pytest.approx(41.0),
        pytest.approx(49.0),
    )
    # the site profile's range of the carrying rate, uniform 0.20 .. 0.40
    carrying = rows["inventory_carrying_rate"]
    assert (carrying.low, carrying.high) == (pytest.approx(0.22), pytest.approx(0.38))
    # an input not drawn keeps its default range
    assert rows["energy_price_per_kwh"].low == pytest.approx(0.75 * 0.17)


def test_the_payback_is_of_whichever_invests_more_in_either_order() -> None:
    forward = scenarios_api.compare([CN, NL], replications=2, length="1d", backend="des")
    backward = scenarios_api.compare([NL, CN], replications=2, length="1d", backend="des")
    (a,) = forward.to_dict()["uncertainty"]["differences"]
    (b,) = backward.to_dict()["uncertainty"]["differences"]
    assert a["payback_years"]["of"] == b["payback_years"]["of"] == "nl-robot-am"
    assert a["payback_years"]["against"] == b["payback_years"]["against"] == "cn-manual-sea"
    assert a["payback_years"]["p50"] == pytest.approx(b["payback_years"]["p50"], rel=1e-12)
    assert a["probability_cheaper"] == pytest.approx(1 - b["probability_cheaper"])
    assert all("significant" in d for d in a["drivers"])

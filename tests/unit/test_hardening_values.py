"""Issue #8, values: bounds, strict numbers, overflow-safe arithmetic, cost checks up front.

Each case reproduces a defect of the fuzz campaign (items 4, 6, 11, 12, 15, 18, 19, 20, 23,
28, 29) through the real command line where it is user-facing: bad input is exit 2 with one
line ``simline: error: FILE:LINE: path: ...`` before anything is simulated, and nothing is
written.
"""

from __future__ import annotations

import json
import math
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from simline.cli import cli
from simline.config import load_scenario, parse_scenario
from simline.cost import (
    compare_costs,
    exchange_rates,
    parse_rates,
    replication_cost,
    scenario_cost,
)
from simline.cost.tco import net_present_value
from simline.engine import des
from simline.errors import ConfigError
from simline.experiment.replicate import resolve_backend
from simline.plan import SetupPlan, compile_plan

ROOT = Path(__file__).resolve().parents[2]

SITE = {
    "currency": "EUR",
    "labour_cost_per_hour": 40.0,
    "energy_price_per_kwh": 0.2,
    "interest_rate": 0.08,
    "inventory_carrying_rate": 0.25,
}


def base(**extra: Any) -> dict[str, Any]:
    """A small valid scenario as data, with ``extra`` keys merged in at the top."""
    data: dict[str, Any] = {
        "simline": 1,
        "name": "tiny",
        "run": {"length": 60, "replications": 1},
        "stations": {"a": {"kind": "machine", "process_time": 1}},
    }
    data.update(extra)
    return data


def station(**keys: Any) -> dict[str, Any]:
    """The scenario with station ``a`` given ``keys``."""
    return base(stations={"a": {"kind": "machine", "process_time": 1, **keys}})


def write(tmp_path: Path, data: dict[str, Any] | str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_refused(result: Result, path: Path, where: str, message: str) -> None:
    """Exit 2, one line naming the file, a line number and the path, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    line = lines[0]
    assert line.startswith(f"simline: error: {path}:"), line
    assert f": {where}: " in line, line
    assert message in line, line
    assert "Traceback" not in result.output


def validate_refuses(tmp_path: Path, data: dict[str, Any] | str, where: str, message: str) -> None:
    path = write(tmp_path, data)
    assert_refused(invoke("validate", str(path)), path, where, message)


def run_refuses(tmp_path: Path, data: dict[str, Any] | str, where: str, message: str) -> None:
    """``run`` refuses before simulating and writes nothing."""
    path = write(tmp_path, data)
    out = tmp_path / "out.json"
    result = invoke("run", str(path), "--backend", "des", "-q", "-o", str(out))
    assert_refused(result, path, where, message)
    assert not out.exists()


# --- item 28: one strictness for all numbers ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (station(servers="2"), "stations.a.servers", "expected a whole number, written without"),
        (station(capex="1000", life_years=5), "stations.a.capex", "expected a number, written"),
        (base(release={"conwip": "5"}), "release.conwip", "expected a whole number, written"),
        (base(run={"replications": "3"}), "run.replications", "expected a whole number, written"),
        (station(batch={"size": "4"}), "stations.a.batch.size", "expected a whole number"),
        (station(scrap="0.1"), "stations.a.scrap", "expected a number, written without quotes"),
        (
            station(process_time={"dist": "lognormal", "mean": 1, "cv": "0.5"}),
            "stations.a.process_time.cv",
            "expected a number, written without quotes",
        ),
        (
            station(process_time={"dist": "erlang", "mean": 1, "k": "2"}),
            "stations.a.process_time.k",
            "expected a whole number, written without quotes",
        ),
        (
            station(process_time={"dist": "empirical", "values": [1, 2], "weights": ["1", 1]}),
            "stations.a.process_time.weights[0]",
            "expected a number, written without quotes",
        ),
    ],
)
def test_a_string_is_not_a_number(
    tmp_path: Path, data: dict[str, Any], where: str, message: str
) -> None:
    validate_refuses(tmp_path, data, where, message)


def test_a_quoted_buffer_is_refused_like_a_quoted_server_count(tmp_path: Path) -> None:
    text = yaml.safe_dump(station(buffer=5)).replace("buffer: 5", "buffer: !!str 5")
    validate_refuses(tmp_path, text, "stations.a.buffer", 'expected a whole number >= 0 or "inf"')


def test_durations_may_still_be_strings(tmp_path: Path) -> None:
    path = write(tmp_path, station(process_time="90s", failures={"mtbf": "8h", "mttr": "20min"}))
    assert invoke("validate", str(path)).exit_code == 0


# --- items 11 and 20: upper bounds, the same whole-number rules for buffers ----------------


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (station(servers=10**9), "stations.a.servers", "'servers' must be <= 1000"),
        (station(servers=2**63 - 1), "stations.a.servers", "'servers' must be <= 1000"),
        (base(release={"conwip": 10**9}), "release.conwip", "'conwip' must be <= 1_000_000"),
        (station(buffer=10**12), "stations.a.buffer", "'buffer' must be <= 1_000_000 places"),
        (station(buffer=1e12), "stations.a.buffer", "'buffer' must be <= 1_000_000 places"),
        (
            station(buffer=2**63),
            "stations.a.buffer",
            "expected a whole number of at most 9_223_372_036_854_775_807",
        ),
        (station(buffer=2.5), "stations.a.buffer", 'expected a whole number >= 0 or "inf"'),
        (station(batch={"size": 10**9}), "stations.a.batch.size", "'size' must be <= 10000"),
        (
            base(run={"length": 60, "replications": 10**9}),
            "run.replications",
            "'replications' must be <= 100_000",
        ),
        (station(operators=5000), "stations.a.operators", "'operators' must be <= 1000"),
        (
            base(workforce={"operators": 10**7}),
            "workforce.operators",
            "'operators' must be <= 100_000",
        ),
    ],
)
def test_absurd_sizes_are_refused_before_simulating(
    tmp_path: Path, data: dict[str, Any], where: str, message: str
) -> None:
    run_refuses(tmp_path, data, where, message)


def test_replications_option_is_bounded_too(tmp_path: Path) -> None:
    path = write(tmp_path, base())
    result = invoke("run", str(path), "-q", "--backend", "des", "-r", "1000000000")
    assert result.exit_code == 2
    assert "--replications: 'replications' must be <= 100_000" in result.output


def test_the_largest_buffer_and_the_unlimited_one_are_fine(tmp_path: Path) -> None:
    for buffer in (1_000_000, "inf", 1e6):
        path = write(tmp_path, station(buffer=buffer))
        assert invoke("validate", str(path)).exit_code == 0


def test_counts_of_products_and_stations_are_bounded() -> None:
    stations = {f"s{i}": {"kind": "machine", "process_time": 1} for i in range(1001)}
    with pytest.raises(ConfigError, match="'stations' must have at most 1000 entries"):
        parse_scenario(base(stations=stations))
    products = {f"p{i}": {"routing": ["a"]} for i in range(10_001)}
    with pytest.raises(ConfigError, match="'products' must have at most 10000 entries"):
        parse_scenario(base(products=products))
    # each count may be fine while their product is not (a process time per pair)
    stations = {f"s{i}": {"kind": "machine", "process_time": 1} for i in range(200)}
    products = {f"p{i}": {"routing": ["s0"]} for i in range(5001)}
    with pytest.raises(ConfigError, match="5_001 products at 200 stations are too many") as info:
        parse_scenario(base(stations=stations, products=products))
    assert info.value.path == "products"


def test_bounds_are_in_the_json_schema() -> None:
    result = invoke("schema")
    schema = json.loads(result.output)
    defs = schema["$defs"]
    machine = defs["MachineStationConfig"]["properties"]
    assert machine["servers"]["maximum"] == 1000
    assert "1 to 1,000" in machine["servers"]["description"]
    buffer = machine["buffer"]
    assert {"type": "integer", "minimum": 0, "maximum": 1_000_000} in buffer["anyOf"]
    assert defs["BatchConfig"]["properties"]["size"]["maximum"] == 10_000
    assert defs["RunConfig"]["properties"]["replications"]["maximum"] == 100_000
    assert defs["ConwipReleaseConfig"]["properties"]["conwip"]["maximum"] == 1_000_000
    assert defs["TcoConfig"]["properties"]["horizon_years"]["maximum"] == 100


# --- item 18: overflow and division by zero in validate -----------------------------------


@pytest.mark.parametrize(
    ("process_time", "where", "message"),
    [
        # a short form is reported at the key that holds it
        ("weibull(0.001, 1)", "stations.a.process_time", "'shape' must be >= 0.1"),
        (
            {"dist": "weibull", "shape": 0.1, "scale": "1e307s"},
            "stations.a.process_time.scale",
            "the mean scale x gamma(1 + 1/shape) is too large",
        ),
        (
            {"dist": "weibull", "shape": 1, "scale": 1e305},  # hours: too many seconds
            "stations.a.process_time.scale",
            "expected a finite duration",
        ),
        ("lognormal(1, cv=1e300)", "stations.a.process_time", "'cv' must be <= 100"),
        ("gamma(1, cv=1e-200)", "stations.a.process_time", "'cv' must be >= 1e-06"),
        (1e308, "stations.a.process_time", "expected a finite duration"),
    ],
)
def test_values_whose_arithmetic_overflows_are_refused(
    tmp_path: Path, process_time: Any, where: str, message: str
) -> None:
    data = station(process_time=process_time)
    data["time_unit"] = "h"
    validate_refuses(tmp_path, data, where, message)


def test_a_run_too_long_to_count_in_seconds_is_refused(tmp_path: Path) -> None:
    data = base(run={"warmup": "1e308s", "length": "1e308s", "replications": 1})
    validate_refuses(tmp_path, data, "run.length", "warm-up plus length is too long")


@pytest.mark.parametrize(
    "process_time",
    [
        "normal(1e-300, 0)",
        "normal(1e-300, 1)",
        {"dist": "uniform", "low": 0, "high": 1e200},
        {"dist": "triangular", "low": 1e200, "mode": 2e200, "high": 3e200},
        {"dist": "empirical", "values": [1, 2], "weights": [1e308, 1e308]},
        {"dist": "empirical", "values": [1e200, 3e200]},
        "weibull(0.1, 1)",
    ],
)
def test_extreme_but_valid_distributions_compile(tmp_path: Path, process_time: Any) -> None:
    path = write(tmp_path, station(process_time=process_time))
    result = invoke("validate", str(path))
    assert result.exit_code == 0, result.output
    plan = compile_plan(load_scenario(path))
    dist = plan.stations[0].process[0]
    assert math.isfinite(dist.mean) and dist.mean >= 0
    assert all(math.isfinite(p) for p in dist.params)


def test_huge_weights_and_mixes_keep_their_shares() -> None:
    data = station(process_time={"dist": "empirical", "values": [1, 3], "weights": [1e308, 1e308]})
    data["products"] = {
        "x": {"routing": ["a"], "mix": 1e308},
        "y": {"routing": ["a"], "mix": 1e308},
    }
    plan = compile_plan(parse_scenario(data))
    dist = plan.stations[0].process[0]
    assert dist.params == (1.0, 3.0, 0.5, 1.0)
    assert dist.mean == pytest.approx(2.0) and dist.scv == pytest.approx(0.25)
    assert [p.mix for p in plan.products] == [0.5, 0.5]


# --- item 19: cost inputs bounded at validation -------------------------------------------


def costed(**extra: Any) -> dict[str, Any]:
    data = base(site=dict(SITE), demand={"annual": 100000})
    data["stations"] = {
        "a": {"kind": "machine", "process_time": 1, "capex": 1000, "life_years": 5},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (
            costed(
                stations={
                    "a": {"kind": "machine", "process_time": 1, "capex": 1e308, "life_years": 5}
                }
            ),
            "stations.a.capex",
            "'capex' must be <= 1_000_000_000_000_000",
        ),
        (
            costed(
                stations={
                    "a": {"kind": "machine", "process_time": 1, "capex": 1000, "life_years": 1e-300}
                }
            ),
            "stations.a.life_years",
            "'life_years' must be >= 0.1",
        ),
        (costed(site={"hours_per_year": 1e-300}), "site.hours_per_year", "must be >= 1"),
        (costed(site={"interest_rate": 1e308}), "site.interest_rate", "must be <= 10"),
        (costed(tco={"fx_growth": 1e300}), "tco.fx_growth", "'fx_growth' must be <= 10"),
        (costed(tco={"horizon_years": 10**10}), "tco.horizon_years", "must be <= 100"),
        (costed(demand={"annual": 0.5}), "demand.annual", "'annual' must be >= 1"),
        (
            costed(logistics={"mode": "sea", "rate_per_part": 1, "transit": "400d"}),
            "logistics.transit",
            "'transit' must be at most 365 days",
        ),
        (
            costed(products={"p": {"routing": ["a"], "material_cost": 1e300}}),
            "products.p.material_cost",
            "'material_cost' must be <=",
        ),
    ],
)
def test_cost_inputs_that_overflow_are_refused_before_simulating(
    tmp_path: Path, data: dict[str, Any], where: str, message: str
) -> None:
    run_refuses(tmp_path, data, where, message)


def test_every_cost_input_at_its_bound_gives_finite_figures(tmp_path: Path) -> None:
    money = 1e15
    data = costed(
        site={
            "labour_cost_per_hour": money,
            "energy_price_per_kwh": money,
            "grid_co2_kg_per_kwh": 10,
            "rent_per_m2_year": money,
            "interest_rate": 10,
            "co2_price_per_t": money,
            "inventory_carrying_rate": 10,
            "hours_per_year": 1,
        },
        products={"p": {"routing": ["a"], "material_cost": money, "mass_kg": 1e6}},
        stations={
            "a": {
                "kind": "manual",
                "servers": 1000,
                "operators": 1000,
                "process_time": 1,
                "capex": money,
                "life_years": 0.1,
                "maintenance_rate": 10,
                "floor_m2": 1e6,
                "energy": {"busy_kw": 1e6, "idle_kw": 1e6},
            }
        },
        logistics={
            "mode": "air",
            "rate_per_kg": money,
            "units_per_container": 1,
            "transit": "365d",
            "insurance_rate": 10,
            "duty_rate": 10,
            "fees_rate": 10,
            "fees_per_shipment": money,
            "distance_km": 100000,
        },
        demand={"annual": 1e12, "cv_weekly": 10, "service_level": 0.999},
        tco={
            "supplier_margin": 10,
            "ip_risk_rate": 10,
            "quality_risk_rate": 10,
            "disruption_rate": 10,
            "innovation_rate": 10,
            "travel_per_year": money,
            "management_per_year": money,
            "wage_growth": 10,
            "fx_growth": 10,
            "horizon_years": 100,
        },
    )
    data["run"] = {"length": 30, "replications": 2}
    config = parse_scenario(data)
    plan = compile_plan(config)
    results = [des.simulate(plan, r) for r in range(2)]
    for r in results:
        figures = replication_cost(config, r).figures
        bad = {k: v for k, v in figures.items() if not math.isfinite(v)}
        assert not bad
    # the same through the command line: exit 0 and finite JSON
    path = write(tmp_path, data)
    result = invoke("run", str(path), "--backend", "des", "-q", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["cost"]["annual"]["npv"]["mean"] is not None


# --- item 12: the NPV in closed form -------------------------------------------------------


def npv_loop(
    annual: float,
    tco: float,
    price: float,
    share: float,
    wage: float,
    fx: float,
    rate: float,
    years: int,
) -> float:
    """The former loop, kept as the reference."""
    total = 0.0
    for t in range(1, years + 1):
        price_t = price * (1.0 + share * ((1.0 + wage) ** (t - 1) - 1.0)) * (1.0 + fx) ** (t - 1)
        total += annual * (tco + price_t - price) / (1.0 + rate) ** t
    return total


@pytest.mark.parametrize("years", [1, 2, 5, 30, 100])
@pytest.mark.parametrize(
    ("wage", "fx", "rate"),
    [
        (0.0, 0.0, 0.0),
        (0.08, 0.0, 0.08),  # wages grow at the discount rate (a ratio of exactly 1)
        (0.0, 0.08, 0.08),
        (0.03, -0.02, 0.08),
        (0.2, 0.1, 0.05),
        (1e-12, 0.0, 0.0),
        (-0.5, 0.5, 0.3),
        (10.0, 10.0, 10.0),
    ],
)
def test_closed_form_npv_matches_the_loop(wage: float, fx: float, rate: float, years: int) -> None:
    args = (200000.0, 14.2, 11.9, 0.37)
    got = net_present_value(*args, wage_growth=wage, fx_growth=fx, interest_rate=rate, years=years)
    want = npv_loop(*args, wage, fx, rate, years)
    assert got == pytest.approx(want, rel=1e-9)


def test_npv_of_the_shipped_reshoring_study_is_unchanged() -> None:
    for name in ("cn-manual-sea", "nl-robot-am", "pl-manual-road"):
        config = load_scenario(ROOT / "configs" / "reshoring" / f"{name}.yaml")
        data = config.model_dump()
        data["run"] = {**data["run"], "length": "1d", "warmup": "2h", "replications": 2}
        config = parse_scenario(data)
        plan = compile_plan(config)
        tco_cfg, site = config.tco, config.site
        assert site is not None and config.demand is not None
        for r in range(2):
            figures = replication_cost(config, des.simulate(plan, r)).figures
            price = figures["unit_cost"] + figures["margin"]
            share = figures["labour"] * (1 + tco_cfg.supplier_margin) / price
            want = npv_loop(
                config.demand.annual,
                figures["tco"],
                price,
                share,
                tco_cfg.wage_growth,
                tco_cfg.fx_growth,
                site.interest_rate,
                tco_cfg.horizon_years,
            )
            assert figures["npv"] == pytest.approx(want, rel=1e-9)


# --- item 4: a container larger than a year's demand ---------------------------------------

LANE = {
    "mode": "sea",
    "rate_per_container": 2800,
    "units_per_container": 24000,
    "transit": "45d",
    "fees_per_shipment": 350,
}


def test_cycle_stock_and_shipment_costs_are_capped_by_demand() -> None:
    config = parse_scenario(costed(logistics=LANE, demand={"annual": 100}))
    plan = compile_plan(config)
    results = [des.simulate(plan, 0)]
    figures = replication_cost(config, results[0]).figures
    price = figures["unit_cost"]
    # one container a year holding the 100 parts: it carries the whole rate and the fees
    assert figures["freight"] == pytest.approx(2800 / 100)
    assert figures["fees"] == pytest.approx(350 / 100)
    value = price + figures["freight"] + figures["fees"]
    transit = 0.25 * (price + figures["freight"]) * 45 * 24 / 8760
    cycle = 0.25 * value * (100 / 2) / 100  # half a shipment of 100, not of 24,000
    assert figures["inventory"] == pytest.approx(transit + cycle)
    cost = scenario_cost(config, results)
    assert len(cost.warnings) == 1
    assert cost.warnings[0].startswith("logistics.units_per_container: a container holds 24,000")
    # with the demand that fills containers nothing changes and nothing is said
    full = parse_scenario(costed(logistics=LANE, demand={"annual": 240000}))
    figures = replication_cost(full, results[0]).figures
    assert figures["freight"] == pytest.approx(2800 / 24000)
    assert scenario_cost(full, results).warnings == []


def test_the_warning_is_in_the_json(tmp_path: Path) -> None:
    path = write(tmp_path, costed(logistics=LANE, demand={"annual": 100}))
    result = invoke("run", str(path), "--backend", "des", "-q", "--format", "json")
    assert result.exit_code == 0, result.output
    cost = json.loads(result.output[result.output.index("{") :])["cost"]
    assert len(cost["warnings"]) == 1
    assert "more than a year's volume (demand.annual: 100)" in cost["warnings"][0]
    # landed cost: the former cycle stock of half a container (12,000 parts for 100 a year)
    # dominated it; now it is at most half a year of carrying cost on the value
    assert cost["breakdown"]["inventory"]["mean"] < 0.25 * cost["landed_cost"]["mean"]


def test_the_warning_reaches_stderr_and_stdout_stays_json(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write(tmp_path, costed(logistics=LANE, demand={"annual": 100}))
    args = ["run", str(path), "--backend", "des", "-q", "--format", "json", "-r", "2"]
    done = subprocess.run(
        [sys.executable, "-m", "simline", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)  # nothing but the JSON object on stdout
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"simline: warning: {path}: ")
    assert "more than a year's volume" in lines[0]


# --- item 6: compare --rate -----------------------------------------------------------------


def test_rate_for_the_reporting_or_an_unused_currency_or_twice_is_refused(tmp_path: Path) -> None:
    eur = write(tmp_path, costed(name="eur"), "eur.yaml")
    usd_data = costed(name="usd", currency="USD")
    usd_data["site"] = {**SITE, "currency": "USD"}
    usd = write(tmp_path, usd_data, "usd.yaml")
    out = tmp_path / "out.json"
    cases = [
        (("--rate", "USD=0.9", "--rate", "EUR=1"), "EUR is the reporting currency"),
        (("--rate", "USD=0.9", "--rate", "GBP=1.2"), "no scenario is in GBP"),
        (("--rate", "USD=0.9", "--rate", "usd=0.95"), "USD is given twice ('USD=0.9' and"),
        (
            (
                "--rate",
                "USD=1e308",
            ),
            "expected an exchange rate from 1e-09 to 1e+09",
        ),
    ]
    for args, message in cases:
        result = invoke(
            "compare", str(eur), str(usd), "-q", "--backend", "des", "-o", str(out), *args
        )
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("simline: error: --rate: "), lines
        assert message in lines[0]
        assert not out.exists()


def test_rates_in_the_api() -> None:
    assert parse_rates(["USD=0.93", "GBP=1.17"]) == {"USD": 0.93, "GBP": 1.17}
    configs = [parse_scenario(costed(name="a")), parse_scenario(costed(name="b"))]
    with pytest.raises(ConfigError, match="no scenario is in USD"):
        exchange_rates(configs, {"USD": 0.9})
    assert exchange_rates(configs, {}) == ("EUR", [1.0, 1.0])
    assert compare_costs  # the comparison itself is covered in tests/integration


# --- item 23: cross-field cost checks in validate --------------------------------------------


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (
            costed(logistics={"mode": "sea", "rate_per_container": 2800, "container_m3": 67}),
            "logistics.rate_per_container",
            "'rate_per_container' needs 'units_per_container'",
        ),
        (
            costed(logistics={"mode": "sea", "rate_per_kg": 2}),
            "logistics.rate_per_kg",
            "'rate_per_kg' needs 'mass_kg' on every product",
        ),
        (
            costed(
                logistics={"mode": "sea", "distance_km": 19600},
                products={"p": {"routing": ["a"]}},
            ),
            "products.p",
            "product 'p' has no 'mass_kg', which 'logistics.distance_km' needs",
        ),
        (
            costed(stations={"a": {"kind": "machine", "process_time": 1, "capex": 1000}}),
            "stations.a.capex",
            "'capex' needs 'life_years'",
        ),
    ],
)
def test_cost_cross_checks_are_made_by_validate(
    tmp_path: Path, data: dict[str, Any], where: str, message: str
) -> None:
    validate_refuses(tmp_path, data, where, message)
    run_refuses(tmp_path, data, where, message)


def test_emissions_given_per_part_need_no_mass(tmp_path: Path) -> None:
    data = costed(logistics={"mode": "sea", "distance_km": 19600, "co2_kg_per_part": 0.1})
    assert invoke("validate", str(write(tmp_path, data))).exit_code == 0


# --- item 29: a shift that ends when it starts ----------------------------------------------


def test_a_shift_that_ends_when_it_starts_is_refused(tmp_path: Path) -> None:
    data = base(workforce={"operators": 1, "shifts": [["08:00", "08:00"]]})
    validate_refuses(tmp_path, data, "workforce.shifts[0][1]", "a shift must end after it starts")


def test_whole_days_and_night_shifts() -> None:
    day = compile_plan(
        parse_scenario(base(workforce={"operators": 2, "shifts": [["00:00", "24:00"]]}))
    )
    assert day.workforce is not None and day.workforce.changes == ((0.0, 2),)
    night = compile_plan(
        parse_scenario(
            base(workforce={"operators": 1, "shifts": [["22:00", "06:00"]], "days": ["mon"]})
        )
    )
    assert night.workforce is not None
    assert night.workforce.changes == ((0.0, 0), (22 * 60.0, 1), (30 * 60.0, 0))
    assert night.workforce.paid_time(0, night.workforce.period) == 8 * 60.0


# --- item 15: setups stored sparsely ----------------------------------------------------------


def many_products(n: int, setup: Any) -> dict[str, Any]:
    # p0, p1 and p9 make most of the mix, so that changes between them happen in a short run
    mix = {0: 1000.0, 1: 1000.0, 9: 1000.0}
    products = {f"p{i}": {"routing": ["a", "b"], "mix": mix.get(i, 1.0)} for i in range(n)}
    data = base(products=products)
    data["stations"] = {
        "a": {"kind": "machine", "process_time": 1, "setup": setup},
        "b": {"kind": "machine", "process_time": 1, "setup": 2},
    }
    return data


def test_setups_of_many_products_take_little_memory() -> None:
    config = parse_scenario(many_products(3000, 5))
    tracemalloc.start()
    plan = compile_plan(config)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # a dense 3,000 x 3,000 table took about 9 million entries per station (over 1 GB)
    assert peak < 20 * 2**20
    setup = plan.stations[0].setup
    assert isinstance(setup, SetupPlan) and setup.changes == ()
    assert setup.get(0, 1) is not None and setup.get(7, 7) is None
    # the fast engine's dense table would be too large: auto runs it on des
    assert resolve_backend("auto", plan)[0] == "des"
    with pytest.raises(ConfigError, match="3,000 products at 2 stations"):
        resolve_backend("fast", plan)


def test_many_products_with_setups_simulate_on_des() -> None:
    listed = {"from_to": {"p0": {"p1": 3, "p2": 0}, "p9": {"p0": "exp(1)"}}}
    plan = compile_plan(parse_scenario(many_products(2000, listed)))
    setup = plan.stations[0].setup
    assert setup is not None and len(setup.changes) == 2  # the zero setup is dropped
    result = des.simulate(plan, 0)
    assert result.stations["a"].state_time[1] > 0  # some setup time at a


def test_too_many_products_or_stations_says_how_many() -> None:
    """pydantic stops counting a mapping at its limit; the message said '(got None)'."""
    products = {f"p{i}": {"routing": ["a"]} for i in range(10_001)}
    with pytest.raises(ConfigError, match=r"at most 10000 entries \(got 10001\)$"):
        parse_scenario(base(products=products))
    stations = {f"s{i}": {"kind": "machine", "process_time": 1} for i in range(1_001)}
    with pytest.raises(ConfigError, match=r"at most 1000 entries \(got 1001\)$"):
        parse_scenario(base(stations=stations))

"""The cost model: VDI 3258 rates, hand-computed components, properties, bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import simline.api
from simline.cli import cli
from simline.config import parse_scenario
from simline.cost import BREAKDOWN, depreciation_rate, fixed_items, replication_cost
from simline.cost.unit import calendar_warnings, line_cost, year_hours
from simline.engine.results import ProductResult, RunResult, StationResult
from simline.errors import ConfigError

SITE = {
    "currency": "EUR",
    "labour_cost_per_hour": 40.0,
    "energy_price_per_kwh": 0.2,
    "grid_co2_kg_per_kwh": 0.5,
    "rent_per_m2_year": 100.0,
    "interest_rate": 0.1,
    "co2_price_per_t": 100.0,
    "inventory_carrying_rate": 0.2,
}


def scenario(**extra: Any) -> Any:
    data: dict[str, Any] = {
        "simline": 1,
        "name": "hand",
        "time_unit": "h",
        "products": {"p": {"routing": ["m"], "material_cost": 5.0, "mass_kg": 2.0}},
        "stations": {
            "m": {
                "kind": "machine",
                "process_time": 1.0,
                "energy": {"busy_kw": 10.0, "idle_kw": 2.0},
                "capex": 87600.0,
                "life_years": 10,
                "maintenance_rate": 0.05,
                "floor_m2": 10.0,
            }
        },
        "site": dict(SITE),
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return parse_scenario(data)


def result(
    state: tuple[float, float, float, float, float, float] = (600, 0, 100, 76, 50, 50),
    released: int = 1000,
    good: int = 800,
    paid: float = 876.0,
) -> RunResult:
    return RunResult(
        scenario="hand",
        backend="des",
        replication=0,
        seed=0,
        measured_time=876.0,
        hours_per_unit=1.0,
        stations={"m": StationResult(1, state, good, released - good)},
        products={"p": ProductResult(released, good, released - good, good, 2.0, 0.0)},
        wip_integral=876.0 * 3,
        operator_paid_time=paid,
        released_total=released,
        good_total=good,
        scrap_total=released - good,
        wip_end=0,
        events=0,
    )


# --- machine-hour rates -------------------------------------------------------------------


def test_case_c_additive_machine_rate_matches_published_range() -> None:
    """cost-model.md sec. 5 case C: ~1 MUSD L-PBF, 3-5 yr, 70-90 % use: "30-50 USD/h"."""
    corners = [depreciation_rate(1e6, n, u) for n in (3, 5) for u in (0.7, 0.9)]
    assert all(25 <= r <= 55 for r in corners)
    assert depreciation_rate(1e6, 5, 0.9) == pytest.approx(25.4, abs=0.05)
    assert depreciation_rate(1e6, 3, 0.7) == pytest.approx(54.4, abs=0.05)
    for centre, expected in (
        (depreciation_rate(1e6, 5, 0.7), 32.6),
        (depreciation_rate(1e6, 3, 0.9), 42.3),
    ):
        assert 30 <= centre <= 50
        assert centre == pytest.approx(expected, abs=0.05)


def test_vdi_fixed_items_by_hand() -> None:
    config = scenario()
    items = fixed_items("m", config.stations["m"], config.site)
    assert items.depreciation == pytest.approx(8760.0)
    assert items.interest == pytest.approx(87600 / 2 * 0.1)
    assert items.space == pytest.approx(1000.0)
    assert items.maintenance == pytest.approx(4380.0)
    assert items.total == pytest.approx(18520.0)


def test_capex_without_life_is_a_config_error() -> None:
    # refused when the scenario is validated, before anything is simulated
    with pytest.raises(ConfigError, match="life_years"):
        scenario(stations={"m": {"kind": "machine", "process_time": 1.0, "capex": 1000.0}})


CAPEX_NO_LIFE = """\
simline: 1
name: capex
run: {length: 8h, replications: 2}
stations:
  cut:
    kind: machine
    process_time: 1.0
    capex: 100000
site: nl
"""
CAPEX_MESSAGE = (
    "8: stations.cut.capex: 'capex' needs 'life_years' to depreciate it over "
    "(got capex 100000.0 and no life_years)"
)


@pytest.mark.parametrize("command", ["validate", "run"])
def test_capex_without_life_fails_validate_and_run_at_its_line(
    tmp_path: Path, command: str
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(CAPEX_NO_LIFE, encoding="utf-8")
    done = CliRunner().invoke(cli, [command, str(path)])
    assert done.exit_code == 2
    assert done.stderr == f"simline: error: {path}:{CAPEX_MESSAGE}\n"
    assert done.stdout == ""


def test_capex_without_life_fails_run_before_compiling(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(CAPEX_NO_LIFE, encoding="utf-8")
    steps: list[str] = []
    with pytest.raises(ConfigError) as info:
        simline.api.run(
            path,
            on_compiled=lambda plans: steps.append("compiled"),
            before_simulate=lambda backend, plans: steps.append("simulate"),
        )
    assert str(info.value) == f"{path}:{CAPEX_MESSAGE}"
    assert steps == []


def test_fixed_items_refuses_an_unvalidated_station() -> None:
    config = scenario()
    station = config.stations["m"].model_construct(kind="machine", capex=1.0, life_years=None)
    with pytest.raises(ValueError, match="station 'm' has capex but no life_years"):
        fixed_items("m", station, config.site)


# --- the line's unit cost, by hand ---------------------------------------------------------


def test_line_cost_by_hand() -> None:
    line = line_cost(scenario(), result())
    fixed = 18520.0 * 876 / 8760
    kwh = 600 * 10 + (0 + 100 + 76) * 2
    assert line.equipment == pytest.approx(fixed / 800)
    assert line.energy == pytest.approx(kwh * 0.2 / 800)
    assert line.labour == pytest.approx(876 * 40 / 800)
    assert line.material == pytest.approx(1000 * 5 / 800)  # per started part: scrap loads good
    assert line.unused_capacity == pytest.approx(fixed * (1 - 600 / 876) / 800)
    assert line.stations["m"].machine_hour_rate == pytest.approx((fixed + kwh * 0.2) / 600)
    assert line.kwh_per_part == pytest.approx(kwh / 800)


def test_energy_is_zero_while_down_and_off_shift() -> None:
    idle = line_cost(scenario(), result(state=(0, 0, 0, 0, 438, 438)))
    assert idle.energy == 0.0


def test_no_good_part_gives_nan_not_an_error() -> None:
    line = line_cost(scenario(), result(good=0, released=10))
    assert math.isnan(line.unit_cost)


# --- landed cost and TCO by hand -----------------------------------------------------------

LOGISTICS = {
    "mode": "sea",
    "rate_per_container": 2400.0,
    "units_per_container": 24000,
    "transit": "36.5d",
    "insurance_rate": 0.005,
    "duty_rate": 0.03,
    "duty_base": "cif",
    "fees_rate": 0.01,
    "fees_per_shipment": 350.0,
    "co2_kg_per_part": 0.2,
}


def test_landed_and_tco_by_hand() -> None:
    config = scenario(
        logistics=LOGISTICS,
        demand={"annual": 100000},
        tco={
            "supplier_margin": 0.1,
            "ip_risk_rate": 0.01,
            "quality_risk_rate": 0.02,
            "disruption_rate": 0.005,
            "innovation_rate": 0.01,
            "travel_per_year": 10000,
            "management_per_year": 5000,
            "horizon_years": 2,
        },
    )
    cost = replication_cost(config, result()).figures
    unit = line_cost(config, result()).unit_cost
    price = unit * 1.1
    freight = 0.1
    insurance = 0.005 * (price + freight)
    duty = 0.03 * (price + freight + insurance)
    fees = 0.01 * price + 350 / 24000
    value = price + freight + insurance + duty + fees
    inventory = 0.2 * (price + freight + duty) * 0.1 + 0.2 * value * 12000 / 100000
    co2 = (600 * 10 + 176 * 2) / 800 * 0.5 + 0.2
    risk = 0.035 * price
    strategic = 0.01 * price + 15000 / 100000
    assert cost["margin"] == pytest.approx(0.1 * unit)
    assert cost["freight"] == pytest.approx(freight)
    assert cost["insurance"] == pytest.approx(insurance)
    assert cost["duty"] == pytest.approx(duty)
    assert cost["fees"] == pytest.approx(fees)
    assert cost["inventory"] == pytest.approx(inventory)
    assert cost["co2_kg_per_part"] == pytest.approx(co2)
    assert cost["carbon"] == pytest.approx(co2 / 1000 * 100)
    assert cost["risk"] == pytest.approx(risk)
    assert cost["strategic"] == pytest.approx(strategic)
    tco = value + inventory + co2 / 10 + risk + strategic
    assert cost["tco"] == pytest.approx(tco)
    assert cost["tco_year"] == pytest.approx(tco * 100000)
    assert cost["npv"] == pytest.approx(100000 * tco * (1 / 1.1 + 1 / 1.21))


@pytest.mark.parametrize(("base", "factor"), [("cif", "cif"), ("fob", "price"), ("price", "price")])
def test_duty_bases(base: str, factor: str) -> None:
    # a year's demand fills the container (a smaller one is costed as a part-full container)
    config = scenario(
        logistics={**LOGISTICS, "duty_base": base, "insurance_rate": 0.0},
        demand={"annual": 100000},
    )
    cost = replication_cost(config, result()).figures
    price = cost["unit_cost"]
    expected = 0.03 * (price + 0.1) if factor == "cif" else 0.03 * price
    assert cost["duty"] == pytest.approx(expected)


def test_safety_stock_grows_with_the_square_root_of_transit() -> None:
    def inventory(days: int) -> float:
        config = scenario(
            logistics={"mode": "road", "rate_per_part": 0.0, "transit": f"{days}d"},
            demand={"annual": 52000, "cv_weekly": 0.5, "service_level": 0.95},
        )
        return replication_cost(config, result()).figures["inventory"]

    short, long = inventory(7), inventory(28)
    in_transit = 0.2 * replication_cost(scenario(), result()).figures["unit_cost"] / 365
    assert long - 28 * in_transit == pytest.approx(2 * (short - 7 * in_transit))


def test_wage_and_fx_growth_raise_the_npv() -> None:
    flat = replication_cost(scenario(demand={"annual": 1000}), result()).figures["npv"]
    grown = replication_cost(
        scenario(demand={"annual": 1000}, tco={"wage_growth": 0.1, "fx_growth": 0.05}), result()
    ).figures["npv"]
    assert grown > flat


# --- properties -----------------------------------------------------------------------------

states = st.tuples(*(st.floats(0, 200) for _ in range(5))).map(
    lambda t: (*t, 876.0 - sum(t)) if sum(t) <= 876 else (0, 0, 0, 0, 0, 876.0)
)


@settings(max_examples=40, deadline=None)
@given(
    state=states,
    good=st.integers(1, 5000),
    wage=st.floats(0, 200),
    duty=st.floats(0, 1),
    cv=st.floats(0, 1),
)
def test_breakdown_sums_to_tco(
    state: tuple[float, float, float, float, float, float],
    good: int,
    wage: float,
    duty: float,
    cv: float,
) -> None:
    config = scenario(
        site={"labour_cost_per_hour": wage},
        logistics={**LOGISTICS, "duty_rate": duty},
        demand={"annual": 100000, "cv_weekly": cv},
        tco={"supplier_margin": 0.1, "ip_risk_rate": 0.01, "travel_per_year": 1000},
    )
    figures = replication_cost(config, result(state=state, good=good, released=good + 10)).figures
    assert math.fsum(figures[k] for k in BREAKDOWN) == pytest.approx(figures["tco"])
    assert figures["unit_cost"] == pytest.approx(
        math.fsum(figures[k] for k in ("material", "labour", "equipment", "energy"))
    )


@settings(max_examples=30, deadline=None)
@given(wage=st.floats(0.01, 200), paid=st.one_of(st.just(0.0), st.floats(1e-6, 5000)))
def test_doubling_the_wage_doubles_labour_exactly(wage: float, paid: float) -> None:
    # Exact in binary floating point as long as nothing underflows: paid times start at a
    # micro-unit (1e-308 minutes would make the products subnormal, where doubling rounds).
    one = line_cost(scenario(site={"labour_cost_per_hour": wage}), result(paid=paid)).labour
    two = line_cost(scenario(site={"labour_cost_per_hour": 2 * wage}), result(paid=paid)).labour
    assert two == 2 * one


@settings(max_examples=30, deadline=None)
@given(cv=st.floats(0, 1), rate=st.floats(0, 0.5))
def test_no_freight_duty_or_transit_means_landed_is_unit_plus_carbon(
    cv: float, rate: float
) -> None:
    config = scenario(
        site={"inventory_carrying_rate": rate},
        logistics={"mode": "road", "rate_per_part": 0.0, "transit": 0, "duty_rate": 0.0},
        demand={"annual": 50000, "cv_weekly": cv},
    )
    figures = replication_cost(config, result()).figures
    assert figures["landed_cost"] == pytest.approx(figures["unit_cost"] + figures["carbon"])


def test_rate_converts_money_not_physics() -> None:
    config = scenario(logistics=LOGISTICS, demand={"annual": 1000})
    one = replication_cost(config, result()).figures
    half = replication_cost(config, result(), rate=0.5).figures
    assert half["tco"] == pytest.approx(one["tco"] / 2)
    assert half["co2_kg_per_part"] == one["co2_kg_per_part"]
    assert half["throughput_per_hour"] == one["throughput_per_hour"]


# --- bad input ------------------------------------------------------------------------------


def test_negative_rates_and_unknown_duty_base_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="labour_cost_per_hour"):
        scenario(site={"labour_cost_per_hour": -1.0})
    with pytest.raises(ConfigError, match="duty_base"):
        scenario(logistics={**LOGISTICS, "duty_base": "ddp"})
    with pytest.raises(ConfigError, match="duty_rate"):
        scenario(logistics={**LOGISTICS, "duty_rate": -0.1})


def test_container_rate_needs_units_per_container() -> None:
    # refused when the scenario is validated, before anything is simulated
    with pytest.raises(ConfigError, match="units_per_container"):
        scenario(logistics={"mode": "sea", "rate_per_container": 2000.0, "container_m3": 67})


def test_cost_needs_a_site() -> None:
    config = scenario(site=None)
    with pytest.raises(ConfigError, match="site"):
        replication_cost(config, result())


# --- directional checks against the Reshoring Initiative (cost-model.md sec. 5) ---------------

#: An offshore lane in the Estimator's spirit (stated inputs): a 40 ft container at 2,800 EUR
#: for 2,000 parts, 0.5 % insurance, 4.5 % duty on CIF, 1 % fees plus 350 per shipment,
#: 45 days door to door, weekly demand variability 30 % at a 95 % service level.
MOSER_LANE = {
    "mode": "sea",
    "rate_per_container": 2800.0,
    "units_per_container": 2000,
    "transit": "45d",
    "insurance_rate": 0.005,
    "duty_rate": 0.045,
    "duty_base": "cif",
    "fees_rate": 0.01,
    "fees_per_shipment": 350.0,
}
MOSER_DEMAND = {"annual": 50000, "cv_weekly": 0.3, "service_level": 0.95}


def priced(fob: float, **extra: Any) -> Any:
    """A one-station scenario whose line makes a good part for exactly ``fob`` per part.

    Material 30 per part (no scrap), no equipment; the wage is set so that the paid hours of
    :func:`result` (876 h for 800 good parts) make the rest: the price gap is labour, as in
    the reshoring story. Inventory carrying 25 % a year, no carbon price.
    """
    wage = (fob - 30.0) * 800 / 876.0
    site = {**SITE, "labour_cost_per_hour": wage, "co2_price_per_t": 0.0}
    site["inventory_carrying_rate"] = 0.25
    return scenario(
        products={"p": {"routing": ["m"], "material_cost": 30.0, "mass_kg": 2.0}},
        stations={"m": {"kind": "manual", "process_time": 1.0}},
        site=site,
        demand=MOSER_DEMAND,
        **extra,
    )


def tco_of(config: Any) -> dict[str, float]:
    return replication_cost(config, result(released=800, good=800)).figures


def soft(share: float) -> dict[str, float]:
    """Moser-style soft factors, each ``share`` of the price, and 1 per part of travel."""
    return {
        "ip_risk_rate": share,
        "quality_risk_rate": share,
        "disruption_rate": share,
        "innovation_rate": share,
        "travel_per_year": 30000.0,
        "management_per_year": 20000.0,
    }


def test_domestic_price_is_its_tco() -> None:
    domestic = tco_of(priced(100.0))
    assert domestic["unit_cost"] == pytest.approx(100.0)
    assert domestic["tco"] == pytest.approx(100.0)


@pytest.mark.parametrize(("gap", "share"), [(0.15, 0.01), (0.20, 0.02)])
def test_moser_fob_gap_of_15_to_20_percent_closes_on_tco(gap: float, share: float) -> None:
    """'TCO typically closes a 15-20 % FOB gap'; each hidden factor worth 1-2 % of cost."""
    domestic = tco_of(priced(100.0))
    offshore = tco_of(priced(100.0 * (1 - gap), logistics=MOSER_LANE, tco=soft(share)))
    assert offshore["unit_cost"] == pytest.approx(100.0 * (1 - gap))
    # closed at 15 % with 1 % factors (99.96 against 100), to within 3 % at 20 % with 2 %
    assert offshore["tco"] >= 0.97 * domestic["tco"]
    hard = offshore["landed_cost"] - offshore["unit_cost"]
    assert 0.05 * offshore["unit_cost"] < hard < 0.2 * offshore["unit_cost"]


def test_estimator_chart_30_percent_fob_gap_shrinks_to_about_10_percent() -> None:
    """Assemblymag part 2: offshore FOB 70 against domestic 100 ends about 10 % apart on TCO.

    Inputs: :data:`MOSER_LANE`, soft factors of 2 % each but quality at 4 % (the middle of
    the 2-8 % internal failure cost of cost-model.md sec. 4.3), 50,000 a year of travel and
    management over 50,000 parts. simline lands at about 13 %: directionally the chart
    (the gap more than halves); the Estimator's ~30 factors add a few more points.
    """
    domestic = tco_of(priced(100.0))
    factors = {**soft(0.02), "quality_risk_rate": 0.04}
    offshore = tco_of(priced(70.0, logistics=MOSER_LANE, tco=factors))
    fob_gap = 1 - offshore["unit_cost"] / domestic["unit_cost"]
    tco_gap = 1 - offshore["tco"] / domestic["tco"]
    assert fob_gap == pytest.approx(0.30)
    assert 0.08 <= tco_gap <= 0.15
    assert tco_gap < fob_gap / 2
    assert offshore["tco"] - offshore["unit_cost"] == pytest.approx(
        sum(offshore[k] for k in BREAKDOWN[4:])
    )


def test_not_costed_names_each_missing_cost_key_in_file_order() -> None:
    from simline.cost.tco import not_costed

    config = parse_scenario(
        {
            "simline": 1,
            "name": "nc",
            "run": {"length": "8h"},
            "site": {"labour_cost_per_hour": 30, "energy_price_per_kwh": 0.2},
            "products": {
                "a": {"routing": ["cut", "weld", "pack"], "material_cost": 2},
                "b": {"routing": ["cut"]},
            },
            "stations": {
                "cut": {"kind": "machine", "process_time": 1, "capex": 5e4, "life_years": 5},
                "weld": {"kind": "manual", "process_time": 1, "energy": {"busy_kw": 2}},
                "pack": {"kind": "manual", "process_time": 1, "energy": {"busy_kw": 0}},
            },
        }
    )
    assert not_costed(config) == {
        "stations": {"cut": ["energy"], "weld": ["capex"], "pack": ["capex", "energy"]},
        "products": {"b": ["material_cost"]},
    }


# --- fixed costs and the shift calendar (issue #13, case A3) --------------------------------

#: One manual machine, 1 h a part, one operator on two 8 h shifts Monday to Friday: 80 parts
#: a week. Capex 745,880 over 5 years with no interest, rent or maintenance: F = 149,176 a
#: year. Labour and energy are priced at 0 so that the equipment item stands alone.
A3 = """\
simline: 1
name: a3
time_unit: h
run: {{warmup: 0, length: {length}, replications: 1, seed: 1}}
products: {{p: {{routing: [m]}}}}
stations:
  m: {{kind: manual, process_time: 1h, operators: 1, capex: 745880, life_years: 5}}
{workforce}site:
  labour_cost_per_hour: 0
  energy_price_per_kwh: 0
  interest_rate: 0
  rent_per_m2_year: 0
  hours_per_year: 4160
"""
A3_SHIFTS = """\
workforce:
  operators: 1
  shifts: [["06:00", "14:00"], ["14:00", "22:00"]]
  days: [mon, tue, wed, thu, fri]
"""
A3_FIXED_PER_YEAR = 745880 / 5


def run_a3(tmp_path: Path, backend: str, *, length: str, shifts: bool) -> dict[str, Any]:
    path = tmp_path / "a3.yaml"
    text = A3.format(length=length, workforce=A3_SHIFTS if shifts else "")
    path.write_text(text, encoding="utf-8")
    done = CliRunner().invoke(cli, ["run", str(path), "--backend", backend, "--format", "json"])
    assert done.exit_code == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    out["stderr"] = done.stderr
    return out


@pytest.mark.parametrize("backend", ["des", "fast"])
def test_a3_shift_calendar_charges_fixed_cost_per_calendar_year(
    tmp_path: Path, backend: str
) -> None:
    out = run_a3(tmp_path, backend, length="52w", shifts=True)
    cost = out["cost"]
    assert out["good_parts"]["mean"] == 52 * 80
    # 52 weeks are 8,736 calendar hours of a 8,760 h year: F x 8736 / 8760 / 4160 parts.
    # (The 35.86 = F / 4160 takes 52 weeks for a year; simline gave 75.31, which is
    # F x 8736 / 4160 / 4160, the calendar hours divided by the open hours.)
    equipment = cost["breakdown"]["equipment"]["mean"]
    assert equipment == pytest.approx(A3_FIXED_PER_YEAR * 8736 / 8760 / 4160, rel=1e-12)
    assert round(equipment, 2) == 35.76
    # Capacity per calendar year: 80 parts a week x 8760 / 168 weeks = 4,171.43. A year is
    # 52 weeks and one day, and that day holds at most one weekday's 16 parts, so a whole-week
    # run's yearly figure lies between 52 weeks' output and that plus one day's.
    capacity = cost["annual"]["capacity"]["mean"]
    assert capacity == pytest.approx(80 * 8760 / 168, rel=1e-12)
    assert 4160 <= capacity <= 4160 + 16
    assert cost["warnings"] == [
        "site.hours_per_year: 4,160 h is less than a calendar year, but the workforce's shifts "
        "already say when the line works and simulated time runs through nights and weekends; "
        "a year is taken as 8,760 h for fixed costs and capacity"
    ]
    assert "simline: warning:" in out["stderr"]


@pytest.mark.parametrize("backend", ["des", "fast"])
def test_a3_one_calendar_year_of_simulated_time_carries_one_year_of_fixed_cost(
    tmp_path: Path, backend: str
) -> None:
    out = run_a3(tmp_path, backend, length="365d", shifts=True)
    good = out["good_parts"]["mean"]
    assert good == 52 * 80 + 16  # day 365 is a Monday
    equipment = out["cost"]["breakdown"]["equipment"]["mean"]
    assert equipment * good == pytest.approx(A3_FIXED_PER_YEAR, rel=1e-12)
    assert out["cost"]["annual"]["capacity"]["mean"] == pytest.approx(good, rel=1e-12)


@pytest.mark.parametrize("backend", ["des", "fast"])
def test_without_shifts_hours_per_year_still_counts_the_open_hours(
    tmp_path: Path, backend: str
) -> None:
    # No workforce: the line runs on, and each simulated hour is an open hour of the site,
    # so 4,160 simulated hours are the plant's year (F x T / Y / G, as before issue #13).
    out = run_a3(tmp_path, backend, length="4160h", shifts=False)
    cost = out["cost"]
    assert out["good_parts"]["mean"] == 4160
    equipment = cost["breakdown"]["equipment"]["mean"]
    assert equipment == pytest.approx(A3_FIXED_PER_YEAR / 4160, rel=1e-12)
    assert round(equipment, 2) == 35.86
    assert cost["annual"]["capacity"]["mean"] == pytest.approx(4160, rel=1e-12)
    assert cost["warnings"] == []


@pytest.mark.parametrize(
    ("hours_per_year", "workforce", "expected"),
    [
        (4160, True, 8760),  # shifts are in the workforce: the clock is the calendar
        (8760, True, 8760),
        (8784, True, 8784),  # a leap year
        (4160, False, 4160),  # no calendar: simulated hours are open hours
        (8760, False, 8760),
    ],
)
def test_year_hours(hours_per_year: float, workforce: bool, expected: float) -> None:
    extra: dict[str, Any] = {"site": {"hours_per_year": hours_per_year}}
    if workforce:
        extra["workforce"] = {"operators": 1, "shifts": [["06:00", "14:00"]]}
    config = scenario(**extra)
    assert year_hours(config) == expected
    assert bool(calendar_warnings(config)) == (workforce and hours_per_year < 8760)
    fixed = 18520.0 * 876 / expected
    assert line_cost(config, result()).equipment == pytest.approx(fixed / 800)
    capacity = replication_cost(config, result()).figures["capacity"]
    assert capacity == pytest.approx(800 / 876 * expected)

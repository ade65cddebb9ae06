"""The quoted machine-hour rate (VDI 3258) and its items, against a published textbook sheet.

The sheet (simline issue #13, a VDI 3258 Blatt 1 textbook machine-hour rate as quoted there;
the issue and ``shared/reference/cost-model.md`` do not name the book) reads, in EUR per
machine hour::

    depreciation on the replacement value plus scrapping   29.17
    imputed interest                                        16.67
    maintenance                                              2.50
    power                                                    4.90
    space                                                    0.04
    tools                                                   17.53
    machine-hour rate                                       70.81

Its inputs as ``spec/cost.md`` gives them: purchase price 800,000, replacement value
1,040,000, scrapping 10,000, maintenance 9,000 a year, 3,600 planned hours a year, and the
tool as the spec's example: bought for 2,000, reground 9 times at 70, 150 h of life, which is
``2,630 / 150 = 17.5333`` per hour (the spec's ``{per_hour: 17.53}``, rounded). The rest
follows from the published items:

- life ``N``: ``(1,040,000 + 10,000) / (N x 3,600) = 29.17`` gives ``N = 10`` years
  (29.1667);
- interest ``i`` on half the purchase price: ``800,000 / 2 x i / 3,600 = 16.67`` gives
  ``i = 15 %`` (16.6667);
- maintenance: ``9,000 / 3,600 = 2.50``;
- power: ``P x p_el = 4.90`` EUR/h; only the product is published, we take 35 kW at
  0.14 EUR/kWh;
- space: ``A x r / 3,600 = 0.04`` gives ``A x r = 144`` EUR a year; we take 12 m2 at
  12 EUR/m2 a year (1 EUR/m2 a month).

Unrounded, the items sum to 70.8067: 70.81 to the cent, as published. With the rounded
``{per_hour: 17.53}`` the items are the same to the cent and the rate is 70.8033 (70.80).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from simline.cli import cli
from simline.config import parse_scenario
from simline.cost import fixed_items, replication_cost
from simline.cost.sensitivity import INPUTS
from simline.cost.unit import MACHINE_HOUR_ITEMS, line_cost
from simline.engine.results import ProductResult, RunResult, StationResult
from simline.errors import ConfigError

PUBLISHED = {
    "depreciation": 29.17,
    "interest": 16.67,
    "space": 0.04,
    "maintenance": 2.50,
    "energy": 4.90,
    "tooling": 17.53,
}
PUBLISHED_TOTAL = 70.81

TEXTBOOK_SITE = {
    "currency": "EUR",
    "labour_cost_per_hour": 40.0,
    "energy_price_per_kwh": 0.14,
    "rent_per_m2_year": 12.0,
    "interest_rate": 0.15,
}
TEXTBOOK_STATION: dict[str, Any] = {
    "kind": "machine",
    "process_time": 1.0,
    "energy": {"busy_kw": 35.0, "idle_kw": 0.0},
    "capex": 800_000.0,
    "replacement_value": 1_040_000.0,
    "disposal_cost": 10_000.0,
    "life_years": 10,
    "maintenance_per_year": 9_000.0,
    "tooling": {"cost": 2000, "regrinds": 9, "regrind_cost": 70, "life": "150h"},
    "planned_hours_per_year": 3600,
    "floor_m2": 12.0,
}


def scenario(station: dict[str, Any] | None = None, **extra: Any) -> Any:
    data: dict[str, Any] = {
        "simline": 1,
        "name": "vdi",
        "time_unit": "h",
        "products": {"p": {"routing": ["m"], "material_cost": 5.0}},
        "stations": {"m": {**TEXTBOOK_STATION, **(station or {})}},
        "site": dict(TEXTBOOK_SITE),
        **extra,
    }
    return parse_scenario(data)


def result(busy: float = 876.0, good: int = 876, servers: int = 1) -> RunResult:
    """876 h measured (a tenth of a year), busy ``busy`` server hours, the rest starved."""
    state = (busy, 0.0, 0.0, 876.0 * servers - busy, 0.0, 0.0)
    return RunResult(
        scenario="vdi",
        backend="des",
        replication=0,
        seed=0,
        measured_time=876.0,
        hours_per_unit=1.0,
        stations={"m": StationResult(servers, state, good, 0)},
        products={"p": ProductResult(good, good, 0, good, 1.0, 0.0)},
        wip_integral=876.0,
        operator_paid_time=0.0,
        released_total=good,
        good_total=good,
        scrap_total=0,
        wip_end=0,
        events=0,
    )


def test_textbook_sheet_is_reproduced_to_the_cent() -> None:
    station = line_cost(scenario(), result()).stations["m"]
    items = station.machine_hour_items
    assert list(items) == list(MACHINE_HOUR_ITEMS)
    assert {k: round(v, 2) for k, v in items.items()} == PUBLISHED
    assert round(station.machine_hour_rate, 2) == PUBLISHED_TOTAL
    assert station.machine_hour_rate == pytest.approx(sum(items.values()), rel=1e-12)
    assert station.machine_hour_rate == pytest.approx(
        1_050_000 / 36_000 + 60_000 / 3_600 + 144 / 3_600 + 2.5 + 4.9 + 2_630 / 150, rel=1e-12
    )


def test_textbook_sheet_with_the_rounded_tool_rate() -> None:
    # {per_hour: 17.53}: every item to the cent; the rate 70.8033 rounds to 70.80, while the
    # sheet's items as printed add up to its 70.81
    station = line_cost(scenario({"tooling": {"per_hour": 17.53}}), result()).stations["m"]
    items = station.machine_hour_items
    assert {k: round(v, 2) for k, v in items.items()} == PUBLISHED
    assert round(sum(round(v, 2) for v in items.values()), 2) == PUBLISHED_TOTAL
    assert round(station.machine_hour_rate, 2) == 70.80


def test_textbook_sheet_does_not_depend_on_how_busy_the_simulated_machine_was() -> None:
    # the rate is quoted on planned_hours_per_year; the simulation only sets the energy per
    # busy hour, which with idle_kw 0 is busy_kw x price
    half = line_cost(scenario(), result(busy=438.0, good=438)).stations["m"]
    assert {k: round(v, 2) for k, v in half.machine_hour_items.items()} == PUBLISHED


def test_textbook_yearly_items_by_hand() -> None:
    config = scenario()
    items = fixed_items("m", config.stations["m"], config.site)
    assert items.depreciation == pytest.approx(105_000.0)  # (1,040,000 + 10,000) / 10
    assert items.interest == pytest.approx(60_000.0)  # 800,000 / 2 x 15 %
    assert items.space == pytest.approx(144.0)
    assert items.maintenance == pytest.approx(9_000.0)


def test_residual_value_comes_off_the_depreciation_base() -> None:
    config = scenario({"residual_value": 50_000.0, "servers": 2})
    items = fixed_items("m", config.stations["m"], config.site)
    assert items.depreciation == pytest.approx(2 * (1_040_000 + 10_000 - 50_000) / 10)
    assert items.interest == pytest.approx(2 * 60_000.0)  # still on capex / 2
    assert items.maintenance == pytest.approx(2 * 9_000.0)
    # two servers, each planned for 3,600 h: the rate per machine hour is the same
    rate = line_cost(config, result(busy=1752.0, good=1752, servers=2)).stations["m"]
    assert rate.machine_hour_items["depreciation"] == pytest.approx(1_000_000 / 36_000)


def test_without_planned_hours_the_rate_divides_by_the_simulated_busy_hours() -> None:
    config = scenario({"planned_hours_per_year": None})
    station = line_cost(config, result(busy=438.0, good=438)).stations["m"]
    # 438 busy hours in a tenth of a year: 4,380 running hours a year
    assert station.machine_hour_items["depreciation"] == pytest.approx(105_000 / 4_380)
    assert station.machine_hour_items["space"] == pytest.approx(144 / 4_380)
    assert station.machine_hour_rate == pytest.approx(
        (105_000 + 60_000 + 144 + 9_000) / 4_380 + 4.9 + 2_630 / 150
    )


def test_never_busy_without_planned_hours_gives_nan_items() -> None:
    config = scenario({"planned_hours_per_year": None})
    station = line_cost(config, result(busy=0.0, good=0)).stations["m"]
    assert all(math.isnan(v) for v in station.machine_hour_items.values())
    assert math.isnan(station.machine_hour_rate)


def test_fixed_items_accrue_with_calendar_time_and_tooling_with_busy_hours() -> None:
    # equipment = fixed items for a tenth of a year + tools per busy hour, per good part
    line = line_cost(scenario(), result(busy=438.0, good=438))
    fixed = (105_000 + 60_000 + 144 + 9_000) * 876 / 8760
    tooling = 2_630 / 150 * 438
    assert line.equipment == pytest.approx((fixed + tooling) / 438)
    assert line.energy == pytest.approx(438 * 35 * 0.14 / 438)
    # tools are a variable cost: no share of them in the unused capacity
    assert line.unused_capacity == pytest.approx(fixed * 0.5 / 438)
    assert line.stations["m"].cost_per_part == pytest.approx(
        (fixed + tooling + 438 * 35 * 0.14) / 438
    )


def test_tool_life_form_equals_the_spec_example_per_hour() -> None:
    # spec/cost.md: {cost: 2000, regrinds: 9, regrind_cost: 70, life: 150h} or
    # {per_hour: 17.53}: (2,000 + 9 x 70) / 150 h = 17.5333 per busy hour
    tool = {"cost": 2000, "regrinds": 9, "regrind_cost": 70, "life": "150h"}
    station = line_cost(scenario({"tooling": tool}), result()).stations["m"]
    assert station.machine_hour_items["tooling"] == pytest.approx(2630 / 150)
    assert round(station.machine_hour_items["tooling"], 2) == 17.53


def test_tool_life_by_hand_with_a_bare_life_in_the_time_unit() -> None:
    # time_unit min: life 600 is 10 h; (100 + 1 x 20) / 10 h = 12 per busy hour
    tool = {"cost": 100, "regrinds": 1, "regrind_cost": 20, "life": 600}
    config = scenario({"tooling": tool, "process_time": 60.0}, time_unit="min")
    assert config.stations["m"].tooling.cost_per_hour("min") == pytest.approx(12.0)
    no_regrind = scenario({"tooling": {"cost": 100, "life": "4h"}})
    assert no_regrind.stations["m"].tooling.cost_per_hour("h") == pytest.approx(25.0)


def test_machine_hour_items_and_rate_convert_with_the_exchange_rate() -> None:
    rep = replication_cost(scenario(), result(), rate=2.0)
    station = rep.stations["m"]
    assert station["machine_hour_rate"] == pytest.approx(2 * 70.80667, rel=1e-5)
    assert station["machine_hour_items.tooling"] == pytest.approx(2 * 2_630 / 150)


# --- the command line: JSON keys, and bad input ------------------------------------------

TEXTBOOK_YAML = """\
simline: 1
name: vdi
time_unit: h
run: {{length: 100h, replications: 2}}
stations:
  mill:
    kind: machine
    process_time: 1.0
    energy: {{busy_kw: 35, idle_kw: 0}}
    capex: 800000
    replacement_value: 1040000
    disposal_cost: 10000
    life_years: 10
{maintenance}
    tooling: {tooling}
    planned_hours_per_year: 3600
    floor_m2: 12
site:
  currency: EUR
  labour_cost_per_hour: 40
  energy_price_per_kwh: 0.14
  rent_per_m2_year: 12
  interest_rate: 0.15
"""


def write(tmp_path: Path, maintenance: str = "    maintenance_per_year: 9000", **kw: str) -> Path:
    path = tmp_path / "vdi.yaml"
    tooling = kw.get("tooling", "{cost: 2000, regrinds: 9, regrind_cost: 70, life: 150h}")
    path.write_text(TEXTBOOK_YAML.format(maintenance=maintenance, tooling=tooling), "utf-8")
    return path


def test_run_json_reports_the_machine_hour_rate_and_its_items(tmp_path: Path) -> None:
    path = write(tmp_path)
    done = CliRunner().invoke(cli, ["run", str(path), "--backend", "des", "--format", "json"])
    assert done.exit_code == 0, done.stderr
    mill = json.loads(done.stdout)["cost"]["stations"]["mill"]
    assert set(mill) >= {"machine_hour_rate", "machine_hour_items", "cost_per_part"}
    items = mill["machine_hour_items"]
    assert list(items) == list(MACHINE_HOUR_ITEMS)
    assert {k: round(v["mean"], 2) for k, v in items.items()} == PUBLISHED
    assert round(mill["machine_hour_rate"]["mean"], 2) == PUBLISHED_TOTAL
    assert mill["machine_hour_rate"]["mean"] == pytest.approx(
        sum(v["mean"] for v in items.values()), rel=1e-12
    )


BOTH = "    maintenance_rate: 0.01\n    maintenance_per_year: 9000"


@pytest.mark.parametrize("command", ["validate", "run"])
def test_maintenance_rate_and_per_year_both_given_is_exit_2_at_its_line(
    tmp_path: Path, command: str
) -> None:
    path = write(tmp_path, BOTH)
    done = CliRunner().invoke(cli, [command, str(path)])
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"simline: error: {path}:15: stations.mill.maintenance_per_year: give "
        "'maintenance_rate' or 'maintenance_per_year', not both (got maintenance_rate 0.01 "
        "and maintenance_per_year 9000.0)\n"
    )


@pytest.mark.parametrize(
    ("tooling", "where", "says"),
    [
        ("{per_hour: 17.53, cost: 2000}", "stations.mill.tooling.cost", "'per_hour' stands alone"),
        ("{cost: 2000, regrinds: 9}", "stations.mill.tooling", "(missing 'life')"),
        ("{cost: 2000, life: 0h}", "stations.mill.tooling.life", "duration > 0"),
        ("{cost: 2000, life: 1h, edges: 3}", "stations.mill.tooling.edges", "edges"),
    ],
)
def test_bad_tooling_is_exit_2_with_its_path(
    tmp_path: Path, tooling: str, where: str, says: str
) -> None:
    path = write(tmp_path, tooling=tooling)
    done = CliRunner().invoke(cli, ["validate", str(path)])
    assert done.exit_code == 2
    assert done.stderr.startswith(f"simline: error: {path}:15: {where}: ")
    assert says in done.stderr
    assert done.stderr.count("\n") == 1


def test_residual_value_above_the_base_and_base_without_life_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="'residual_value' must not exceed"):
        scenario({"residual_value": 2_000_000.0})
    with pytest.raises(ConfigError, match="'replacement_value' needs 'life_years'"):
        scenario({"capex": 0.0, "life_years": None})


def test_planned_hours_beyond_a_leap_year_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="planned_hours_per_year"):
        scenario({"planned_hours_per_year": 9000})
    with pytest.raises(ConfigError, match="planned_hours_per_year"):
        scenario({"planned_hours_per_year": 0})


def test_capex_sensitivity_moves_the_replacement_value_with_the_price() -> None:
    capex = next(i for i in INPUTS if i.name == "capex")
    config = capex.set(scenario(), 1.25)
    items = fixed_items("m", config.stations["m"], config.site)
    assert items.depreciation == pytest.approx((1.25 * 1_040_000 + 10_000) / 10)
    assert items.interest == pytest.approx(1.25 * 60_000)

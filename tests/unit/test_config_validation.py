"""Every validation rule: the message, the path inside the file and the YAML line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simline.config import ConstantDistConfig, load_scenario, parse_scenario
from simline.errors import ConfigError

BASE = """\
simline: 1
name: demo
time_unit: min
run:
  length: 8h
  warmup: 30
products:
  a: {routing: [saw, weld], mix: 0.7}
  b: {routing: [saw], mix: 0.3}
stations:
  saw:
    kind: machine
    process_time: {a: 1, b: "tri(1, 1.5, 3)"}
    buffer: 3
  weld:
    kind: manual
    process_time: {dist: lognormal, mean: 2, cv: 0.3}
workforce:
  operators: 2
  shifts: [["06:00", "14:00"], ["14:00", "22:00"]]
  days: [mon, tue, wed, thu, fri]
"""


def load_with(tmp_path: Path, old: str, new: str) -> None:
    assert old in BASE, old
    path = tmp_path / "s.yaml"
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    load_scenario(path)


def test_base_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE, encoding="utf-8")
    config = load_scenario(path)
    assert list(config.stations) == ["saw", "weld"]
    assert config.stations["weld"].operators == 1
    assert config.stations["saw"].operators == 0


STATION = "    buffer: 3\n"

RULES = [
    # (old, new, path, line, message)
    (
        "buffer: 3",
        "buffer: -1",
        "stations.saw.buffer",
        14,
        'expected a whole number >= 0 or "inf" (got -1)',
    ),
    (
        "buffer: 3",
        "buffer: 2.5",
        "stations.saw.buffer",
        14,
        'expected a whole number >= 0 or "inf" (got 2.5)',
    ),
    ("buffer: 3", "buffer: infinite", "stations.saw.buffer", 14, "(got 'infinite')"),
    (
        "buffer: 3",
        "bufer: 3",
        "stations.saw.bufer",
        14,
        "unknown key 'bufer'; allowed keys: kind, servers, process_time, buffer,",
    ),
    (
        "kind: machine",
        "kind: robott",
        "stations.saw",
        11,
        "unknown station kind 'robott'; expected one of manual, machine, robot, additive",
    ),
    (
        "    kind: machine\n",
        "",
        "stations.saw",
        11,
        "missing 'kind': the station kind, one of manual, machine, robot, additive",
    ),
    (
        STATION,
        STATION + "    servers: 0\n",
        "stations.saw.servers",
        15,
        "'servers' must be >= 1 (got 0)",
    ),
    (
        STATION,
        STATION + "    servers: 1.5\n",
        "stations.saw.servers",
        15,
        "expected a whole number (got 1.5)",
    ),
    (
        STATION,
        STATION + "    servers: true\n",
        "stations.saw.servers",
        15,
        "expected a whole number (got true)",
    ),
    (STATION, STATION + "    scrap: 1\n", "stations.saw.scrap", 15, "'scrap' must be < 1 (got 1)"),
    (
        STATION,
        STATION + "    scrap: -0.1\n",
        "stations.saw.scrap",
        15,
        "'scrap' must be >= 0 (got -0.1)",
    ),
    (
        STATION,
        STATION + "    operators: -1\n",
        "stations.saw.operators",
        15,
        "'operators' must be >= 0 (got -1)",
    ),
    (
        STATION,
        STATION + "    operators: 3\n",
        "stations.saw.operators",
        15,
        "'operators' must be <= workforce.operators = 2, or the station could never work (got 3)",
    ),
    (
        STATION,
        STATION + "    batch: {size: 0}\n",
        "stations.saw.batch.size",
        15,
        "'size' must be >= 1 (got 0)",
    ),
    (
        STATION,
        STATION + "    batch: {size: 5}\n",
        "stations.saw.buffer",
        14,
        "'buffer' must hold at least batch.size = 5 parts: a build is taken from the buffer",
    ),
    (
        STATION,
        STATION + "    batch: {size: 5, max_wait: -1}\n",
        "stations.saw.batch.max_wait",
        15,
        "expected a duration >= 0 (got -1)",
    ),
    (
        STATION,
        STATION + "    per_part_time: 5\n",
        "stations.saw.per_part_time",
        15,
        "'per_part_time' needs 'batch'",
    ),
    (
        STATION,
        STATION + "    failures: {mtbf: 8h}\n",
        "stations.saw.failures",
        15,
        "missing required key 'mttr'",
    ),
    (
        STATION,
        STATION + "    failures: {mtbf: 8h, mttr: 0}\n",
        "stations.saw.failures.mttr",
        15,
        "expected a duration > 0 (got 0)",
    ),
    (
        STATION,
        STATION + "    failures: {mtbf: 8h, mttr: 1, basis: calender}\n",
        "stations.saw.failures.basis",
        15,
        "'basis' must be 'operating' or 'calendar' (got 'calender')",
    ),
    (
        STATION,
        STATION + "    setup: {from_to: {a: {c: 5}}}\n",
        "stations.saw.setup.from_to.a.c",
        15,
        "unknown product 'c'; products are a, b",
    ),
    (
        STATION,
        STATION + "    setup: {from_to: {x: {a: 5}}}\n",
        "stations.saw.setup.from_to.x",
        15,
        "unknown product 'x'; products are a, b",
    ),
    (
        STATION,
        STATION + "    setup: {from_to: {a: {a: 5}}}\n",
        "stations.saw.setup.from_to.a.a",
        15,
        "a setup from 'a' to itself is never used",
    ),
    (
        STATION,
        STATION + "    setup: {a: {b: 5}}\n",
        "stations.saw.setup.a",
        15,
        "unknown key 'a'; allowed keys: from_to",
    ),
    (
        STATION,
        STATION + "    setup: -5\n",
        "stations.saw.setup",
        15,
        "expected a duration >= 0 (got -5)",
    ),
    (
        STATION,
        STATION + "    energy: {busy_kw: -1}\n",
        "stations.saw.energy.busy_kw",
        15,
        "'busy_kw' must be >= 0 (got -1)",
    ),
    (
        STATION,
        STATION + "    energy: {busy: 1}\n",
        "stations.saw.energy.busy",
        15,
        "unknown key 'busy'; allowed keys: busy_kw, idle_kw",
    ),
    (
        STATION,
        STATION + "    capex: -1\n",
        "stations.saw.capex",
        15,
        "'capex' must be >= 0 (got -1)",
    ),
    (
        STATION,
        STATION + "    life_years: 0\n",
        "stations.saw.life_years",
        15,
        "'life_years' must be > 0 (got 0)",
    ),
    (
        STATION,
        STATION + "    maintenance_rate: -0.1\n",
        "stations.saw.maintenance_rate",
        15,
        "'maintenance_rate' must be >= 0",
    ),
    (
        STATION,
        STATION + "    floor_m2: abc\n",
        "stations.saw.floor_m2",
        15,
        "expected a number (got 'abc')",
    ),
    ("cv: 0.3", "cv: 0", "stations.weld.process_time.cv", 17, "'cv' must be > 0 (got 0)"),
    (
        "{dist: lognormal",
        "{dist: lognrmal",
        "stations.weld.process_time",
        17,
        "unknown distribution 'lognrmal'; expected one of constant, exponential,",
    ),
    (
        "{dist: lognormal, mean: 2, cv: 0.3}",
        "{mean: 2, cv: 0.3}",
        "stations.weld.process_time.mean",
        17,
        "unknown product 'mean'; products are a, b (a distribution as a mapping needs 'dist'",
    ),
    (
        '"tri(1, 1.5, 3)"',
        '"tri(1, 5, 3)"',
        "stations.saw.process_time.b",
        13,
        "expected low <= mode <= high with low < high (got low=1.0, mode=5.0, high=3.0)",
    ),
    (
        '{a: 1, b: "tri(1, 1.5, 3)"}',
        "{a: 1}",
        "stations.saw.process_time",
        13,
        "no process time for product 'b', which visits this station",
    ),
    (
        '{a: 1, b: "tri(1, 1.5, 3)"}',
        "{}",
        "stations.saw.process_time",
        13,
        "'process_time' must not be empty",
    ),
    (
        "    process_time: {dist: lognormal, mean: 2, cv: 0.3}\n",
        "",
        "stations.weld",
        15,
        "missing required key 'process_time'",
    ),
    (
        "routing: [saw, weld]",
        "routing: [saw, weldd]",
        "products.a.routing[1]",
        8,
        "unknown station 'weldd'; stations are saw, weld",
    ),
    (
        "routing: [saw, weld]",
        "routing: [saw, weld, saw]",
        "products.a.routing[2]",
        8,
        "station 'saw' appears twice in the routing (positions 0 and 2)",
    ),
    ("routing: [saw, weld]", "routing: []", "products.a.routing", 8, "'routing' must not be empty"),
    (
        "routing: [saw, weld]",
        "routing: [saw, 3]",
        "products.a.routing[1]",
        8,
        "expected a string (got 3)",
    ),
    ("mix: 0.7", "mix: 0", "products.a.mix", 8, "'mix' must be > 0 (got 0)"),
    ("mix: 0.7", "material_cost: 2", "products.a", 8, "give 'mix' for every product or for none"),
    (
        "mix: 0.7",
        "mix: 0.7, material_cost: -2",
        "products.a.material_cost",
        8,
        "'material_cost' must be >= 0 (got -2)",
    ),
    (
        "mix: 0.7",
        "mix: 0.7, mass: 2",
        "products.a.mass",
        8,
        "unknown key 'mass'; allowed keys: routing, mix, material_cost, mass_kg",
    ),
    (
        "  a: {routing",
        "  a.b: {routing",
        "products.a.b",
        8,
        "expected a name of letters, digits, '_' and '-' (got 'a.b')",
    ),
    (
        "simline: 1",
        "simline: 2",
        "simline",
        1,
        "unsupported format version 2; this simline reads 'simline: 1'",
    ),
    (
        "simline: 1\n",
        "",
        None,
        1,
        "missing required key 'simline' (the format version: write 'simline: 1' at the top)",
    ),
    ("name: demo\n", "", None, 1, "missing required key 'name'"),
    (
        "name: demo",
        "name: my demo",
        "name",
        2,
        "expected a name of letters, digits, '_', '-' and '.' (got 'my demo')",
    ),
    (
        "time_unit: min",
        "time_unit: d",
        "time_unit",
        3,
        "'time_unit' must be 's', 'min' or 'h' (got 'd')",
    ),
    (
        "time_unit: min",
        "currency: euro",
        "currency",
        3,
        "expected a currency code of three capital letters",
    ),
    ("  length: 8h", "  length: 0", "run.length", 5, "expected a duration > 0 (got 0)"),
    ("  warmup: 30", "  warmup: -30", "run.warmup", 6, "expected a duration >= 0 (got -30)"),
    (
        "  warmup: 30",
        "  replications: 0",
        "run.replications",
        6,
        "'replications' must be >= 1 (got 0)",
    ),
    ("  warmup: 30", "  seed: -1", "run.seed", 6, "'seed' must be >= 0 (got -1)"),
    ("  warmup: 30", "  seed: 1.5", "run.seed", 6, "expected a whole number (got 1.5)"),
    (
        "run:\n  length: 8h\n  warmup: 30\n",
        "run: 5\n",
        "run",
        4,
        "expected a mapping with keys among warmup, length, replications, seed (got 5)",
    ),
    (
        "time_unit: min",
        "release: {conwip: 0}",
        "release.conwip",
        3,
        "'conwip' must be >= 1 (got 0)",
    ),
    (
        "time_unit: min",
        "release: saturatd",
        "release",
        3,
        "expected 'saturated', {interarrival: D} or {conwip: N} (got 'saturatd')",
    ),
    (
        "time_unit: min",
        "release: {interarival: 5}",
        "release",
        3,
        "(got a mapping with keys interarival)",
    ),
    (
        "time_unit: min",
        "release: {interarrival: 'exp(0)'}",
        "release.interarrival",
        3,
        "expected a duration > 0 (got 0)",
    ),
    (
        "time_unit: min",
        "release: {conwip: 3, interarrival: 5}",
        "release.interarrival",
        3,
        "unknown key 'interarrival'; allowed keys: conwip",
    ),
    (
        "  operators: 2",
        "  operators: 0",
        "workforce.operators",
        19,
        "'operators' must be >= 1 (got 0)",
    ),
    (
        '["06:00", "14:00"], ',
        '["06:00", "25:00"], ',
        "workforce.shifts[0][1]",
        20,
        "expected a time from 00:00 to 24:00 (got '25:00')",
    ),
    (
        '["06:00", "14:00"], ',
        '["24:00", "06:00"], ',
        "workforce.shifts[0][0]",
        20,
        "expected a time from 00:00 to 23:59 (got '24:00')",
    ),
    (
        '["06:00", "14:00"], ',
        '["06:60", "14:00"], ',
        "workforce.shifts[0][0]",
        20,
        "expected a time from 00:00 to 23:59 (got '06:60')",
    ),
    (
        '["06:00", "14:00"], ',
        '["6h", "14:00"], ',
        "workforce.shifts[0][0]",
        20,
        "expected a time \"HH:MM\" (got '6h')",
    ),
    (
        '["06:00", "14:00"], ',
        '["06:00"], ',
        "workforce.shifts[0]",
        20,
        'expected a shift ["HH:MM", "HH:MM"] (got a list)',
    ),
    (
        "days: [mon, tue, wed, thu, fri]",
        "days: [mon, tue, mon]",
        "workforce.days[2]",
        21,
        "day 'mon' is listed twice",
    ),
    (
        "days: [mon, tue, wed, thu, fri]",
        "days: [mon, tues]",
        "workforce.days[1]",
        21,
        "'days[1]' must be 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun' (got 'tues')",
    ),
    (
        "days: [mon, tue, wed, thu, fri]",
        "days: []",
        "workforce.days",
        21,
        "'days' must not be empty",
    ),
]


@pytest.mark.parametrize(("old", "new", "path", "line", "message"), RULES)
def test_rule(
    tmp_path: Path, old: str, new: str, path: str | None, line: int, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_with(tmp_path, old, new)
    error = info.value
    assert error.path == path
    assert error.line == line
    assert error.file == str(tmp_path / "s.yaml")
    assert "\n" not in str(error)
    assert str(error).startswith(f"{tmp_path / 's.yaml'}:{line}: ")


COST_RULES = [
    (
        "logistics: {mode: ship}",
        "logistics.mode",
        "'mode' must be 'sea', 'air', 'road' or 'none' (got 'ship')",
    ),
    (
        "logistics: {mode: sea, rate_per_container: 5}",
        "logistics.rate_per_container",
        "'rate_per_container' needs 'units_per_container' to give a cost per part",
    ),
    (
        "logistics: {mode: sea, rate_per_kg: 1, rate_per_part: 2}",
        "logistics.rate_per_part",
        "give one freight rate, not rate_per_kg and rate_per_part",
    ),
    (
        "logistics: {mode: none, rate_per_part: 2}",
        "logistics.rate_per_part",
        "mode 'none' has no freight, but 'rate_per_part' is given",
    ),
    (
        "logistics: {mode: sea, duty_base: cof}",
        "logistics.duty_base",
        "'duty_base' must be 'cif', 'fob' or 'price' (got 'cof')",
    ),
    ("logistics: {mode: sea, transit: 35 days}", "logistics.transit", "unknown time unit 'days'"),
    (
        "logistics: {mode: air, insurance_rate: -0.1}",
        "logistics.insurance_rate",
        "'insurance_rate' must be >= 0 (got -0.1)",
    ),
    (
        "logistics: {mode: air, units_per_container: 0}",
        "logistics.units_per_container",
        "'units_per_container' must be >= 1 (got 0)",
    ),
    (
        "logistics: {mode: air, container_m3: 0}",
        "logistics.container_m3",
        "'container_m3' must be > 0 (got 0)",
    ),
    ("demand: {annual: 0}", "demand.annual", "'annual' must be > 0 (got 0)"),
    ("demand: {annual: 5, cv_weekly: -1}", "demand.cv_weekly", "'cv_weekly' must be >= 0 (got -1)"),
    (
        "demand: {annual: 5, service_level: 1}",
        "demand.service_level",
        "'service_level' must be < 1 (got 1)",
    ),
    (
        "demand: {annual: 5, service_level: 0}",
        "demand.service_level",
        "'service_level' must be > 0 (got 0)",
    ),
    ("tco: {horizon_years: 0}", "tco.horizon_years", "'horizon_years' must be >= 1 (got 0)"),
    ("tco: {wage_growth: -1}", "tco.wage_growth", "'wage_growth' must be > -1 (got -1)"),
    (
        "tco: {ip_risk: 0.1}",
        "tco.ip_risk",
        "unknown key 'ip_risk'; allowed keys: supplier_margin, ip_risk_rate,",
    ),
    ("site: {labour_cost_per_hour: 10}", "site", "missing required key 'energy_price_per_kwh'"),
    (
        "site: {labour_cost_per_hour: -1, energy_price_per_kwh: 0.1}",
        "site.labour_cost_per_hour",
        "'labour_cost_per_hour' must be >= 0 (got -1)",
    ),
    (
        "site: {labour_cost_per_hour: 1, energy_price_per_kwh: 0.1, hours_per_year: 9000}",
        "site.hours_per_year",
        "'hours_per_year' must be <= 8784 (got 9000)",
    ),
    (
        "site: {labour_cost_per_hour: 1, energy_price_per_kwh: 0.1, currency: CNY}",
        "site.currency",
        "the site's currency 'CNY' differs from the scenario's 'EUR'",
    ),
    (
        "site: {labour_cost_per_hour: 1, energy_price_per_kwh: 0.1, sources: {wage: x}}",
        "site.sources.wage",
        "unknown figure 'wage'; sources name one of name, country,",
    ),
]


@pytest.mark.parametrize(("new", "path", "message"), COST_RULES)
def test_cost_rule(tmp_path: Path, new: str, path: str, message: str) -> None:
    old = "time_unit: min"
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_with(tmp_path, old, f"time_unit: min\ncurrency: EUR\n{new}")
    assert info.value.path == path
    assert info.value.line == 5


def test_empty_stations() -> None:
    data = {"simline": 1, "name": "x", "run": {"length": 1}, "stations": {}}
    with pytest.raises(ConfigError, match=re.escape("'stations' must not be empty")) as info:
        parse_scenario(data, source="mem")
    assert (info.value.file, info.value.path, info.value.line) == ("mem", "stations", None)


def test_first_problem_in_the_file_is_the_error_and_the_others_follow(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_with(tmp_path, "buffer: 3", "buffer: -3\n    servers: 0\n    scrap: 2")
    assert info.value.path == "stations.saw.buffer"
    assert info.value.line == 14
    assert str(info.value).endswith("(and 2 more problems)")
    where = [(e.path, e.line) for e in info.value.others]
    assert where == [("stations.saw.servers", 15), ("stations.saw.scrap", 16)]
    lines = info.value.lines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{tmp_path / 's.yaml'}:14: stations.saw.buffer: ")
    assert lines[1].startswith(f"{tmp_path / 's.yaml'}:15: stations.saw.servers: ")
    assert lines[2].startswith(f"{tmp_path / 's.yaml'}:16: stations.saw.scrap: ")


def test_many_problems_are_shown_up_to_the_limit(tmp_path: Path) -> None:
    stations = "".join(f"  s{i}:\n    kind: machine\n    process_time: -1\n" for i in range(25))
    path = tmp_path / "many.yaml"
    path.write_text(
        f"simline: 1\nname: many\nrun: {{length: 8h}}\nstations:\n{stations}", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    lines = info.value.lines(limit=20)
    assert len(lines) == 21
    assert lines[0].startswith(f"{path}:7: stations.s0.process_time: ")
    assert lines[19].startswith(f"{path}:64: stations.s19.process_time: ")
    assert lines[20] == "(and 5 more problems)"


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        (
            "    buffer: 3",
            "    buffer: 3\n    energy: 5",
            "stations.saw.energy",
            "expected a mapping such as {busy_kw: 5, idle_kw: 1} (got 5)",
        ),
        (
            "    buffer: 3",
            "    buffer: 3\n    failures: 2h",
            "stations.saw.failures",
            "expected a mapping such as {mtbf: 8h, mttr: 30min} (got '2h')",
        ),
    ],
)
def test_a_value_where_a_mapping_belongs_shows_the_mapping(
    tmp_path: Path, old: str, new: str, path: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_with(tmp_path, old, new)
    assert (info.value.path, info.value.line, info.value.message) == (path, 15, expected)


def test_inline_site_currency_becomes_the_scenario_currency(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    site = "site: {labour_cost_per_hour: 1, energy_price_per_kwh: 0.1, currency: CNY}\n"
    path.write_text(BASE + site, encoding="utf-8")
    assert load_scenario(path).currency == "CNY"


def test_per_product_process_time_needs_no_entry_for_non_visitors(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        BASE.replace("process_time: {dist: lognormal, mean: 2, cv: 0.3}", "process_time: {a: 2}"),
        encoding="utf-8",
    )
    assert load_scenario(path).stations["weld"].process_time == {
        "a": ConstantDistConfig(dist="constant", value=2.0)
    }


def test_unvisited_manned_station_may_exceed_the_pool(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    stock = "  stock: {kind: manual, operators: 5, process_time: 1}\n"
    path.write_text(BASE.replace("  weld:\n", stock + "  weld:\n"), encoding="utf-8")
    assert load_scenario(path).stations["stock"].operators == 5


def test_batch_buffer_smaller_than_a_build_is_an_error_even_with_max_wait(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.yaml"
    batch = "    buffer: 3\n    batch: {size: 5, max_wait: 4h}\n    per_part_time: 10s\n"
    path.write_text(BASE.replace("    buffer: 3\n", batch), encoding="utf-8")
    with pytest.raises(ConfigError, match="could never fill it") as info:
        load_scenario(path)
    assert info.value.path == "stations.saw.buffer"


def test_batch_with_max_wait_and_a_buffer_of_a_build(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    batch = "    buffer: 5\n    batch: {size: 5, max_wait: 4h}\n    per_part_time: 10s\n"
    path.write_text(BASE.replace("    buffer: 3\n", batch), encoding="utf-8")
    station = load_scenario(path).stations["saw"]
    assert station.batch is not None and station.batch.max_wait == "4h"


# --- reviewer's cases: split short forms, huge whole numbers ------------------------------


@pytest.mark.parametrize(
    ("station", "where"),
    [
        ("{kind: machine, process_time: tri(1, 2, 3)}", "stations.a.process_time"),
        ("{process_time: tri(1, 2, 3), kind: machine}", "stations.a.process_time"),
        (
            "{kind: machine, process_time: 2, failures: {mtbf: weibull(2, 3), mttr: 1}}",
            "stations.a.failures.mtbf",
        ),
    ],
)
def test_split_short_form_hint_beats_unknown_key(tmp_path: Path, station: str, where: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"simline: 1\nname: s\nrun: {{length: 8h}}\nstations:\n  a: {station}\n")
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "is cut off" in message
    assert "quote the short form" in message
    assert f"{where}:" in message
    assert "unknown key" not in message


def test_a_real_unknown_key_is_still_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "simline: 1\nname: s\nrun: {length: 8h}\nstations:\n"
        "  a: {kind: machine, process_time: 2, bufer: 3}\n"
    )
    with pytest.raises(ConfigError, match="unknown key 'bufer'"):
        load_scenario(path)


@pytest.mark.parametrize("value", ["1e20", "100000000000000000000", "-1e20"])
def test_huge_whole_number_has_a_plain_message(tmp_path: Path, value: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "simline: 1\nname: s\nrun: {length: 8h}\nstations:\n"
        f"  a: {{kind: machine, process_time: 2, servers: {value}}}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "stations.a.servers" in message
    assert "expected a whole number" in message
    assert "pydantic" not in message and "unable to parse" not in message

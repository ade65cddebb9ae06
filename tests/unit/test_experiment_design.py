"""Design expansion (``simline.experiment.design``): points, run ids, paths, values, YAML."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from simline.config import load_experiment, load_scenario
from simline.errors import MAX_MESSAGE, ConfigError
from simline.experiment.design import RunSpec, expand, resolve, run_id, scenario_yaml
from tests.spec import ROOT, run_cli

CONFIGS = ROOT / "configs"
ROBOT = CONFIGS / "robot-machining.yaml"
NL_ROBOT = CONFIGS / "reshoring" / "nl-robot-am.yaml"
SHIPPED = sorted([*CONFIGS.glob("*.yaml"), *CONFIGS.glob("reshoring/*.yaml")])

#: A small line without a currency, a site or a workforce.
SMALL = """\
simline: 1
name: small
run: {length: 8h, replications: 2}
stations:
  a: {kind: machine, process_time: 1.0, buffer: 4}
  b: {kind: manual, process_time: "exp(0.8)", failures: {mtbf: 8h, mttr: 10min}}
"""


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in ``tmp_path``, so files are named as short relative paths, as users name them."""
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    """Write ``tmp_path / name`` and return it as the relative path ``name``."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return Path(name)


def experiment(tmp_path: Path, body: str, scenarios: list[Path] | None = None) -> Path:
    names = ", ".join(str(s) for s in scenarios or [ROBOT])
    return write(tmp_path, f"simline: 1\nexperiment: t\nscenarios: [{names}]\n{body}")


def specs_of(path: Path, **overrides: Any) -> list[RunSpec]:
    return expand(load_experiment(path), overrides=overrides or None)


def error_of(path: Path, **overrides: Any) -> str:
    with pytest.raises(ConfigError) as info:
        specs_of(path, **overrides)
    message = str(info.value)
    assert "\n" not in message and len(message) <= MAX_MESSAGE
    return message


# -- designs ------------------------------------------------------------------------------


def test_full_factorial_in_the_order_the_factors_are_written(tmp_path: Path) -> None:
    path = experiment(
        tmp_path,
        "factors:\n  stations.mill.servers: [1, 2, 3]\n  stations.mill.buffer: [5, 10]\n",
    )
    specs = specs_of(path)
    assert [tuple(s.factors.values()) for s in specs] == [
        (1, 5), (1, 10), (2, 5), (2, 10), (3, 5), (3, 10)
    ]  # fmt: skip
    assert [(s.config.stations["mill"].servers, s.config.stations["mill"].buffer) for s in specs]\
        == [(1, 5), (1, 10), (2, 5), (2, 10), (3, 5), (3, 10)]  # fmt: skip
    assert len({s.id for s in specs}) == 6
    assert all(s.label is None and s.scenario == "robot-machining" and s.base == ROBOT
               for s in specs)  # fmt: skip
    # everything else is the base scenario's
    base = load_scenario(ROBOT)
    assert specs[0].config.stations["saw"] == base.stations["saw"]
    assert specs[0].config.run == base.run


def test_no_factors_is_one_run_per_base_scenario(tmp_path: Path) -> None:
    other = CONFIGS / "transfer-line.yaml"
    specs = specs_of(experiment(tmp_path, "", [ROBOT, other]))
    assert [(s.scenario, s.factors) for s in specs] == [
        ("robot-machining", {}),
        ("transfer-line", {}),
    ]
    assert specs[0].id == run_id(load_scenario(ROBOT))


def test_the_design_applies_to_every_base_scenario(tmp_path: Path) -> None:
    path = experiment(tmp_path, "factors:\n  stations.mill.buffer: [5, 10]\n", [ROBOT, NL_ROBOT])
    specs = specs_of(path)
    assert [(s.scenario, s.factors["stations.mill.buffer"]) for s in specs] == [
        ("robot-machining", 5), ("robot-machining", 10), ("nl-robot-am", 5), ("nl-robot-am", 10)
    ]  # fmt: skip


def test_one_at_a_time_starts_at_the_first_values_without_duplicates(tmp_path: Path) -> None:
    path = experiment(
        tmp_path,
        "factors:\n  stations.mill.servers: [2, 1, 3]\n  stations.mill.buffer: [6, 10]\n"
        "  stations.saw.buffer: [10]\n"
        "design: {one_at_a_time: true}\n",
    )
    points = [tuple(s.factors.values()) for s in specs_of(path)]
    assert points == [(2, 6, 10), (1, 6, 10), (3, 6, 10), (2, 10, 10)]


def test_explicit_runs_are_labelled(tmp_path: Path) -> None:
    path = experiment(
        tmp_path,
        "runs:\n  lean: {stations.mill.buffer: 2}\n  rich: {stations.mill.buffer: 40, "
        "stations.mill.servers: 3}\n  as-is: {}\n",
    )
    specs = specs_of(path)
    assert [(s.label, s.factors) for s in specs] == [
        ("lean", {"stations.mill.buffer": 2}),
        ("rich", {"stations.mill.buffer": 40, "stations.mill.servers": 3}),
        ("as-is", {}),
    ]
    assert specs[1].config.stations["mill"].servers == 3
    assert specs[2].id == run_id(load_scenario(ROBOT))


def test_lhs_stratifies_every_factor_and_is_reproducible(tmp_path: Path) -> None:
    body = (
        "factors:\n"
        "  stations.mill.buffer: {low: 1, high: 60, integer: true}\n"
        "  stations.mill.process_time.mean: {low: 3.0, high: 4.0}\n"
        "  stations.mill.servers: [1, 2, 3, 4]\n"
        "design: {lhs: 12, seed: 5}\n"
    )
    specs = specs_of(experiment(tmp_path, body))
    assert len(specs) == 12 and len({s.id for s in specs}) == 12
    buffers = [s.factors["stations.mill.buffer"] for s in specs]
    means = [s.factors["stations.mill.process_time.mean"] for s in specs]
    servers = [s.factors["stations.mill.servers"] for s in specs]
    assert all(isinstance(b, int) and 1 <= b <= 60 for b in buffers)
    # 60 whole values in 12 strata of 5: one buffer in each stratum
    assert sorted((b - 1) // 5 for b in buffers) == list(range(12))
    assert sorted(int((m - 3.0) * 12) for m in means) == list(range(12))
    # a list of 4 values over 12 strata: each value 3 times
    assert sorted(servers) == [1] * 3 + [2] * 3 + [3] * 3 + [4] * 3
    assert [s.config.stations["mill"].servers for s in specs] == servers
    again = specs_of(experiment(tmp_path, body))
    assert [s.id for s in again] == [s.id for s in specs]
    other = specs_of(experiment(tmp_path, body.replace("seed: 5", "seed: 6")))
    assert [s.id for s in other] != [s.id for s in specs]


def test_an_lhs_with_more_points_than_values_names_the_twins(tmp_path: Path) -> None:
    path = experiment(
        tmp_path,
        "factors:\n  stations.mill.buffer: {low: 1, high: 3, integer: true}\ndesign: {lhs: 4}\n",
    )
    message = error_of(path)
    assert message.startswith(f"{path}:4: factors: scenario 'robot-machining' with ")
    assert message.endswith(
        "give the same scenario (run {}) (the Latin hypercube has more points than its "
        "factors have values)".format(message.split("(run ")[1][:12])
    )


def test_a_continuous_range_over_a_whole_number_asks_for_integer(tmp_path: Path) -> None:
    path = experiment(
        tmp_path, "factors:\n  stations.mill.buffer: {low: 1, high: 30}\ndesign: {lhs: 10}\n"
    )
    assert error_of(path) == (
        f"{path}:5: factors.stations.mill.buffer: stations.mill.buffer takes whole numbers "
        "only, and a range gives fractions: add 'integer: true'"
    )


# -- run ids ------------------------------------------------------------------------------


def test_the_run_id_is_the_scenario_not_where_it_came_from(tmp_path: Path) -> None:
    base = load_scenario(ROBOT)
    assert len(run_id(base)) == 12 and int(run_id(base), 16) >= 0
    # the base value set by a factor, an explicit run and no factor at all: one id
    by_factor = specs_of(experiment(tmp_path, "factors:\n  stations.mill.buffer: [6]\n"))
    by_run = specs_of(experiment(tmp_path, "runs:\n  same: {stations.mill.buffer: 6.0}\n"))
    assert by_factor[0].id == by_run[0].id == run_id(base)
    # a site as a file or inline: one id
    site = CONFIGS.parent / "simline" / "sites" / "nl.yaml"
    inline = json.dumps(yaml.safe_load(site.read_text()))
    as_file = specs_of(experiment(tmp_path, f"factors:\n  site: [{site}]\n"))
    as_mapping = specs_of(experiment(tmp_path, f"factors:\n  site: [{inline}]\n"))
    assert as_file[0].id == as_mapping[0].id
    assert as_file[0].factors == {"site": "nl"}
    assert as_mapping[0].factors["site"]["country"] == "NL"


def test_replications_do_not_change_the_run_id_but_the_seed_does(tmp_path: Path) -> None:
    base = load_scenario(ROBOT)
    more = specs_of(experiment(tmp_path, "run: {replications: 99}\n"))[0]
    assert more.config.run.replications == 99 and more.id == run_id(base)
    seeded = specs_of(experiment(tmp_path, "run: {seed: 8}\n"))[0]
    assert seeded.id != run_id(base)


def test_two_points_giving_one_scenario_are_named(tmp_path: Path) -> None:
    path = experiment(tmp_path, "runs:\n  a: {stations.mill.buffer: 6}\n  b: {}\n")
    assert error_of(path) == (
        f"{path}:4: runs: run 'a' and run 'b' give the same scenario (run "
        f"{run_id(load_scenario(ROBOT))})"
    )
    path = experiment(tmp_path, "factors:\n  run.replications: [3, 5]\n")
    message = error_of(path)
    assert message.startswith(
        f"{path}:4: factors: scenario 'robot-machining' with run.replications=3 and scenario "
        "'robot-machining' with run.replications=5 give the same scenario"
    )


# -- overrides ----------------------------------------------------------------------------


def test_factors_then_the_experiment_run_then_the_command_line(tmp_path: Path) -> None:
    path = experiment(
        tmp_path,
        "run: {replications: 4, warmup: 1d}\nfactors:\n  run.length: [1w, 2w]\n"
        "  stations.mill.buffer: [5]\n",
    )
    specs = specs_of(path)
    assert [(s.config.run.length, s.config.run.warmup, s.config.run.replications, s.config.run.seed)
            for s in specs] == [("1w", "1d", 4, 7), ("2w", "1d", 4, 7)]  # fmt: skip
    cli = specs_of(path, replications=2, warmup="2h", seed=3)
    assert [(s.config.run.replications, s.config.run.warmup, s.config.run.seed) for s in cli] == [
        (2, "2h", 3), (2, "2h", 3)
    ]  # fmt: skip


def test_command_line_messages_name_the_option(tmp_path: Path) -> None:
    path = experiment(tmp_path, "factors:\n  stations.mill.buffer: [5]\n")
    assert error_of(path, length="-1") == "--length: expected a duration > 0 (got '-1')"
    path = experiment(tmp_path, "factors:\n  run.length: [1w, 2w]\n")
    assert error_of(path, length="1d") == (
        f"--length: the experiment varies factors.run.length ({path}:5); --length would give "
        "every run the same value: leave it out"
    )


def test_a_bad_experiment_run_names_the_experiment_file(tmp_path: Path) -> None:
    path = experiment(tmp_path, "run: {length: -1}\n")
    assert error_of(path) == (
        f"{path}:4: run.length: expected a duration > 0 (got -1) (in scenario 'robot-machining')"
    )


# -- paths and values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        ("stations.nosuch.buffer",
         "unknown key 'nosuch' in stations; keys there: saw, mill, deburr, inspect"),
        ("stations.mill.bufer",
         "unknown key 'bufer' in stations.mill (did you mean 'buffer'?); valid keys: kind, "
         "servers, process_time, buffer, failures, setup, scrap, operators, batch, "
         "per_part_time, energy, capex, life_years, maintenance_rate, floor_m2, "
         "maintenance_per_year and 5 more"),
        ("nosuch",
         "unknown key 'nosuch'; valid keys: simline, name, description, time_unit, currency, "
         "run, products, release, stations, workforce, site, logistics, demand, tco, uncertainty"),
        ("stations.mill.process_time.shape",
         "unknown key 'shape' in stations.mill.process_time; valid keys: dist, mean, cv"),
        ("release.conwip",
         "'release' is 'saturated' in scenario 'robot-machining', not a mapping; make "
         "'release' the factor, with whole values"),
        ("stations.saw.buffer.size",
         "'stations.saw.buffer' is 10 in scenario 'robot-machining', not a mapping; make "
         "'stations.saw.buffer' the factor, with whole values"),
        ("stations.saw.setup.value",
         "'stations.saw.setup' is not set in scenario 'robot-machining' and has no fixed "
         "keys; make 'stations.saw.setup' the factor, with whole values"),
        ("site.nosuch",
         "unknown key 'nosuch' in site; valid keys: name, country, currency, "
         "labour_cost_per_hour, energy_price_per_kwh, grid_co2_kg_per_kwh, rent_per_m2_year, "
         "interest_rate, co2_price_per_t, inventory_carrying_rate, hours_per_year, ranges, "
         "sources"),
    ],
)  # fmt: skip
def test_a_path_that_does_not_exist_lists_the_valid_keys(
    tmp_path: Path, factor: str, message: str
) -> None:
    path = experiment(tmp_path, f"factors:\n  {factor}: [1, 2]\n")
    assert error_of(path) == f"{path}:5: factors.{factor}: {message}"


def test_a_path_in_runs_is_checked_too(tmp_path: Path) -> None:
    path = experiment(
        tmp_path, "runs:\n  a: {stations.mill.buffer: 2}\n  b: {stations.mil.buffer: 2}\n"
    )
    assert error_of(path) == (
        f"{path}:6: runs.b.stations.mil.buffer: unknown key 'mil' in stations (did you mean "
        "'mill'?); keys there: saw, mill, deburr, inspect"
    )


def test_keys_left_at_their_default_and_sections_left_out_can_be_set(tmp_path: Path) -> None:
    small = write(tmp_path, SMALL, "small.yaml")
    path = experiment(
        tmp_path,
        "factors:\n  stations.a.servers: [2]\n  workforce.operators: [2]\n"
        "  tco.wage_growth: [0.02]\n  stations.b.failures.mttr.mean: [20min]\n"
        "  stations.b.process_time.mean: [0.5]\n  stations.a.failures.mtbf: [4h]\n"
        "  stations.a.failures.mttr: [5min]\n",
        [small],
    )
    (spec,) = specs_of(path)
    config = spec.config
    assert config.stations["a"].servers == 2
    assert config.workforce is not None and config.workforce.operators == 2
    assert config.tco.wage_growth == 0.02
    failures = config.stations["b"].failures
    assert failures is not None and failures.mttr.model_dump() == {
        "dist": "exponential", "mean": "20min"
    }  # fmt: skip
    process = config.stations["b"].process_time
    assert not isinstance(process, dict)
    assert process.model_dump() == {"dist": "exponential", "mean": 0.5}
    assert config.stations["a"].failures is not None


def test_a_bad_value_names_the_factor_and_the_value(tmp_path: Path) -> None:
    path = experiment(tmp_path, "factors:\n  stations.mill.buffer: [1, -2]\n")
    assert error_of(path) == (
        f"{path}:5: factors.stations.mill.buffer[1]: stations.mill.buffer = -2 makes scenario "
        "'robot-machining' invalid: stations.mill.buffer: expected a whole number >= 0 or "
        '"inf" (got -2)'
    )
    path = experiment(tmp_path, "runs:\n  a: {stations.mill.servers: 0}\n")
    assert error_of(path) == (
        f"{path}:5: runs.a.stations.mill.servers: stations.mill.servers = 0 makes scenario "
        "'robot-machining' invalid: stations.mill.servers: 'servers' must be >= 1 (got 0)"
    )


def test_values_bad_only_together_name_the_point(tmp_path: Path) -> None:
    path = experiment(
        tmp_path,
        "factors:\n  stations.print.batch.size: [40, 60]\n  stations.print.buffer: [80, 50]\n",
        [NL_ROBOT],
    )
    assert error_of(path) == (
        f"{path}:4: factors: the point stations.print.batch.size=60, stations.print.buffer=50 "
        "makes scenario 'nl-robot-am' invalid: stations.print.buffer: 'buffer' must hold at "
        "least batch.size = 60 parts: a build is taken from the buffer, so a smaller one could "
        "never fill it (got 50)"
    )


def test_a_site_factor_is_a_file_relative_to_the_experiment_or_a_mapping(tmp_path: Path) -> None:
    small = write(tmp_path, SMALL, "configs/small.yaml")
    write(tmp_path, "labour_cost_per_hour: 20\nenergy_price_per_kwh: 0.1\ncurrency: PLN\n",
          "configs/sites/pl.yaml")  # fmt: skip
    path = write(
        tmp_path,
        "simline: 1\nexperiment: s\nscenarios: [../configs/small.yaml]\nfactors:\n"
        "  site: [../configs/sites/pl.yaml,\n"
        "         {labour_cost_per_hour: 30, energy_price_per_kwh: 0.2}]\n",
        "experiments/e.yaml",
    )
    assert small.exists()
    specs = specs_of(path)
    assert [s.factors["site"] for s in specs] == [
        "pl", {"labour_cost_per_hour": 30, "energy_price_per_kwh": 0.2}
    ]  # fmt: skip
    assert specs[0].config.site is not None and specs[0].config.site.labour_cost_per_hour == 20
    # the base names no currency, so the site's carries over, as in a file edited by hand
    assert specs[0].config.currency == "PLN"
    assert specs[1].config.currency == "EUR"
    missing = write(
        tmp_path,
        "simline: 1\nexperiment: s\nscenarios: [../configs/small.yaml]\nfactors:\n"
        "  site:\n  - sites/nope.yaml\n",
        "experiments/m.yaml",
    )
    assert error_of(missing) == (
        f"{missing}:6: factors.site[0]: site file 'sites/nope.yaml' not found (looked for "
        f"{tmp_path}/experiments/sites/nope.yaml)"
    )


def test_a_site_factor_may_be_a_name_or_a_base_with_figures(tmp_path: Path) -> None:
    small = write(tmp_path, SMALL + "site: {base: nl, labour_cost_per_hour: 48}\n", "s/small.yaml")
    write(tmp_path, "labour_cost_per_hour: 20\nenergy_price_per_kwh: 0.1\n", "own/x.yaml")
    path = write(
        tmp_path,
        "simline: 1\nexperiment: s\nscenarios: [../s/small.yaml]\nfactors:\n"
        "  site: [de, {base: ../own/x.yaml, rent_per_m2_year: 9}]\n",
        "e/e.yaml",
    )
    specs = specs_of(path)
    assert [s.config.site.country if s.config.site else None for s in specs] == ["DE", None]
    other = specs[1].config.site
    assert other is not None and (other.labour_cost_per_hour, other.rent_per_m2_year) == (20, 9)
    # a figure of the base scenario's site, over its base
    by_figure = specs_of(experiment(tmp_path, "factors:\n  site.rent_per_m2_year: [1]\n", [small]))
    site = by_figure[0].config.site
    assert site is not None and (site.labour_cost_per_hour, site.rent_per_m2_year) == (48, 1)
    assert site.energy_price_per_kwh == 0.17
    missing = write(
        tmp_path,
        "simline: 1\nexperiment: s\nscenarios: [../s/small.yaml]\nfactors:\n"
        "  site: [{base: ../own/none.yaml}]\n",
        "e/m.yaml",
    )
    assert error_of(missing).startswith(
        f"{missing}:5: factors.site[0].base: site file '../own/none.yaml' not found"
    )


def test_a_bad_site_file_is_named_itself(tmp_path: Path) -> None:
    site = write(tmp_path, "labour_cost_per_hour: -1\nenergy_price_per_kwh: 0.1\n", "bad.yaml")
    path = experiment(tmp_path, f"factors:\n  site: [{site}]\n")
    assert error_of(path) == (
        f"{site}:1: labour_cost_per_hour: 'labour_cost_per_hour' must be >= 0 (got -1)"
    )


# -- figures ------------------------------------------------------------------------------


def test_unknown_figures_list_the_valid_ones(tmp_path: Path) -> None:
    path = experiment(tmp_path, "objective: {figure: troughput_per_hour}\n")
    assert error_of(path) == (
        f"{path}:4: objective.figure: unknown figure 'troughput_per_hour' (did you mean "
        "'throughput_per_hour'?); figures are throughput_per_hour, lead_time, wip, good_parts, "
        "scrap_parts, oee, products.bracket.throughput_per_hour, products.bracket.lead_time and "
        "46 more, such as products.bracket.good_parts"
    )
    path = experiment(tmp_path, 'constraints: ["cost.tco < 3"]\n')
    assert error_of(path) == (
        f"{path}:4: constraints[0]: figure 'cost.tco' is a cost figure, which needs a site, and "
        "scenario 'robot-machining' has none"
    )
    path = experiment(tmp_path, "precision: {figure: stations.mill.utilisation, relative: 0.1}\n")
    assert error_of(path).startswith(
        f"{path}:4: precision.figure: unknown figure 'stations.mill.utilisation' (did you mean "
        "'stations.mill.utilization'?); figures are throughput_per_hour,"
    )
    path = experiment(tmp_path, "objective: {figure: cost.nosuch}\n", [NL_ROBOT])
    message = error_of(path)
    assert ", cost.unit_cost, cost.landed_cost, cost.tco" in message
    assert message.endswith("more, such as products.housing.throughput_per_hour")


def test_known_figures_pass(tmp_path: Path) -> None:
    path = experiment(
        tmp_path,
        "objective: {figure: cost.tco}\nconstraints: ['stations.mill.utilization < 0.99', "
        "'cost.breakdown.labour < 9', 'cost.stations.print.cost_per_build_part < 5']\n"
        "precision: {figure: products.housing.lead_time, absolute: 1}\n",
        [NL_ROBOT],
    )
    assert len(specs_of(path)) == 1


def test_optimize_checks_its_variables_and_lists_no_runs(tmp_path: Path) -> None:
    body = (
        "objective: {figure: throughput_per_hour, goal: max}\n"
        "optimize:\n  variables:\n    stations.mill.buffer: {low: 1, high: 60, integer: true}\n"
        "  budget: 10\n"
    )
    path = experiment(tmp_path, body)
    exp = load_experiment(path)
    assert expand(exp) == []
    spec = resolve(exp, 0, {"stations.mill.buffer": 17})
    assert spec.config.stations["mill"].buffer == 17 and spec.factors == {
        "stations.mill.buffer": 17
    }  # fmt: skip
    with pytest.raises(ConfigError) as info:
        resolve(exp, 0, {"stations.mill.buffer": -1})
    assert str(info.value).startswith(
        f"{path}:7: optimize.variables.stations.mill.buffer: stations.mill.buffer = -1 makes"
    )
    bad = experiment(tmp_path, body.replace("mill.buffer", "mill.bufer"))
    assert error_of(bad).startswith(
        f"{bad}:7: optimize.variables.stations.mill.bufer: unknown key 'bufer' in stations.mill"
    )
    low = experiment(tmp_path, body.replace("low: 1,", "low: -1,"))
    assert error_of(low).startswith(f"{low}:7: optimize.variables.stations.mill.buffer: ")


def test_resolve_one_point_with_overrides_and_label(tmp_path: Path) -> None:
    exp = load_experiment(experiment(tmp_path, "factors:\n  stations.mill.buffer: [5]\n"))
    spec = resolve(exp, 0, {"stations.mill.buffer": 9}, overrides={"length": "1d"}, label="x")
    assert spec.label == "x" and spec.config.run.length == "1d"
    assert spec.id == run_id(spec.config)


# -- scenario_yaml ------------------------------------------------------------------------


@pytest.mark.parametrize("config", SHIPPED, ids=lambda p: p.name)
def test_scenario_yaml_loads_back_to_the_same_run(tmp_path: Path, config: Path) -> None:
    scenario = load_scenario(config)
    path = write(tmp_path, scenario_yaml(scenario), "resolved.yaml")
    again = load_scenario(path)
    assert run_id(again) == run_id(scenario)
    assert again == scenario


def test_scenario_yaml_keeps_unlimited_buffers_shifts_and_distributions(tmp_path: Path) -> None:
    text = SMALL.replace("buffer: 4", 'buffer: "inf"') + (
        "  c: {kind: machine, process_time: {dist: empirical, values: [1, 2min], weights: [1, 3]},"
        " setup: {from_to: {p: {q: 5min}}}}\n"
        "products:\n  p: {routing: [a, b, c], mix: 2}\n  q: {routing: [a, c], mix: 1}\n"
        'workforce: {operators: 2, shifts: [["22:00", "06:00"], ["06:00", "14:00"]], '
        "days: [mon, sat]}\n"
        "description: '0o17'\n"
    )
    scenario = load_scenario(write(tmp_path, text, "rich.yaml"))
    assert scenario.stations["a"].buffer is None
    again = load_scenario(write(tmp_path, scenario_yaml(scenario), "out.yaml"))
    assert again == scenario and run_id(again) == run_id(scenario)
    assert again.stations["a"].buffer is None
    assert again.workforce is not None and again.workforce.shifts == [
        ("22:00", "06:00"), ("06:00", "14:00")
    ]  # fmt: skip
    assert again.description == "0o17"


@pytest.mark.parametrize("text", ["1e3", "0o17", "0x1f", "true", "null", "14:00", "+.inf", "NO"])
def test_scenario_yaml_keeps_strings_that_read_as_other_things(tmp_path: Path, text: str) -> None:
    scenario = load_scenario(
        write(tmp_path, SMALL + f"description: {json.dumps(text)}\n", "s.yaml")
    )
    again = load_scenario(write(tmp_path, scenario_yaml(scenario), "out.yaml"))
    assert again.description == text


def test_a_resolved_scenario_runs_on_its_own(tmp_path: Path) -> None:
    path = experiment(tmp_path, "factors:\n  site: [de]\n", [NL_ROBOT])
    (spec,) = specs_of(path, replications=1, length="1d", warmup="0")
    resolved = write(tmp_path, scenario_yaml(spec.config), f"store/{spec.id}.yaml")
    text = resolved.read_text()
    assert "site:\n  name:" in text and "../" not in text
    result = run_cli("run", str(tmp_path / resolved), "--backend", "des", "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["scenario"] == "nl-robot-am" and out["replications"] == 1
    assert "cost" in out and math.isfinite(out["cost"]["tco"]["mean"])

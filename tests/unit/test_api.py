"""The Python API (``simline.run``, ``simline.compare``) against the command line it serves.

The command line is a thin layer over :mod:`simline.api`, so the same call must give the
same object: ``to_dict()`` equals the parsed ``--format json`` output, ``to_frame()`` holds
the ``--format csv`` rows. The API raises instead of exiting, and prints nothing.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import simline
from simline import api
from simline.cli import cli
from simline.errors import ConfigError
from simline.experiment import replicate
from tests.spec import ROOT

TWO_PRODUCT = ROOT / "configs" / "two-product.yaml"
ROBOT = ROOT / "configs" / "robot-machining.yaml"
NL = ROOT / "configs" / "reshoring" / "nl-robot-am.yaml"
CN = ROOT / "configs" / "reshoring" / "cn-manual-sea.yaml"

#: Short runs on the SimPy engine, one process: the numbers do not depend on either.
SHORT: dict[str, Any] = {
    "replications": 2,
    "length": "1d",
    "warmup": "2h",
    "backend": "des",
    "jobs": 1,
}
SHORT_ARGS = ["-r", "2", "--length", "1d", "--warmup", "2h", "--backend", "des", "-j", "1"]


def cli_output(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def simulations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the plans simulated (a spy on the real function): refused input runs none."""
    names: list[str] = []
    real = replicate.run_replications

    def spy(plan: Any, **kwargs: Any) -> Any:
        names.append(plan.name)
        return real(plan, **kwargs)

    monkeypatch.setattr(replicate, "run_replications", spy)
    return names


@pytest.fixture
def usd_scenario(tmp_path: Path) -> Path:
    """The CN scenario with its site's money in USD, so that comparing it needs a rate."""
    site = tmp_path / "cn-usd.yaml"
    site.write_text((ROOT / "simline" / "sites" / "cn.yaml").read_text().replace(
        "currency: EUR", "currency: USD"
    ))  # fmt: skip
    text = CN.read_text().replace("site: cn\n", f"site: {site}\n")
    text = text.replace("\ncurrency: EUR\n", "\ncurrency: USD\n")
    assert str(site) in text and "currency: USD" in text
    scenario = tmp_path / "cn-usd-scenario.yaml"
    scenario.write_text(text)
    return scenario


# --- the same numbers as the command line ---------------------------------------------------


@pytest.mark.parametrize("path", [TWO_PRODUCT, NL], ids=["line", "with-site"])
def test_run_gives_the_json_of_the_command_line(path: Path) -> None:
    outcome = simline.run(path, **SHORT)
    assert isinstance(outcome, simline.RunOutcome)
    assert outcome.to_dict() == json.loads(
        cli_output("run", str(path), *SHORT_ARGS, "--format", "json")
    )
    assert outcome.backend == "des"
    assert len(outcome.results) == 2 == outcome.summary.replications
    # the line's notices (this short run's WIP still grows, say), then the cost model's
    assert outcome.warnings == tuple(n.message for n in outcome.notices)
    cost_warnings = tuple((outcome.cost or {}).get("warnings", []))
    assert outcome.warnings[len(outcome.warnings) - len(cost_warnings) :] == cost_warnings
    assert [n.kind for n in outcome.notices].count("cost") == len(cost_warnings)
    assert (outcome.cost is not None) == (path == NL)


def test_run_to_frame_holds_the_csv_rows() -> None:
    outcome = simline.run(NL, **SHORT)
    frame = outcome.to_frame()
    rows = csv_rows(cli_output("run", str(NL), *SHORT_ARGS, "--format", "csv"))
    assert list(frame.columns) == ["scenario", "figure", "mean", "ci95_lo", "ci95_hi", "unit"]
    assert len(frame) == len(rows) > 40
    assert frame.figure.tolist() == [r["figure"] for r in rows]
    assert any(f.startswith("stations.") and f.endswith(".utilization") for f in frame.figure)
    assert "cost.tco" in set(frame.figure)
    for (_, got), row in zip(frame.iterrows(), rows, strict=True):
        for column in ("mean", "ci95_lo", "ci95_hi"):
            if row[column] == "":
                assert math.isnan(got[column])
            else:
                assert got[column] == float(row[column])
        assert got["unit"] == row["unit"]
    assert frame["mean"].dtype == float


def test_compare_on_the_line_gives_the_json_and_csv_of_the_command_line() -> None:
    outcome = simline.compare([TWO_PRODUCT, ROBOT], **SHORT)
    args = ["compare", str(TWO_PRODUCT), str(ROBOT), *SHORT_ARGS]
    assert outcome.to_dict() == json.loads(cli_output(*args, "--format", "json"))
    assert not outcome.costed and outcome.costs is None
    # no cost notices; the line's (WIP that still grows in a day's run) are in the JSON too
    assert outcome.warnings == tuple((p, n.message) for p, n in outcome.notices)
    assert "cost" not in [n.kind for _, n in outcome.notices]
    assert [w["message"] for w in outcome.to_dict()["warnings"]] == [m for _, m in outcome.warnings]
    assert outcome.winner == outcome.to_dict()["winner"]
    frame = outcome.to_frame()
    rows = csv_rows(cli_output(*args, "--format", "csv"))
    assert list(frame.columns) == list(api.COMPARE_CSV_COLUMNS)
    assert len(frame) == len(rows)
    own = frame[frame.versus.isna()]
    differences = frame[frame.versus.notna()]
    per_scenario = len(simline.run(TWO_PRODUCT, **SHORT).to_frame())
    assert (own.scenario == "two-product").sum() == per_scenario
    assert set(differences.versus) == {"two-product"}
    assert set(differences.scenario) == {"robot-machining"}
    assert frame.figure.tolist() == [r["figure"] for r in rows]


def test_compare_runs_every_scenario_with_the_first_ones_seed_and_replications() -> None:
    outcome = simline.compare([TWO_PRODUCT, ROBOT], length="1d", backend="des", jobs=1)
    first = simline.load_scenario(TWO_PRODUCT).run
    assert {p.seed for p in outcome.plans} == {first.seed}
    assert {p.replications for p in outcome.plans} == {first.replications}
    assert [len(r) for r in outcome.results] == [first.replications] * 2


@pytest.mark.parametrize("rates", [{"USD": 0.93}, ["USD=0.93"], "USD=0.93"])
def test_compare_on_cost_with_a_rate_gives_the_json_of_the_command_line(
    usd_scenario: Path, rates: Any
) -> None:
    outcome = simline.compare([NL, usd_scenario], rates=rates, sensitivity=True, **SHORT)
    args = ["compare", str(NL), str(usd_scenario), *SHORT_ARGS, "--rate", "USD=0.93"]
    expected = json.loads(cli_output(*args, "--sensitivity", "--format", "json"))
    assert outcome.to_dict() == expected
    assert outcome.costed and outcome.currency == "EUR"
    assert expected["rates"] == {"EUR": 1.0, "USD": 0.93}
    assert outcome.costs is not None and len(outcome.costs) == 2
    assert outcome.sensitivity is not None and len(outcome.sensitivity) > 0
    notices = [(p, w) for p, s in zip(outcome.paths, expected["scenarios"], strict=True)
               for w in s["cost"].get("warnings", [])]  # fmt: skip
    assert [(p, n.message) for p, n in outcome.notices if n.kind == "cost"] == notices
    assert outcome.warnings == tuple((p, n.message) for p, n in outcome.notices)


def test_a_number_is_a_duration_in_the_scenarios_time_unit() -> None:
    by_text = simline.run(TWO_PRODUCT, **SHORT)
    by_number = simline.run(TWO_PRODUCT, **{**SHORT, "length": 1440, "warmup": 120.0})
    assert by_number.to_dict() == by_text.to_dict()


def test_to_dict_is_a_fresh_copy() -> None:
    outcome = simline.compare([TWO_PRODUCT, ROBOT], **SHORT)
    outcome.to_dict()["scenarios"].clear()
    assert len(outcome.to_dict()["scenarios"]) == 2
    run = simline.run(NL, **SHORT)
    run.to_dict()["cost"].clear()
    assert run.to_dict()["cost"]


# --- nothing printed, progress and the steps given to the caller ----------------------------


def test_the_api_prints_nothing(usd_scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    simline.run(NL, **SHORT)
    simline.compare([NL, usd_scenario], rates={"USD": 0.93}, **SHORT)
    simline.compare([TWO_PRODUCT, ROBOT], **SHORT)
    assert capsys.readouterr() == ("", "")


def test_progress_reports_each_scenario_from_zero_to_all() -> None:
    calls: list[tuple[str, int, int]] = []
    simline.compare([TWO_PRODUCT, ROBOT], progress=lambda *a: calls.append(a), **SHORT)
    assert calls == [
        ("two-product", 0, 2), ("two-product", 1, 2), ("two-product", 2, 2),
        ("robot-machining", 0, 2), ("robot-machining", 1, 2), ("robot-machining", 2, 2),
    ]  # fmt: skip


def test_the_caller_sees_the_plans_and_the_engine_before_anything_runs(
    simulations: list[str],
) -> None:
    seen: list[Any] = []

    def on_compiled(plans: Any) -> None:
        seen.append(("compiled", [p.name for p in plans], list(simulations)))

    def before_simulate(backend: str, plans: Any) -> None:
        seen.append(("before", backend, [p.name for p in plans], list(simulations)))

    simline.compare(
        [TWO_PRODUCT, ROBOT], on_compiled=on_compiled, before_simulate=before_simulate, **SHORT
    )
    assert seen == [
        ("compiled", ["two-product", "robot-machining"], []),
        ("before", "des", ["two-product", "robot-machining"], []),
    ]
    assert simulations == ["two-product", "robot-machining"]


def test_what_on_compiled_raises_stops_the_run(simulations: list[str]) -> None:
    def refuse(plans: Any) -> None:
        raise ConfigError("not here", path="--output")

    with pytest.raises(ConfigError, match="not here"):
        simline.run(TWO_PRODUCT, on_compiled=refuse, **SHORT)
    assert simulations == []


@pytest.mark.parametrize(
    ("function", "command", "args"),
    [(api.run, "run", ["a.yaml"]), (api.compare, "compare", ["a.yaml", "b.yaml"])],
)
def test_the_api_has_the_command_lines_defaults(
    function: Any, command: str, args: list[str]
) -> None:
    cli_defaults = cli.commands[command].make_context(command, args).params
    parameters = inspect.signature(function).parameters
    shared = sorted(set(parameters) & set(cli_defaults) - {"trace"})  # trace: a path there
    assert {"replications", "seed", "length", "warmup", "backend", "jobs", "force"} <= set(shared)
    for name in shared:
        assert parameters[name].default == cli_defaults[name], name
    assert parameters["backend"].default == "auto"
    if command == "run":
        assert parameters["trace"].default is False and cli_defaults["trace"] is None


# --- bad input raises ConfigError, before anything runs --------------------------------------


def _site_less_copy(tmp_path: Path) -> Path:
    path = tmp_path / "no-site.yaml"
    path.write_text(
        "simline: 1\nname: plain\nrun: {length: 1h, replications: 2}\n"
        "stations: {m: {kind: machine, process_time: 1}}\n"
    )
    return path


@pytest.mark.parametrize(
    ("call", "path", "match"),
    [
        (lambda t: simline.run(t / "missing.yaml"), None, "no such file"),
        (lambda t: simline.run(t), None, "cannot read: it is a directory"),
        (lambda t: simline.run(TWO_PRODUCT, length="xyz"), "--length", r"\(got 'xyz'\)$"),
        (lambda t: simline.run(TWO_PRODUCT, length=-3), "--length", r"\(got -3\)$"),
        (lambda t: simline.run(TWO_PRODUCT, replications=0), "--replications", ">= 1"),
        (lambda t: simline.run(TWO_PRODUCT, jobs=0), "--jobs", r">= 1 \(got 0\)"),
        (lambda t: simline.run(TWO_PRODUCT, backend="nope"), "--backend", "unknown backend"),
        (lambda t: simline.run(TWO_PRODUCT, length="3000000w", replications=50, backend="des"),
         "--length and -r/--replications", "estimated at"),
        (lambda t: simline.compare([TWO_PRODUCT]), "paths", "two scenario files or more"),
        (lambda t: simline.compare([TWO_PRODUCT, NL]), "site", "has no 'site'"),
        (lambda t: simline.compare([TWO_PRODUCT, TWO_PRODUCT]), None, "names must differ"),
        (lambda t: simline.compare([TWO_PRODUCT, ROBOT], rates={"USD": 0.9}), "--rate",
         "about cost"),
        (lambda t: simline.compare([TWO_PRODUCT, ROBOT], sensitivity=True), "--sensitivity",
         "about cost"),
        (lambda t: simline.compare([TWO_PRODUCT, ROBOT], cost_options=["--plot"]), "--plot",
         "about cost"),
        (lambda t: simline.compare([NL, CN], rates=["XX"]), "--rate", "expected CUR=RATE"),
        (lambda t: simline.compare([NL, CN], rates={"USD": 0.9}), "--rate",
         "no scenario is in USD"),
        (lambda t: simline.compare([NL, CN], rates={"USD": -1}), "--rate", "positive rate"),
    ],
)  # fmt: skip
def test_bad_input_is_a_config_error_and_nothing_runs(
    tmp_path: Path, simulations: list[str], call: Any, path: str | None, match: str
) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        call(tmp_path)
    assert info.value.path == path
    assert simulations == []


def test_a_missing_rate_names_the_scenario(usd_scenario: Path, simulations: list[str]) -> None:
    with pytest.raises(ConfigError, match=r"is in USD .* give the exchange rate"):
        simline.compare([NL, usd_scenario], **SHORT)
    assert simulations == []


def test_a_scenario_with_a_site_beside_one_without_names_the_one_without(tmp_path: Path) -> None:
    plain = _site_less_copy(tmp_path)
    with pytest.raises(ConfigError) as info:
        simline.compare([NL, plain], **SHORT)
    assert info.value.file == str(plain)
    assert "'plain' has no 'site' but 'nl-robot-am' has one" in info.value.message


def test_a_bad_file_raises_not_exits(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("simline: 1\nname: x\nstations: {m: {kind: machine, process_time: -1}}\n")
    with pytest.raises(ConfigError) as info:
        simline.run(bad)
    assert info.value.file == str(bad)
    assert info.value.line is not None
    assert not isinstance(info.value, SystemExit)

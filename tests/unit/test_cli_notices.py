"""``simline run`` and ``compare`` warn of an unstable line on stderr and in their JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from simline.cli import cli

UNSTABLE = """\
simline: 1
name: {name}
time_unit: min
run: {{warmup: 1d, length: 1w, replications: 3, seed: 1}}
release: saturated
stations:
  cut: {{kind: machine, process_time: exp(1.5), buffer: 5}}
  print: {{kind: machine, process_time: exp(2.0){buffer}}}
"""


@pytest.fixture
def scenarios(tmp_path: Path) -> tuple[Path, Path]:
    # cut makes 40/h and never starves; print makes 30/h. Behind an unlimited buffer the
    # line cannot keep up; behind 10 places, cut blocks and the line is stable
    unstable = tmp_path / "unstable.yaml"
    unstable.write_text(UNSTABLE.format(name="unstable", buffer=""))
    stable = tmp_path / "stable.yaml"
    stable.write_text(UNSTABLE.format(name="stable", buffer=", buffer: 10"))
    return unstable, stable


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--backend", "des", "-q"], catch_exceptions=False)


def test_run_warns_of_an_unstable_line_on_stderr_and_in_json(
    scenarios: tuple[Path, Path],
) -> None:
    unstable, _ = scenarios
    result = invoke("run", str(unstable), "--format", "json")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"simline: warning: {unstable}: unstable line: 'print' can make 30.0 parts/h but is "
        "offered 40.0 parts/h (10.0 more; load 1.33); WIP and lead time grow with the run's "
        "length and their figures are not steady-state"
    )
    assert lines[1].startswith(f"simline: warning: {unstable}: WIP grew by ")
    assert len(lines) == 2
    warnings = json.loads(result.stdout)["warnings"]
    assert [(w["kind"], w["scenario"], w["station"]) for w in warnings] == [
        ("unstable", "unstable", "print"),
        ("wip_growth", "unstable", None),
    ]
    assert warnings[0]["load"] == pytest.approx(4 / 3)
    # growth about 40 - 30 = 10 parts/h
    lo, hi = warnings[1]["growth_per_hour"]["ci95"]
    assert 5 < lo <= hi < 15
    assert [w["message"] for w in warnings] == [line.split(f"{unstable}: ", 1)[1] for line in lines]


def test_run_of_a_stable_line_says_nothing(scenarios: tuple[Path, Path]) -> None:
    _, stable = scenarios
    result = invoke("run", str(stable), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)["warnings"] == []
    table = invoke("run", str(stable))
    assert table.stderr == ""


def test_compare_lists_each_scenarios_warnings(scenarios: tuple[Path, Path]) -> None:
    unstable, stable = scenarios
    result = invoke("compare", str(stable), str(unstable), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [line.split(": ")[1] for line in result.stderr.splitlines()] == [
        "warning",
        "warning",
    ]
    assert all(f": {unstable}: " in line for line in result.stderr.splitlines())
    obj = json.loads(result.stdout)
    assert [(w["kind"], w["scenario"]) for w in obj["warnings"]] == [
        ("unstable", "unstable"),
        ("wip_growth", "unstable"),
    ]

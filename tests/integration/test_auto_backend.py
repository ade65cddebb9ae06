"""``--backend auto`` picks the fast engine where the scenario allows it, and the SimPy engine
otherwise; ``compare`` runs every scenario on one engine so they share random numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simline.cli import cli
from simline.experiment import replicate

PLAIN = """\
simline: 1
name: {name}
run: {{length: 1d, replications: 2, seed: 3}}
stations:
  a: {{kind: machine, process_time: exp(1), buffer: 4}}
  b: {{kind: machine, process_time: exp({mean}), buffer: 4}}
"""


def _write(tmp_path: Path, name: str, mean: float = 0.9) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(PLAIN.format(name=name, mean=mean))
    return path


def _json(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, [*args, "--format", "json", "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    obj: dict[str, object] = json.loads(result.stdout)
    return obj


def test_run_auto_picks_fast_where_supported(tmp_path: Path) -> None:
    assert _json("run", str(_write(tmp_path, "a")))["backend"] == "fast"


def test_run_auto_falls_back_to_des_for_a_trace(tmp_path: Path) -> None:
    trace = tmp_path / "t.csv"
    obj = _json("run", str(_write(tmp_path, "a")), "--trace", str(trace))
    assert obj["backend"] == "des"
    assert trace.read_text().startswith("replication,time,part,product,station,event")


def test_compare_runs_every_scenario_on_one_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _write(tmp_path, "a"), _write(tmp_path, "b", mean=0.8)
    both_fast = _json("compare", str(a), str(b))
    assert [s["backend"] for s in both_fast["scenarios"]] == ["fast", "fast"]  # type: ignore[index, union-attr]

    # when the fast engine cannot run one of them, every scenario runs on des
    supports = replicate.SUPPORTS["fast"]
    monkeypatch.setitem(
        replicate.SUPPORTS,
        "fast",
        lambda plan, trace: "not this one" if plan.name == "b" else supports(plan, trace),
    )
    mixed = _json("compare", str(a), str(b))
    assert [s["backend"] for s in mixed["scenarios"]] == ["des", "des"]  # type: ignore[index, union-attr]


def test_compiled_backend_runs_its_first_replication_before_the_workers() -> None:
    from simline.config import parse_scenario
    from simline.plan import compile_plan

    plan = compile_plan(
        parse_scenario(
            {"simline": 1, "name": "p", "run": {"length": 600, "replications": 5, "seed": 9},
             "stations": {"a": {"kind": "machine", "process_time": "exp(1)"}}}
        )
    )  # fmt: skip
    seen: list[int] = []
    parallel = replicate.run_replications(
        plan, backend="fast", jobs=2, progress=lambda done, total: seen.append(done)
    )
    serial = replicate.run_replications(plan, backend="fast", jobs=1)
    assert parallel == serial
    assert [r.replication for r in parallel] == [0, 1, 2, 3, 4]
    assert seen == [0, 1, 2, 3, 4, 5]  # the parent's first replication counts once

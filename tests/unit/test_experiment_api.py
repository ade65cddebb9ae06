"""``simline.experiment(path)``: the experiment as a library call, the same as the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import simline
from simline.api import ExperimentResult

ROOT = Path(__file__).resolve().parents[2]

LINE = {
    "simline": 1,
    "name": "pair",
    "time_unit": "min",
    "run": {"warmup": "1h", "length": "1d", "replications": 3, "seed": 9},
    "release": "saturated",
    "stations": {
        "cut": {"kind": "machine", "process_time": "exp(1min)", "buffer": 2},
        "weld": {"kind": "machine", "process_time": "exp(1.1min)", "buffer": 2},
    },
}

EXPERIMENT = {
    "simline": 1,
    "experiment": "api-check",
    "scenarios": ["pair.yaml"],
    "factors": {"stations.weld.buffer": [1, 3, 6]},
    "objective": {"figure": "throughput_per_hour", "goal": "max"},
}


@pytest.fixture
def experiment_file(tmp_path: Path) -> Path:
    (tmp_path / "pair.yaml").write_text(yaml.safe_dump(LINE), encoding="utf-8")
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(EXPERIMENT), encoding="utf-8")
    return path


def test_the_call_gives_the_commands_json_and_a_frame_of_runs(experiment_file: Path) -> None:
    tmp = experiment_file.parent
    result = simline.experiment(experiment_file, backend="des", store=tmp / "api", jobs=1)
    assert isinstance(result, ExperimentResult)
    done = subprocess.run(
        [sys.executable, "-m", "simline", "experiment", str(experiment_file), "--backend", "des",
         "-q", "--format", "json", "--store", str(tmp / "cli"), "-j", "1"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    cli = json.loads(done.stdout)
    api = result.to_dict()
    assert api.pop("store") == str(tmp / "api") and cli.pop("store") == str(tmp / "cli")
    assert json.loads(json.dumps(api)) == cli
    frame = result.to_frame()
    assert list(frame["stations.weld.buffer"]) == [1, 3, 6]
    assert list(frame["id"]) == [run["id"] for run in cli["runs"]]
    assert frame["throughput_per_hour"].tolist() == [
        run["figures"]["throughput_per_hour"]["mean"] for run in cli["runs"]
    ]


def test_the_plan_is_the_runs_without_running(experiment_file: Path) -> None:
    specs = simline.api.experiment_plan(experiment_file, replications=4)
    assert [s.factors["stations.weld.buffer"] for s in specs] == [1, 3, 6]
    assert {s.config.run.replications for s in specs} == {4}
    assert not (experiment_file.parent / "runs").exists()


def test_bad_input_raises_before_anything_runs(experiment_file: Path) -> None:
    with pytest.raises(simline.ConfigError, match="--length"):
        simline.experiment(experiment_file, length="-3d", store=experiment_file.parent / "s")
    assert not (experiment_file.parent / "s").exists()


def test_without_pyarrow_it_names_the_extra_before_anything_runs(
    experiment_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    store = experiment_file.parent / "s"
    with pytest.raises(simline.ConfigError) as info:
        simline.experiment(experiment_file, backend="des", store=store, jobs=1)
    assert info.value.message == (
        'the run store writes Parquet, which needs pyarrow: pip install "simline[parquet]"'
    )
    assert not store.exists()

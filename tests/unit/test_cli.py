"""simline.cli: options, output formats, exit codes, atomic output, no tracebacks.

Most tests replace the config loader, the plan compiler and the engine with small fakes, so
they check the command line alone; the tests at the end run the real pieces end to end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result

import simline
import simline.config
import simline.plan
from simline import cli as cli_module
from simline.cli import cli
from simline.engine.results import RunResult
from simline.errors import ConfigError
from simline.experiment import replicate
from simline.plan import Plan
from tests.fakes import fake_result, one_station_plan

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"

GOOD = "name: tiny\nstations: {saw: {process_time: 1}}\n"
BROKEN = "name: tiny\nstations:\n  saw:\n    buffer: ten   # broken\n"


# --- fakes of the config, plan and engine pieces -------------------------------------------


def fake_load_scenario(path: str | os.PathLike[str]) -> SimpleNamespace:
    text = Path(path).read_text()
    if "broken" in text:
        raise ConfigError(
            "expected a whole number >= 0 (got 'ten')",
            file=str(path),
            path="stations.saw.buffer",
            line=4,
        )
    if "crash" in text:
        raise TypeError("an unexpected bug")
    name = re.search(r"name: (\S+)", text)
    return SimpleNamespace(
        name=name.group(1) if name else "tiny",
        time_unit="min",
        run=SimpleNamespace(replications=3, seed=11),
        overrides={},
    )


def fake_apply_overrides(config: SimpleNamespace, **overrides: Any) -> SimpleNamespace:
    replications = overrides.get("replications")
    seed = overrides.get("seed")
    return SimpleNamespace(
        name=config.name,
        time_unit=config.time_unit,
        run=SimpleNamespace(
            replications=config.run.replications if replications is None else replications,
            seed=config.run.seed if seed is None else seed,
        ),
        overrides=overrides,
    )


def fake_compile_plan(config: SimpleNamespace) -> Plan:
    return one_station_plan(
        name=config.name,
        time_unit=config.time_unit,
        warmup=60.0,
        length=480.0,
        replications=config.run.replications,
        seed=config.run.seed,
    )


def fake_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    """Numbers drawn from (seed, replication) only, like a real backend's streams."""
    rows = [(60.0 + k, k, "part", "saw", "finish") for k in range(2)] if trace else None
    return fake_result(
        plan, replication, good=(200, 260), busy=(200.0, 300.0), wip=(300.0, 600.0), trace=rows
    )


def failing_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    if replication == 1:
        raise RuntimeError("the engine broke")
    return fake_simulate(plan, replication, trace=trace)


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"simulate": 0}

    def counting_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
        calls["simulate"] += 1
        return fake_simulate(plan, replication, trace=trace)

    monkeypatch.setattr(simline.config, "load_scenario", fake_load_scenario, raising=False)
    monkeypatch.setattr(simline.config, "apply_overrides", fake_apply_overrides, raising=False)
    monkeypatch.setattr(
        simline.config,
        "scenario_json_schema",
        lambda: {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"},
        raising=False,
    )
    monkeypatch.setattr(simline.plan, "compile_plan", fake_compile_plan)
    monkeypatch.setitem(replicate.BACKENDS, "des", lambda: counting_simulate)
    # auto would pick the real fast engine for the fake plan; these tests fake the engine
    monkeypatch.setattr(replicate, "AUTO_ORDER", ("des",))
    return calls


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "broken.yaml").write_text(BROKEN)
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


# --- the group ---------------------------------------------------------------------------


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"simline {simline.__version__}\n"


def test_help_lists_the_commands_that_exist() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("run", "validate", "schema"):
        assert command in result.stdout
    assert invoke("compare", "a.yaml").exit_code == 2  # not there yet: a usage error


def test_run_help_lists_every_option() -> None:
    text = invoke("run", "--help").stdout
    for option in (
        "-r, --replications",
        "--seed",
        "--length",
        "--warmup",
        "--backend [auto|des|fast]",
        "--format [table|json|csv]",
        "-o, --output",
        "--trace",
        "-j, --jobs",
        "-q, --quiet",
    ):
        assert option in text


def test_version_through_a_real_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "simline", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"simline {simline.__version__}"


def test_missing_file_through_a_real_process(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "simline", "run", "missing.yaml", "-o", "out.json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr == "simline: error: missing.yaml: no such file\n"
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out.json").exists()


# --- run, with fakes -------------------------------------------------------------------------


def test_run_json(fakes: dict[str, int], files: Path) -> None:
    result = invoke("run", "good.yaml", "--format", "json", "-q", "-j", "1")
    assert result.exit_code == 0, result.stderr
    obj = json.loads(result.stdout)
    assert obj["scenario"] == "tiny"
    assert obj["backend"] == "des"
    assert obj["replications"] == 3
    assert obj["seed"] == 11
    assert obj["time_unit"] == "min"
    assert set(obj["stations"]["saw"]) >= {"busy", "utilization", "parts_out"}
    assert fakes["simulate"] == 3
    assert result.stderr == ""


def test_run_overrides(fakes: dict[str, int], files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def spy(config: SimpleNamespace, **overrides: Any) -> SimpleNamespace:
        seen.update(overrides)
        return fake_apply_overrides(config, **overrides)

    monkeypatch.setattr(simline.config, "apply_overrides", spy)
    args = ("run", "good.yaml", "-r", "2", "--seed", "5", "--length", "2d", "--warmup", "90")
    result = invoke(*args, "--format", "json", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert seen == {"replications": 2, "seed": 5, "length": "2d", "warmup": 90.0}
    obj = json.loads(result.stdout)
    assert obj["replications"] == 2
    assert obj["seed"] == 5


def test_run_csv(fakes: dict[str, int], files: Path) -> None:
    result = invoke("run", "good.yaml", "--format", "csv", "-j", "1")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "scenario,figure,mean,ci95_lo,ci95_hi,unit"
    assert lines[1].startswith("tiny,throughput_per_hour,")
    assert lines[1].endswith(",parts/h")
    assert any(line.startswith("tiny,stations.saw.busy,") for line in lines)


def test_run_table(fakes: dict[str, int], files: Path) -> None:
    result = invoke("run", "good.yaml", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert "Throughput" in result.stdout
    assert "saw *" in result.stdout
    assert "3 replications" in result.stdout
    assert "\x1b[" not in result.stdout  # no colours into a pipe


def test_jobs_do_not_change_the_numbers(
    fakes: dict[str, int], files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = invoke("run", "good.yaml", "--format", "json", "-j", "1")
    # the counting wrapper is not picklable: give the workers the module-level fake
    monkeypatch.setitem(replicate.BACKENDS, "des", lambda: fake_simulate)
    parallel = invoke("run", "good.yaml", "--format", "json", "-j", "2")
    assert parallel.exit_code == 0, parallel.stderr
    assert parallel.stdout == serial.stdout


def test_output_file_is_written_atomically(fakes: dict[str, int], files: Path) -> None:
    (files / "out.json").write_text("old")
    result = invoke("run", "good.yaml", "--format", "json", "-o", "out.json", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert json.loads((files / "out.json").read_text())["scenario"] == "tiny"
    assert sorted(os.listdir(files)) == ["broken.yaml", "good.yaml", "out.json"]


def test_table_to_a_file(fakes: dict[str, int], files: Path) -> None:
    result = invoke("run", "good.yaml", "-o", "out.txt", "-j", "1")
    assert result.exit_code == 0, result.stderr
    text = (files / "out.txt").read_text()
    assert "Throughput" in text and "\x1b[" not in text


def test_bad_file_exit_2_and_nothing_written(fakes: dict[str, int], files: Path) -> None:
    (files / "out.json").write_text("old")
    result = invoke("run", "broken.yaml", "--format", "json", "-o", "out.json")
    assert result.exit_code == 2
    assert result.stderr == (
        "simline: error: broken.yaml:4: stations.saw.buffer: "
        "expected a whole number >= 0 (got 'ten')\n"
    )
    assert_no_traceback(result)
    assert (files / "out.json").read_text() == "old"
    assert fakes["simulate"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("missing.yaml",), "missing.yaml: no such file"),
        (("good.yaml", "-o", "nowhere/out.json"), "--output: directory 'nowhere' does not exist"),
        (("good.yaml", "--trace", "nowhere/t.csv"), "--trace: directory 'nowhere' does not exist"),
        (
            ("good.yaml", "--backend", "fast", "--trace", "t.csv"),
            "--backend: the fast (Numba) backend does not support event traces",
        ),
    ],
)
def test_bad_input_exit_2(
    fakes: dict[str, int], files: Path, args: tuple[str, ...], message: str
) -> None:
    result = invoke("run", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"simline: error: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert_no_traceback(result)
    assert fakes["simulate"] == 0


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "xml"),
        ("--backend", "gpu"),
        ("-j", "0"),
        ("-r", "0"),
        ("--seed", "-1"),
        ("--no-such-option",),
        ("-o", "."),
    ],
)
def test_usage_errors_exit_2(fakes: dict[str, int], files: Path, args: tuple[str, ...]) -> None:
    result = invoke("run", "good.yaml", *args)
    assert result.exit_code == 2
    # one line naming the option (issue #8, item 26), no usage block
    assert result.stderr.startswith("simline: error: -")
    assert len(result.stderr.splitlines()) == 1
    assert "Usage:" not in result.stderr
    assert_no_traceback(result)
    assert fakes["simulate"] == 0


def test_simulation_failure_exit_1(
    fakes: dict[str, int], files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(replicate.BACKENDS, "des", lambda: failing_simulate)
    result = invoke("run", "good.yaml", "-o", "out.json", "-j", "1")
    assert result.exit_code == 1
    assert result.stderr == (
        "simline: error: scenario 'tiny', replication 1: RuntimeError: the engine broke\n"
    )
    assert not (files / "out.json").exists()


def test_internal_error_has_no_traceback(fakes: dict[str, int], files: Path) -> None:
    (files / "crash.yaml").write_text("crash\n")
    result = invoke("run", "crash.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("simline: error: internal error")
    assert "TypeError: an unexpected bug" in result.stderr
    assert_no_traceback(result)


def test_unwritable_output_exit_1(
    fakes: dict[str, int], files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: Any, dst: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = invoke("run", "good.yaml", "-o", "out.json", "-j", "1")
    assert result.exit_code == 1
    assert result.stderr == "simline: error: cannot write 'out.json': Permission denied\n"
    assert sorted(os.listdir(files)) == ["broken.yaml", "good.yaml"]


def test_trace_csv(fakes: dict[str, int], files: Path) -> None:
    result = invoke("run", "good.yaml", "--trace", "trace.csv", "--format", "json", "-j", "1")
    assert result.exit_code == 0, result.stderr
    lines = (files / "trace.csv").read_text().splitlines()
    assert lines[0] == "replication,time,part,product,station,event"
    assert len(lines) == 1 + 3 * 2
    assert lines[-1].startswith("2,")


def test_trace_parquet(fakes: dict[str, int], files: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    result = invoke("run", "good.yaml", "--trace", "trace.parquet", "-q", "-j", "1")
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(files / "trace.parquet")
    assert table.column("replication").to_pylist() == [0, 0, 1, 1, 2, 2]


def test_progress_bar(fakes: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    config = SimpleNamespace(
        name="tiny", time_unit="min", run=SimpleNamespace(replications=3, seed=11)
    )
    plan = fake_compile_plan(config)
    results = cli_module._simulate(
        plan,
        lambda progress: replicate.run_replications(plan, jobs=1, progress=progress),
        True,
    )
    assert [r.replication for r in results] == [0, 1, 2]
    assert capsys.readouterr().out == ""


# --- validate and schema, with fakes -----------------------------------------------------------


def test_validate(fakes: dict[str, int], files: Path) -> None:
    result = invoke("validate", "good.yaml")
    assert result.exit_code == 0
    assert result.stdout == "good.yaml: ok\n"


def test_validate_reports_every_file(fakes: dict[str, int], files: Path) -> None:
    result = invoke("validate", "good.yaml", "broken.yaml", "missing.yaml", "good.yaml")
    assert result.exit_code == 2
    assert result.stdout == "good.yaml: ok\ngood.yaml: ok\n"
    errors = result.stderr.splitlines()
    assert errors == [
        "simline: error: broken.yaml:4: stations.saw.buffer: "
        "expected a whole number >= 0 (got 'ten')",
        "simline: error: missing.yaml: no such file",
    ]
    assert_no_traceback(result)


def test_validate_needs_a_file() -> None:
    assert invoke("validate").exit_code == 2


THREE_PROBLEMS = """\
simline: 1
name: three
run: {length: 8h}
stations:
  saw: {kind: machine, process_time: 1, buffer: -1}
  weld:
    kind: machine
    process_time: 1
    energy: 5
    servers: 0
"""


@pytest.mark.parametrize("command", ["run", "validate"])
def test_every_problem_of_a_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("three.yaml").write_text(THREE_PROBLEMS, encoding="utf-8")
    result = invoke(command, "three.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "simline: error: three.yaml:5: stations.saw.buffer: "
        'expected a whole number >= 0 or "inf" (got -1)',
        "simline: error: three.yaml:9: stations.weld.energy: "
        "expected a mapping such as {busy_kw: 5, idle_kw: 1} (got 5)",
        "simline: error: three.yaml:10: stations.weld.servers: 'servers' must be >= 1 (got 0)",
    ]
    assert result.stdout == ""


def test_compare_usage_reads_as_two_scenarios_or_more(files: Path) -> None:
    usage = invoke("compare", "--help").stdout.splitlines()[0]
    assert usage == "Usage: simline compare [OPTIONS] CONFIG CONFIG [CONFIG]..."
    for args in ((), ("good.yaml",)):
        result = invoke("compare", *args)
        assert result.exit_code == 2
        assert result.stderr.startswith(
            "simline: error: CONFIG: expected two scenario files or more"
        )
        assert len(result.stderr.splitlines()) == 1


def test_schema(fakes: dict[str, int]) -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["type"] == "object"
    assert result.stdout.startswith('{\n  "$schema"')


# --- the real pieces, end to end (need simline.config and simline.engine.des) -------------------


def test_real_run_json(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = invoke(
        "run",
        str(CONFIGS / "robot-machining.yaml"),
        "-r",
        "2",
        "--length",
        "1d",
        "--warmup",
        "2h",
        "--format",
        "json",
        "-q",
        "-j",
        "1",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    obj = json.loads(out.read_text())
    assert obj["scenario"] == "robot-machining"
    assert obj["replications"] == 2
    from simline.config import load_scenario
    from simline.plan import compile_plan

    plan = compile_plan(load_scenario(CONFIGS / "robot-machining.yaml"))
    assert obj["backend"] == replicate.resolve_backend("auto", plan)[0]  # as auto chooses
    assert list(obj["stations"]) == ["saw", "mill", "deburr", "inspect"]
    assert obj["throughput_per_hour"]["mean"] > 0


def test_real_validate_every_shipped_config() -> None:
    paths = sorted(str(p) for p in CONFIGS.glob("*.yaml"))
    assert paths
    result = invoke("validate", *paths)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": ok\n") == len(paths)


def test_real_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "simline: 1\nname: bad\nrun: {length: 1d}\nstations:\n  saw:\n    kind: machine\n"
        "    process_time: 1\n    buffer: -1\n"
    )
    out = tmp_path / "out.json"
    result = invoke("run", str(bad), "--format", "json", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"simline: error: {bad}")
    assert "stations.saw.buffer" in result.stderr
    assert_no_traceback(result)
    assert not out.exists()


def test_real_schema() -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    assert "stations" in json.loads(result.stdout)["properties"]


# --- reviewer's cases: echo what was typed, unwritable targets -----------------------------


def _real_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(
        "simline: 1\nname: s\nrun: {length: 1h, replications: 2}\n"
        "stations: {m: {kind: machine, process_time: 1}}\n"
    )
    return path


@pytest.mark.parametrize(
    ("option", "typed", "expected"),
    [
        ("--length", "-3", "--length: expected a duration > 0 (got '-3')"),
        ("--warmup", "-1h", "--warmup: expected a duration >= 0 (got '-1h')"),
    ],
)
def test_bad_duration_option_echoes_what_was_typed(
    tmp_path: Path, option: str, typed: str, expected: str
) -> None:
    result = CliRunner().invoke(cli, ["run", str(_real_scenario(tmp_path)), f"{option}={typed}"])
    assert result.exit_code == 2
    assert result.stderr == f"simline: error: {expected}\n"


@pytest.mark.parametrize("target", ["/proc/version", "/proc/no-such-file.json"])
def test_unwritable_target_is_bad_input_before_simulating(tmp_path: Path, target: str) -> None:
    if not Path("/proc/version").exists():
        pytest.skip("needs /proc")
    result = CliRunner().invoke(
        cli, ["run", str(_real_scenario(tmp_path)), "-o", target, "--backend", "des", "-j", "1"]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"simline: error: --output: cannot write '{target}'")
    assert_no_traceback(result)


def test_output_that_is_a_directory_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = _real_scenario(tmp_path)
    result = CliRunner().invoke(
        cli, ["run", str(path), "--trace", str(tmp_path / "sub"), "--backend", "des"]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.stderr or "is a directory" in result.stderr


def test_first_run_notice_names_the_kernel_that_compiles(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The notice appears while a kernel the scenarios need is not cached, with its wait."""
    import dataclasses

    from simline.kernels import line, tandem

    serial = one_station_plan(
        name="s", time_unit="min", warmup=0.0, length=10.0, replications=1, seed=0
    )
    station = dataclasses.replace(serial.stations[0], servers=2)
    parallel = dataclasses.replace(serial, stations=(station,))

    def notice(plans: list[Plan], tandem_cached: bool, events_cached: bool) -> str:
        monkeypatch.setattr(tandem, "compiled", lambda: tandem_cached)
        monkeypatch.setattr(line, "compiled", lambda: events_cached)
        cli_module._announce_compile("fast", plans)
        return capsys.readouterr().err

    assert "about 12 s of CPU" in notice([serial], False, False)
    assert "about 55 s of CPU" in notice([serial, parallel], False, False)
    assert "about 50 s of CPU" in notice([serial, parallel], True, False)
    assert notice([serial, parallel], False, False).count("\n") == 1
    assert notice([serial], True, False) == ""
    assert notice([serial, parallel], True, True) == ""
    cli_module._announce_compile("des", [parallel])
    assert capsys.readouterr().err == ""


def _one_station(tmp_path: Path, name: str) -> Path:
    """A one-station line the fast engine runs in well under a second (the recursion)."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"simline: 1\nname: {name}\nrun: {{length: 2h, replications: 2, seed: 3}}\n"
        "stations: {m: {kind: machine, process_time: exp(1min)}}\n"
    )
    return path


def _commands(tmp_path: Path) -> dict[str, list[str]]:
    a, b = _one_station(tmp_path, "a"), _one_station(tmp_path, "b")
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(
        "simline: 1\nexperiment: e\nscenarios: [a.yaml]\nfactors: {run.seed: [1, 2]}\n"
    )
    fast = ["--backend", "fast", "-j", "1"]
    base, store = str(tmp_path / "base.json"), str(tmp_path / "store")
    return {
        "run": ["run", str(a), "--format", "json", *fast],
        "compare": ["compare", str(a), str(b), "--format", "json", *fast],
        "check": ["check", str(a), str(b), "--fail-if", "throughput_per_hour < -50%", *fast],
        "check --save-baseline": ["check", str(a), "--save-baseline", base, *fast],
        "experiment": ["experiment", str(experiment), "--store", store, "--format", "json", *fast],
    }


@pytest.mark.parametrize(
    "command", ["run", "compare", "check", "check --save-baseline", "experiment"]
)
def test_first_run_notice_is_said_without_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """On a cold cache the notice goes to stderr even when it is no terminal (a CI log).

    It used to be shown only beside the progress bar, on a terminal: a CI log showed
    nothing while the first run compiled. ``-q`` silences it. (The cache is made to look
    cold; the runs themselves are real.)
    """
    from simline.engine.warmup import compile_notice
    from simline.kernels import line, tandem

    monkeypatch.setattr(tandem, "compiled", lambda: False)
    monkeypatch.setattr(line, "compiled", lambda: False)
    monkeypatch.chdir(tmp_path)
    args = _commands(tmp_path)[command]
    said = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert said.exit_code == 0, said.stderr
    lines = said.stderr.splitlines()
    assert lines[0] == compile_notice({"tandem"})
    assert lines[1:] == ([] if command != "experiment" else [lines[1]])  # its own summary
    assert "12 s" in said.stderr and "simline warmup-cache" in said.stderr
    for path in (tmp_path / "store", tmp_path / "base.json"):
        if path.is_dir():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
    quiet = CliRunner().invoke(cli, [*args, "-q"], catch_exceptions=False)
    assert quiet.exit_code == 0, quiet.stderr
    assert quiet.stderr == ""
    assert quiet.stdout == said.stdout or command == "experiment"  # its store path differs


def test_no_notice_before_an_experiment_store_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bad input stays one line: the store is refused before the notice would come."""
    from simline.kernels import tandem

    args = _commands(tmp_path)["experiment"]
    assert invoke(*args, "-q").exit_code == 0
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(experiment.read_text().replace("experiment: e", "experiment: f"))
    monkeypatch.setattr(tandem, "compiled", lambda: False)
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("simline: error: ") and "--fresh" in refused.stderr


def test_no_notice_when_the_kernel_is_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simline.kernels import tandem

    monkeypatch.setattr(tandem, "compiled", lambda: True)
    result = invoke(*_commands(tmp_path)["run"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_a_kernel_that_ran_is_in_the_cache() -> None:
    from simline.engine import fast
    from simline.kernels import tandem

    plan = one_station_plan(
        name="s", time_unit="min", warmup=0.0, length=10.0, replications=1, seed=0
    )
    fast.simulate(plan, 0)  # compiles, or loads from the cache
    assert tandem.compiled()
    assert fast.uncompiled_kernels([plan]) == set()

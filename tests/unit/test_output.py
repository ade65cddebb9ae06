"""simline.report.output and simline.report.table: JSON shape, CSV rows, tables, atomic files."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from rich.console import Console

from simline.engine.results import ProductResult, RunResult, StationResult
from simline.errors import ConfigError
from simline.plan import Dist, Plan, ProductPlan, ReleasePlan, StationPlan
from simline.report.output import (
    CSV_COLUMNS,
    atomic_write,
    dumps_json,
    figure_unit,
    rows_to_csv,
    run_to_csv_rows,
    run_to_json,
    write_trace,
)
from simline.report.table import format_duration, format_estimate, render_table
from simline.stats import Estimate, RunSummary, summarize
from tests.spec import RUN_KEYS, STATION_KEYS


def _station(name: str, servers: int = 1) -> StationPlan:
    return StationPlan(
        name=name,
        kind="machine",
        servers=servers,
        buffer=10,
        process=(Dist.constant(1.0), Dist.constant(1.0)),
        failure=None,
        setup=None,
        scrap=0.0,
        operators=0,
        batch=None,
    )


def _plan(replications: int = 3) -> Plan:
    return Plan(
        name="bracket-line",
        time_unit="min",
        hours_per_unit=1 / 60,
        warmup=1440.0,
        length=20160.0,
        replications=replications,
        seed=20261121,
        stations=(_station("saw"), _station("weld", servers=2)),
        products=(ProductPlan("bracket", (0, 1), 0.7), ProductPlan("housing", (0, 1), 0.3)),
        release=ReleasePlan("saturated"),
        workforce=None,
    )


def _result(i: int, housing_good: int = 100, trace: bool = False) -> RunResult:
    t = 20160.0
    saw = StationResult(1, (0.80 * t, 0.05 * t, 0.05 * t, 0.05 * t, 0.05 * t, 0.0), 900 + i, 5)
    weld_busy = (0.6 + 0.01 * i) * 2 * t
    weld = StationResult(2, (weld_busy, 0.0, 0.0, 2 * t - weld_busy, 0.0, 0.0), 895 + i, 0)
    rows = [(1440.0 + k, k, "bracket", "saw", "start") for k in range(2)] if trace else None
    return RunResult(
        scenario="bracket-line",
        backend="des",
        replication=i,
        seed=20261121,
        measured_time=t,
        hours_per_unit=1 / 60,
        stations={"saw": saw, "weld": weld},
        products={
            "bracket": ProductResult(800, 790 + i, 3, 790 + i, 37.5 + i, 10.0),
            "housing": ProductResult(
                housing_good, housing_good, 2, housing_good, 41.0 if housing_good else 0.0, 0.0
            ),
        },
        wip_integral=25.7 * t,
        operator_paid_time=0.0,
        released_total=1000,
        good_total=990,
        scrap_total=5,
        wip_end=5,
        events=5000,
        trace=rows,
    )


@pytest.fixture
def summary() -> RunSummary:
    return summarize(_plan(), [_result(i) for i in range(3)])


def test_json_has_every_key_of_the_spec(summary: RunSummary) -> None:
    obj = run_to_json(_plan(), summary, backend="des", version="0.1.0")
    assert list(obj) == RUN_KEYS
    assert obj["scenario"] == "bracket-line"
    assert obj["simline_version"] == "0.1.0"
    assert obj["backend"] == "des"
    assert obj["time_unit"] == "min"
    assert obj["replications"] == 3
    assert obj["seed"] == 20261121
    for key in RUN_KEYS[6:11]:
        assert set(obj[key]) == {"mean", "ci95"}
        assert len(obj[key]["ci95"]) == 2
        assert obj[key]["ci95"][0] <= obj[key]["mean"] <= obj[key]["ci95"][1]
    assert list(obj["products"]) == ["bracket", "housing"]
    assert list(obj["products"]["bracket"]) == [
        "throughput_per_hour",
        "lead_time",
        "good_parts",
        "scrap_parts",
    ]
    assert list(obj["stations"]) == ["saw", "weld"]
    for station in obj["stations"].values():
        assert list(station) == STATION_KEYS
    assert obj["stations"]["saw"]["utilization"]["mean"] == pytest.approx(0.85)
    assert "cost" not in obj
    # a JSON round trip changes nothing: only plain JSON types
    assert json.loads(dumps_json(obj)) == obj


def test_json_cost_hook(summary: RunSummary) -> None:
    cost = {"cost_per_part": {"mean": 4.2, "ci95": [4.1, 4.3]}}
    obj = run_to_json(_plan(), summary, backend="des", version="0.1.0", cost=cost)
    assert list(obj)[-1] == "cost"
    assert obj["cost"] == cost


def test_undefined_figures_are_null() -> None:
    summary = summarize(_plan(), [_result(i, housing_good=0) for i in range(3)])
    obj = run_to_json(_plan(), summary, backend="des", version="0.1.0")
    text = dumps_json(obj)
    assert "NaN" not in text
    assert json.loads(text)["products"]["housing"]["lead_time"] == {
        "mean": None,
        "ci95": [None, None],
    }


def test_dumps_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        dumps_json({"x": float("nan")})


def test_csv_rows(summary: RunSummary) -> None:
    rows = run_to_csv_rows(_plan(), summary)
    assert len(rows) == 5 + 2 * 4 + 2 * 9 + 2 * 2 + 1  # ..., the bottleneck's 2 per station, OEE
    by_figure = {row["figure"]: row for row in rows}
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert by_figure["throughput_per_hour"]["unit"] == "parts/h"
    assert by_figure["lead_time"]["unit"] == "min"
    assert by_figure["wip"]["unit"] == "parts"
    assert by_figure["products.housing.lead_time"]["unit"] == "min"
    assert by_figure["stations.saw.busy"]["unit"] == "fraction"
    assert by_figure["stations.weld.parts_out"]["unit"] == "parts"
    assert by_figure["stations.weld.oee"]["unit"] == "fraction"
    assert by_figure["oee"]["unit"] == "fraction"
    assert by_figure["bottleneck.utilization.saw"]["unit"] == "fraction"
    assert by_figure["bottleneck.active_period.saw"]["unit"] == "min"
    assert by_figure["stations.saw.busy"]["mean"] == pytest.approx(0.8)
    assert all(row["scenario"] == "bracket-line" for row in rows)

    text = rows_to_csv(rows)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == len(rows)
    assert parsed[0]["figure"] == "throughput_per_hour"


def test_csv_undefined_is_an_empty_cell() -> None:
    summary = summarize(_plan(), [_result(i, housing_good=0) for i in range(3)])
    text = rows_to_csv(run_to_csv_rows(_plan(), summary))
    row = next(
        r for r in csv.DictReader(io.StringIO(text)) if r["figure"].endswith("housing.lead_time")
    )
    assert row["mean"] == row["ci95_lo"] == row["ci95_hi"] == ""


def test_figure_units() -> None:
    assert figure_unit(("products", "a", "throughput_per_hour"), "h") == "parts/h"
    assert figure_unit(("lead_time",), "s") == "s"
    assert figure_unit(("stations", "x", "utilization"), "s") == "fraction"


def test_format_estimate_follows_the_interval() -> None:
    assert format_estimate(Estimate(41.234, 40.834, 41.634, 10)) == (
        "41.23",
        "± 0.40",
        "[40.83, 41.63]",
    )
    assert format_estimate(Estimate(29664.0, 29514.0, 29814.0, 10)) == (
        "29,664",
        "± 150",
        "[29,514, 29,814]",
    )
    assert format_estimate(Estimate(41.234, 41.234, 41.234, 1)) == ("41.2", "", "")
    assert format_estimate(Estimate(0.5, 0.49, 0.51, 5), scale=100, suffix="%")[0] == "50.0%"
    assert format_estimate(Estimate(float("nan"), float("nan"), float("nan"), 0))[0] == "–"


def test_format_duration() -> None:
    assert format_duration(20160.0, 1 / 60) == "2 w"
    assert format_duration(43200.0, 1 / 60) == "30 d"
    assert format_duration(36.0, 1.0) == "36 h"
    assert format_duration(90.0, 1 / 3600) == "90 s"
    assert format_duration(1.25, 1 / 60) == "75 s"


def _text(renderable: object) -> str:
    buf = io.StringIO()
    Console(file=buf, width=140, color_system=None).print(renderable)
    return buf.getvalue()


def test_table_for_people(summary: RunSummary) -> None:
    text = _text(render_table(_plan(), summary, backend="des"))
    assert "bracket-line" in text
    for label in ("Throughput", "Lead time", "WIP", "Good parts", "Scrap parts"):
        assert label in text
    assert "parts/h" in text
    assert "Lead time" in text and "min" in text
    assert "±" in text
    assert "Off shift" in text and "OEE" in text and "Parts out" in text
    assert "80.0%" in text  # saw busy
    assert "saw *" in text  # the bottleneck: works 85/95 of its time against weld's 61/100
    assert "bottleneck" in text
    assert "3 replications" in text
    assert "seed 20261121" in text
    assert "backend des" in text
    assert "measured 2 w" in text
    assert "1 d warm-up" in text


def test_table_one_replication() -> None:
    summary = summarize(_plan(1), [_result(0)])
    text = _text(render_table(_plan(1), summary, backend="des"))
    assert "1 replication ·" in text
    assert "±" not in text


def test_atomic_write(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    atomic_write(target, "new\n")
    assert target.read_text() == "new\n"
    assert os.listdir(tmp_path) == ["out.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_atomic_write_failure_leaves_nothing(tmp_path: Path) -> None:
    from simline.report.output import atomic_path

    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half a fi")
        raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == []


def test_atomic_write_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        atomic_write(tmp_path / "nowhere" / "out.json", "x")


def test_trace_csv(tmp_path: Path) -> None:
    target = tmp_path / "trace.csv"
    n = write_trace(target, [_result(0, trace=True), _result(1, trace=True)])
    assert n == 4
    with target.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["replication", "time", "part", "product", "station", "event"]
    assert rows[1] == ["0", "1440.0", "0", "bracket", "saw", "start"]
    assert rows[-1][0] == "1"
    assert os.listdir(tmp_path) == ["trace.csv"]


def test_trace_parquet(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "trace.parquet"
    assert write_trace(target, [_result(0, trace=True), _result(1, trace=True)]) == 4
    table = pq.read_table(target)
    assert table.column_names == ["replication", "time", "part", "product", "station", "event"]
    assert table.column("replication").to_pylist() == [0, 0, 1, 1]
    assert table.column("station").to_pylist() == ["saw"] * 4
    assert os.listdir(tmp_path) == ["trace.parquet"]


def test_partly_defined_lead_time_says_how_many_replications() -> None:
    results = [_result(0, housing_good=0), _result(1), _result(2)]
    summary = summarize(_plan(), results)
    obj = json.loads(dumps_json(run_to_json(_plan(), summary, backend="des", version="0.1.0")))
    assert obj["replications"] == 3
    housing = obj["products"]["housing"]["lead_time"]
    assert housing["n"] == 2
    assert set(obj["products"]["bracket"]["lead_time"]) == {"mean", "ci95"}
    assert set(obj["throughput_per_hour"]) == {"mean", "ci95"}
    text = _text(render_table(_plan(), summary, backend="des"))
    assert "(2 of 3 replications)" in text


def test_estimate_json_n_only_when_fewer_than_ran() -> None:
    e = Estimate(2.0, 1.0, 3.0, 2)
    assert e.to_json() == {"mean": 2.0, "ci95": [1.0, 3.0]}
    assert e.to_json(2) == {"mean": 2.0, "ci95": [1.0, 3.0]}
    assert e.to_json(5) == {"mean": 2.0, "ci95": [1.0, 3.0], "n": 2}

"""The Gantt chart of a trace: states reconstructed from hand-written events, and the command.

Each timeline is written out as a trace would have it (``docs/model.md`` "The event
trace") and the bars the chart draws are checked one by one; then ``simline plot-trace``
through the real command line draws a trace of a short run and refuses bad input in one line.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from simline.errors import ConfigError
from simline.report.gantt import read_trace, reconstruct
from tests.spec import run_cli

ROOT = Path(__file__).resolve().parents[2]


def _bars(events: list[tuple[float, int, str, str, str]], **kw: float) -> dict[str, list[tuple]]:
    gantt = reconstruct(events, **kw)
    return {row.name: [(b.lane, b.start, b.end, b.state) for b in row.bars] for row in gantt.rows}


def test_setup_busy_blocked_and_flow() -> None:
    events = [
        (0.0, 0, "p", "a", "release"),
        (0.0, 0, "p", "a", "setup"),
        (1.0, 0, "p", "a", "start"),
        (3.0, 0, "p", "a", "finish"),
        (3.0, 0, "p", "a", "blocked"),
        (5.0, 0, "p", "b", "arrive"),
        (6.0, 0, "p", "b", "start"),
        (8.0, 0, "p", "b", "finish"),
        (8.0, 0, "p", "b", "leave"),
    ]
    gantt = reconstruct(events)
    assert [r.name for r in gantt.rows] == ["a", "b"]
    assert _bars(events) == {
        "a": [(0, 0.0, 1.0, "setup"), (0, 1.0, 3.0, "busy"), (0, 3.0, 5.0, "blocked")],
        "b": [(0, 6.0, 8.0, "busy")],
    }
    # the part left a at 5 (its move) and b took it at 6: the line's slope is the wait
    assert gantt.flows == (((5.0, "a"), (6.0, "b")),)


def test_failure_operators_and_pause() -> None:
    events = [
        (0.0, 0, "p", "a", "arrive"),
        (0.0, 0, "p", "a", "start"),
        (0.0, 0, "p", "a", "wait_operator"),
        (2.0, 0, "p", "a", "operator"),
        (3.0, 0, "p", "a", "fail"),
        (4.0, 0, "p", "a", "repair"),
        (5.0, 0, "p", "a", "pause"),
        (5.0, 0, "p", "a", "wait_operator"),
        (7.0, 0, "p", "a", "operator"),
        (7.0, 0, "p", "a", "resume"),
        (8.0, 0, "p", "a", "finish"),
        (8.0, 0, "p", "a", "leave"),
        (9.0, -1, "", "a", "fail"),
        (10.0, -1, "", "a", "repair"),
    ]
    assert _bars(events) == {
        "a": [
            (0, 0.0, 2.0, "waiting"),
            (0, 2.0, 3.0, "busy"),
            (0, 3.0, 4.0, "down"),
            (0, 4.0, 5.0, "busy"),
            (0, 5.0, 7.0, "waiting"),
            (0, 7.0, 8.0, "busy"),
            (0, 9.0, 10.0, "down"),
        ]
    }


def test_two_servers_two_lanes_and_a_window() -> None:
    events = [
        (0.0, 0, "p", "a", "start"),
        (1.0, 1, "p", "a", "start"),
        (4.0, 0, "p", "a", "finish"),
        (4.0, 0, "p", "a", "leave"),
        (5.0, 1, "p", "a", "finish"),
        (5.0, 1, "p", "a", "leave"),
        (5.0, 2, "p", "a", "start"),
        (6.0, 2, "p", "a", "finish"),
        (6.0, 2, "p", "a", "leave"),
    ]
    gantt = reconstruct(events)
    assert gantt.rows[0].lanes == 2
    assert _bars(events, start=2.0, end=5.5) == {
        "a": [(0, 2.0, 4.0, "busy"), (1, 2.0, 5.0, "busy"), (0, 5.0, 5.5, "busy")]
    }


def test_a_build_is_one_bar_blocked_until_its_last_part_moved() -> None:
    events = [(0.0, k, "p", "print", "start") for k in range(3)]
    events += [(4.0, k, "p", "print", "finish") for k in range(3)]
    events += [(4.0, 0, "p", "next", "arrive"), (4.0, 1, "p", "print", "blocked")]
    events += [(4.0, 2, "p", "print", "blocked"), (6.0, 1, "p", "next", "arrive")]
    events += [(7.0, 2, "p", "next", "arrive")]
    gantt = reconstruct(events)
    row = gantt.rows[0]
    assert row.lanes == 1
    assert [(b.start, b.end, b.state) for b in row.bars] == [
        (0.0, 4.0, "busy"),
        (4.0, 7.0, "blocked"),
    ]


def test_bad_traces_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "t.csv"
    bad.write_text("time,part\n1,2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a trace of `simline run --trace`"):
        read_trace(bad)
    bad.write_text("replication,time,part,product,station,event\n0,x,1,p,a,start\n")
    with pytest.raises(ConfigError, match=r"t.csv: line 2: expected whole numbers"):
        read_trace(bad)
    with pytest.raises(ConfigError, match="expected --to > --from"):
        reconstruct([(0.0, 0, "p", "a", "start")], start=3.0, end=1.0)


def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_plot_trace_of_a_short_run(tmp_path: Path, suffix: str) -> None:
    trace = tmp_path / f"events{suffix}"
    ran = _cli(
        "run",
        ROOT / "configs" / "two-product.yaml",
        "-r",
        "2",
        "--length",
        "8h",
        "--warmup",
        "0h",
        "--backend",
        "des",
        "-q",
        "--trace",
        trace,
        cwd=tmp_path,
    )
    assert ran.returncode == 0, ran.stderr
    out = tmp_path / "gantt.png"
    done = _cli(
        "plot-trace",
        trace,
        "-o",
        out,
        "--replication",
        "1",
        "--to",
        "300",
        "--time-unit",
        "min",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000
    svg = tmp_path / "gantt.svg"
    assert _cli("plot-trace", trace, "-o", svg, cwd=tmp_path).returncode == 0
    assert b"time (the scenario's time unit)" in svg.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("missing.csv", "-o", "g.png"), "missing.csv: no such file"),
        (("scenario.yaml", "-o", "g.png"), "scenario.yaml: expected a trace of"),
        (("t.csv", "-o", "g.gif"), "--output: expected a .png, .svg or .pdf file"),
        (("t.csv", "-o", "g.png", "--replication", "4"), "no replication 4 in the trace"),
        (("t.csv", "-o", "g.png", "--from", "-1"), "--from: expected a number >= 0"),
    ],
)
def test_plot_trace_bad_input(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    (tmp_path / "scenario.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "t.csv").write_text(
        "replication,time,part,product,station,event\n0,0,0,p,a,start\n0,1,0,p,a,finish\n",
        encoding="utf-8",
    )
    done = _cli("plot-trace", *args, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("simline: error: "), done.stderr
    assert message in lines[0]
    assert not (tmp_path / "g.png").exists()

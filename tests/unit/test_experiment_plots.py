"""Main-effects and interaction plots (simline.report.experiment_plots)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import pytest

from simline.errors import ConfigError
from simline.report import experiment_plots
from simline.report.experiment_plots import draw_effects, plot_effects, plot_format

matplotlib.use("Agg")
import matplotlib.pyplot as plt

FIGURE = "cost.tco"
FACTORS = ["stations.mill.buffer", "site"]

#: A 3 x 2 full factorial with made-up means; buffer 20 at de has no run (a gap).
ROWS = [
    {"stations.mill.buffer": 5, "site": "nl", FIGURE: 10.0},
    {"stations.mill.buffer": 5, "site": "de", FIGURE: 14.0},
    {"stations.mill.buffer": 10, "site": "nl", FIGURE: 8.0},
    {"stations.mill.buffer": 10, "site": "de", FIGURE: 13.0},
    {"stations.mill.buffer": 20, "site": "nl", FIGURE: 7.0},
    {"stations.mill.buffer": 20, "site": "nl", FIGURE: 9.0},  # a second base scenario
]


@pytest.fixture
def draw() -> Iterator[Callable[..., Any]]:
    """draw_effects, closing the figures it made at the end."""
    made: list[Any] = []

    def run(*args: Any) -> Any:
        made.append(draw_effects(*args))
        return made[-1]

    yield run
    for fig in made:
        plt.close(fig)


def _axes(fig: Any) -> dict[str, Any]:
    return {ax.get_title(): ax for ax in fig.axes if ax.get_title()}


def _ydata(line: Any) -> list[float]:
    return [float(v) for v in line.get_ydata()]


def _same(got: list[float], want: list[float]) -> bool:
    return len(got) == len(want) and all(
        (math.isnan(g) and math.isnan(w)) or g == pytest.approx(w)
        for g, w in zip(got, want, strict=True)
    )


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".PNG"])
def test_writes_each_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"effects{suffix}"
    plot_effects(path, pd.DataFrame(ROWS), FACTORS, FIGURE)
    data = path.read_bytes()
    magic = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix.lower()]
    assert data.startswith(magic)
    assert len(data) > 1000
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left


def test_plotted_means_are_the_hand_computed_ones(draw: Callable[..., Any]) -> None:
    fig = draw(pd.DataFrame(ROWS), FACTORS, FIGURE)
    axes = _axes(fig)
    assert set(axes) == {
        "main effect: stations.mill.buffer",
        "main effect: site",
        "interaction: stations.mill.buffer x site",
    }
    # Buffer: 5 -> (10 + 14) / 2 = 12; 10 -> (8 + 13) / 2 = 10.5; 20 -> (7 + 9) / 2 = 8.
    (line,) = axes["main effect: stations.mill.buffer"].get_lines()
    assert [float(x) for x in line.get_xdata()] == [5.0, 10.0, 20.0]  # a numeric axis
    assert _same(_ydata(line), [12.0, 10.5, 8.0])
    # Site, categories in order of appearance: nl -> (10 + 8 + 7 + 9) / 4 = 8.5; de -> 13.5.
    site = axes["main effect: site"]
    (line,) = site.get_lines()
    assert [float(x) for x in line.get_xdata()] == [0.0, 1.0]
    assert [t.get_text() for t in site.get_xticklabels()] == ["nl", "de"]
    assert _same(_ydata(line), [8.5, 13.5])
    # Interaction: one line per site over the buffer; de has no run at buffer 20 (a gap).
    inter = axes["interaction: stations.mill.buffer x site"]
    lines = {ln.get_label(): ln for ln in inter.get_lines()}
    assert set(lines) == {"nl", "de"}
    assert _same(_ydata(lines["nl"]), [10.0, 8.0, 8.0])
    assert _same(_ydata(lines["de"]), [14.0, 13.0, math.nan])
    assert inter.get_legend().get_title().get_text() == "site"
    assert inter.get_ylabel() == FIGURE


def test_three_factors_undefined_means_and_mapping_levels(draw: Callable[..., Any]) -> None:
    rows = [
        {"a": 1, "b": {"x": 1}, "c": True, FIGURE: 2.0},
        {"a": 2, "b": {"x": 1}, "c": False, FIGURE: 4.0},
        {"a": 1, "b": {"x": 2}, "c": False, FIGURE: math.nan},  # undefined: left out
        {"a": 2, "b": {"x": 2}, "c": True, FIGURE: 8.0},
    ]
    fig = draw(pd.DataFrame(rows), ["a", "b", "c"], FIGURE)
    axes = _axes(fig)
    assert len(axes) == 3 + 3
    assert _same(_ydata(axes["main effect: a"].get_lines()[0]), [2.0, 6.0])
    b = axes["main effect: b"]
    assert [t.get_text() for t in b.get_xticklabels()] == ['{"x": 1}', '{"x": 2}']
    assert _same(_ydata(b.get_lines()[0]), [3.0, 8.0])
    c = axes["main effect: c"]  # booleans are categories, not numbers
    assert [t.get_text() for t in c.get_xticklabels()] == ["True", "False"]
    assert _same(_ydata(c.get_lines()[0]), [5.0, 4.0])
    lines = {ln.get_label(): ln for ln in axes["interaction: a x b"].get_lines()}
    assert _same(_ydata(lines['{"x": 1}']), [2.0, 4.0])
    assert _same(_ydata(lines['{"x": 2}']), [math.nan, 8.0])
    assert "interaction: b x c" in axes


def test_one_factor(tmp_path: Path, draw: Callable[..., Any]) -> None:
    rows = [{"f": 0.5, FIGURE: 1.0}, {"f": 0.25, FIGURE: 3.0}]
    plot_effects(tmp_path / "e.pdf", pd.DataFrame(rows), ["f"], FIGURE)
    assert (tmp_path / "e.pdf").read_bytes().startswith(b"%PDF")
    fig = draw(pd.DataFrame(rows), ["f"], FIGURE)
    (line,) = _axes(fig)["main effect: f"].get_lines()
    assert [float(x) for x in line.get_xdata()] == [0.25, 0.5]
    assert _same(_ydata(line), [3.0, 1.0])


def test_bad_suffix_and_no_factor(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"--plot: expected a \.png, \.svg, \.pdf, .* file") as e:
        plot_effects(tmp_path / "e.gif", pd.DataFrame(ROWS), FACTORS, FIGURE)
    assert e.value.path == "--plot"
    with pytest.raises(ConfigError, match="got 'plot'"):
        plot_format("plot")
    with pytest.raises(ConfigError, match="plots need an experiment with factors"):
        plot_effects(tmp_path / "e.png", pd.DataFrame(ROWS), [], FIGURE)
    assert list(tmp_path.iterdir()) == []
    assert plot_format("x/y.SVG") == "svg"
    assert {".png", ".svg", ".pdf"} <= set(experiment_plots.PLOT_FORMATS)


@pytest.mark.parametrize("suffix", list(experiment_plots.PLOT_FORMATS))
def test_every_plot_format_writes_its_kind_of_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"e{suffix}"
    plot_effects(path, pd.DataFrame(ROWS), FACTORS, FIGURE)
    magic = {
        "png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF-", "eps": b"%!PS", "ps": b"%!PS",
        "jpg": b"\xff\xd8", "jpeg": b"\xff\xd8", "tif": b"II*\x00", "tiff": b"II*\x00",
        "webp": b"RIFF",
    }  # fmt: skip
    assert path.read_bytes().startswith(magic[experiment_plots.PLOT_FORMATS[suffix]])
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        plot_effects(tmp_path / "no" / "e.png", pd.DataFrame(ROWS), FACTORS, FIGURE)

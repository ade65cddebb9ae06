"""Every table of the command line fits 80 columns when piped with ``COLUMNS=80``.

The real command line, as a user pipes it (``| cat``, ``> file``): no line longer than the
width, nothing cut with ``…``, and the names and units there in full.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec import ROOT

CONFIGS = ROOT / "configs"
SHIPPED = sorted([*CONFIGS.glob("*.yaml"), *CONFIGS.glob("reshoring/*.yaml")])
RESHORING = sorted(str(p) for p in CONFIGS.glob("reshoring/*.yaml"))
SHORT = ("-r", "2", "--length", "1d", "--backend", "des", "-q", "-j", "1")


def piped(*args: str, columns: str | None = "80", cwd: Path = ROOT) -> str:
    """Run ``python -m simline ARGS`` with stdout a pipe; return what it printed."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    result = subprocess.run(
        [sys.executable, "-m", "simline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_fits(text: str, width: int = 80) -> None:
    too_long = [line for line in text.splitlines() if len(line) > width]
    assert not too_long, too_long
    assert "…" not in text


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_run_fits_80_columns(path: Path) -> None:
    text = piped("run", str(path), *SHORT)
    assert_fits(text)
    assert "Parts out" in text and "OEE" in text
    if "site:" in path.read_text():
        # item 9 of issue #12: the year's and the supply chain's figures in the run table
        for label in ("TCO per year", "NPV of TCO", "Lead time, door to door"):
            assert label in text


def test_run_honours_columns_when_piped() -> None:
    path = str(CONFIGS / "reshoring" / "nl-robot-am.yaml")
    wide = piped("run", path, *SHORT, columns="120")
    assert_fits(wide, 120)
    assert max(len(line) for line in wide.splitlines()) > 80
    assert wide.count("\nsaw ") == 1  # the station table in one piece at 120 columns


def test_compare_with_sensitivity_fits_80_columns() -> None:
    text = piped("compare", *RESHORING, *SHORT, "--sensitivity")
    assert_fits(text)
    for name in ("cn-manual-sea", "nl-robot-am", "pl-manual-road"):
        assert name in text
    assert "Door to door" in text and "(d)" not in text  # one unit for it: hours
    assert "TCO per year (k EUR)" in text
    assert "e+0" not in text  # plain numbers in the sensitivity table
    assert "EUR/h" in text and "parts/yr" in text  # its unit column


def test_compare_without_a_site_fits_80_columns() -> None:
    a, b = str(CONFIGS / "robot-machining.yaml"), str(CONFIGS / "transfer-line.yaml")
    assert_fits(piped("compare", a, b, *SHORT))


def test_experiment_fits_80_columns(tmp_path: Path) -> None:
    experiment = str(ROOT / "experiments" / "mill-buffers.yaml")
    args = ("-r", "2", "--length", "1d", "-q", "--store", str(tmp_path / "store"))
    text = piped("experiment", experiment, *args, cwd=tmp_path)
    assert_fits(text)
    assert "best" in text
    assert "EUR/part" in text and "parts/h" in text  # the figures' units under their names

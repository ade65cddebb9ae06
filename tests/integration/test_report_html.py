"""``simline run --report`` and ``simline compare --report``: one page, loaded in a browser.

The page is produced by the real command line from shipped scenarios (short runs on the
SimPy engine), checked as text (every section, no network address), then loaded in headless
Chromium: the rendered DOM must hold the throughput figure and the bottleneck station as
the JSON output gives them, and a screenshot must show the charts drawn (the state
colours). The browser part is skipped, saying why, when no Chromium binary is found
(``apt-get install chromium``; ``.ci/run`` installs it where it can).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simline.report.table import format_estimate
from simline.stats import Estimate
from tests.spec import run_cli

ROOT = Path(__file__).resolve().parents[2]
SHORT = ("-r", "3", "--length", "1d", "--backend", "des", "-q")
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: The busy colour of the state charts, as the screenshot must show it.
BUSY = (0x2E, 0x7D, 0x32)


def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, timeout=600)


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium binary on PATH (apt-get install chromium): browser check skipped")


def _headless(browser: str, *args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


def _shown(figure: dict[str, object], replications: int) -> str:
    lo, hi = figure["ci95"]  # type: ignore[misc]
    est = Estimate(float(figure["mean"]), float(lo), float(hi), replications)  # type: ignore[arg-type]
    return format_estimate(est)[0]


@pytest.fixture(scope="module")
def run_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("run")
    done = _cli(
        "run",
        ROOT / "configs" / "robot-machining.yaml",
        *SHORT,
        "--format",
        "json",
        "-o",
        "out.json",
        "--trace",
        "t.csv",
        "--report",
        "report.html",
        cwd=tmp,
    )
    assert done.returncode == 0, done.stderr
    return tmp / "report.html", json.loads((tmp / "out.json").read_text(encoding="utf-8"))


def test_run_report_is_self_contained(run_report: tuple[Path, dict[str, object]]) -> None:
    page, obj = run_report
    text = page.read_text(encoding="utf-8")
    assert "series" not in obj  # the report's bins stay out of the JSON unless --series
    assert not re.search(r"https?://", text), "the page names a network address"
    assert not re.search(r"\b(src|href)=\"(?!#)", text), "the page loads something"
    for section in (
        "figures",
        "bottleneck",
        "stations",
        "over-time",
        "lead-time",
        "gantt",
        "warnings",
    ):
        assert f'<section id="{section}">' in text, section
    assert text.count("<svg") == 4  # states, series, lead times, Gantt
    assert "Lead time of each good part (from the trace)" in text


def test_run_report_in_a_browser(
    run_report: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    browser = _browser()
    page, obj = run_report
    dom = _headless(browser, "--dump-dom", page.as_uri(), tmp=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    throughput = _shown(obj["throughput_per_hour"], 3)  # type: ignore[arg-type]
    assert f'<td id="figure-throughput_per_hour">{throughput}</td>' in dom.stdout
    station = obj["bottleneck"]["station"]  # type: ignore[index]
    assert f'<strong id="bottleneck-station">{station}</strong>' in dom.stdout
    assert dom.stdout.count("<figure") == 4 and dom.stdout.count("<svg") >= 4
    shot = tmp_path / "page.png"
    done = _headless(
        browser,
        f"--screenshot={shot}",
        "--window-size=1200,3000",
        page.as_uri(),
        tmp=tmp_path / "profile",
    )
    assert done.returncode == 0 and shot.stat().st_size > 50_000, done.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    busy = sum(
        n for n, rgb in colours if all(abs(a - b) < 6 for a, b in zip(rgb, BUSY, strict=True))
    )
    assert busy > 5_000, "the state chart did not render"


def test_compare_report(tmp_path: Path) -> None:
    configs = ROOT / "configs" / "reshoring"
    done = _cli(
        "compare",
        configs / "nl-robot-am.yaml",
        configs / "cn-manual-sea.yaml",
        *SHORT,
        "--sensitivity",
        "--format",
        "json",
        "-o",
        "out.json",
        "--report",
        "c.html",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    obj = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    text = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    for section in ("verdict", "figures", "differences", "stations", "cost", "warnings"):
        assert f'<section id="{section}">' in text, section
    assert "Sensitivity of TCO (tornado)" in text  # the chart of compare --plot, reused
    assert obj["winner"] in text and '<table id="sensitivity">' in text
    browser = _browser()
    dom = _headless(browser, "--dump-dom", (tmp_path / "c.html").as_uri(), tmp=tmp_path / "p")
    assert dom.returncode == 0, dom.stderr[-2000:]
    first = obj["scenarios"][0]
    throughput = _shown(first["throughput_per_hour"], 3)
    assert f'<td id="figure-0-throughput_per_hour">{throughput} <small>' in dom.stdout
    assert f'<td id="bottleneck-0">{first["bottleneck"]["station"]}</td>' in dom.stdout


def test_report_must_be_html(tmp_path: Path) -> None:
    done = _cli(
        "run", ROOT / "configs" / "robot-machining.yaml", *SHORT, "--report", "r.pdf", cwd=tmp_path
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "simline: error: --report: expected a .html file (got 'r.pdf')"
    assert not list(tmp_path.iterdir())

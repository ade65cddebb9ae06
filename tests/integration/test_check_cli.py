"""``simline check`` through the real command line, as a CI job runs it.

The shipped robot-machining line against a copy with the mill's buffer cut from 6 to 1, an
identical copy, and copies that differ only in what cannot matter; bad gates; a stored
baseline read back (the same verdicts and numbers as simulating both) and refused when it
does not match the check. Short runs on the SimPy engine: the engine is not what is tested.
"""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml

from tests.spec import run_cli

ROOT = Path(__file__).resolve().parents[2]
LINE = ROOT / "configs" / "robot-machining.yaml"
#: Short runs: 5 replications of 2 days after the file's 2 days of warm-up (about 2 s each).
SHORT = ("-r", "5", "--length", "2d", "--backend", "des", "-j", "2")
THROUGHPUT = "throughput_per_hour < -1%"
#: What the buffer cut does worsen beyond a tolerance: the mill waits for the saw more often.
MILL = "stations.mill.utilization < -0.5%"


def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd)


def _copy(tmp_path: Path, name: str, old: str = "", new: str = "") -> Path:
    text = LINE.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _buffer_cut(tmp_path: Path) -> Path:
    """The mill's buffer from 6 to 1 (the deburr robot's buffer of 6 stays)."""
    text = LINE.read_text(encoding="utf-8")
    mill = text.index("  mill:")
    at = text.index("buffer: 6", mill)
    assert at < text.index("  deburr:")
    path = tmp_path / "buffer-1.yaml"
    path.write_text(text[:at] + "buffer: 1" + text[at + len("buffer: 6") :], encoding="utf-8")
    return path


def test_cutting_the_mills_buffer_fails_the_gate_with_exit_4_and_a_junit_file(
    tmp_path: Path,
) -> None:
    candidate = _buffer_cut(tmp_path)
    junit = tmp_path / "reports" / "check.xml"
    junit.parent.mkdir()
    done = _cli(
        "check", LINE, candidate, "--fail-if", THROUGHPUT, "--fail-if", MILL,
        "--junit", junit, *SHORT, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 4, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    # The throughput loss is real but small (inspection on two shifts sets the pace): within 1 %.
    assert lines[0].startswith(f"PASS {THROUGHPUT}: change -0.")
    assert lines[1].startswith(f"FAIL {MILL}: change -1.0")
    assert "95 % upper bound" in lines[1]

    xml = JUnitXml.fromfile(str(junit))
    (suite,) = list(xml)
    assert suite.name == "simline check"
    assert (suite.tests, suite.failures, suite.errors) == (2, 1, 0)
    by_name = {case.name: case for case in suite}
    assert by_name[THROUGHPUT].is_passed
    (failure,) = by_name[MILL].result
    assert isinstance(failure, Failure)
    assert failure.message == lines[1]
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    assert [s.get("failures") for s in root.iter("testsuite")] == ["1"]
    assert len(root.findall("./testsuite/testcase")) == 2
    assert len(root.findall("./testsuite/testcase/failure")) == 1
    assert not list(junit.parent.glob(".*"))  # written atomically: no temporary file left


def test_an_identical_copy_passes_with_exit_0(tmp_path: Path) -> None:
    candidate = _copy(tmp_path, "copy.yaml")
    junit = tmp_path / "check.xml"
    done = _cli(
        "check", LINE, candidate, "--fail-if", THROUGHPUT, "--fail-if", MILL,
        "--fail-if", "lead_time > +0", "--junit", junit, *SHORT, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("PASS ") for line in lines)
    assert all("change +0" in line for line in lines)
    suite = next(iter(JUnitXml.fromfile(str(junit))))
    assert (suite.tests, suite.failures) == (3, 0)


def test_a_change_that_cannot_matter_never_fails_a_gate(tmp_path: Path) -> None:
    described = _copy(
        tmp_path,
        "described.yaml",
        "description: Robot-tended CNC line, lights-out, manual inspection on two shifts",
        "description: the same line under another description",
    )
    # Renaming a station gives it other random streams (they are keyed by name) and changes
    # nothing else: the difference is noise alone, which must not fail a gate either way.
    renamed = _copy(tmp_path, "renamed.yaml", "  deburr:", "  deburring:")
    renamed.write_text(
        renamed.read_text().replace(
            "[saw, mill, deburr, inspect]", "[saw, mill, deburring, inspect]"
        )
    )
    gates = ["--fail-if", THROUGHPUT, "--fail-if", "throughput_per_hour > +1%",
             "--fail-if", "wip > +10%", "--fail-if", "good_parts < -1%"]  # fmt: skip
    for candidate in (described, renamed):
        done = _cli("check", LINE, candidate, *gates, *SHORT, cwd=tmp_path)
        assert done.returncode == 0, (candidate.name, done.stdout, done.stderr)
        assert done.stdout.count("PASS ") == 4
    noise = _cli(
        "check", LINE, renamed, *gates, *SHORT, "--format", "json", cwd=tmp_path
    )  # fmt: skip
    changes = [g["change"] for g in json.loads(noise.stdout)["gates"]]
    assert any(c != 0 for c in changes)  # the streams did differ: this was a real noise test


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        ("throughput_per_hour <= -1%", "expected FIGURE < TOLERANCE or FIGURE > TOLERANCE"),
        ("throughput_per_hour < -1 percent", "expected FIGURE < TOLERANCE"),
        ("throughput_per_hour", "expected FIGURE < TOLERANCE"),
        ("troughput_per_hour < -1%", "unknown figure 'troughput_per_hour' (did you mean "
         "'throughput_per_hour'?); figures are throughput_per_hour, lead_time, wip"),
        ("stations.press.utilization < -1%", "unknown figure 'stations.press.utilization'"),
        ("cost.tco > +0.5", "is a cost figure, which needs a site"),
    ],
)  # fmt: skip
def test_a_bad_gate_is_bad_input_before_anything_runs(
    tmp_path: Path, gate: str, message: str
) -> None:
    junit = tmp_path / "check.xml"
    done = _cli(
        "check", LINE, LINE, "--fail-if", "wip > 1", "--fail-if", gate, "--junit", junit,
        "--length", "1w", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("simline: error: --fail-if: ")
    assert message in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert not junit.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((LINE,), "give BASELINE and CANDIDATE"),
        ((LINE, LINE), "give one gate or more"),
        ((LINE, LINE, LINE, "--fail-if", "wip > 1"), "got 3 scenario files"),
        ((LINE, LINE, "--fail-if", "wip > 1", "-r", "1"), "expected a whole number >= 2"),
        ((LINE, LINE, "--fail-if", "wip > 1", "--junit", LINE), "an input of this run"),
        ((LINE, "--save-baseline", "b.json", "--fail-if", "wip > 1"), "checks nothing"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str | Path, ...], message: str
) -> None:
    done = _cli("check", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "b.json").exists()


def test_a_stored_baseline_gives_the_verdicts_and_numbers_of_simulating_both(
    tmp_path: Path,
) -> None:
    candidate = _buffer_cut(tmp_path)
    stored = tmp_path / "baseline.json"
    saved = _cli("check", LINE, "--save-baseline", stored, *SHORT, cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    assert "stored baseline 'robot-machining': 5 replications, seed 7, des engine" in saved.stdout
    record = json.loads(stored.read_text())
    assert (record["seed"], record["replications"], record["backend"]) == (7, 5, "des")
    assert len(record["figures"]["throughput_per_hour"]) == 5

    gates = ("--fail-if", THROUGHPUT, "--fail-if", MILL)
    both = _cli("check", LINE, candidate, *gates, *SHORT, "--format", "json", cwd=tmp_path)
    # the stored seed, replications, engine and --length are used: none needs repeating
    again = _cli(
        "check", candidate, "--baseline-json", stored, *gates, "--format", "json",
        cwd=tmp_path,
    )  # fmt: skip
    assert both.returncode == again.returncode == 4, again.stderr
    simulated, from_store = json.loads(both.stdout), json.loads(again.stdout)
    for key in ("backend", "seed", "replications", "passed"):
        assert from_store[key] == simulated[key]
    for mine, theirs in zip(from_store["gates"], simulated["gates"], strict=True):
        del mine["gate"], theirs["gate"]
        assert mine == theirs
    # given explicitly and equal, the settings are accepted too
    table = _cli("check", candidate, "--baseline-json", stored, *gates, *SHORT, cwd=tmp_path)
    assert table.returncode == 4
    assert table.stdout.splitlines()[1].startswith(f"FAIL {MILL}")


def test_a_stored_baseline_that_does_not_match_the_check_is_refused(tmp_path: Path) -> None:
    stored = tmp_path / "baseline.json"
    assert _cli("check", LINE, "--save-baseline", stored, *SHORT, cwd=tmp_path).returncode == 0
    gate = ("--fail-if", THROUGHPUT)
    for option, value, why in [
        ("--seed", "8", "simulated with --seed 7 and this check has 8"),
        ("-r", "6", "simulated with -r/--replications 5 and this check has 6"),
        ("--length", "1w", "simulated with --length 2d and this check has 1w"),
        ("--warmup", "1d", "simulated with --warmup (not given) and this check has 1d"),
        ("--backend", "fast", "simulated with --backend des and this check has fast"),
    ]:
        done = _cli("check", LINE, "--baseline-json", stored, *gate, option, value, cwd=tmp_path)
        assert done.returncode == 2, option
        assert why in done.stderr
        assert len(done.stderr.splitlines()) == 1
    record = json.loads(stored.read_text())
    record["simline_version"] = "0.0.1"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(record))
    done = _cli("check", LINE, "--baseline-json", old, *gate, cwd=tmp_path)
    assert done.returncode == 2
    assert "simulated by simline 0.0.1" in done.stderr
    # two scenarios and a stored baseline: which is the baseline?
    done = _cli("check", LINE, LINE, "--baseline-json", stored, *gate, cwd=tmp_path)
    assert done.returncode == 2
    assert "give only the CANDIDATE" in done.stderr


def test_a_run_result_is_refused_as_a_stored_baseline(tmp_path: Path) -> None:
    run = tmp_path / "run.json"
    made = _cli("run", LINE, "-r", "2", "--length", "1d", "--backend", "des", "--format",
                "json", "-o", run, cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    done = _cli("check", LINE, "--baseline-json", run, "--fail-if", THROUGHPUT, cwd=tmp_path)
    assert done.returncode == 2
    assert "has no per-replication values to pair with" in done.stderr
    assert "got no 'format' key" in done.stderr  # not a Python None


def test_help_names_exit_status_4() -> None:
    done = _cli("check", "--help", cwd=ROOT)
    assert done.returncode == 0
    assert "4 a gate failed" in done.stdout


def test_a_cost_gate_on_a_sited_line_fails_only_beyond_its_tolerance(tmp_path: Path) -> None:
    text = (ROOT / "configs" / "reshoring" / "nl-robot-am.yaml").read_text(encoding="utf-8")
    site = ROOT / "simline" / "sites" / "nl.yaml"
    assert text.count("site: nl\n") == 1
    base = tmp_path / "nl.yaml"
    base.write_text(text.replace("site: nl\n", f"site: {site}\n"), encoding="utf-8")
    mill_power = "energy: {busy_kw: 22, idle_kw: 4}"
    hungry = tmp_path / "nl-hungry.yaml"
    assert base.read_text().count(mill_power) == 1
    hungry.write_text(base.read_text().replace(mill_power, "energy: {busy_kw: 44, idle_kw: 8}"))
    done = _cli(
        "check", base, hungry, "--fail-if", "cost.tco > +0.5", "--fail-if", "cost.tco > +0.1",
        "--fail-if", "cost.breakdown.energy > +10%", "--format", "json", *SHORT, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 4, done.stderr
    gates = {g["gate"]: g for g in json.loads(done.stdout)["gates"]}
    # twice the mill's power costs about a quarter of a euro per part (simline 0.1.0: +0.26)
    assert 0.1 < gates["cost.tco > +0.5"]["bound"] < gates["cost.tco > +0.5"]["change"] < 0.5
    assert gates["cost.tco > +0.5"]["verdict"] == "pass"
    assert gates["cost.tco > +0.1"]["verdict"] == "fail"
    assert gates["cost.breakdown.energy > +10%"]["verdict"] == "fail"

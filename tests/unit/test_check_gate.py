"""The gates of ``simline check``: parsing, the paired one-sided bound, JUnit XML, stored baselines.

No simulation here: the verdicts are checked on per-replication values computed by hand, the
false-failure rate on synthetic paired values whose true difference is known.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from junitparser import Failure, JUnitXml
from scipy import stats

from simline.api import (
    CheckOutcome,
    Gate,
    GateResult,
    StoredBaseline,
    load_baseline,
    parse_gate,
)
from simline.api._check import _judge
from simline.errors import ConfigError

# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "figure", "op", "tolerance", "relative"),
    [
        ("throughput_per_hour < -1%", "throughput_per_hour", "<", -0.01, True),
        ("cost.tco > +0.5", "cost.tco", ">", 0.5, False),
        ("stations.mill.utilization<-0.02", "stations.mill.utilization", "<", -0.02, False),
        ("  lead_time > 2.5 %  ", "lead_time", ">", 0.025, True),
        ("wip > 1e-1", "wip", ">", 0.1, False),
        ("products.bracket-2.good_parts < 0", "products.bracket-2.good_parts", "<", 0.0, False),
    ],
)
def test_a_gate_is_figure_op_signed_tolerance(
    text: str, figure: str, op: str, tolerance: float, relative: bool
) -> None:
    gate = parse_gate(text)
    assert (gate.figure, gate.op, gate.relative) == (figure, op, relative)
    assert gate.tolerance == pytest.approx(tolerance)
    assert gate.text == text


def test_a_gate_prints_as_it_reads() -> None:
    assert str(parse_gate("throughput_per_hour < -1%")) == "throughput_per_hour < -1%"
    assert str(parse_gate("cost.tco > +0.5")) == "cost.tco > +0.5"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "throughput_per_hour",
        "throughput_per_hour <= -1%",
        "throughput_per_hour < -1%%",
        "throughput_per_hour < one",
        "< -1%",
        "throughput_per_hour -1%",
        "throughput_per_hour < -1% and wip > 2",
        "throughput_per_hour < nan",
    ],
)
def test_a_malformed_gate_is_bad_input(text: str) -> None:
    with pytest.raises(ConfigError, match=r"expected FIGURE < TOLERANCE") as info:
        parse_gate(text)
    assert info.value.path == "--fail-if"
    assert repr(text) in info.value.message


# --- the verdict ---------------------------------------------------------------------------


def _bound(values: list[float], op: str) -> float:
    """The one-sided 95 % Student t bound, written out."""
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    t = float(stats.t.ppf(0.95, n - 1))
    return mean + t * sd / math.sqrt(n) if op == "<" else mean - t * sd / math.sqrt(n)


BASE = [10.0, 11.0, 9.5, 10.5, 12.0]
CAND = [9.6, 10.7, 9.0, 10.1, 11.8]  # lower by 0.4, 0.3, 0.5, 0.4, 0.2


def test_an_absolute_gate_judges_the_upper_bound_of_the_paired_difference() -> None:
    diffs = [c - b for b, c in zip(BASE, CAND, strict=True)]
    upper = _bound(diffs, "<")
    assert upper < -0.2  # the candidate is significantly lower by more than 0.2 ...
    failed = _judge(parse_gate("x < -0.2"), BASE, CAND)
    assert not failed.passed
    assert failed.change == pytest.approx(sum(diffs) / 5)
    assert failed.bound == pytest.approx(upper)
    assert failed.n == 5
    # ... but not significantly lower by more than 0.3 (the mean is -0.36, the bound above -0.3)
    assert upper > -0.3
    assert _judge(parse_gate("x < -0.3"), BASE, CAND).passed


def test_a_higher_than_gate_judges_the_lower_bound() -> None:
    diffs = [b - c for b, c in zip(BASE, CAND, strict=True)]  # the swap: higher by 0.36
    lower = _bound(diffs, ">")
    result = _judge(parse_gate("cost.tco > +0.2"), CAND, BASE)
    assert result.bound == pytest.approx(lower)
    assert not result.passed
    assert _judge(parse_gate("cost.tco > +0.3"), CAND, BASE).passed
    # a candidate that is better (lower cost) never fails a '>' gate
    assert _judge(parse_gate("cost.tco > 0"), BASE, CAND).passed


def test_a_relative_gate_is_the_ratio_of_means_with_a_delta_method_bound() -> None:
    b_mean, c_mean = sum(BASE) / 5, sum(CAND) / 5
    ratio = c_mean / b_mean
    linear = [(c - ratio * b) / b_mean for b, c in zip(BASE, CAND, strict=True)]
    upper = (ratio - 1) + (_bound(linear, "<") - sum(linear) / 5)
    result = _judge(parse_gate("throughput_per_hour < -1%"), BASE, CAND)
    assert result.change == pytest.approx(ratio - 1)
    assert result.bound == pytest.approx(upper)
    assert result.baseline == pytest.approx(b_mean)
    assert result.candidate == pytest.approx(c_mean)
    assert result.ci95[0] < result.change < result.ci95[1]
    assert result.passed is not (upper < -0.01)


def test_identical_values_never_fail() -> None:
    same = _judge(parse_gate("throughput_per_hour < -1%"), BASE, BASE)
    assert same.passed
    assert same.change == 0.0
    assert same.bound == 0.0


def test_undefined_pairs_are_dropped_and_too_few_fail_saying_why() -> None:
    nan = math.nan
    result = _judge(parse_gate("lead_time > +1"), [1.0, nan, 2.0, 3.0], [1.0, 5.0, nan, 3.0])
    assert result.n == 2
    few = _judge(parse_gate("lead_time > +1"), [1.0, nan, 2.0], [1.0, 5.0, nan])
    assert not few.passed
    assert few.n == 1
    assert "a gate needs 2 or more" in few.line()
    zero = _judge(parse_gate("scrap_parts > +10%"), [0.0, 0.0], [1.0, 2.0])
    assert not zero.passed
    assert "baseline's mean is 0" in zero.line()


def test_noise_fails_a_gate_at_its_tolerance_about_5_percent_of_the_time() -> None:
    """The one-sided bound's level: a true difference on the tolerance fails ~5 % of runs."""
    rng = np.random.default_rng(1)
    n, trials = 8, 4000
    common = rng.normal(100.0, 5.0, size=(trials, n))  # what both share (CRN)
    base = common + rng.normal(0.0, 1.0, size=(trials, n))
    on_tolerance = common - 1.0 + rng.normal(0.0, 1.0, size=(trials, n))
    gate = parse_gate("x < -1")
    failures = sum(
        not _judge(gate, list(b), list(c)).passed for b, c in zip(base, on_tolerance, strict=True)
    )
    assert 0.035 < failures / trials < 0.065
    # no true change and a tolerance of one paired standard deviation: nearly never
    no_change = common + rng.normal(0.0, 1.0, size=(trials, n))
    noise = sum(
        not _judge(gate, list(b), list(c)).passed for b, c in zip(base, no_change, strict=True)
    )
    assert noise / trials < 0.01


# --- JUnit XML -----------------------------------------------------------------------------


def _stored(replications: int = 3) -> StoredBaseline:
    return StoredBaseline(
        scenario="base <&> line",
        file="base.yaml",
        config_sha256="0" * 64,
        backend="des",
        seed=7,
        replications=replications,
        length="2d",
        warmup=None,
        simline_version="0.1.0",
        figures={"throughput_per_hour": (1.0, 2.0, 3.0), "lead_time": (1.0, math.nan, 2.0)},
    )


def _outcome(results: list[GateResult]) -> CheckOutcome:
    return CheckOutcome(
        baseline="base <&> line",
        candidate='cand "quoted"',
        baseline_file="base.yaml",
        candidate_file="cand.yaml",
        backend="des",
        seed=7,
        replications=5,
        gates=tuple(results),
        stored=_stored(),
    )


def test_junit_xml_has_one_testcase_per_gate_and_a_failure_for_each_failed_one(
    tmp_path: Path,
) -> None:
    gates = [
        _judge(parse_gate("x < -0.2"), BASE, CAND),  # fails
        _judge(parse_gate("x < -0.3"), BASE, CAND),  # passes
        _judge(parse_gate("x > +5%"), BASE, CAND),  # passes
    ]
    outcome = _outcome(gates)
    assert not outcome.passed
    assert outcome.failures == 1
    path = tmp_path / "check.xml"
    path.write_text(outcome.junit_xml(), encoding="utf-8")

    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert [s.name for s in suites] == ["simline check"]
    suite = suites[0]
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (3, 1, 0, 0)
    cases = list(suite)
    assert [c.name for c in cases] == ["x < -0.2", "x < -0.3", "x > +5%"]
    assert [c.is_passed for c in cases] == [False, True, True]
    (failure,) = cases[0].result
    assert isinstance(failure, Failure)
    assert failure.message.startswith("FAIL x < -0.2: change -0.36")

    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("3", "1")
    (suite_el,) = root.findall("testsuite")
    assert suite_el.get("name") == "simline check"
    assert (suite_el.get("tests"), suite_el.get("failures"), suite_el.get("errors")) == (
        "3",
        "1",
        "0",
    )
    testcases = suite_el.findall("testcase")
    assert len(testcases) == 3
    assert all(tc.get("classname") == 'simline.check.cand "quoted"' for tc in testcases)
    assert [len(tc.findall("failure")) for tc in testcases] == [1, 0, 0]
    props = {p.get("name"): p.get("value") for p in suite_el.iter("property")}
    assert props["seed"] == "7"
    assert props["backend"] == "des"


def test_junit_xml_of_a_passing_check_has_no_failure() -> None:
    outcome = _outcome([_judge(parse_gate("x < -1%"), BASE, BASE)])
    assert outcome.passed
    root = ET.fromstring(outcome.junit_xml())
    assert root.get("failures") == "0"
    assert root.find(".//failure") is None


def test_json_of_a_check_has_each_gate_with_its_interval_and_verdict() -> None:
    outcome = _outcome(
        [_judge(parse_gate("x < -0.2"), BASE, CAND), _judge(parse_gate("y > +1"), [1.0], [2.0])]
    )
    obj = json.loads(json.dumps(outcome.to_dict(), allow_nan=False))
    assert obj["passed"] is False
    first, second = obj["gates"]
    assert first["verdict"] == "fail"
    assert first["ci95"][0] < first["change"] < first["ci95"][1]
    assert first["bound"] < first["tolerance"]
    assert second["verdict"] == "fail"
    assert second["change"] is None
    assert "needs 2 or more" in second["reason"]


# --- stored baselines ----------------------------------------------------------------------


def test_a_stored_baseline_reads_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "base.json"
    stored = _stored()
    path.write_text(stored.to_json(), encoding="utf-8")
    back = load_baseline(path)
    assert back.to_dict() == stored.to_dict()
    assert math.isnan(back.figures["lead_time"][1])
    assert json.loads(path.read_text())["figures"]["lead_time"] == [1.0, None, 2.0]


def test_a_run_result_is_not_a_stored_baseline(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"scenario": "x", "throughput_per_hour": {"mean": 1}}))
    with pytest.raises(ConfigError, match="no per-replication values") as info:
        load_baseline(path)
    assert info.value.file == str(path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "not JSON"),
        ('{"format": "simline-check-baseline/1"}', "damaged"),
    ],
)
def test_a_damaged_stored_baseline_is_bad_input(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "base.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_baseline(path)


def test_a_stored_baseline_with_a_short_figure_is_refused(tmp_path: Path) -> None:
    data = _stored().to_dict()
    data["figures"]["throughput_per_hour"] = [1.0, 2.0]
    path = tmp_path / "base.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="every figure needs 3 values"):
        load_baseline(path)


def test_a_missing_stored_baseline_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_baseline(tmp_path / "nope.json")


def test_gate_is_frozen() -> None:
    gate = Gate("x", "<", -0.01, True, "x < -1%")
    with pytest.raises(AttributeError):
        gate.figure = "y"  # type: ignore[misc]

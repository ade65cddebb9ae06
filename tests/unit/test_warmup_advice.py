"""MSER-5 warm-up advice: the truncation rule by hand, and on a run that starts empty."""

from __future__ import annotations

import numpy as np
import pytest

from simline.engine.results import RunResult, Series
from simline.warmup_advice import ADVICE_BINS, BATCH, advise, mser


def test_mser_cuts_off_a_step_at_the_start() -> None:
    # 20 observations at 10, then 480 around 0: the batch means of the step are 10, the rest
    # scatter around 0, so cutting the 4 batches of the step leaves the most even rest.
    noise = np.random.default_rng(1).normal(0.0, 1.0, 480)
    values = [10.0] * 20 + list(noise)
    assert mser(values) == (20, True)


def test_mser_of_a_steady_series_cuts_little() -> None:
    values = list(np.random.default_rng(2).normal(5.0, 1.0, 500))
    cut, clear = mser(values)
    assert clear and cut <= 50  # MSER may trim a stray batch or so; never a steady half


def test_mser_of_a_trend_is_not_clear() -> None:
    # a line that never settles: the least MSER lies at the end of the half searched
    cut, clear = mser([float(k) for k in range(500)])
    assert not clear and cut == 250


def test_mser_needs_four_batch_means() -> None:
    assert mser([1.0] * (4 * BATCH - 1)) == (0, False)


def _result(series: Series) -> RunResult:
    return RunResult(
        scenario="s", backend="des", replication=0, seed=1, measured_time=1.0,
        hours_per_unit=1.0, stations={}, products={}, wip_integral=0.0,
        operator_paid_time=0.0, released_total=0, good_total=0, scrap_total=0, wip_end=0,
        events=0, series=series,
    )  # fmt: skip


def test_advice_averages_replications_and_takes_the_later_point() -> None:
    width = 2.0
    wip = tuple([0.0] * 10 + [8.0] * 490)  # WIP integrals: empty for 10 bins, then 4 parts
    good = tuple([0] * 40 + [3] * 460)  # nothing leaves for 40 bins
    advice = advise([_result(Series(width, wip, good))] * 2, warmup=50.0)
    assert advice is not None
    assert (advice.wip, advice.throughput, advice.truncation) == (20.0, 80.0, 80.0)
    assert advice.clear and not advice.sufficient  # 50 < 80
    assert advice.to_json()["sufficient"] is False


def test_advice_says_when_a_shift_pattern_may_lengthen_it() -> None:
    series = Series(1.0, tuple([1.0] * 100), tuple([1] * 100))
    plain = advise([_result(series)], warmup=0.0)
    shifted = advise([_result(series)], warmup=0.0, shifts=True)
    assert plain is not None and shifted is not None
    assert (plain.to_json()["shifts"], shifted.to_json()["shifts"]) == (False, True)
    assert shifted.truncation == plain.truncation  # it says so; it changes nothing


def test_no_series_no_advice() -> None:
    assert advise([], warmup=0.0) is None


@pytest.mark.parametrize("backend", ["des", "fast"])
def test_a_line_that_starts_empty_is_advised_a_warmup(backend: str) -> None:
    from simline.config import parse_scenario
    from simline.engine import des, fast
    from simline.plan import compile_plan

    # five exponential machines with buffers of 20 start empty: WIP climbs to about 60 in
    # the first hours; with no warm-up MSER-5 must say to cut some and that 0 is too short.
    data = {
        "simline": 1, "name": "empty-start", "time_unit": "min",
        "run": {"warmup": 0, "length": "3d", "replications": 4, "seed": 3},
        "stations": {
            f"m{k}": {"kind": "machine", "process_time": "exp(1.0)", "buffer": 20}
            for k in range(5)
        },
    }  # fmt: skip
    plan = compile_plan(parse_scenario(data, source="<empty-start>"))
    simulate = des.simulate if backend == "des" else fast.simulate
    results = [simulate(plan, r, bins=ADVICE_BINS) for r in range(plan.replications)]
    advice = advise(results, plan.warmup)
    assert advice is not None and advice.clear
    assert 0.0 < advice.truncation < plan.horizon / 2
    assert not advice.sufficient


def test_run_gives_the_series_and_the_advice_on_request() -> None:
    import json

    from tests.spec import run_cli

    args = ["run", "configs/transfer-line.yaml", "-r", "2", "--length", "2d", "--warmup", "0"]
    done = run_cli(*args, "--series", "40", "--warmup-advice", "--format", "json", "-q")
    assert done.returncode == 0, done.stderr
    obj = json.loads(done.stdout)
    series = obj["series"]
    assert series["bins"] == 40 and len(series["wip"]) == 40
    assert series["start"][1] == pytest.approx(series["bin_width"])
    assert obj["warmup_advice"]["method"] == "MSER-5"
    assert obj["warmup_advice"]["configured"] == 0.0
    assert "warm-up advice (MSER-5)" in done.stderr
    table = run_cli(*args, "--series", "40")
    assert table.returncode == 0 and "is in the JSON output" in table.stderr
    bad = run_cli(*args, "--series", "10", "--warmup-advice")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines()[-1].startswith("simline: error:")
    assert "--series" in bad.stderr

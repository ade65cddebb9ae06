"""Kim and Nelson's KN procedure (simline.experiment.select) on hand-computed cases.

The small cases use ``k = 2``, ``confidence = 0.9`` and ``n0 = 3``, for which
``eta = ((2 * 0.1 / 1) ** (-2 / 2) - 1) / 2 = (5 - 1) / 2 = 2`` and ``h^2 = 2 * 2 * 2 = 8``,
with ``delta = 1``, so that every ``W`` is a fraction one can check by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simline.errors import ExperimentError
from simline.experiment.select import KN, kn_constant


def _kn(ids: list[str], **kw: object) -> KN:
    args: dict[str, object] = {
        "goal": "max",
        "indifference": 1.0,
        "confidence": 0.9,
        "first_stage": 3,
        "max_replications": 100,
    }
    args.update(kw)
    return KN(ids, **args)  # type: ignore[arg-type]


def test_constant_follows_the_paper() -> None:
    assert kn_constant(2, 0.9, 3) == pytest.approx(8.0)
    eta = 0.5 * ((2 * 0.05 / 4) ** (-2 / 9) - 1)
    assert kn_constant(5, 0.95, 10) == pytest.approx(2 * eta * 9)
    assert _kn(["a", "b"]).h2 == pytest.approx(8.0)


def test_eliminated_after_the_first_stage() -> None:
    # D = A - B = [-1, -2, 0]: S^2 = 1; W(3) = 1/6 * (8 - 3) = 5/6; 2 < 3 - 5/6.
    kn = _kn(["a", "b"])
    assert kn.wanted() == {"a": 3, "b": 3}
    kn.update({"a": [1.0, 2.0, 3.0], "b": [2.0, 4.0, 3.0]})
    assert kn.done and kn.selected == "b" and kn.survivors == ["b"]
    assert kn.eliminated == {"a": 3}
    assert kn.wanted() == {}
    assert kn.established


def test_continues_then_eliminates() -> None:
    # D = [-1, 1, -0.5]: S^2 = 13/12. W(3) = 1/6 * (26/3 - 3) = 17/18: means 2 and 13/6 stay.
    kn = _kn(["a", "b"])
    kn.update({"a": [1.0, 3.0, 2.0], "b": [2.0, 2.0, 2.5]})
    assert not kn.done and kn.survivors == ["a", "b"]
    assert kn.wanted() == {"a": 4, "b": 4}
    # W(4) = 1/8 * (26/3 - 4) = 7/12; means 11/4 and 13/8: 13/8 < 11/4 - 7/12.
    kn.update({"a": [1.0, 3.0, 2.0, 5.0], "b": [2.0, 2.0, 2.5, 0.0]})
    assert kn.done and kn.selected == "a" and kn.eliminated == {"b": 4}
    assert kn.replications() == {"a": 4, "b": 4}
    # floor(8 * 13/12) + 1 = 9 for each run without screening.
    assert kn.fixed_count() == {"a": 9, "b": 9}
    out = kn.to_json()
    assert out["total_replications"] == 8 and out["fixed_total"] == 18


def test_one_step_short_of_elimination() -> None:
    # Just inside W(4) = 7/12: mean_b = 2.75 - 7/12 + 0.01 is not eliminated.
    kn = _kn(["a", "b"])
    kn.update({"a": [1.0, 3.0, 2.0], "b": [2.0, 2.0, 2.5]})
    b4 = 4 * (2.75 - 7 / 12 + 0.01) - 6.5
    kn.update({"a": [1.0, 3.0, 2.0, 5.0], "b": [2.0, 2.0, 2.5, b4]})
    assert not kn.done and kn.survivors == ["a", "b"]


def test_goal_min_mirrors_max() -> None:
    a, b = [1.0, 3.0, 2.0, 5.0], [2.0, 2.0, 2.5, 0.0]
    kn = _kn(["a", "b"], goal="min")
    kn.update({"a": [-v for v in a[:3]], "b": [-v for v in b[:3]]})
    kn.update({"a": [-v for v in a], "b": [-v for v in b]})
    assert kn.selected == "a" and kn.eliminated == {"b": 4}


def test_maximum_reached_selects_best_mean_without_guarantee() -> None:
    kn = _kn(["a", "b"], max_replications=4)
    kn.update({"a": [1.0, 3.0, 2.0], "b": [2.0, 2.0, 2.5]})
    kn.update({"a": [1.0, 3.0, 2.0, 2.0], "b": [2.0, 2.0, 2.5, 2.0]})  # means 2 and 2.125
    assert kn.done and kn.selected == "b" and not kn.established
    out = kn.to_json()
    assert out["established"] is False
    assert out["guarantee"].startswith("not established: 2 runs were still in contention")
    assert out["selected"] == "b"


def test_exact_ties_end_when_the_region_closes() -> None:
    same = [4.0, 5.0, 6.0]
    kn = _kn(["x", "y", "z"])
    kn.update({"x": same, "y": same, "z": [0.0, 1.0, 2.0]})
    # S^2 of x - y is 0: W = 0, equal means; z is far below with S^2 = 0 too.
    assert kn.done and kn.selected == "x" and kn.established
    assert kn.eliminated == {"z": 3}


def test_single_run_is_selected_at_once() -> None:
    kn = _kn(["only"])
    assert kn.done and kn.selected == "only" and kn.wanted() == {}
    kn.update({})
    out = kn.to_json()
    assert out["replications"] == {"only": 0} and out["established"] is True
    assert out["guarantee"] == "the only run is selected: there is nothing to compare it with"


def test_guarantee_sentence_and_json() -> None:
    kn = KN(
        ["a", "b"],
        goal="min",
        indifference=0.05,
        confidence=0.95,
        first_stage=10,
        max_replications=1000,
    )
    assert kn.to_json()["guarantee"] == "not established yet: the selection is still running"
    assert kn.to_json()["fixed_total"] is None
    kn.update({"a": [float(v) for v in range(10)], "b": [v + 10.0 for v in range(10)]})
    out = kn.to_json()
    assert out == {
        "method": "kn",
        "indifference": 0.05,
        "confidence": 0.95,
        "first_stage": 10,
        "max_replications": 1000,
        "selected": "a",
        "replications": {"a": 10, "b": 10},
        "eliminated": {"b": 10},
        "total_replications": 20,
        "fixed_total": 20,
        "established": True,
        "guarantee": "with probability at least 0.95 the selected run is within 0.05 of the "
        "best (Kim & Nelson's KN procedure, common random numbers)",
    }


def _drive(kn: KN, data: dict[str, np.ndarray], *, extra: int = 0) -> int:
    steps = 0
    while not kn.done:
        wanted = kn.wanted()
        assert set(wanted) == set(kn.survivors)
        assert len(set(wanted.values())) == 1
        kn.update({i: list(data[i][: n + extra]) for i, n in wanted.items()})
        steps += 1
    return steps


def test_deterministic_whatever_the_order_and_extra_values() -> None:
    rng = np.random.default_rng(11)
    ids = ["r1", "r2", "r3", "r4"]
    common = rng.normal(0.0, 1.0, 500)  # common random numbers: a shared component
    data = {i: 10 + 0.1 * k + common + rng.normal(0.0, 0.3, 500) for k, i in enumerate(ids)}
    first = _kn(ids, confidence=0.95, indifference=0.1, first_stage=10, max_replications=500)
    _drive(first, data)
    second = _kn(ids, confidence=0.95, indifference=0.1, first_stage=10, max_replications=500)
    reordered = dict(reversed(list(data.items())))
    _drive(second, reordered, extra=7)
    assert first.to_json() == second.to_json()
    out = first.to_json()
    assert set(out["eliminated"]) | {out["selected"]} == set(ids)
    for run_id, stage in out["eliminated"].items():
        assert out["replications"][run_id] == stage
    assert out["replications"][out["selected"]] == max(out["replications"].values())


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="at least one run"):
        _kn([])
    with pytest.raises(ValueError, match="distinct"):
        _kn(["a", "a"])
    with pytest.raises(ValueError, match="'indifference' must be > 0"):
        _kn(["a", "b"], indifference=0.0)
    with pytest.raises(ValueError, match="'confidence' must be > 0 and < 1"):
        _kn(["a", "b"], confidence=1.0)
    with pytest.raises(ValueError, match="'first_stage' must be >= 2"):
        _kn(["a", "b"], first_stage=1)
    with pytest.raises(ValueError, match="'max_replications' must be >= first_stage 3"):
        _kn(["a", "b"], max_replications=2)
    with pytest.raises(ValueError, match="'goal' must be 'min' or 'max'"):
        _kn(["a", "b"], goal="best")


def test_bad_values() -> None:
    kn = _kn(["a", "b"])
    with pytest.raises(ValueError, match="values for run 'b' are missing"):
        kn.update({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="run 'b' needs 3 replications"):
        kn.update({"a": [1.0, 2.0, 3.0], "b": [1.0]})
    with pytest.raises(ExperimentError, match="replication 1"):
        kn.update({"a": [1.0, 2.0, 3.0], "b": [1.0, math.nan, 2.0]})
    assert kn.stage == 0 and kn.wanted() == {"a": 3, "b": 3}

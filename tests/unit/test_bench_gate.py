"""The benchmark gate's verdicts (benchmarks/gate.py) on timings made up for the purpose.

The gate's real runs (a 30 % slower kernel failing, a no-op passing) are in
docs/performance.md; here the arithmetic of a verdict is pinned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import gate

NAMES = [w["name"] for w in gate.WORKLOADS] + [gate.STARTUP]


def _sides(head_factor: dict[str, list[float]] | None = None) -> tuple[gate.Side, gate.Side]:
    base = gate.Side("base", Path("base"))
    head = gate.Side("head", Path("head"))
    for name in NAMES:
        base.seconds[name] = [1.0, 1.1, 0.9, 1.0, 1.2]
        factors = (head_factor or {}).get(name, [1.0] * 5)
        head.seconds[name] = [b * f for b, f in zip(base.seconds[name], factors, strict=True)]
        if name != gate.STARTUP:
            base.counts[name] = {(100, 105)}
            head.counts[name] = {(100, 105)}
    return base, head


def _row(rows: list[list[str]], name: str) -> list[str]:
    return next(r for r in rows if r[0] == name)


def test_no_change_passes() -> None:
    rows, failed = gate._verdicts(*_sides())
    assert not failed
    assert all(r[-1] == "ok" for r in rows)
    assert {r[0] for r in rows} == set(NAMES)


def test_a_median_beyond_the_limit_fails_and_one_slow_round_does_not() -> None:
    name = "fast two-product"
    limit = gate.LIMITS.get(name, gate.DEFAULT_LIMIT)
    slow = [limit + 0.1] * 3 + [1.0, 1.0]  # the median round is beyond the limit
    rows, failed = gate._verdicts(*_sides({name: slow}))
    assert failed
    assert _row(rows, name)[-1] == "FAIL: slower"
    assert _row(rows, name)[3] == f"{limit + 0.1:.3f}"
    one_off = [3.0, 1.0, 1.0, 1.0, 1.0]  # a single noisy round
    rows, failed = gate._verdicts(*_sides({name: one_off}))
    assert not failed
    assert _row(rows, name)[4] == "1.000-3.000"


def test_the_start_up_is_gated_too() -> None:
    limit = gate.LIMITS.get(gate.STARTUP, gate.DEFAULT_LIMIT)
    _, failed = gate._verdicts(*_sides({gate.STARTUP: [limit * 1.05] * 5}))
    assert failed


def test_a_workload_the_head_cannot_run_fails_one_the_base_cannot_is_not_compared() -> None:
    base, head = _sides()
    head.errors["fast two-product"] = "ConfigError: boom"
    base.errors["fast additive-cell"] = "ImportError: no such thing"
    rows, failed = gate._verdicts(base, head)
    assert failed
    assert _row(rows, "fast two-product")[-1] == "FAIL: ConfigError: boom"
    assert _row(rows, "fast additive-cell")[-1] == "not compared: base fails"


def test_changed_numbers_are_shown_and_varying_ones_fail() -> None:
    base, head = _sides()
    head.counts["fast two-product"] = {(101, 106)}
    rows, failed = gate._verdicts(base, head)
    assert not failed
    assert _row(rows, "fast two-product")[-1] == "ok (numbers changed)"
    head.counts["fast two-product"] = {(101, 106), (100, 105)}
    rows, failed = gate._verdicts(base, head)
    assert failed
    assert _row(rows, "fast two-product")[-1] == "FAIL: head not deterministic"


def test_every_workload_has_a_limit_between_one_and_the_demonstrated_slow_down() -> None:
    assert set(gate.LIMITS) == set(NAMES)  # each measured; DEFAULT_LIMIT is for new ones
    for name in NAMES:
        assert 1.0 < gate.LIMITS.get(name, gate.DEFAULT_LIMIT) < 1.3


def test_the_table_has_a_header_and_a_row_per_workload() -> None:
    rows, _ = gate._verdicts(*_sides())
    lines = gate._table(rows).splitlines()
    assert lines[0].split()[:3] == ["workload", "base", "s"]
    assert len(lines) == 2 + len(NAMES)


def test_a_base_that_does_not_exist_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert gate.main(["--base", "no-such-revision-xyz"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_base_none_skips_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert gate.main(["--base", "none"]) == 0
    assert "skipped" in capsys.readouterr().out

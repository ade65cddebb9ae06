"""Run ids do not depend on how a duration is spelled: one scenario, one id."""

from __future__ import annotations

from simline.config import load_scenario
from simline.config.parse import apply_overrides
from simline.experiment.design import run_id
from tests.spec import ROOT


def test_the_same_length_spelled_three_ways_is_one_run() -> None:
    base = load_scenario(ROOT / "configs" / "transfer-line.yaml")
    ids = {run_id(apply_overrides(base, length=text)) for text in ("1d", "24h", "1440min")}
    assert len(ids) == 1
    assert run_id(apply_overrides(base, length=1440.0)) in ids  # a number in the time unit


def test_another_length_is_another_run() -> None:
    base = load_scenario(ROOT / "configs" / "transfer-line.yaml")
    assert run_id(apply_overrides(base, length="1d")) != run_id(apply_overrides(base, length="2d"))

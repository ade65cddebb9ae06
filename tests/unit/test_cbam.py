"""CBAM on import into the EU: certificates for the embedded emissions, in the carbon item."""

from __future__ import annotations

from typing import Any

import pytest

from simline.config import parse_scenario
from simline.cost import scenario_cost
from simline.cost.landed import cbam_per_part
from simline.errors import ConfigError
from simline.experiment.replicate import run_replications
from simline.plan import compile_plan


def _scenario(cbam: dict[str, Any] | None, loss_rate: float = 0.0) -> dict[str, Any]:
    logistics: dict[str, Any] = {"mode": "sea", "rate_per_part": 0.2, "loss_rate": loss_rate}
    if cbam is not None:
        logistics["cbam"] = cbam
    return {
        "simline": 1,
        "name": "import",
        "run": {"length": "1d", "warmup": 0, "replications": 2, "seed": 3},
        "stations": {"mill": {"kind": "machine", "process_time": "exp(5)"}},
        "site": "cn",
        "logistics": logistics,
    }


def test_certificates_cost_the_embedded_tonnes_at_the_price_less_what_was_paid() -> None:
    config = parse_scenario(
        _scenario({"embedded_co2_kg_per_part": 12, "price_per_t": 75, "paid_abroad_per_t": 10})
    )
    assert cbam_per_part(config) == pytest.approx(0.012 * 65)
    # a higher carbon price paid abroad is no refund
    dearer = parse_scenario(
        _scenario({"embedded_co2_kg_per_part": 12, "price_per_t": 75, "paid_abroad_per_t": 90})
    )
    assert cbam_per_part(dearer) == 0.0


def test_cbam_is_inside_the_carbon_item_and_paid_on_lost_parts_too() -> None:
    cbam = {"embedded_co2_kg_per_part": 12, "price_per_t": 75}
    without = parse_scenario(_scenario(None, loss_rate=0.2))
    with_cbam = parse_scenario(_scenario(cbam, loss_rate=0.2))
    results = run_replications(compile_plan(without), backend="des", jobs=1)
    a = scenario_cost(without, results)
    b = scenario_cost(with_cbam, results)
    extra = 0.012 * 75 / (1 - 0.2)
    assert b.estimate("carbon").mean - a.estimate("carbon").mean == pytest.approx(extra)
    assert b.estimate("tco").mean - a.estimate("tco").mean == pytest.approx(extra)
    assert b.estimate("co2_kg_per_part").mean == a.estimate("co2_kg_per_part").mean


def test_cbam_needs_the_embedded_emissions_and_a_price() -> None:
    with pytest.raises(ConfigError, match=r"logistics\.cbam.*embedded_co2_kg_per_part"):
        parse_scenario(_scenario({"price_per_t": 75}))

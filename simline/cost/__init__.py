"""Money from simulated lines: cost per good part, landed cost, TCO, comparisons.

Pure functions over :class:`~simline.engine.results.RunResult` and the scenario's cost keys
(``spec/cost.md``): nothing here simulates, so changing a price, a wage or a freight rate
never runs the line again.
"""

from __future__ import annotations

from simline.cost.compare import (
    Comparison,
    Difference,
    compare_costs,
    exchange_rates,
    parse_rate,
    parse_rates,
)
from simline.cost.rates import FixedItems, depreciation_rate, fixed_items
from simline.cost.sensitivity import INPUTS, SensitivityRow, sensitivity
from simline.cost.tco import (
    BREAKDOWN,
    ReplicationCost,
    ScenarioCost,
    replication_cost,
    scenario_cost,
)
from simline.cost.unit import LineCost, line_cost

__all__ = [
    "BREAKDOWN",
    "INPUTS",
    "Comparison",
    "Difference",
    "FixedItems",
    "LineCost",
    "ReplicationCost",
    "ScenarioCost",
    "SensitivityRow",
    "compare_costs",
    "depreciation_rate",
    "exchange_rates",
    "fixed_items",
    "line_cost",
    "parse_rate",
    "parse_rates",
    "replication_cost",
    "scenario_cost",
    "sensitivity",
]

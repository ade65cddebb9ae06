"""Figures: the dotted paths of ``simline run --format json`` whose node has a ``"mean"``.

``throughput_per_hour``, ``stations.mill.utilization``, ``products.housing.lead_time``,
``cost.tco``, ``cost.breakdown.labour``, ``cost.stations.mill.machine_hour_rate``, ...

:func:`figure_names` lists them for a scenario without simulating; :func:`replication_row`
gives every one of them for one replication (the run store keeps these rows), and
:func:`run_figures` gives them over replications exactly as ``simline run`` reports them.
The run's JSON itself is built in :mod:`simline.report`, a layer above; here the same figures
come from the same sources (:meth:`simline.stats.RunSummary.figures` and
:meth:`simline.cost.ScenarioCost.to_json`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from simline.cost import BREAKDOWN, scenario_cost
from simline.cost.unit import MACHINE_HOUR_ITEMS
from simline.stats import (
    LINE_FIGURES,
    PRODUCT_FIGURES,
    STATION_FIGURES,
    replication_figures,
    summarize,
)

if TYPE_CHECKING:
    from simline.config import ScenarioConfig
    from simline.engine.results import RunResult
    from simline.plan import Plan

__all__ = ["figure_names", "replication_row", "run_figures"]

#: Cost figures of the whole line, in the order of the ``cost`` block, with the per-replication
#: figure of :class:`simline.cost.ReplicationCost` each is the mean of.
_COST_TOP: tuple[tuple[str, str], ...] = (
    ("cost.unit_cost", "unit_cost"),
    ("cost.landed_cost", "landed_cost"),
    ("cost.tco", "tco"),
    *((f"cost.breakdown.{item}", item) for item in BREAKDOWN),
    ("cost.unused_capacity", "unused_capacity"),
)
_COST_ANNUAL: tuple[tuple[str, str], ...] = (
    ("cost.annual.capacity", "capacity"),
    ("cost.annual.tco", "tco_year"),
    ("cost.annual.npv", "npv"),
    ("cost.co2_kg_per_part", "co2_kg_per_part"),
)
_DOOR_TO_DOOR = "cost.lead_time_door_to_door"


def _station_cost_figures(config: ScenarioConfig, station: str) -> tuple[str, ...]:
    rate = (
        "machine_hour_rate",
        *(f"machine_hour_items.{item}" for item in MACHINE_HOUR_ITEMS),
        "cost_per_part",
    )
    if config.stations[station].batch is not None:
        return (*rate, "cost_per_build_part")
    return rate


def figure_names(config: ScenarioConfig, plan: Plan) -> list[str]:
    """Every figure of a scenario, in the order of ``simline run``'s JSON, without simulating.

    Parameters
    ----------
    config
        The scenario (its cost figures exist when it has a ``site``).
    plan
        Its compiled plan (for the products and stations).

    Returns
    -------
    list
        Dotted names; the keys of :func:`replication_row`, in the same order.
    """
    names = list(LINE_FIGURES)
    for product in plan.products:
        names += [f"products.{product.name}.{f}" for f in PRODUCT_FIGURES]
    for station in plan.stations:
        names += [f"stations.{station.name}.{f}" for f in STATION_FIGURES]
    for figure in ("utilization", "active_period"):
        names += [f"bottleneck.{figure}.{station.name}" for station in plan.stations]
    names.append("oee")
    if config.site is not None:
        names += [name for name, _ in _COST_TOP]
        for name in config.stations:
            names += [f"cost.stations.{name}.{f}" for f in _station_cost_figures(config, name)]
        names += [name for name, _ in _COST_ANNUAL]
        names.append(_DOOR_TO_DOOR)
    return names


def replication_row(config: ScenarioConfig, plan: Plan, result: RunResult) -> dict[str, float]:
    """Every scalar figure of one replication, keyed by its dotted name.

    Parameters
    ----------
    config
        The scenario that ran.
    plan
        Its plan.
    result
        One replication.

    Returns
    -------
    dict
        The keys of :func:`figure_names`, in its order; ``nan`` where the replication leaves a
        figure undefined (a lead time without a finished good part, a build cost without a
        build). The mean of a figure over rows is the ``mean`` that ``simline run`` reports.
    """
    row = {".".join(key): value for key, value in replication_figures(plan, result).items()}
    if config.site is None:
        return row
    cost = scenario_cost(config, [result]).replications[0]
    figures = cost.figures
    for name, figure in _COST_TOP:
        row[name] = figures[figure]
    for station in config.stations:
        for figure in _station_cost_figures(config, station):
            row[f"cost.stations.{station}.{figure}"] = cost.stations[station][figure]
    for name, figure in _COST_ANNUAL:
        row[name] = figures[figure]
    row[_DOOR_TO_DOOR] = figures["lead_time_door_to_door_h"] / result.hours_per_unit
    return row


def _flatten(prefix: str, node: Any, out: dict[str, dict[str, Any]]) -> None:
    if not isinstance(node, dict):
        return
    if "mean" in node and "ci95" in node:
        out[prefix] = node
        return
    for key, value in node.items():
        _flatten(f"{prefix}.{key}", value, out)


def run_figures(
    config: ScenarioConfig, plan: Plan, results: Sequence[RunResult]
) -> dict[str, dict[str, Any]]:
    """Every figure over replications, as ``simline run --format json`` reports it.

    Parameters
    ----------
    config
        The scenario that ran.
    plan
        Its plan.
    results
        Its replications, in replication order.

    Returns
    -------
    dict
        Dotted name -> ``{"mean": m, "ci95": [lo, hi]}`` (``None`` for an undefined value;
        ``"n": k`` when only ``k`` replications defined it): exactly the figure nodes of
        ``simline run``'s JSON for these replications, flattened. A figure no replication
        defined that the run's JSON leaves out (the build cost of a batch station without a
        build) is left out here too.
    """
    summary = summarize(plan, results)
    reps = summary.replications
    out: dict[str, dict[str, Any]] = {
        ".".join(key): est.to_json(reps) for key, est in summary.figures()
    }
    if config.site is not None:
        _flatten("cost", scenario_cost(config, results).to_json(), out)
    return out

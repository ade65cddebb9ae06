"""The objects of ``simline compare``: scenarios side by side, paired differences, a verdict.

Two kinds: on cost, when every scenario has a site (the winner has the lowest TCO per good
part), and on the line's figures, when none has (the winner has the highest throughput).
Both are plain JSON-ready mappings; the command line renders them as a table, JSON or CSV.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simline.config import ScenarioConfig
    from simline.cost import ScenarioCost, SensitivityRow
    from simline.cost.uncertainty import FutureComparison
    from simline.engine.results import RunResult
    from simline.plan import Plan

__all__ = ["cost_comparison", "cost_verdict", "line_comparison", "line_verdict"]


def cost_comparison(
    head: dict[str, Any],
    scenarios: list[ScenarioConfig],
    plans: list[Plan],
    all_results: list[list[RunResult]],
    factors: list[float],
    currency: str,
    backend_name: str,
    sensitivity: bool,
    version: str,
) -> tuple[
    dict[str, Any], list[ScenarioCost], list[SensitivityRow] | None, FutureComparison | None
]:
    """Build the compare object of scenarios with a site: cost, differences, TCO winner.

    Returns
    -------
    tuple
        The JSON-ready object, each scenario's cost, the sensitivity rows (``None`` unless
        asked for) and the costs over futures (``None`` without ``uncertainty``), so that the
        caller can draw them.
    """
    from simline.cost import compare_costs, scenario_cost
    from simline.cost import sensitivity as run_sensitivity
    from simline.cost.uncertainty import compare_futures
    from simline.report.output import run_to_json
    from simline.stats import summarize

    costs = [
        scenario_cost(s, r, rate=f, currency=currency)
        for s, r, f in zip(scenarios, all_results, factors, strict=True)
    ]
    comparison = compare_costs(costs)
    runs = [
        run_to_json(
            plan,
            summarize(plan, results),
            backend=backend_name,
            version=version,
            cost=cost.to_json(),
        )
        for plan, results, cost in zip(plans, all_results, costs, strict=True)
    ]
    reps = head["replications"]
    obj: dict[str, Any] = {
        **head,
        "currency": currency,
        "rates": {s.currency: f for s, f in zip(scenarios, factors, strict=True)},
        "scenarios": runs,
        "differences": [d.to_json() for d in comparison.differences],
        "winner": comparison.winner,
        "runner_up": comparison.runner_up,
        "margin": comparison.margin.to_json(reps) if comparison.margin is not None else None,
        "significant": comparison.significant,
        "verdict": cost_verdict(comparison, currency),
    }
    rows = None
    if sensitivity:
        rows = run_sensitivity(scenarios, all_results, factors)
        obj["sensitivity"] = [r.to_json() for r in rows]
    futures = compare_futures(scenarios, all_results, factors)
    if futures is not None:
        for run, cost in zip(runs, futures.costs, strict=True):
            run["cost"]["uncertainty"] = cost.to_json()
        obj["uncertainty"] = futures.to_json()
        obj["verdict"] += " " + futures.verdict()
    return obj, costs, rows, futures


def line_comparison(
    head: dict[str, Any],
    plans: list[Plan],
    all_results: list[list[RunResult]],
    backend_name: str,
    version: str,
) -> dict[str, Any]:
    """Build the compare object of scenarios without a site, winner on throughput."""
    from simline.report.output import run_to_json
    from simline.stats import Estimate, compare_lines, summarize

    comparison = compare_lines(plans, all_results)
    reps = head["replications"]

    def plain(node: Any) -> Any:
        if isinstance(node, Estimate):
            return node.to_json(reps)
        if isinstance(node, dict):
            return {k: plain(v) for k, v in node.items()}
        return node

    runs = [
        run_to_json(plan, summarize(plan, results), backend=backend_name, version=version)
        for plan, results in zip(plans, all_results, strict=True)
    ]
    return {
        **head,
        "scenarios": runs,
        "bottlenecks": dict(zip(comparison.scenarios, comparison.bottlenecks, strict=True)),
        "differences": [plain(d) for d in comparison.differences],
        "winner": comparison.winner,
        "runner_up": comparison.runner_up,
        "margin": comparison.margin.to_json(reps),
        "significant": comparison.significant,
        "verdict": line_verdict(comparison, runs),
    }


def line_verdict(comparison: Any, runs: list[dict[str, Any]]) -> str:
    """One paragraph: who wins on throughput, by how much, how sure; cost is not compared."""
    means = {r["scenario"]: r["throughput_per_hour"]["mean"] for r in runs}
    win = means[comparison.winner]
    other = means[comparison.runner_up]
    margin = comparison.margin
    text = f"Winner on throughput: {comparison.winner} at {_num(win)} good parts per hour"
    share = margin.mean / other if other else math.nan
    text += (
        f", {_num(margin.mean)} ({share:.1%}) above {comparison.runner_up} "
        f"(paired 95% CI [{_num(margin.lo)}, {_num(margin.hi)}]): "
        + (
            "significant at 95%."
            if comparison.significant
            else "not significant at 95%; more replications or a longer run may decide."
        )
    )
    return text + (
        " No scenario has a site, so they are compared on the line's figures only, not on "
        "cost; add a 'site' to every scenario for unit, landed and TCO cost."
    )


def cost_verdict(comparison: Any, currency: str) -> str:
    """Write one paragraph a board can read: who wins on TCO, by how much, how sure."""
    costs = {c.scenario: c for c in comparison.costs}
    win = costs[comparison.winner]
    tco = win.estimate("tco").mean
    text = f"Winner on TCO: {comparison.winner} at {tco:,.2f} {currency} per good part"
    margin = comparison.margin
    if comparison.runner_up is not None and margin is not None:
        other = costs[comparison.runner_up].estimate("tco").mean
        share = margin.mean / other if other else math.nan
        ci = f"[{margin.lo:,.2f}, {margin.hi:,.2f}]"
        text += (
            f", {margin.mean:,.2f} ({share:.1%}) below {comparison.runner_up} "
            f"(paired 95% CI {ci}): "
            + (
                "significant at 95%."
                if comparison.significant
                else "not significant at 95%; more replications or a longer run may decide."
            )
        )
    cheapest = min(comparison.costs, key=lambda c: c.estimate("unit_cost").mean)
    if cheapest.scenario != comparison.winner:
        text += (
            f" On unit cost at the factory alone {cheapest.scenario} is cheapest "
            f"({cheapest.estimate('unit_cost').mean:,.2f}); logistics, inventory, carbon, risk "
            "and strategic costs reverse that."
        )
    return text


def _num(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:,.3g}" if abs(x) < 100 else f"{x:,.1f}"

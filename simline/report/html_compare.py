"""The HTML report of ``simline compare --report`` (see :mod:`simline.report.html`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from simline.report._page import (
    LINE_FIGURES,
    Page,
    esc,
    estimate,
    fmt,
    footer,
    table,
    unit_cell,
    warnings_section,
)
from simline.report.table import driver_name, format_duration, input_range, plain_number

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from matplotlib.figure import Figure

    from simline.cost import ScenarioCost, SensitivityRow
    from simline.cost.uncertainty import FutureComparison
    from simline.plan import Plan

__all__ = ["compare_report"]

# --- compare -------------------------------------------------------------------------------

#: Units of the differences of ``simline compare`` (``{cur}``: the reporting currency).
_DIFF_UNITS = {
    "tco": "{cur}/good part",
    "landed_cost": "{cur}/good part",
    "unit_cost": "{cur}/good part",
    "throughput_per_hour": "good parts/h",
    "lead_time_hours": "h",
    "lead_time_door_to_door_hours": "h",
    "wip": "parts",
    "co2_kg_per_part": "kg/good part",
    "npv": "{cur}",
    "bottleneck_utilization": "percentage points",
}


def compare_report(
    obj: Mapping[str, Any],
    *,
    plans: Sequence[Plan],
    costs: Sequence[ScenarioCost] | None = None,
    sensitivity: Sequence[SensitivityRow] | None = None,
    warnings: Sequence[object] = (),
    sources: Sequence[str] = (),
    futures: FutureComparison | None = None,
) -> str:
    """Return the HTML report of a comparison.

    Parameters
    ----------
    obj
        The comparison's JSON object (``CompareOutcome.to_dict()``).
    plans
        The scenarios' plans, in order (time units, warm-ups, lengths).
    costs, sensitivity
        The scenarios' costs and the sensitivity rows, when compared on cost: the cost
        breakdown and tornado charts (the ones of ``compare --plot``).
    warnings
        Notices to show.
    sources
        The scenario files.
    futures
        The scenarios over the futures of their ``uncertainty`` blocks: the TCO distributions,
        the chance of being the cheapest, and a table of percentiles and paybacks.
    """
    reps = int(obj["replications"])
    runs = obj["scenarios"]
    names = [r["scenario"] for r in runs]
    page = Page("simline comparison: " + " vs ".join(names))
    page.add(f"<h1>Comparison: {esc(' vs '.join(names))}</h1>")
    first = plans[0]
    page.add(
        '<p class="sub">'
        + esc(
            f"{len(names)} scenarios ({', '.join(sources)}) with common random numbers: "
            f"seed {obj['seed']}, {reps} replications each of "
            f"{format_duration(first.length, first.hours_per_unit)} measured after "
            f"{format_duration(first.warmup, first.hours_per_unit)} of warm-up; compared on "
            f"{'TCO per good part' if obj['compared_on'] == 'tco' else 'throughput'}."
        )
        + "</p>"
    )
    page.add(
        '<section id="verdict"><h2>Verdict</h2>'
        f'<p class="verdict">{esc(obj["verdict"])}</p></section>'
    )
    _side_by_side(page, obj, plans, reps)
    _differences(page, obj, reps)
    page.add('<section id="stations"><h2>Stations: where the time goes</h2>')
    for k, run in enumerate(runs):
        page.figure(
            _state_figure(run),
            esc(
                f"{run['scenario']}: share of the measured time in each state "
                "(mean over replications)."
            ),
            f"chart-states-{k}",
        )
    page.add("</section>")
    if costs:
        from simline.report.plots import comparison_figure

        page.add('<section id="cost"><h2>Cost breakdown and sensitivity</h2>')
        side = "Left: " if sensitivity else ""
        caption = (
            f"{side}TCO per good part by item, {obj.get('currency', '')}, with the 95% CI of "
            "the total. "
        )
        if not sensitivity:
            caption += "The tornado chart of the cost inputs comes with --sensitivity."
        else:
            caption += (
                "Right: the tornado chart, how far each cost input moves a scenario's TCO per "
                "good part between its low and high value (no new simulation); a note marks "
                "where the verdict would flip."
            )
        if futures is not None:
            caption += (
                f" Below: the TCO per good part over {futures.samples:,} paired futures of the "
                "uncertain cost inputs (cumulative share of futures; dots P10, P50, P90) and each "
                "scenario's share of futures in which it is the cheapest."
            )
        page.figure(comparison_figure(costs, sensitivity, futures), esc(caption), "chart-cost")
        if sensitivity:
            _sensitivity_table(page, sensitivity, obj.get("currency", ""))
        if futures is not None and obj.get("uncertainty"):
            _futures_table(page, obj)
        page.add("</section>")
    warnings_section(page, warnings)
    return page.render(footer(str(obj.get("simline_version", ""))))


def _state_figure(run: Mapping[str, Any]) -> Figure:
    from simline.report.charts import state_split_figure

    station = (run.get("bottleneck") or {}).get("station")
    return state_split_figure(run["stations"], bottleneck=station, title=str(run["scenario"]))


def _side_by_side(page: Page, obj: Mapping[str, Any], plans: Sequence[Plan], reps: int) -> None:
    runs = obj["scenarios"]
    head = ["Figure", *(esc(r["scenario"]) for r in runs), "Unit"]
    rows = []
    units = {p.time_unit for p in plans}
    for key, label, unit in LINE_FIGURES:
        if key == "lead_time" and len(units) > 1:
            cells = [esc(label)]
            for run, plan in zip(runs, plans, strict=True):
                mean, ci = fmt(run[key], reps)
                cells.append(esc(f"{mean} {plan.time_unit} {ci}"))
            rows.append((*cells, unit_cell("(each scenario's time unit)")))
            continue
        cells = [esc(label)]
        for k, run in enumerate(runs):
            mean, ci = fmt(run[key], reps)
            cells.append(f'<td id="figure-{k}-{key}">{esc(mean)} <small>{esc(ci)}</small></td>')
        rows.append((*cells, unit_cell(unit.format(unit=plans[0].time_unit))))
    rows.append(
        (
            "Bottleneck",
            *(f'<td id="bottleneck-{k}">{esc(_station(r))}</td>' for k, r in enumerate(runs)),
            unit_cell("station"),
        )
    )
    if obj["compared_on"] == "tco":
        cur = str(obj.get("currency", ""))
        for key, label in (
            ("unit_cost", "Unit cost"),
            ("landed_cost", "Landed cost"),
            ("tco", "TCO"),
        ):
            cells = [esc(label)]
            for run in runs:
                mean, ci = fmt(run["cost"].get(key), reps)
                cells.append(f"{esc(mean)} <small>{esc(ci)}</small>")
            rows.append((*cells, unit_cell(f"{cur}/good part")))
    page.add(
        '<section id="figures"><h2>Side by side</h2>'
        + table(head, rows, "side-by-side")
        + "</section>"
    )


def _station(run: Mapping[str, Any]) -> str:
    return str((run.get("bottleneck") or {}).get("station") or "none")


def _differences(page: Page, obj: Mapping[str, Any], reps: int) -> None:
    cur = str(obj.get("currency", ""))
    rows = []
    for diff in obj["differences"]:
        pair = f"{diff['scenario']} − {diff['versus']}"
        for key, est in _flat(diff):
            base = key.split(".")[0]
            scale = 100.0 if base in ("bottleneck_utilization", "stations") else 1.0
            unit = _DIFF_UNITS.get(base, "percentage points" if base == "stations" else "")
            mean, ci = fmt(est, reps, scale)
            lo, hi = estimate(est, reps).lo, estimate(est, reps).hi
            significant = reps > 1 and (lo > 0 or hi < 0)
            label = _diff_label(key)
            rows.append(
                (
                    esc(pair),
                    f'<td class="text">{esc(label)}</td>',
                    f'<td class="sig">{esc(mean)}</td>' if significant else esc(mean),
                    esc(ci),
                    "yes" if significant else "no",
                    unit_cell(unit.format(cur=cur)),
                )
            )
    page.add(
        '<section id="differences"><h2>Differences against the first scenario</h2>'
        "<p>Paired differences with common random numbers; <em>significant</em> when the 95% "
        "CI excludes 0.</p>"
        + table(
            ("Scenarios", "Figure", "Difference", "95% CI", "Significant", "Unit"),
            rows,
            "differences",
        )
        + "</section>"
    )


def _flat(diff: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Mapping[str, Any]]]:
    out: list[tuple[str, Mapping[str, Any]]] = []
    for key, value in diff.items():
        if key in ("scenario", "versus") and not prefix:
            continue
        if isinstance(value, dict) and "mean" in value:
            out.append((prefix + key, value))
        elif isinstance(value, dict):
            out.extend(_flat(value, f"{prefix}{key}."))
    return out


def _diff_label(key: str) -> str:
    if key.startswith("stations."):
        return f"utilization of {key.split('.', 1)[1]}"
    return key.replace("_", " ").replace(" per hour", "").replace(" hours", "")


def _futures_table(page: Page, obj: Mapping[str, Any]) -> None:
    from simline.cost.uncertainty import share_text

    block = obj["uncertainty"]
    against = {d["scenario"]: d for d in block["differences"]}
    first = obj["scenarios"][0]["scenario"]

    def cell(value: float | None, fmt: str = "{:,.2f}") -> str:
        return "–" if value is None else fmt.format(value)

    def payback(name: str, d: Mapping[str, Any] | None) -> str:
        if d is None:
            return ""
        pay = d["payback_years"]
        if pay is None:
            return "no extra capex"
        text = " / ".join(cell(pay[p], "{:.1f}") for p in ("p10", "p50", "p90"))
        return text if pay.get("of") in (None, name) else f"{text} of {pay['of']}"

    def drivers(d: Mapping[str, Any] | None) -> str:
        if d is None:
            return ""
        parts = []
        for key, when in (("drivers", "year one"), ("npv_drivers", "over the horizon")):
            top = [r for r in d.get(key, []) if r.get("significant", True)][:3]
            names = ", ".join(f"{driver_name(r)} {r['rank_correlation']:+.2f}" for r in top)
            parts.append(f"{when}: {names or 'none significant'}")
        return "; ".join(parts)

    body = []
    for run in obj["scenarios"]:
        name = run["scenario"]
        tco = run["cost"]["uncertainty"]["tco"]
        d = against.get(name)
        body.append(
            (
                esc(name),
                *(esc(cell(tco[p])) for p in ("p10", "p50", "p90")),
                esc(share_text(block["probability_cheapest"][name])),
                esc(share_text(d["probability_cheaper"])) if d is not None else "",
                esc(share_text(d["probability_cheaper_over_horizon"])) if d is not None else "",
                esc(payback(name, d)),
                esc(drivers(d)),
            )
        )
    page.add(
        table(
            (
                f"Scenario ({obj.get('currency', '')} per good part)",
                "TCO P10",
                "P50",
                "P90",
                "Cheapest of all",
                f"Cheaper than {first}",
                "... over the horizon (NPV)",
                "Payback years P10 / P50 / P90",
                "Drives the difference (rank correlation beyond 3 standard errors)",
            ),
            body,
            "futures",
        )
    )


def _sensitivity_table(page: Page, rows: Sequence[SensitivityRow], currency: str) -> None:
    top = sorted(rows, key=lambda r: r.swing, reverse=True)
    body = [
        (
            esc(r.scenario),
            esc(r.input),
            esc(input_range(r.input, r.low, r.high, r.unit, currency)),
            esc(f"{r.tco_low:,.2f} .. {r.tco_high:,.2f}"),
            esc(
                plain_number(r.break_even)
                if r.break_even is not None and math.isfinite(r.break_even)
                else "–"
            ),
            "yes" if r.flips_in_range else "no",
        )
        for r in top
    ]
    page.add(
        table(
            (
                "Scenario",
                "Input",
                "Range (input's unit)",
                "TCO per good part, low .. high",
                "Verdict flips at",
                "Flips in range",
            ),
            body,
            "sensitivity",
        )
    )

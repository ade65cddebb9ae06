"""The HTML report of ``simline run --report`` and ``simline compare --report``.

One self-contained page a person can mail: no script, no style sheet, font or image from
the network; every chart is inline SVG drawn by matplotlib (text kept as text, so it can be
searched and read by a screen reader) with the namespace and DTD addresses stripped, so the
file holds no ``http(s)`` address at all. Built from plain string templates, every value
escaped with :func:`html.escape`. The page reads on screen and printed (A4, charts kept
whole on a page). Every figure is the mean over replications with its 95 % confidence
interval, as in the table and JSON outputs, and carries its unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simline.report._page import (
    LINE_FIGURES,
    STATES,
    Page,
    esc,
    fmt,
    footer,
    table,
    unit_cell,
    warnings_section,
)
from simline.report.html_compare import compare_report
from simline.report.table import format_duration
from simline.report.table import readable_duration as readable

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from simline.engine.results import RunResult
    from simline.plan import Plan

__all__ = ["compare_report", "part_lead_times", "run_report"]

#: Events of replication 0 drawn at most in the report's Gantt chart (from the warm-up's end).
GANTT_EVENTS = 1500


# --- run -----------------------------------------------------------------------------------


def run_report(
    obj: Mapping[str, Any],
    *,
    plan: Plan,
    results: Sequence[RunResult],
    warnings: Sequence[object] = (),
    source: str = "",
    description: str = "",
) -> str:
    """Return the HTML report of one run.

    Parameters
    ----------
    obj
        The run's JSON object (``RunOutcome.to_dict()``), with ``series`` for the charts over
        time (left out when absent).
    plan
        The plan that ran (time unit, warm-up, length).
    results
        The replications: their mean lead times, and their traces when kept (then the
        lead-time histogram is of parts and a Gantt chart of replication 0 is drawn).
    warnings
        Notices to show (strings, or anything with a readable ``str``).
    source
        The scenario file, for the heading.
    description
        The scenario's description.
    """
    reps = int(obj["replications"])
    unit = plan.time_unit
    page = Page(f"simline report: {obj['scenario']}")
    page.add(f"<h1>{esc(obj['scenario'])}</h1>")
    if description:
        page.add(f'<p class="sub">{esc(description)}</p>')
    page.add(
        '<p class="sub">'
        + esc(
            f"Scenario file {source or '(unnamed)'}; {reps} replications of "
            f"{format_duration(plan.length, plan.hours_per_unit)} measured after "
            f"{format_duration(plan.warmup, plan.hours_per_unit)} of warm-up; seed "
            f"{obj['seed']}; engine {obj['backend']}; time unit {unit}."
        )
        + "</p>"
    )
    _key_figures(page, obj, reps, unit)
    _bottleneck(page, obj, reps)
    _stations(page, obj, reps)
    if len(obj.get("products", {})) > 1:
        _products(page, obj, reps, unit)
    if obj.get("series"):
        _series(page, obj["series"], plan)
    _lead_times(page, obj, plan, results)
    if results and results[0].trace:
        _gantt(page, results[0], plan)
    warnings_section(page, warnings)
    if obj.get("cost"):
        _cost(page, obj["cost"], reps)
    return page.render(footer(str(obj.get("simline_version", ""))))


def _key_figures(page: Page, obj: Mapping[str, Any], reps: int, unit: str) -> None:
    page.add('<section id="figures"><h2>The line</h2><div class="key">')
    for key, label, fig_unit in LINE_FIGURES[:3]:
        mean, ci = fmt(obj[key], reps)
        u = fig_unit.format(unit=unit)
        page.add(
            f'<div class="card" id="card-{key}"><div class="l">{esc(label)}</div>'
            f'<div class="v">{esc(mean)} <small>{esc(u)}</small></div>'
            f'<div class="l">{esc(ci)}</div></div>'
        )
    page.add("</div>")
    rows = []
    for key, label, fig_unit in LINE_FIGURES:
        mean, ci = fmt(obj[key], reps)
        rows.append(
            (
                esc(label),
                f'<td id="figure-{key}">{esc(mean)}</td>',
                esc(ci),
                f'<td class="unit">{esc(fig_unit.format(unit=unit))}</td>',
            )
        )
    page.add(table(("Figure", "Mean", "95% CI", "Unit"), rows, "line-figures") + "</section>")


def _bottleneck(page: Page, obj: Mapping[str, Any], reps: int) -> None:
    found = obj.get("bottleneck") or {}
    station = found.get("station")
    page.add('<section id="bottleneck"><h2>Bottleneck</h2>')
    if station is None:
        if found.get("reason") == "release":
            text = (
                "No bottleneck: the line is limited by its release (it makes what it is given); "
                "the table shows how close each station comes to limiting it."
            )
        else:
            text = "No bottleneck: no station worked."
        page.add(f'<p id="bottleneck-station">{esc(text)}</p>')
    else:
        share = (found.get("share") or {}).get(station)
        sure = f", named in {share:.0%} of the replications" if share is not None else ""
        page.add(
            f'<p>The bottleneck is <strong id="bottleneck-station">{esc(station)}</strong>'
            f"{esc(sure)} (method: {esc(found.get('method', ''))}).</p>"
        )
    util = found.get("utilization") or {}
    active = found.get("active_period") or {}
    rows = []
    for name in util:
        u, u_ci = fmt(util[name], reps, 100.0)
        a, a_ci = fmt(active.get(name), reps)
        mark = "<strong>" + esc(name) + "</strong>" if name == station else esc(name)
        rows.append((mark, esc(u), esc(u_ci), esc(a), esc(a_ci)))
    if rows:
        page.add(
            table(
                (
                    "Station",
                    "Utilization of available time (%)",
                    "95% CI",
                    f"Mean active period ({esc(obj.get('time_unit', ''))})",
                    "95% CI",
                ),
                rows,
                "bottleneck-table",
            )
        )
    page.add("</section>")


def _stations(page: Page, obj: Mapping[str, Any], reps: int) -> None:
    from simline.report.charts import state_split_figure

    stations = obj["stations"]
    station = (obj.get("bottleneck") or {}).get("station")
    page.add('<section id="stations"><h2>Stations: where the time goes</h2>')
    page.figure(
        state_split_figure(stations, bottleneck=station),
        "Share of the measured time each station's servers spent in each state (mean over "
        "replications; the states sum to 100%). The table gives the 95% CIs.",
        "chart-states",
    )
    rows = []
    for name, figures in stations.items():
        cells = [esc(name)]
        for state in STATES:
            mean, _ = fmt(figures.get(state), reps, 100.0)
            cells.append(esc(mean))
        out, _ = fmt(figures.get("parts_out"), reps)
        cells.append(esc(out))
        rows.append(cells)
    head = ("Station", *(f"{s.replace('_', ' ')} (%)" for s in STATES), "Parts out (parts)")
    page.add(table(head, rows, "station-table") + "</section>")


def _products(page: Page, obj: Mapping[str, Any], reps: int, unit: str) -> None:
    rows = []
    for name, figures in obj["products"].items():
        cells = [esc(name)]
        for key, _label, _u in (LINE_FIGURES[0], LINE_FIGURES[1], *LINE_FIGURES[3:]):
            mean, ci = fmt(figures.get(key), reps)
            cells.append(esc(f"{mean} {ci}".strip()))
        rows.append(cells)
    head = (
        "Product",
        "Throughput (good parts/h)",
        f"Lead time ({esc(unit)})",
        "Good parts",
        "Scrap parts",
    )
    page.add('<section id="products"><h2>Products</h2>' + table(head, rows) + "</section>")


def _series(page: Page, series: Mapping[str, Any], plan: Plan) -> None:
    from simline.report.charts import series_figure

    page.add('<section id="over-time"><h2>WIP and throughput over time</h2>')
    page.figure(
        series_figure(
            series,
            warmup=plan.warmup,
            time_unit=plan.time_unit,
            hours_per_unit=plan.hours_per_unit,
        ),
        "Mean over replications per bin of "
        f"{esc(readable(series['bin_width'] * plan.hours_per_unit))}"
        " with its 95% CI band, from time 0 (the grey warm-up is not in the figures above). "
        "WIP that still rises at the right end, beyond the swing of the line's shift pattern, "
        "means the line has not settled: run longer, or see the warnings.",
        "chart-series",
    )
    page.add("</section>")


def _lead_times(
    page: Page, obj: Mapping[str, Any], plan: Plan, results: Sequence[RunResult]
) -> None:
    from simline.report.charts import lead_time_figure

    unit = plan.time_unit
    page.add('<section id="lead-time"><h2>Lead time</h2>')
    per_part = part_lead_times(results, plan) if results and results[0].trace else []
    if per_part:
        fig = lead_time_figure(per_part, time_unit=unit, per_part=True, estimate=obj["lead_time"])
        caption = (
            f"The lead time of each of the {len(per_part):,} good parts that left in the "
            "measured period, all replications, from release to leaving (from the event "
            "trace); the line and band are the mean lead time and its 95% CI."
        )
    else:
        means = [r.lead_time for r in results]
        fig = lead_time_figure(means, time_unit=unit, per_part=False, estimate=obj["lead_time"])
        caption = (
            f"The mean lead time of each of the {len(means)} replications, not of single "
            "parts: the engines keep a running mean and variance per replication, not each "
            "part's time. The line and band are the mean over replications and its 95% CI. "
            "For the spread of single parts, run with --trace (a short run) and the report "
            "draws their histogram."
        )
    page.figure(fig, esc(caption), "chart-lead-time")
    page.add("</section>")


def part_lead_times(results: Sequence[RunResult], plan: Plan) -> list[float]:
    """Return every good part's lead time (release to leave) in the measured period, from traces."""
    out: list[float] = []
    for result in results:
        released: dict[int, float] = {}
        for time, part, _product, _station, event in result.trace or ():
            if event == "release":
                released[part] = time
            elif event == "leave" and part in released and plan.warmup < time <= plan.horizon:
                out.append(time - released.pop(part))
    return out


def _gantt(page: Page, result: RunResult, plan: Plan) -> None:
    from simline.report.gantt import gantt_figure, reconstruct

    trace = result.trace or []
    start = plan.warmup
    later = [row[0] for row in trace if row[0] >= start]
    if not later:
        return
    end = later[min(GANTT_EVENTS, len(later)) - 1]
    if not end > start:
        return
    gantt = reconstruct(trace, replication=result.replication, start=start, end=end)
    page.add('<section id="gantt"><h2>Station states over time (one replication)</h2>')
    page.figure(
        gantt_figure(gantt, time_unit=plan.time_unit, width=10.0),
        esc(
            f"Replication {result.replication} from the end of the warm-up, {start:g} "
            f"{plan.time_unit}, to {end:g} {plan.time_unit} (its first "
            f"{len(later[:GANTT_EVENTS]):,} events), reconstructed from the event trace: "
            "a lane per server busy at once; "
            "grey lines are parts moving from one station to the next. White: the server held "
            "no part (starved or off shift; the trace does not tell which)."
        ),
        "chart-gantt",
    )
    page.add("</section>")


def _cost(page: Page, cost: Mapping[str, Any], reps: int) -> None:
    from simline.report.charts import cost_breakdown_figure

    cur = str(cost["currency"])
    page.add('<section id="cost"><h2>Cost</h2>')
    rows = []
    for key, label in (
        ("unit_cost", "Unit cost at the factory"),
        ("landed_cost", "Landed cost"),
        ("tco", "Total cost of ownership"),
    ):
        mean, ci = fmt(cost.get(key), reps)
        rows.append(
            (
                esc(label),
                f'<td id="cost-{key}">{esc(mean)}</td>',
                esc(ci),
                unit_cell(f"{cur}/good part"),
            )
        )
    if cost.get("co2_kg_per_part"):
        mean, ci = fmt(cost["co2_kg_per_part"], reps)
        rows.append(("CO₂", esc(mean), esc(ci), unit_cell("kg/good part")))
    annual = cost.get("annual") or {}
    if annual.get("tco"):
        mean, ci = fmt(annual["tco"], reps)
        rows.append(("TCO per year", esc(mean), esc(ci), unit_cell(f"{cur}/yr")))
    if annual.get("capacity"):
        mean, ci = fmt(annual["capacity"], reps)
        rows.append(("Capacity per line", esc(mean), esc(ci), unit_cell("good parts/yr")))
    page.add(table(("Figure", "Mean", "95% CI", "Unit"), rows, "cost-figures"))
    page.figure(
        cost_breakdown_figure(cost),
        esc(f"What a good part costs, item by item, in {cur} (items of 0 left out)."),
        "chart-cost",
    )
    items = [
        (esc(name), *map(esc, fmt(est, reps)), unit_cell(f"{cur}/good part"))
        for name, est in cost["breakdown"].items()
    ]
    page.add(table(("Item", "Mean", "95% CI", "Unit"), items, "cost-breakdown") + "</section>")

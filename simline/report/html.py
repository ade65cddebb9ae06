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

import datetime
import html
import io
import itertools
import math
import re
from typing import TYPE_CHECKING, Any

from simline.report.table import format_duration, format_estimate
from simline.stats import Estimate

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from matplotlib.figure import Figure

    from simline.cost import ScenarioCost, SensitivityRow
    from simline.engine.results import RunResult
    from simline.plan import Plan

__all__ = ["compare_report", "run_report"]

#: Events of replication 0 drawn at most in the report's Gantt chart (from the warm-up's end).
GANTT_EVENTS = 1500

_STYLE = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1b1b1b; max-width: 1100px; margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #1565c0; padding-bottom: 0.15em;
  margin-top: 1.8em; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-variant-numeric: tabular-nums; }
th, td { padding: 0.25em 0.8em; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f5f9; }
td.unit, td.text { text-align: left; color: #555; }
td.text { color: inherit; }
.verdict { background: #eef4fb; border-left: 5px solid #1565c0; padding: 0.7em 1em; }
.warn { background: #fff4e5; border-left: 5px solid #ef6c00; padding: 0.5em 1em; }
.key { display: flex; flex-wrap: wrap; gap: 0.8em; }
.card { border: 1px solid #ccd; border-radius: 6px; padding: 0.6em 1em; min-width: 12em; }
.card .v { font-size: 1.5em; font-weight: 600; }
.card .l { color: #555; font-size: 0.9em; }
figure { margin: 1em 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.92em; }
.sig { font-weight: 600; }
footer { margin-top: 3em; color: #666; font-size: 0.85em; }
@page { size: A4; margin: 14mm; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; } table, .card { break-inside: avoid; } }
"""

_LINE_FIGURES = (
    ("throughput_per_hour", "Throughput", "good parts/h"),
    ("lead_time", "Lead time", "{unit}"),
    ("wip", "WIP", "parts"),
    ("good_parts", "Good parts", "parts"),
    ("scrap_parts", "Scrap parts", "parts"),
)

_STATES = ("busy", "setup", "blocked", "starved", "down", "off_shift")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _estimate(obj: Mapping[str, Any] | None, replications: int) -> Estimate:
    if not obj:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = obj.get("mean")
    lo, hi = obj.get("ci95") or (None, None)
    nan = math.nan
    return Estimate(
        nan if mean is None else float(mean),
        nan if lo is None else float(lo),
        nan if hi is None else float(hi),
        int(obj.get("n", replications)),
    )


def _fmt(obj: Mapping[str, Any] | None, replications: int, scale: float = 1.0) -> tuple[str, str]:
    """Mean and ``± h [lo, hi]`` of a JSON figure, decimals as in the table output."""
    mean, half, ci = format_estimate(_estimate(obj, replications), scale=scale)
    return mean, f"{half} {ci}".strip()


def _svg(fig: Figure, salt: str) -> str:
    """Return the figure as inline SVG without any address, and close it."""
    import matplotlib
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = text.replace("xlink:href=", "href=")
    return text


class _Page:
    """The page under construction: sections of HTML and a counter for chart ids."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.parts: list[str] = []
        self._ids = itertools.count(1)

    def add(self, text: str) -> None:
        self.parts.append(text)

    def figure(self, fig: Figure, caption: str, ident: str) -> None:
        svg = _svg(fig, f"{ident}-{next(self._ids)}")
        self.add(f'<figure id="{_e(ident)}">{svg}<figcaption>{caption}</figcaption></figure>')

    def render(self, footer: str) -> str:
        body = "\n".join(self.parts)
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(self.title)}</title><style>{_STYLE}</style></head>\n"
            f"<body>\n{body}\n<footer>{footer}</footer>\n</body></html>\n"
        )


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], ident: str = "") -> str:
    """Return a table; cells are HTML already (values escaped by the caller)."""
    hid = f' id="{_e(ident)}"' if ident else ""
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table{hid}><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _cell(cell: str) -> str:
    if cell.startswith("<td"):
        return cell
    return f"<td>{cell}</td>"


def _footer(version: str) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Made by simline {_e(version)} on {_e(now)}. Figures are means over replications "
        "with Student t 95% confidence intervals (± half-width [low, high])."
    )


def _warnings(page: _Page, warnings: Sequence[object]) -> None:
    page.add('<section id="warnings"><h2>Warnings</h2>')
    if not warnings:
        page.add("<p>No warnings.</p></section>")
        return
    items = "".join(f"<li>{_e(_warning_text(w))}</li>" for w in warnings)
    page.add(f'<div class="warn"><ul>{items}</ul></div></section>')


def _warning_text(warning: object) -> str:
    if isinstance(warning, tuple | list) and len(warning) == 2:
        return f"{warning[0]}: {warning[1]}"
    if isinstance(warning, dict):
        return "; ".join(f"{k}: {v}" for k, v in warning.items())
    return str(warning)


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
    page = _Page(f"simline report: {obj['scenario']}")
    page.add(f"<h1>{_e(obj['scenario'])}</h1>")
    if description:
        page.add(f'<p class="sub">{_e(description)}</p>')
    page.add(
        '<p class="sub">'
        + _e(
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
    _warnings(page, warnings)
    if obj.get("cost"):
        _cost(page, obj["cost"], reps)
    return page.render(_footer(str(obj.get("simline_version", ""))))


def _key_figures(page: _Page, obj: Mapping[str, Any], reps: int, unit: str) -> None:
    page.add('<section id="figures"><h2>The line</h2><div class="key">')
    for key, label, fig_unit in _LINE_FIGURES[:3]:
        mean, ci = _fmt(obj[key], reps)
        u = fig_unit.format(unit=unit)
        page.add(
            f'<div class="card" id="card-{key}"><div class="l">{_e(label)}</div>'
            f'<div class="v">{_e(mean)} <small>{_e(u)}</small></div>'
            f'<div class="l">{_e(ci)}</div></div>'
        )
    page.add("</div>")
    rows = []
    for key, label, fig_unit in _LINE_FIGURES:
        mean, ci = _fmt(obj[key], reps)
        rows.append(
            (
                _e(label),
                f'<td id="figure-{key}">{_e(mean)}</td>',
                _e(ci),
                f'<td class="unit">{_e(fig_unit.format(unit=unit))}</td>',
            )
        )
    page.add(_table(("Figure", "Mean", "95% CI", "Unit"), rows, "line-figures") + "</section>")


def _bottleneck(page: _Page, obj: Mapping[str, Any], reps: int) -> None:
    found = obj.get("bottleneck") or {}
    station = found.get("station")
    page.add('<section id="bottleneck"><h2>Bottleneck</h2>')
    if station is None:
        reason = found.get("reason") or "no station limits the line"
        page.add(f'<p id="bottleneck-station">No station: {_e(reason)}.</p>')
    else:
        share = (found.get("share") or {}).get(station)
        sure = f", named in {share:.0%} of the replications" if share is not None else ""
        page.add(
            f'<p>The bottleneck is <strong id="bottleneck-station">{_e(station)}</strong>'
            f"{_e(sure)} (method: {_e(found.get('method', ''))}).</p>"
        )
    util = found.get("utilization") or {}
    active = found.get("active_period") or {}
    rows = []
    for name in util:
        u, u_ci = _fmt(util[name], reps, 100.0)
        a, a_ci = _fmt(active.get(name), reps)
        mark = "<strong>" + _e(name) + "</strong>" if name == station else _e(name)
        rows.append((mark, _e(u), _e(u_ci), _e(a), _e(a_ci)))
    if rows:
        page.add(
            _table(
                (
                    "Station",
                    "Utilization of available time (%)",
                    "95% CI",
                    f"Mean active period ({_e(obj.get('time_unit', ''))})",
                    "95% CI",
                ),
                rows,
                "bottleneck-table",
            )
        )
    page.add("</section>")


def _stations(page: _Page, obj: Mapping[str, Any], reps: int) -> None:
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
        cells = [_e(name)]
        for state in _STATES:
            mean, _ = _fmt(figures.get(state), reps, 100.0)
            cells.append(_e(mean))
        out, _ = _fmt(figures.get("parts_out"), reps)
        cells.append(_e(out))
        rows.append(cells)
    head = ("Station", *(f"{s.replace('_', ' ')} (%)" for s in _STATES), "Parts out (parts)")
    page.add(_table(head, rows, "station-table") + "</section>")


def _products(page: _Page, obj: Mapping[str, Any], reps: int, unit: str) -> None:
    rows = []
    for name, figures in obj["products"].items():
        cells = [_e(name)]
        for key, _label, _u in (_LINE_FIGURES[0], _LINE_FIGURES[1], *_LINE_FIGURES[3:]):
            mean, ci = _fmt(figures.get(key), reps)
            cells.append(_e(f"{mean} {ci}".strip()))
        rows.append(cells)
    head = (
        "Product",
        "Throughput (good parts/h)",
        f"Lead time ({_e(unit)})",
        "Good parts",
        "Scrap parts",
    )
    page.add('<section id="products"><h2>Products</h2>' + _table(head, rows) + "</section>")


def _series(page: _Page, series: Mapping[str, Any], plan: Plan) -> None:
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
        f"{_e(_readable(series['bin_width'] * plan.hours_per_unit))}"
        " with its 95% CI band, from time 0 (the grey warm-up is not in the figures above). "
        "A line that still climbs at the right end has not settled: run longer.",
        "chart-series",
    )
    page.add("</section>")


def _lead_times(
    page: _Page, obj: Mapping[str, Any], plan: Plan, results: Sequence[RunResult]
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
    page.figure(fig, _e(caption), "chart-lead-time")
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


def _gantt(page: _Page, result: RunResult, plan: Plan) -> None:
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
        _e(
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


def _cost(page: _Page, cost: Mapping[str, Any], reps: int) -> None:
    from simline.report.charts import cost_breakdown_figure

    cur = str(cost["currency"])
    page.add('<section id="cost"><h2>Cost</h2>')
    rows = []
    for key, label in (
        ("unit_cost", "Unit cost at the factory"),
        ("landed_cost", "Landed cost"),
        ("tco", "Total cost of ownership"),
    ):
        mean, ci = _fmt(cost.get(key), reps)
        rows.append(
            (_e(label), f'<td id="cost-{key}">{_e(mean)}</td>', _e(ci), _unit(f"{cur}/good part"))
        )
    if cost.get("co2_kg_per_part"):
        mean, ci = _fmt(cost["co2_kg_per_part"], reps)
        rows.append(("CO₂", _e(mean), _e(ci), _unit("kg/good part")))
    annual = cost.get("annual") or {}
    if annual.get("tco"):
        mean, ci = _fmt(annual["tco"], reps)
        rows.append(("TCO per year", _e(mean), _e(ci), _unit(f"{cur}/yr")))
    if annual.get("capacity"):
        mean, ci = _fmt(annual["capacity"], reps)
        rows.append(("Capacity per line", _e(mean), _e(ci), _unit("good parts/yr")))
    page.add(_table(("Figure", "Mean", "95% CI", "Unit"), rows, "cost-figures"))
    page.figure(
        cost_breakdown_figure(cost),
        _e(f"What a good part costs, item by item, in {cur} (items of 0 left out)."),
        "chart-cost",
    )
    items = [
        (_e(name), *map(_e, _fmt(est, reps)), _unit(f"{cur}/good part"))
        for name, est in cost["breakdown"].items()
    ]
    page.add(_table(("Item", "Mean", "95% CI", "Unit"), items, "cost-breakdown") + "</section>")


def _readable(hours: float) -> str:
    """Write a duration in hours in the largest unit that is at least 1: ``"21.6 min"``."""
    seconds = hours * 3600.0
    for unit, size in (("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def _unit(text: str) -> str:
    return f'<td class="unit">{_e(text)}</td>'


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
    """
    reps = int(obj["replications"])
    runs = obj["scenarios"]
    names = [r["scenario"] for r in runs]
    page = _Page("simline comparison: " + " vs ".join(names))
    page.add(f"<h1>Comparison: {_e(' vs '.join(names))}</h1>")
    first = plans[0]
    page.add(
        '<p class="sub">'
        + _e(
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
        f'<p class="verdict">{_e(obj["verdict"])}</p></section>'
    )
    _side_by_side(page, obj, plans, reps)
    _differences(page, obj, reps)
    page.add('<section id="stations"><h2>Stations: where the time goes</h2>')
    for k, run in enumerate(runs):
        page.figure(
            _state_figure(run),
            _e(
                f"{run['scenario']}: share of the measured time in each state "
                "(mean over replications)."
            ),
            f"chart-states-{k}",
        )
    page.add("</section>")
    if costs:
        from simline.report.plots import comparison_figure

        page.add('<section id="cost"><h2>Cost breakdown and sensitivity</h2>')
        caption = (
            f"Left: TCO per good part by item, {obj.get('currency', '')}, with the 95% CI of the "
            "total. "
        )
        if sensitivity:
            caption += (
                "Right: the tornado chart, how far each cost input moves a scenario's TCO per "
                "good part between its low and high value (no new simulation); a note marks "
                "where the verdict would flip."
            )
        page.figure(comparison_figure(costs, sensitivity), _e(caption), "chart-cost")
        if sensitivity:
            _sensitivity_table(page, sensitivity)
        page.add("</section>")
    _warnings(page, warnings)
    return page.render(_footer(str(obj.get("simline_version", ""))))


def _state_figure(run: Mapping[str, Any]) -> Figure:
    from simline.report.charts import state_split_figure

    station = (run.get("bottleneck") or {}).get("station")
    return state_split_figure(run["stations"], bottleneck=station, title=str(run["scenario"]))


def _side_by_side(page: _Page, obj: Mapping[str, Any], plans: Sequence[Plan], reps: int) -> None:
    runs = obj["scenarios"]
    head = ["Figure", *(_e(r["scenario"]) for r in runs), "Unit"]
    rows = []
    units = {p.time_unit for p in plans}
    for key, label, unit in _LINE_FIGURES:
        if key == "lead_time" and len(units) > 1:
            cells = [_e(label)]
            for run, plan in zip(runs, plans, strict=True):
                mean, ci = _fmt(run[key], reps)
                cells.append(_e(f"{mean} {plan.time_unit} {ci}"))
            rows.append((*cells, _unit("(each scenario's time unit)")))
            continue
        cells = [_e(label)]
        for k, run in enumerate(runs):
            mean, ci = _fmt(run[key], reps)
            cells.append(f'<td id="figure-{k}-{key}">{_e(mean)} <small>{_e(ci)}</small></td>')
        rows.append((*cells, _unit(unit.format(unit=plans[0].time_unit))))
    rows.append(
        (
            "Bottleneck",
            *(f'<td id="bottleneck-{k}">{_e(_station(r))}</td>' for k, r in enumerate(runs)),
            _unit("station"),
        )
    )
    if obj["compared_on"] == "tco":
        cur = str(obj.get("currency", ""))
        for key, label in (
            ("unit_cost", "Unit cost"),
            ("landed_cost", "Landed cost"),
            ("tco", "TCO"),
        ):
            cells = [_e(label)]
            for run in runs:
                mean, ci = _fmt(run["cost"].get(key), reps)
                cells.append(f"{_e(mean)} <small>{_e(ci)}</small>")
            rows.append((*cells, _unit(f"{cur}/good part")))
    page.add(
        '<section id="figures"><h2>Side by side</h2>'
        + _table(head, rows, "side-by-side")
        + "</section>"
    )


def _station(run: Mapping[str, Any]) -> str:
    return str((run.get("bottleneck") or {}).get("station") or "none")


def _differences(page: _Page, obj: Mapping[str, Any], reps: int) -> None:
    cur = str(obj.get("currency", ""))
    rows = []
    for diff in obj["differences"]:
        pair = f"{diff['scenario']} − {diff['versus']}"
        for key, est in _flat(diff):
            base = key.split(".")[0]
            scale = 100.0 if base in ("bottleneck_utilization", "stations") else 1.0
            unit = _DIFF_UNITS.get(base, "percentage points" if base == "stations" else "")
            mean, ci = _fmt(est, reps, scale)
            lo, hi = _estimate(est, reps).lo, _estimate(est, reps).hi
            significant = reps > 1 and (lo > 0 or hi < 0)
            label = _diff_label(key)
            rows.append(
                (
                    _e(pair),
                    f'<td class="text">{_e(label)}</td>',
                    f'<td class="sig">{_e(mean)}</td>' if significant else _e(mean),
                    _e(ci),
                    "yes" if significant else "no",
                    _unit(unit.format(cur=cur)),
                )
            )
    page.add(
        '<section id="differences"><h2>Differences against the first scenario</h2>'
        "<p>Paired differences with common random numbers; <em>significant</em> when the 95% "
        "CI excludes 0.</p>"
        + _table(
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


def _sensitivity_table(page: _Page, rows: Sequence[SensitivityRow]) -> None:
    top = sorted(rows, key=lambda r: r.swing, reverse=True)
    body = [
        (
            _e(r.scenario),
            _e(r.input),
            _e(f"{r.low:.3g} .. {r.high:.3g} {r.unit}".strip()),
            _e(f"{r.tco_low:,.2f} .. {r.tco_high:,.2f}"),
            _e(
                f"{r.break_even:.3g}"
                if r.break_even is not None and math.isfinite(r.break_even)
                else "–"
            ),
            "yes" if r.flips_in_range else "no",
        )
        for r in top
    ]
    page.add(
        _table(
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

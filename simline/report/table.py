"""The result of ``simline run`` as tables for people (rich renderables).

Every figure is shown as its mean over replications with the half-width of its 95%
confidence interval; the number of decimals follows the interval (two significant digits of
the half-width), so a figure never claims more precision than the replications give.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simline.stats import Estimate

if TYPE_CHECKING:
    from rich.console import RenderableType

    from simline.plan import Plan
    from simline.stats import RunSummary

__all__ = [
    "format_duration",
    "format_estimate",
    "not_costed_line",
    "render_comparison",
    "render_cost_table",
    "render_table",
]

_MISSING = "–"

_STATES: tuple[tuple[str, str], ...] = (
    ("busy", "Busy"),
    ("setup", "Setup"),
    ("blocked", "Blocked"),
    ("starved", "Starved"),
    ("down", "Down"),
    ("off_shift", "Off shift"),
)


def _decimals(e: Estimate, scale: float = 1.0) -> int:
    """Choose decimals: two significant digits of the half-width, or three of the mean."""
    half = e.half_width * scale
    if math.isfinite(half) and half > 0:
        return min(max(1 - math.floor(math.log10(half)), 0), 4)
    mean = abs(e.mean * scale)
    if scale != 1.0:  # a percentage: one decimal, as in the state columns
        return 1
    if not math.isfinite(mean) or mean == 0 or float(mean).is_integer():
        return 0
    return min(max(2 - math.floor(math.log10(mean)), 0), 4)


def _number(x: float, decimals: int) -> str:
    if not math.isfinite(x):
        return _MISSING
    return f"{x:,.{decimals}f}"


def format_estimate(e: Estimate, *, scale: float = 1.0, suffix: str = "") -> tuple[str, str, str]:
    """Mean, ``± half-width`` and ``[lo, hi]`` of an estimate as text.

    Parameters
    ----------
    e
        The estimate.
    scale
        Multiplies every number (100 for percentages).
    suffix
        Appended to the mean and the bounds (``"%"``).

    Returns
    -------
    tuple of str
        ``("41.20", "± 0.40", "[40.80, 41.60]")``; the last two are empty with one replication.
    """
    if math.isnan(e.mean):
        return _MISSING, "", ""
    d = _decimals(e, scale)
    mean = _number(e.mean * scale, d) + suffix
    if e.n <= 1 or e.half_width == 0:
        return mean, "", ""
    half = "± " + _number(e.half_width * scale, d)
    ci = f"[{_number(e.lo * scale, d)}, {_number(e.hi * scale, d)}]"
    return mean, half, ci


def _mean_pm(e: Estimate, *, scale: float = 1.0, suffix: str = "") -> str:
    mean, half, _ = format_estimate(e, scale=scale, suffix=suffix)
    return f"{mean} {half}" if half else mean


def format_duration(value: float, hours_per_unit: float) -> str:
    """Format a duration in the most readable unit, from weeks to seconds (``"14 d"``)."""
    seconds = round(value * hours_per_unit * 3600.0, 6)
    units = (("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0))
    for unit, size in units:
        n = seconds / size
        if n >= 1 and n.is_integer():
            return f"{n:g} {unit}"
    for unit, size in units:
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def render_table(plan: Plan, summary: RunSummary, *, backend: str) -> RenderableType:
    """Lay out the figures of one run as tables: line, products, stations, and a footer.

    Parameters
    ----------
    plan
        The plan that ran (time unit, seed, warm-up).
    summary
        Its figures over replications.
    backend
        The backend that ran it.

    Returns
    -------
    rich.console.RenderableType
        A group of renderables to print with a :class:`rich.console.Console`.
    """
    unit = plan.time_unit
    blank = Text("")
    parts: list[RenderableType] = [
        Text(plan.name, style="bold"),
        blank,
        _line_table(summary, unit),
        blank,
        _products_table(summary, unit),
        blank,
        _stations_table(summary),
        blank,
        _footer(plan, summary, backend),
    ]
    return Group(*parts)


def _line_table(summary: RunSummary, unit: str) -> Table:
    table = Table(title="Line", title_justify="left", title_style="bold", box=None, padding=(0, 2))
    with_ci = summary.replications > 1
    table.add_column("Figure")
    table.add_column("Mean", justify="right")
    if with_ci:
        table.add_column("± 95%", justify="right")
        table.add_column("95% CI", justify="right")
    table.add_column("Unit")
    rows = (
        ("Throughput", summary.throughput_per_hour, "parts/h"),
        ("Lead time", summary.lead_time, unit),
        ("WIP", summary.wip, "parts"),
        ("Good parts", summary.good_parts, "parts"),
        ("Scrap parts", summary.scrap_parts, "parts"),
    )
    for label, est, label_unit in rows:
        mean, half, ci = format_estimate(est)
        cells = (mean, half, ci) if with_ci else (mean,)
        table.add_row(label, *cells, label_unit + _partial(est, summary.replications))
    return table


def _partial(e: Estimate, replications: int) -> str:
    """``" (3 of 5 replications)"`` when fewer replications than ran defined the figure."""
    if 0 < e.n < replications:
        return f" ({e.n} of {replications} replications)"
    return ""


def _products_table(summary: RunSummary, unit: str) -> Table:
    table = Table(
        title="Products", title_justify="left", title_style="bold", box=None, padding=(0, 2)
    )
    table.add_column("Product")
    table.add_column("Throughput/h", justify="right")
    table.add_column(f"Lead time ({unit})", justify="right")
    table.add_column("Good parts", justify="right")
    table.add_column("Scrap parts", justify="right")
    for name, ps in summary.products.items():
        table.add_row(
            name,
            _mean_pm(ps.throughput_per_hour),
            _mean_pm(ps.lead_time) + _partial(ps.lead_time, summary.replications),
            _mean_pm(ps.good_parts),
            _mean_pm(ps.scrap_parts),
        )
    return table


def bottleneck_caption(summary: RunSummary) -> str | None:
    """One line on the bottleneck: which station, by what method, and how sure.

    ``None`` when no station was ever active (nothing to say).
    """
    found = summary.bottleneck
    if found.reason == "release":
        return "no bottleneck: the line is limited by its release (it makes what it is given)"
    if found.station is None:
        return None
    n = summary.replications
    named = round(found.share[found.station] * n)
    used = _mean_pm(found.utilization[found.station], scale=100.0, suffix="%")
    return (
        f"* bottleneck: works {used} of the time it could (up, on shift); "
        f"named in {named} of {n} replications"
    )


def _stations_table(summary: RunSummary) -> Table:
    bottleneck = summary.bottleneck.station
    table = Table(
        title="Stations (share of measured time)",
        title_justify="left",
        title_style="bold",
        caption=bottleneck_caption(summary),
        caption_justify="left",
        box=None,
        padding=(0, 2),
    )
    table.add_column("Station")
    for _, label in _STATES:
        table.add_column(label, justify="right")
    table.add_column("Utilization", justify="right")
    table.add_column("Parts out", justify="right")
    for name, ss in summary.stations.items():
        is_bottleneck = name == bottleneck
        states = [_percent(getattr(ss, state)) for state, _ in _STATES]
        table.add_row(
            f"{name} *" if is_bottleneck else name,
            *states,
            _mean_pm(ss.utilization, scale=100.0, suffix="%"),
            _mean_pm(ss.parts_out),
            style="bold" if is_bottleneck else None,
        )
    return table


def _percent(e: Estimate) -> str:
    if math.isnan(e.mean):
        return _MISSING
    return f"{e.mean * 100:.1f}%"


def _footer(plan: Plan, summary: RunSummary, backend: str) -> Text:
    reps = summary.replications
    measured = format_duration(summary.measured_time, summary.hours_per_unit)
    pieces = [
        f"{reps} replication{'s' if reps != 1 else ''}",
        f"seed {plan.seed}",
        f"backend {backend}",
        f"measured {measured} each",
    ]
    if plan.warmup > 0:
        pieces.append(f"after {format_duration(plan.warmup, plan.hours_per_unit)} warm-up")
    pieces.append("95% CI: Student t" if reps > 1 else "no CI with 1 replication")
    return Text(" · ".join(pieces), style="dim")


_BREAKDOWN_LABELS: tuple[tuple[str, str], ...] = (
    ("material", "  material"),
    ("labour", "  labour (paid hours)"),
    ("equipment", "  equipment (VDI 3258)"),
    ("energy", "  energy"),
    ("margin", "  supplier margin"),
    ("freight", "  freight"),
    ("insurance", "  insurance"),
    ("duty", "  duty"),
    ("fees", "  fees"),
    ("inventory", "  inventory"),
    ("carbon", "  carbon"),
    ("risk", "  risk"),
    ("strategic", "  strategic"),
)


def _json_estimate(node: dict[str, Any]) -> Estimate:
    mean = node["mean"]
    lo, hi = node["ci95"]
    n = 2 if lo is not None and hi is not None and lo != hi else 1
    if "n" in node:
        n = int(node["n"])
    return Estimate(
        math.nan if mean is None else mean,
        math.nan if lo is None else lo,
        math.nan if hi is None else hi,
        n,
    )


def render_cost_table(cost: dict[str, Any]) -> RenderableType:
    """Lay out the ``cost`` block of one run: unit, landed and TCO with their breakdown.

    Under the table, one line names what is not costed (:func:`not_costed_line`), if any.
    """
    currency = cost["currency"]
    table = Table(
        title=f"Cost per good part ({currency})",
        title_justify="left",
        title_style="bold",
        box=None,
        padding=(0, 2),
    )
    table.add_column("Figure")
    table.add_column("Mean", justify="right")
    table.add_column("± 95%", justify="right")
    rows: list[tuple[str, dict[str, Any]]] = [("Unit cost", cost["unit_cost"])]
    rows += [(label, cost["breakdown"][key]) for key, label in _BREAKDOWN_LABELS[:4]]
    rows.append(("Landed cost", cost["landed_cost"]))
    rows += [(label, cost["breakdown"][key]) for key, label in _BREAKDOWN_LABELS[4:11]]
    rows.append(("TCO", cost["tco"]))
    rows += [(label, cost["breakdown"][key]) for key, label in _BREAKDOWN_LABELS[11:]]
    rows.append(("Unused capacity (inside unit cost)", cost["unused_capacity"]))
    rows.append(("CO2 kg per part", cost["co2_kg_per_part"]))
    for label, node in rows:
        mean, half, _ = format_estimate(_json_estimate(node))
        table.add_row(label, mean, half, style="bold" if not label.startswith(" ") else None)
    annual = cost["annual"]
    if annual["demand"] is not None:
        cap = _json_estimate(annual["capacity"])
        table.add_row(
            "Lines for demand",
            f"{annual['lines_needed']}",
            f"({annual['demand']:,.0f}/yr, one line {format_estimate(cap)[0]}/yr)",
        )
    line = not_costed_line(cost.get("not_costed") or {})
    return table if line is None else Group(table, Text(line))


def not_costed_line(not_costed: dict[str, dict[str, list[str]]]) -> str | None:
    """Say which cost keys count as 0: ``not costed: cut (capex, energy), product a (...)``.

    ``None`` when every station and product has its cost keys (nothing to say).
    """
    names = [f"{name} ({', '.join(keys)})" for name, keys in not_costed.get("stations", {}).items()]
    names += [
        f"product {name} ({', '.join(keys)})"
        for name, keys in not_costed.get("products", {}).items()
    ]
    return f"not costed: {', '.join(names)}" if names else None


def render_comparison(
    comparison: dict[str, Any], time_units: Sequence[tuple[str, float]]
) -> RenderableType:
    """Lay out the result of ``simline compare`` for people: side by side, differences, verdict.

    Parameters
    ----------
    comparison
        The compare JSON object (``scenarios``, ``differences``, ``winner``, ...).
    time_units
        Each scenario's time unit and hours per unit (lead times are shown in hours/days).
    """
    if comparison.get("compared_on") == "throughput_per_hour":
        return _render_line_comparison(comparison, time_units)
    scenarios = comparison["scenarios"]
    currency = comparison["currency"]
    side = Table(
        title=f"Side by side (money in {currency} per good part, ± half-width of the 95% CI)",
        title_justify="left",
        title_style="bold",
        box=None,
        padding=(0, 2),
    )
    side.add_column("Figure")
    for s in scenarios:
        side.add_column(s["scenario"], justify="right")

    def row(label: str, get: Any, *, bold: bool = False, scale: float = 1.0) -> None:
        cells = []
        for i, s in enumerate(scenarios):
            node = get(i, s)
            if isinstance(node, str):
                cells.append(node)
                continue
            est = _json_estimate(node)
            est = Estimate(est.mean * scale, est.lo * scale, est.hi * scale, est.n)
            cells.append(_mean_pm(est))
        side.add_row(label, *cells, style="bold" if bold else None)

    def hours(i: int, node: dict[str, Any]) -> dict[str, Any]:
        hpu = time_units[i][1]
        lo, hi = node["ci95"]
        return {
            "mean": None if node["mean"] is None else node["mean"] * hpu,
            "ci95": [None if lo is None else lo * hpu, None if hi is None else hi * hpu],
        }

    row("Throughput (parts/h)", lambda i, s: s["throughput_per_hour"])
    row("Lead time, line (h)", lambda i, s: hours(i, s["lead_time"]))
    row(
        "Lead time, door to door (d)",
        lambda i, s: hours(i, s["cost"]["lead_time_door_to_door"]),
        scale=1 / 24,
    )
    row("WIP (parts)", lambda i, s: s["wip"])
    row(
        "Bottleneck utilization",
        lambda i, s: _bottleneck_cell(s),
    )
    row("Unit cost", lambda i, s: s["cost"]["unit_cost"], bold=True)
    for key, label in _BREAKDOWN_LABELS[:4]:
        row(label, lambda i, s, key=key: s["cost"]["breakdown"][key])
    row("Landed cost", lambda i, s: s["cost"]["landed_cost"], bold=True)
    for key, label in _BREAKDOWN_LABELS[4:11]:
        row(label, lambda i, s, key=key: s["cost"]["breakdown"][key])
    row("TCO", lambda i, s: s["cost"]["tco"], bold=True)
    for key, label in _BREAKDOWN_LABELS[11:]:
        row(label, lambda i, s, key=key: s["cost"]["breakdown"][key])
    row("Unused capacity (in unit cost)", lambda i, s: s["cost"]["unused_capacity"])
    row("CO2 (kg/part)", lambda i, s: s["cost"]["co2_kg_per_part"])
    row("TCO per year (k)", lambda i, s: s["cost"]["annual"]["tco"], scale=1e-3)
    row("NPV over horizon (k)", lambda i, s: s["cost"]["annual"]["npv"], scale=1e-3)
    row("Lines needed", lambda i, s: str(s["cost"]["annual"]["lines_needed"]))

    diff = _differences_table(scenarios[0]["scenario"])
    labels = (
        ("tco", "TCO"),
        ("landed_cost", "Landed"),
        ("unit_cost", "Unit"),
        ("throughput_per_hour", "Throughput/h"),
        ("lead_time_door_to_door_hours", "Door to door (h)"),
        ("co2_kg_per_part", "CO2 kg"),
    )
    for _, label in labels:
        diff.add_column(label, justify="right")
    for d in comparison["differences"]:
        cells = []
        for key, _ in labels:
            mean, half, _ci = format_estimate(_json_estimate(d[key]))
            cells.append(f"{mean} {half}".strip())
        diff.add_row(d["scenario"], *cells)

    parts: list[RenderableType] = [side, Text(""), diff, Text(""), Text(comparison["verdict"])]
    sens = comparison.get("sensitivity")
    if sens:
        parts += [Text(""), _sensitivity_table(sens)]
    return Group(*parts)


def _render_line_comparison(
    comparison: dict[str, Any], time_units: Sequence[tuple[str, float]]
) -> RenderableType:
    """Scenarios without a site side by side on the line's figures, then the differences."""
    scenarios = comparison["scenarios"]
    side = Table(
        title="Side by side (no site: the lines' figures, ± half-width of the 95% CI)",
        title_justify="left",
        title_style="bold",
        box=None,
        padding=(0, 2),
    )
    side.add_column("Figure")
    for s in scenarios:
        side.add_column(s["scenario"], justify="right")

    def cell(node: dict[str, Any] | None, scale: float = 1.0, suffix: str = "") -> str:
        if node is None:
            return _MISSING
        e = _json_estimate(node)
        text = _mean_pm(Estimate(e.mean * scale, e.lo * scale, e.hi * scale, e.n), suffix=suffix)
        reps = comparison["replications"]
        return text + (f" ({e.n} of {reps})" if "n" in node and e.n > 0 else "")

    def hours(i: int, node: dict[str, Any]) -> dict[str, Any]:
        hpu = time_units[i][1]
        lo, hi = node["ci95"]
        return {
            **node,
            "mean": None if node["mean"] is None else node["mean"] * hpu,
            "ci95": [None if lo is None else lo * hpu, None if hi is None else hi * hpu],
        }

    side.add_row(
        "Throughput (parts/h)", *(cell(s["throughput_per_hour"]) for s in scenarios), style="bold"
    )
    side.add_row(
        "Lead time, line (h)", *(cell(hours(i, s["lead_time"])) for i, s in enumerate(scenarios))
    )
    side.add_row("WIP (parts)", *(cell(s["wip"]) for s in scenarios))
    side.add_row("Bottleneck utilization", *(_bottleneck_cell(s) for s in scenarios))
    stations: list[str] = []
    for s in scenarios:
        stations += [name for name in s["stations"] if name not in stations]
    for name in stations:
        side.add_row(
            f"  {name} utilization",
            *(
                cell(s["stations"][name]["utilization"], 100.0, "%")
                if name in s["stations"]
                else _MISSING
                for s in scenarios
            ),
        )

    diff = _differences_table(scenarios[0]["scenario"])
    labels = (
        ("throughput_per_hour", "Throughput/h", 1.0),
        ("lead_time_hours", "Lead time (h)", 1.0),
        ("wip", "WIP", 1.0),
        ("bottleneck_utilization", "Bottleneck util. (pts)", 100.0),
    )
    for _, label, _scale in labels:
        diff.add_column(label, justify="right")
    shared = [
        name for name in stations if all(name in d["stations"] for d in comparison["differences"])
    ]
    for name in shared:
        diff.add_column(f"{name} util. (pts)", justify="right")
    for d in comparison["differences"]:
        cells = [cell(d[key], scale) for key, _, scale in labels]
        cells += [cell(d["stations"][name], 100.0) for name in shared]
        diff.add_row(d["scenario"], *cells)
    return Group(side, Text(""), diff, Text(""), Text(comparison["verdict"]))


def _bottleneck_cell(s: dict[str, Any]) -> str:
    found = s.get("bottleneck") or {}
    best = found.get("station")
    if best is None:
        return "none (release)" if found.get("reason") == "release" else _MISSING
    util = s["stations"][best]["utilization"]["mean"] or 0.0
    return f"{util * 100:.0f}% ({best})"


def _sensitivity_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(
        title="Sensitivity of TCO per part (others at their values; * verdict flips in range)",
        title_justify="left",
        title_style="bold",
        box=None,
        padding=(0, 2),
    )
    for col, justify in (
        ("Scenario", "left"),
        ("Input", "left"),
        ("Base", "right"),
        ("Low .. high", "right"),
        ("TCO low .. high", "right"),
        ("Break-even", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in sorted(rows, key=lambda r: -r["swing"]):
        be = r["break_even"]
        table.add_row(
            r["scenario"],
            r["input"],
            f"{r['base']:.4g}",
            f"{r['low']:.4g} .. {r['high']:.4g}",
            f"{r['tco']['low']:.2f} .. {r['tco']['high']:.2f}",
            (f"{be:.4g}" + (" *" if r["flips_in_range"] else "")) if be is not None else "none",
            style="bold" if r["flips_in_range"] else None,
        )
    return table


def _differences_table(first: str) -> Table:
    """Start a table of differences against the scenario ``first``."""
    diff = Table(
        title=f"Differences against {first} (paired over replications, ± 95% CI)",
        title_justify="left",
        title_style="bold",
        box=None,
        padding=(0, 2),
    )
    diff.add_column("Scenario")
    return diff

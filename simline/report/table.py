"""The result of ``simline run`` as tables for people (rich renderables).

Every figure is shown as its mean over replications with the half-width of its 95%
confidence interval; the number of decimals follows the interval (two significant digits of
the half-width), so a figure never claims more precision than the replications give.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text

from simline.report._layout import FitTable, Justify
from simline.stats import Estimate

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

    from simline.plan import Plan
    from simline.stats import RunSummary

__all__ = [
    "driver_name",
    "format_duration",
    "format_estimate",
    "input_range",
    "not_costed_line",
    "plain_number",
    "readable_duration",
    "render_comparison",
    "render_cost_table",
    "render_futures_table",
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

    Every table fits the console's width (:class:`~simline.report._layout.FitTable` splits
    its columns when they would not), so nothing is truncated at 80 columns.

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


def _line_table(summary: RunSummary, unit: str) -> FitTable:
    with_ci = summary.replications > 1
    columns: list[tuple[str, Justify]] = [("Figure", "left"), ("Mean", "right")]
    if with_ci:
        columns.append(("± 95% CI", "right"))
    columns.append(("Unit", "left"))
    table = FitTable("Line", columns)
    rows = [
        ("Throughput", summary.throughput_per_hour, 1.0, "parts/h"),
        ("Lead time", summary.lead_time, 1.0, unit),
        ("WIP", summary.wip, 1.0, "parts"),
        ("Good parts", summary.good_parts, 1.0, "parts"),
        ("Scrap parts", summary.scrap_parts, 1.0, "parts"),
    ]
    if not math.isnan(summary.oee.mean):
        rows.append(("OEE (its busiest station)", summary.oee, 100.0, "%"))
    for label, est, scale, label_unit in rows:
        mean, half, _ = format_estimate(est, scale=scale)
        cells = (mean, half) if with_ci else (mean,)
        table.add_row(label, *cells, label_unit + _partial(est, summary.replications))
    return table


def _partial(e: Estimate, replications: int) -> str:
    """``" (3 of 5 replications)"`` when fewer replications than ran defined the figure."""
    if 0 < e.n < replications:
        return f" ({e.n} of {replications} replications)"
    return ""


def _products_table(summary: RunSummary, unit: str) -> FitTable:
    table = FitTable(
        "Products (± half-width of the 95% CI)" if summary.replications > 1 else "Products",
        [
            ("Product", "left"),
            ("Throughput\nparts/h", "right"),
            (f"Lead time\n{unit}", "right"),
            ("Good parts\nparts", "right"),
            ("Scrap parts\nparts", "right"),
        ],
    )
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
        text = "no bottleneck: the line is limited by its release (it makes what it is given)"
        if not found.share:
            return text
        nearest = max(found.share, key=lambda n: (found.share[n], found.utilization[n].mean))
        used = _mean_pm(found.utilization[nearest], scale=100.0, suffix="%")
        return f"{text}; nearest to limiting it: {nearest}, works {used} of the time it could"
    if found.station is None:
        return None
    n = summary.replications
    named = round(found.share[found.station] * n)
    used = _mean_pm(found.utilization[found.station], scale=100.0, suffix="%")
    return (
        f"* bottleneck: works {used} of the time it could (up, on shift); "
        f"named in {named} of {n} replications"
    )


def _stations_table(summary: RunSummary) -> FitTable:
    bottleneck = summary.bottleneck.station
    columns: list[tuple[str, Justify]] = [("Station", "left")]
    columns += [(label, "right") for _, label in _STATES]
    columns += [("OEE", "right"), ("Parts out", "right")]
    table = FitTable(
        "Stations (% of measured time, averaged over servers)",
        columns,
        caption=bottleneck_caption(summary),
        breaks=(len(columns) - 2,),
    )
    for name, ss in summary.stations.items():
        is_bottleneck = name == bottleneck
        states = [_percent(getattr(ss, state)) for state, _ in _STATES]
        table.add_row(
            f"{name} *" if is_bottleneck else name,
            *states,
            _mean_pm(ss.oee, scale=100.0, suffix="%"),
            _mean_pm(ss.parts_out),
            style="bold" if is_bottleneck else None,
        )
    return table


def _percent(e: Estimate) -> str:
    if math.isnan(e.mean):
        return _MISSING
    return f"{e.mean * 100:.1f}%"


def _footer(plan: Plan, summary: RunSummary, backend: str) -> _Pieces:
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
    return _Pieces(pieces)


class _Pieces:
    """Phrases joined by `` · ``, broken into lines between phrases only, at the width."""

    def __init__(self, pieces: list[str], sep: str = " · ") -> None:
        self.pieces = pieces
        self.sep = sep

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Yield the phrases as dim text, as many to a line as fit ``options.max_width``."""
        lines: list[str] = []
        for piece in self.pieces:
            joined = f"{lines[-1]}{self.sep}{piece}" if lines else piece
            if lines and cell_len(joined) <= options.max_width:
                lines[-1] = joined
            else:
                lines.append(piece)
        yield Text("\n".join(lines), style="dim")


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
    ("overhead", "  overhead"),
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


def render_cost_table(cost: dict[str, Any], *, hours_per_unit: float | None = None) -> FitTable:
    """Lay out the ``cost`` block of one run: unit, landed and TCO with their breakdown.

    Then the figures of a year and of the supply chain: TCO per year, its net present value
    over the horizon, the door-to-door lead time (in hours, given the scenario's
    ``hours_per_unit``) and the lines the demand needs. Under the table, one line names what
    is not costed (:func:`not_costed_line`), if any.
    """
    currency = cost["currency"]
    per_part = f"{currency}/part"
    site = cost.get("site")
    table = FitTable(
        f"Cost ({currency}) at {site}" if site else f"Cost ({currency})",
        [("Figure", "left"), ("Mean", "right"), ("± 95% CI", "right"), ("Unit", "left")],
    )
    rows: list[tuple[str, dict[str, Any], str]] = [("Unit cost", cost["unit_cost"], per_part)]
    rows += [(label, cost["breakdown"][key], per_part) for key, label in _BREAKDOWN_LABELS[:4]]
    rows.append(("Landed cost", cost["landed_cost"], per_part))
    rows += [
        (label, cost["breakdown"][key], per_part)
        for key, label in _BREAKDOWN_LABELS[4:12]
        if key in cost["breakdown"]  # overhead: not in a cost block written before it
    ]
    rows.append(("TCO", cost["tco"], per_part))
    rows += [(label, cost["breakdown"][key], per_part) for key, label in _BREAKDOWN_LABELS[12:]]
    rows.append(("Unused capacity (in unit cost)", cost["unused_capacity"], per_part))
    rows.append(("CO2", cost["co2_kg_per_part"], "kg/part"))
    annual = cost["annual"]
    rows.append(("TCO per year", _scaled(annual["tco"], 1e-3), f"k {currency}/yr"))
    rows.append(("NPV of TCO over the horizon", _scaled(annual["npv"], 1e-3), f"k {currency}"))
    door = cost.get("lead_time_door_to_door")
    if door is not None and hours_per_unit is not None:
        rows.append(("Lead time, door to door", _scaled(door, hours_per_unit), "h"))
    for label, node, unit in rows:
        mean, half, _ = format_estimate(_json_estimate(node))
        bold = label in ("Unit cost", "Landed cost", "TCO")
        table.add_row(label, mean, half, unit, style="bold" if bold else None)
    if annual["demand"] is not None and annual["lines_needed"] is not None:
        cap = format_estimate(_json_estimate(annual["capacity"]))[0]
        table.add_row("Lines for the demand", f"{annual['lines_needed']}", "", "lines")
        table.caption = f"demand {annual['demand']:,.0f} parts/yr; one line makes {cap} parts/yr"
    line = not_costed_line(cost.get("not_costed") or {})
    if line is not None:
        table.caption = line if table.caption is None else f"{table.caption}\n{line}"
    return table


def render_futures_table(cost: dict[str, Any], *, hours_per_unit: float = 1.0) -> FitTable:
    """Lay out ``cost.uncertainty`` of one run: P10/P50/P90 of the cost and of each input.

    An input that is a duration (``transit``, a tool's ``life``; in the JSON in the
    scenario's time unit, ``hours_per_unit`` hours each) is shown in days.
    """
    block = cost["uncertainty"]
    currency = cost["currency"]
    table = FitTable(
        f"Over {block['samples']:,} futures of the uncertain cost inputs (seed {block['seed']})",
        [
            ("Figure", "left"),
            ("P10", "right"),
            ("P50", "right"),
            ("P90", "right"),
            ("Unit", "left"),
        ],
        caption=(
            "Inputs as in the scenario file, rates in %"
            + (", durations in days" if any(_is_duration(p) for p in block["inputs"]) else "")
            + ". What drives the TCO most (rank correlation beyond 3 standard errors): "
        )
        + (
            ", ".join(
                f"{d['input']} {d['rank_correlation']:+.2f}"
                for d in [d for d in block["drivers"] if d.get("significant", True)][:3]
            )
            or "nothing significant"
        )
        + ".",
    )
    years = block.get("horizon_years")
    figures = (
        ("TCO", block["tco"], 1.0, f"{currency}/part"),
        ("TCO per year", block["annual_tco"], 1e-3, f"k {currency}/yr"),
        (f"NPV of TCO over {years} years" if years else "NPV of TCO", block["npv"], 1e-3,
         f"k {currency}"),
    )  # fmt: skip
    for label, node, scale, unit in figures:
        # money per part to the cent; yearly sums to four significant digits
        show = _money if scale == 1.0 else plain_number
        table.add_row(
            label,
            *(show(None if node[p] is None else node[p] * scale) for p in ("p10", "p50", "p90")),
            unit,
            style="bold" if label == "TCO" else None,
        )
    for path, node in block["inputs"].items():
        key = path.rsplit(".", 1)[-1]
        if _is_duration(path):
            unit, scale = "d", hours_per_unit / 24.0
        else:
            unit, scale = _INPUT_UNITS.get(key, ("", 1.0))
            unit = unit.format(cur=currency)
        table.add_row(
            f"  {path}",
            *(
                plain_number(None if node[p] is None else node[p] * scale)
                for p in ("p10", "p50", "p90")
            ),
            unit,
        )
    return table


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


def _scaled(node: dict[str, Any], factor: float) -> dict[str, Any]:
    """Multiply a JSON estimate's mean and bounds by ``factor`` (``null`` stays ``null``)."""
    lo, hi = node["ci95"]
    return {
        **node,
        "mean": None if node["mean"] is None else node["mean"] * factor,
        "ci95": [None if lo is None else lo * factor, None if hi is None else hi * factor],
    }


def render_comparison(
    comparison: dict[str, Any], time_units: Sequence[tuple[str, float]]
) -> RenderableType:
    """Lay out the result of ``simline compare`` for people: side by side, differences, verdict.

    Parameters
    ----------
    comparison
        The compare JSON object (``scenarios``, ``differences``, ``winner``, ...).
    time_units
        Each scenario's time unit and hours per unit (lead times are shown in hours).
    """
    if comparison.get("compared_on") == "throughput_per_hour":
        return _render_line_comparison(comparison, time_units)
    scenarios = comparison["scenarios"]
    currency = comparison["currency"]
    side = FitTable(
        f"Side by side (money in {currency} per good part, ± half-width of the 95% CI)",
        [("Figure", "left"), *((s["scenario"], "right") for s in scenarios)],
        caption=(
            "Bottleneck busy + setup: the bottleneck's share of the measured time in work (not "
            "the share of the time it could work that simline run marks it by). "
            "Unused capacity: the equipment cost of time not worked, inside unit cost."
        ),
    )

    def row(label: str, get: Any, *, bold: bool = False, scale: float = 1.0) -> None:
        cells = []
        for i, s in enumerate(scenarios):
            node = get(i, s)
            if isinstance(node, str):
                cells.append(node)
                continue
            cells.append(_mean_pm(_json_estimate(_scaled(node, scale))))
        side.add_row(label, *cells, style="bold" if bold else None)

    def hours(i: int, node: dict[str, Any]) -> dict[str, Any]:
        return _scaled(node, time_units[i][1])

    row("Throughput (parts/h)", lambda i, s: s["throughput_per_hour"])
    row("Lead time, line (h)", lambda i, s: hours(i, s["lead_time"]))
    row("Door to door (h)", lambda i, s: hours(i, s["cost"]["lead_time_door_to_door"]))
    row("WIP (parts)", lambda i, s: s["wip"])
    row("Bottleneck busy + setup", lambda i, s: _bottleneck_cell(s))
    row("Line OEE (%)", lambda i, s: s.get("oee") or _NULL, scale=100.0)
    row("Unit cost", lambda i, s: s["cost"]["unit_cost"], bold=True)
    for key, label in _BREAKDOWN_LABELS[:4]:
        row(label, lambda i, s, key=key: s["cost"]["breakdown"][key])
    row("Landed cost", lambda i, s: s["cost"]["landed_cost"], bold=True)
    for key, label in _BREAKDOWN_LABELS[4:12]:
        if all(key in s["cost"]["breakdown"] for s in scenarios):
            row(label, lambda i, s, key=key: s["cost"]["breakdown"][key])
    row("TCO", lambda i, s: s["cost"]["tco"], bold=True)
    for key, label in _BREAKDOWN_LABELS[12:]:
        row(label, lambda i, s, key=key: s["cost"]["breakdown"][key])
    row("Unused capacity", lambda i, s: s["cost"]["unused_capacity"])
    row("CO2 (kg/part)", lambda i, s: s["cost"]["co2_kg_per_part"])
    row(f"TCO per year (k {currency})", lambda i, s: s["cost"]["annual"]["tco"], scale=1e-3)
    row(f"NPV of TCO (k {currency})", lambda i, s: s["cost"]["annual"]["npv"], scale=1e-3)
    row("Lines needed", lambda i, s: _lines_cell(s["cost"]["annual"]["lines_needed"]))

    per_part = f"{currency}/part"
    labels = (
        ("tco", f"TCO\n{per_part}"),
        ("landed_cost", f"Landed\n{per_part}"),
        ("unit_cost", f"Unit\n{per_part}"),
        ("throughput_per_hour", "Throughput\nparts/h"),
        ("lead_time_door_to_door_hours", "Door to door\nh"),
        ("co2_kg_per_part", "CO2\nkg/part"),
    )
    diff = _differences_table(scenarios[0]["scenario"], [label for _, label in labels])
    for d in comparison["differences"]:
        diff.add_row(d["scenario"], *(_mean_pm(_json_estimate(d[key])) for key, _ in labels))

    parts: list[RenderableType] = [side, Text(""), diff]
    if comparison.get("uncertainty"):
        parts += [Text(""), _futures_table(comparison, currency)]
    parts += [Text(""), Text(comparison["verdict"])]
    sens = comparison.get("sensitivity")
    if sens:
        parts += [
            Text(""),
            _sensitivity_table(
                sens,
                [s["scenario"] for s in scenarios],
                _sensitivity_currency(comparison),
                currency,
            ),
        ]
    return Group(*parts)


#: A figure that is not there (an older object without ``oee``).
_NULL: dict[str, Any] = {"mean": None, "ci95": [None, None]}


def _lines_cell(lines: int | None) -> str:
    return _MISSING if lines is None else str(lines)


def _render_line_comparison(
    comparison: dict[str, Any], time_units: Sequence[tuple[str, float]]
) -> RenderableType:
    """Scenarios without a site side by side on the line's figures, then the differences."""
    scenarios = comparison["scenarios"]
    side = FitTable(
        "Side by side (no site: the lines' figures, ± half-width of the 95% CI)",
        [("Figure", "left"), *((s["scenario"], "right") for s in scenarios)],
        caption="Utilization: busy + setup (% of measured time, averaged over servers).",
    )

    def cell(node: dict[str, Any] | None, scale: float = 1.0, suffix: str = "") -> str:
        if node is None:
            return _MISSING
        e = _json_estimate(node)
        text = _mean_pm(Estimate(e.mean * scale, e.lo * scale, e.hi * scale, e.n), suffix=suffix)
        reps = comparison["replications"]
        return text + (f" ({e.n} of {reps})" if "n" in node and e.n > 0 else "")

    side.add_row(
        "Throughput (parts/h)", *(cell(s["throughput_per_hour"]) for s in scenarios), style="bold"
    )
    side.add_row(
        "Lead time, line (h)",
        *(cell(_scaled(s["lead_time"], time_units[i][1])) for i, s in enumerate(scenarios)),
    )
    side.add_row("WIP (parts)", *(cell(s["wip"]) for s in scenarios))
    side.add_row("Bottleneck busy + setup", *(_bottleneck_cell(s) for s in scenarios))
    side.add_row("Line OEE (%)", *(cell(s.get("oee"), 100.0) for s in scenarios))
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

    labels = (
        ("throughput_per_hour", "Throughput\nparts/h", 1.0),
        ("lead_time_hours", "Lead time\nh", 1.0),
        ("wip", "WIP\nparts", 1.0),
        ("bottleneck_utilization", "Bottleneck\nutil. % pts", 100.0),
    )
    shared = [
        name for name in stations if all(name in d["stations"] for d in comparison["differences"])
    ]
    headers = [label for _, label, _ in labels] + [f"{name}\nutil. % pts" for name in shared]
    diff = _differences_table(scenarios[0]["scenario"], headers)
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


def _sensitivity_currency(comparison: dict[str, Any]) -> str:
    """Name the currency of the inputs: the scenarios' own when they share one."""
    own = list(comparison.get("rates") or {})
    return own[0] if len(own) == 1 else "cur."


#: How the sensitivity table shows each input: its unit (``{cur}``: the currency of the
#: scenario's inputs) and the factor its values are multiplied by (100 for a percentage).
_INPUT_UNITS: dict[str, tuple[str, float]] = {
    "labour_cost_per_hour": ("{cur}/h", 1.0),
    "energy_price_per_kwh": ("{cur}/kWh", 1.0),
    "material_cost": ("x own", 1.0),
    "capex": ("x own", 1.0),
    "interest_rate": ("%/yr", 100.0),
    "rent_per_m2_year": ("{cur}/m2/yr", 1.0),
    "co2_price_per_t": ("{cur}/t CO2", 1.0),
    "cbam_price_per_t": ("{cur}/t CO2", 1.0),
    "inventory_carrying_rate": ("%/yr", 100.0),
    "rate_per_container": ("{cur}/cont.", 1.0),
    "rate_per_kg": ("{cur}/kg", 1.0),
    "rate_per_part": ("{cur}/part", 1.0),
    "transit_days": ("d", 1.0),
    "duty_rate": ("% of value", 100.0),
    "supplier_margin": ("% of cost", 100.0),
    "ip_risk_rate": ("% of price", 100.0),
    "quality_risk_rate": ("% of price", 100.0),
    "disruption_rate": ("% of price", 100.0),
    "innovation_rate": ("% of price", 100.0),
    "demand_annual": ("parts/yr", 1.0),
    "wage_growth": ("%/yr", 100.0),
    "fx_growth": ("%/yr", 100.0),
    "price_per_t": ("{cur}/t CO2", 1.0),
    "paid_abroad_per_t": ("{cur}/t CO2", 1.0),
}


def readable_duration(hours: float) -> str:
    """Write a duration in hours in the largest unit it fills at least once: ``"21.6 min"``.

    Three significant digits (for figures that are not whole units: a bin's width, a
    suggested warm-up); :func:`format_duration` gives whole units where it can.
    """
    seconds = hours * 3600.0
    for unit, size in (("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def input_range(name: str, low: float, high: float, unit: str, currency: str) -> str:
    """Write a sensitivity input's range in the unit every output gives it (``0 .. 12.7 %``).

    Rates as percentages, multipliers as ``x own``, money in ``currency`` (the inputs of
    :data:`_INPUT_UNITS`; another input in its own ``unit``), plain numbers.
    """
    shown, scale = _INPUT_UNITS.get(name, (unit, 1.0))
    text = f"{plain_number(low * scale)} .. {plain_number(high * scale)}"
    return f"{text} {shown.format(cur=currency)}".strip()


def plain_number(x: float | None) -> str:
    """Write a number as people do: four significant digits, thousands separated, no ``e``.

    >>> plain_number(200000.0), plain_number(0.058281), plain_number(12990.4), plain_number(1.0)
    ('200,000', '0.05828', '12,990', '1')
    """
    if x is None or not math.isfinite(x):
        return _MISSING
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if x == 0:
        return "0"
    decimals = max(0, 3 - math.floor(math.log10(abs(x))))
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _sensitivity_table(
    rows: list[dict[str, Any]], order: Sequence[str], currency: str, reported: str
) -> FitTable:
    """Per scenario (in ``order``), its inputs by how far they move its TCO.

    ``currency``: the inputs' currency; ``reported``: the TCO's.
    """
    table = FitTable(
        "Sensitivity of TCO per part (others at their values; * verdict flips in range)",
        [
            ("Input", "left"),
            ("Base", "right"),
            ("Low .. high", "right"),
            ("Unit", "left"),
            (f"TCO low .. high\n{reported}/part", "right"),
            ("Break-even", "right"),
        ],
        caption=(
            "x own: a multiple of the scenario's own values. An input the scenario draws "
            "over futures (uncertainty) spans its P10 .. P90. Break-even: the input value "
            "at which the verdict flips."
        ),
        breaks=(4,),
    )
    for scenario in order:
        mine = sorted((r for r in rows if r["scenario"] == scenario), key=lambda r: -r["swing"])
        if not mine:
            continue
        table.add_row(scenario, "", "", "", "", "", style="bold")
        for r in mine:
            unit, scale = _INPUT_UNITS.get(r["input"], (r.get("unit", ""), 1.0))
            be = r["break_even"]

            def value(x: float | None, scale: float = scale) -> str:
                return plain_number(None if x is None else x * scale)

            flips = " *" if r["flips_in_range"] else ""
            table.add_row(
                f"  {r['input']}",
                value(r["base"]),
                f"{value(r['low'])} .. {value(r['high'])}",
                unit.format(cur=currency),
                f"{r['tco']['low']:.2f} .. {r['tco']['high']:.2f}",
                value(be) + flips if be is not None else "none",
                style="bold" if r["flips_in_range"] else None,
            )
    return table


def _futures_table(comparison: dict[str, Any], currency: str) -> FitTable:
    """Each scenario over the futures: TCO percentiles, chance to beat the first, payback."""
    from simline.cost.uncertainty import share_text

    block = comparison["uncertainty"]
    first = comparison["scenarios"][0]["scenario"]
    against = {d["scenario"]: d for d in block["differences"]}
    drivers = []
    for d in block["differences"]:
        for key, when in (("drivers", "year one"), ("npv_drivers", "over the horizon")):
            top = ", ".join(
                f"{driver_name(r)} {r['rank_correlation']:+.2f}"
                for r in [r for r in d.get(key, []) if r.get("significant", True)][:3]
            )
            drivers.append(f"{d['scenario']} - {first}, {when}: {top or 'none significant'}.")
    title = (
        f"Over {block['samples']:,} futures of the uncertain cost inputs (paired; seed "
        f"{block['seed']})"
    )
    if block.get("overridden"):
        title += (
            f"; samples and seed of {block['futures_from']}, not those of "
            f"{', '.join(block['overridden'])}"
        )
    table = FitTable(
        title,
        [
            ("Scenario", "left"),
            (f"TCO P10\n{currency}/part", "right"),
            ("P50", "right"),
            ("P90", "right"),
            ("Cheapest\nof all", "right"),
            (f"Cheaper than\n{first}", "right"),
            ("... over the\nhorizon (NPV)", "right"),
            ("Payback years\nP10 / P50 / P90", "right"),
        ],
        caption=" ".join(
            [
                "Cheaper: on the TCO per part of year one (the verdict's basis); over the "
                "horizon: on the NPV of the TCO, which wage and currency growth move too. "
                "Payback: years until the yearly cash savings repay the extra capex of the one "
                "of the two that invests more (of first: the first scenario's, against this "
                "one; docs/cost.md). The futures draw each input from its range, whose median "
                "need not be the file's value. What drives the difference most (rank "
                "correlation beyond 3 standard errors):",
                *drivers,
            ]
        ),
    )
    cheapest = block.get("probability_cheapest", {})
    for run in comparison["scenarios"]:
        name = run["scenario"]
        tco = run["cost"]["uncertainty"]["tco"]
        row = [name, *(_money(tco[p]) for p in ("p10", "p50", "p90"))]
        row.append(share_text(cheapest[name]) if name in cheapest else _MISSING)
        d = against.get(name)
        if d is None:
            row += ["", "", ""]
        else:
            pay = d["payback_years"]
            row.append(share_text(d["probability_cheaper"]))
            row.append(share_text(d["probability_cheaper_over_horizon"]))
            cell = (
                "no extra capex"
                if pay is None
                else " / ".join(_payback_cell(pay[p]) for p in ("p10", "p50", "p90"))
            )
            if pay is not None and pay.get("of") not in (None, name):
                cell += " of first"
            row.append(cell)
        table.add_row(*row)
    return table


def _is_duration(path: str) -> bool:
    return path.rsplit(".", 1)[-1] in ("transit", "life")


def driver_name(row: dict[str, Any]) -> str:
    """``path of scenario``, or ``path (shared: NAME)`` for an input of a shared stream."""
    if row.get("shared"):
        return f"{row['input']} (shared: {row['shared']})"
    return f"{row['input']} of {row['scenario']}"


def _money(value: float | None) -> str:
    return _MISSING if value is None else f"{value:,.2f}"


def _payback_cell(years: float | None) -> str:
    return "never" if years is None else f"{years:.1f}"


def _differences_table(first: str, headers: Sequence[str]) -> FitTable:
    """Start a table of differences against the scenario ``first``, one column per figure."""
    return FitTable(
        f"Differences against {first} (paired over replications, ± half-width of the 95% CI)",
        [("Scenario", "left"), *((h, "right") for h in headers)],
    )

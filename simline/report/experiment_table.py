"""The result of ``simline experiment`` as a table for people, and as CSV.

One row per run: its id, the factors' values, its replications, the key figures (mean and
the half-width of their 95 % confidence intervals), the best run marked. Below the table:
the best run and why, the selection's guarantee, and the runs that failed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text

from simline.report._layout import FitTable, Justify
from simline.report.table import format_estimate

if TYPE_CHECKING:
    from rich.console import RenderableType

    from simline.experiment.runner import ExperimentResult

__all__ = ["experiment_csv", "key_figures", "render_experiment"]

#: The line's figures every experiment table shows, after the objective and the constraints'.
_LINE = ("throughput_per_hour", "lead_time", "wip")

#: Money figures shown when the runs have a cost.
_COST = ("cost.tco",)


def key_figures(result: ExperimentResult) -> list[str]:
    """Return the figures the table shows: the objective's, the constraints', the line's, TCO."""
    names: dict[str, None] = {}
    if result.objective is not None:
        names[result.objective["figure"]] = None
    names.update(dict.fromkeys(result.constraint_figures))
    present: set[str] = set()
    for run in result.runs:
        present.update(run.figures)
    for name in (*_LINE, *_COST):
        if name in present:
            names[name] = None
    return [n for n in names if n in present]


def _estimate_text(node: dict[str, Any] | None) -> str:
    from simline.report.table import _json_estimate

    if node is None:
        return "–"
    mean, half, _ = format_estimate(_json_estimate(node))
    return f"{mean} {half}" if half else mean


def _value_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, sort_keys=True)
    return str(value)


#: Short column headings of the line's figures, over their unit (``{time}``: the runs' time
#: unit, ``{cur}``: their currency).
_HEADINGS = {
    "throughput_per_hour": "throughput\nparts/h",
    "lead_time": "lead time\n{time}",
    "wip": "WIP\nparts",
    "cost.tco": "TCO\n{cur}/part",
}


def _heading(name: str, units: dict[str, str] | None = None) -> str:
    """Return a column heading: a short name for the usual figures, paths without ``stations.``."""
    if name in _HEADINGS:
        return _HEADINGS[name].format(**(units or {"time": "", "cur": ""})).strip()
    # a station's key on two lines (``mill`` over ``servers``): narrow columns, uncut
    return name.removeprefix("stations.").replace(".", "\n", 1)


def _units(result: ExperimentResult) -> dict[str, str]:
    """Return the runs' time unit and currency, each where all runs share one (else empty)."""
    times = {run.spec.config.time_unit for run in result.runs}
    currencies = {run.spec.config.currency for run in result.runs}
    return {
        "time": times.pop() if len(times) == 1 else "",
        "cur": currencies.pop() if len(currencies) == 1 else "",
    }


def render_experiment(result: ExperimentResult) -> RenderableType:
    """Return the experiment's runs as a rich table, with the verdict below it."""
    figures = key_figures(result)
    factors = result.factor_names
    scenarios = {run.spec.scenario for run in result.runs}
    labels = any(run.spec.label for run in result.runs)
    best = result.best["id"] if result.best else None
    columns: list[tuple[str, Justify]] = [("run", "left"), ("", "left")]
    if len(scenarios) > 1:
        columns.append(("scenario", "left"))
    if labels:
        columns.append(("label", "left"))
    columns += [(_heading(name), "right") for name in factors]
    columns.append(("reps", "right"))
    units = _units(result)
    columns += [(_heading(name, units), "right") for name in figures]
    # the run and its mark (best, a broken constraint) head every part when it is split
    table = FitTable(f"Experiment {result.name}: {len(result.runs)} runs", columns, keys=2)
    broken_any = False
    for run in result.runs:
        marks = []
        if run.status == "failed":
            marks.append("failed")
        else:
            if run.spec.id == best:
                marks.append("best")
            entries = result.constraints.get(run.spec.id, [])
            if any(not e["holds"] for e in entries):
                marks.append("✗")
                broken_any = True
        cells = [run.spec.id, " ".join(marks)]
        if len(scenarios) > 1:
            cells.append(run.spec.scenario)
        if labels:
            cells.append(run.spec.label or "")
        cells += [_value_text(run.spec.factors.get(name, "")) for name in factors]
        cells.append(str(run.replications))
        if run.status == "failed":
            cells += ["–"] * len(figures)
        else:
            cells += [_estimate_text(run.figures.get(name)) for name in figures]
        style = "bold" if run.spec.id == best else None
        table.add_row(*cells, style=style)
    notes: list[RenderableType] = [table]
    headings = [f"{_heading(n).replace(chr(10), ' ')} = {n}" for n in factors if _heading(n) != n]
    headings += [f"{_heading(n).split(chr(10))[0]} = {n}" for n in figures if _heading(n) != n]
    if headings:
        notes.append(Text("Columns: " + "; ".join(headings) + ".", style="dim"))
    if broken_any:
        texts = sorted({e["constraint"] for v in result.constraints.values() for e in v})
        notes.append(Text("✗: breaks a constraint (" + "; ".join(texts) + "), judged on the mean."))
    return Group(*notes, *_verdict(result))


def _verdict(result: ExperimentResult) -> list[Text]:
    lines: list[Text] = []
    if result.objective is not None:
        figure, goal = result.objective["figure"], result.objective["goal"]
        what = "lowest" if goal == "min" else "highest"
        if result.best is None and result.constraints:
            lines.append(Text(f"No run meets every constraint: no best run by {figure}."))
        elif result.best is None:
            lines.append(Text(f"No run has a value of {figure}: no best run."))
        else:
            best = result.best["id"]
            outcome = next(r for r in result.runs if r.spec.id == best)
            text = f"Best: run {best} ({_describe(outcome.spec)}), the {what} {figure}"
            if result.constraints:
                text += " among the runs that meet every constraint"
            lines.append(Text(text + "."))
            loose = [
                e["constraint"]
                for e in result.constraints.get(best, [])
                if e["holds"] and not e["significant"]
            ]
            if loose:
                lines.append(
                    Text(
                        f"It meets {'; '.join(loose)} on its mean only: the 95 % CI reaches "
                        "across the bound, so more replications may show it does not.",
                        style="yellow",
                    )
                )
            close = [
                d["id"]
                for d in result.differences
                if d["id"] != best and _overlaps_zero(d.get(figure))
            ]
            if close:
                lines.append(
                    Text(
                        f"Not significantly different from it (paired 95 % CI holds 0): "
                        f"{', '.join(close)}."
                    )
                )
    if result.selection is not None:
        guarantee = str(result.selection.get("guarantee", ""))
        figure = result.objective["figure"] if result.objective else ""
        lines.append(Text(f"Selection on {figure}: {guarantee}."))
    if result.precision is not None:
        p = result.precision
        target = f"{p['relative']:.3g} relative" if "relative" in p else f"{p['absolute']:.3g}"
        rounds = f"{p['rounds']} round{'s' if p['rounds'] != 1 else ''}"
        lines.append(
            Text(
                f"Precision: replications in {rounds}, until the 95 % CI half-width of "
                f"{p['figure']} was within {target} or a run had {p['max']} replications."
            )
        )
    for run in result.failed:
        lines.append(Text(f"Run {run.spec.id} failed: {run.error}"))
    lines.append(Text(f"Store: {result.store} (backend {result.backend})", style="dim"))
    return [Text(""), *lines] if lines else []


def _overlaps_zero(node: dict[str, Any] | None) -> bool:
    if not node:
        return False
    lo, hi = node.get("ci95", [None, None])
    if lo is None or hi is None or (isinstance(lo, float) and math.isnan(lo)):
        return False
    return bool(lo <= 0 <= hi)


def _describe(spec: Any) -> str:
    if spec.label:
        return str(spec.label)
    parts = [f"{name}={_value_text(value)}" for name, value in spec.factors.items()]
    return ", ".join(parts) if parts else str(spec.scenario)


def experiment_csv(result: ExperimentResult, columns: Sequence[str] | None = None) -> str:
    """Return the runs as CSV: one row per run (:meth:`ExperimentResult.rows`)."""
    import csv
    import io

    rows = result.rows()
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    header = list(columns) if columns is not None else list(names)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()

"""The page machinery of the HTML reports: escaping, figures as text, tables, inline SVG.

Shared by :mod:`simline.report.html` (``run --report``) and
:mod:`simline.report.html_compare` (``compare --report``).
"""

from __future__ import annotations

import datetime
import html
import io
import itertools
import math
import re
from typing import TYPE_CHECKING, Any

from simline.report.table import format_estimate
from simline.stats import Estimate

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from matplotlib.figure import Figure

__all__: list[str] = []

STYLE = """
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

LINE_FIGURES = (
    ("throughput_per_hour", "Throughput", "good parts/h"),
    ("lead_time", "Lead time", "{unit}"),
    ("wip", "WIP", "parts"),
    ("good_parts", "Good parts", "parts"),
    ("scrap_parts", "Scrap parts", "parts"),
)

STATES = ("busy", "setup", "blocked", "starved", "down", "off_shift")


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def estimate(obj: Mapping[str, Any] | None, replications: int) -> Estimate:
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


def fmt(obj: Mapping[str, Any] | None, replications: int, scale: float = 1.0) -> tuple[str, str]:
    """Mean and ``± h [lo, hi]`` of a JSON figure, decimals as in the table output."""
    mean, half, ci = format_estimate(estimate(obj, replications), scale=scale)
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


class Page:
    """The page under construction: sections of HTML and a counter for chart ids."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.parts: list[str] = []
        self._ids = itertools.count(1)

    def add(self, text: str) -> None:
        self.parts.append(text)

    def figure(self, fig: Figure, caption: str, ident: str) -> None:
        svg = _svg(fig, f"{ident}-{next(self._ids)}")
        self.add(f'<figure id="{esc(ident)}">{svg}<figcaption>{caption}</figcaption></figure>')

    def render(self, footer: str) -> str:
        body = "\n".join(self.parts)
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(self.title)}</title><style>{STYLE}</style></head>\n"
            f"<body>\n{body}\n<footer>{footer}</footer>\n</body></html>\n"
        )


def table(head: Sequence[str], rows: Iterable[Sequence[str]], ident: str = "") -> str:
    """Return a table; cells are HTML already (values escaped by the caller)."""
    hid = f' id="{esc(ident)}"' if ident else ""
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table{hid}><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _cell(cell: str) -> str:
    if cell.startswith("<td"):
        return cell
    return f"<td>{cell}</td>"


def footer(version: str) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Made by simline {esc(version)} on {esc(now)}. Figures are means over replications "
        "with Student t 95% confidence intervals (± half-width [low, high])."
    )


def warnings_section(page: Page, warnings: Sequence[object]) -> None:
    page.add('<section id="warnings"><h2>Warnings</h2>')
    if not warnings:
        page.add("<p>No warnings.</p></section>")
        return
    items = "".join(f"<li>{esc(_warning_text(w))}</li>" for w in warnings)
    page.add(f'<div class="warn"><ul>{items}</ul></div></section>')


def _warning_text(warning: object) -> str:
    if isinstance(warning, tuple | list) and len(warning) == 2:
        return f"{warning[0]}: {warning[1]}"
    if isinstance(warning, dict):
        return "; ".join(f"{k}: {v}" for k, v in warning.items())
    return str(warning)


def unit_cell(text: str) -> str:
    return f'<td class="unit">{esc(text)}</td>'

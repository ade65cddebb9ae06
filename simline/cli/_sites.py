"""``simline sites``: the site profiles shipped with simline, by the name a scenario gives.

Registered on the ``simline`` group when :mod:`simline.cli` is imported. The table shows the
key figures in at most 80 columns; ``--format json`` gives every figure and its source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from simline.cli import _Choice, _reports_errors, _write_stdout, cli

if TYPE_CHECKING:
    from simline.config import SiteConfig

__all__: list[str] = []

#: Column headers (two lines): the name, the site, its currency, then its key figures.
_HEAD = (
    ("name", "site", "cur", "labour", "energy", "grid", "rent", "interest"),
    ("", "", "", "/h", "/kWh", "kg/kWh", "/m2/yr", "/yr"),
)
#: The text columns are left-aligned and set apart by two spaces, the figures by one.
_TEXT = 3


def _row(name: str, site: SiteConfig) -> tuple[str, ...]:
    return (
        name,
        site.name or site.country or "",
        site.currency or "-",
        f"{site.labour_cost_per_hour:.2f}",
        f"{site.energy_price_per_kwh:g}",
        f"{site.grid_co2_kg_per_kwh:g}",
        f"{site.rent_per_m2_year:g}",
        f"{site.interest_rate * 100:g} %",
    )


def sites_table(sites: dict[str, SiteConfig]) -> str:
    """Return the table of ``simline sites``: one row per profile, at most 80 columns wide."""
    rows = [*_HEAD, *(_row(name, site) for name, site in sites.items())]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEAD[0]))]
    lines = []
    for row in rows:
        text = "  ".join(cell.ljust(w) for cell, w in zip(row[:_TEXT], widths, strict=False))
        figures = " ".join(
            cell.rjust(w) for cell, w in zip(row[_TEXT:], widths[_TEXT:], strict=True)
        )
        lines.append(f"{text}  {figures}".rstrip())
    lines.append("")
    lines.append("In a scenario: 'site: nl', or 'site: {base: nl, labour_cost_per_hour: 48}'.")
    lines.append("Every figure and its source: simline sites --format json")
    return "\n".join(lines) + "\n"


def sites_json(sites: dict[str, SiteConfig]) -> dict[str, Any]:
    """Return the object of ``simline sites --format json``: every figure of every profile."""
    return {"sites": {name: site.model_dump(mode="json") for name, site in sites.items()}}


@cli.command(name="sites")
@click.option(
    "--format",
    "fmt",
    type=_Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: the key figures; json: every figure of every profile, with its source.",
)
@_reports_errors
def sites(fmt: str) -> None:
    """List the site profiles shipped with simline, by the name a scenario's 'site:' gives."""
    from simline.config import shipped_site, site_names

    profiles = {name: shipped_site(name) for name in site_names()}
    if fmt == "json":
        from simline.report.output import dumps_json

        _write_stdout(dumps_json(sites_json(profiles)))
    else:
        _write_stdout(sites_table(profiles))

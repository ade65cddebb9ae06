"""Scenarios side by side: paired differences against the first, the winner on TCO.

The scenarios are simulated with the same seed and replication indices, so replication ``i``
of each draws the same random numbers at the stations they share (common random numbers):
the difference of a figure is estimated pair by pair with :func:`simline.stats.paired_difference`.

Money of a scenario in another currency than the first is converted with an exchange rate the
user gives (``--rate USD=0.93``: one USD is 0.93 of the first scenario's currency); without one
the comparison is refused, never guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simline.errors import ConfigError
from simline.stats import Estimate, paired_difference

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from simline.config import ScenarioConfig
    from simline.cost.tco import ScenarioCost

__all__ = [
    "DIFFERENCE_FIGURES",
    "Comparison",
    "Difference",
    "compare_costs",
    "exchange_rates",
    "parse_rate",
    "parse_rates",
]

#: The range of an exchange rate ``--rate CUR=X``: the widest pair of traded currencies (the
#: Iranian rial against the euro) is about 10**6, so 10**-9 .. 10**9 leaves room and keeps
#: every converted figure a finite float.
RATE_MIN = 1e-9
RATE_MAX = 1e9

#: Figures whose paired differences are reported, with their JSON names.
DIFFERENCE_FIGURES: tuple[tuple[str, str], ...] = (
    ("tco", "tco"),
    ("landed_cost", "landed_cost"),
    ("unit_cost", "unit_cost"),
    ("throughput_per_hour", "throughput_per_hour"),
    ("lead_time_h", "lead_time_hours"),
    ("lead_time_door_to_door_h", "lead_time_door_to_door_hours"),
    ("wip", "wip"),
    ("co2_kg_per_part", "co2_kg_per_part"),
    ("npv", "npv"),
)


def parse_rate(text: str) -> tuple[str, float]:
    """Parse ``CUR=VALUE`` (one unit of ``CUR`` in the reporting currency).

    Raises
    ------
    ConfigError
        If the text is not of that form or the value is not a number from :data:`RATE_MIN`
        to :data:`RATE_MAX`.
    """
    code, sep, value = text.partition("=")
    code = code.strip().upper()
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not sep or len(code) != 3 or not code.isalpha() or not number > 0 or math.isinf(number):
        raise ConfigError(
            f"expected CUR=RATE with a positive rate, e.g. USD=0.93 (got {text!r})", path="--rate"
        )
    if not RATE_MIN <= number <= RATE_MAX:
        raise ConfigError(
            f"expected an exchange rate from {RATE_MIN:g} to {RATE_MAX:g} (got {text!r})",
            path="--rate",
        )
    return code, number


def parse_rates(texts: Sequence[str]) -> dict[str, float]:
    """Parse every ``--rate CUR=VALUE``; a currency may be given once only.

    Raises
    ------
    ConfigError
        If a text is not a rate (see :func:`parse_rate`) or a currency is given twice.
    """
    rates: dict[str, float] = {}
    given: dict[str, str] = {}
    for text in texts:
        code, number = parse_rate(text)
        if code in rates:
            raise ConfigError(
                f"{code} is given twice ({given[code]!r} and {text!r}); give each currency once",
                path="--rate",
            )
        rates[code] = number
        given[code] = text
    return rates


def exchange_rates(
    configs: Sequence[ScenarioConfig], rates: Mapping[str, float]
) -> tuple[str, list[float]]:
    """Return the reporting currency (the first scenario's) and each scenario's rate into it.

    Raises
    ------
    ConfigError
        If a scenario's currency differs from the first and no rate is given for it, or a
        rate is given for the reporting currency or for a currency no scenario is in (it
        would be ignored).
    """
    currency = configs[0].currency
    used = {config.currency for config in configs}
    for code, value in rates.items():
        if code == currency:
            raise ConfigError(
                f"{code} is the reporting currency (the first scenario's): it needs no rate "
                f"(got {code}={value:g})",
                path="--rate",
            )
        if code not in used:
            raise ConfigError(
                f"no scenario is in {code} (they are in {', '.join(sorted(used))}), so the rate "
                f"would not be used (got {code}={value:g})",
                path="--rate",
            )
    out = []
    for config in configs:
        if config.currency == currency:
            out.append(1.0)
        elif config.currency in rates:
            out.append(rates[config.currency])
        else:
            raise ConfigError(
                f"scenario {config.name!r} is in {config.currency} and the first in {currency}; "
                f"give the exchange rate, e.g. --rate {config.currency}=0.93 "
                f"(one {config.currency} in {currency})",
                path="--rate",
            )
    return currency, out


@dataclass(frozen=True, slots=True)
class Difference:
    """One scenario minus the reference, figure by figure (paired over replications)."""

    scenario: str
    versus: str
    figures: dict[str, Estimate]

    def to_json(self) -> dict[str, Any]:
        """``{"scenario", "versus", "tco": {...}, "landed_cost": {...}, ...}``."""
        out: dict[str, Any] = {"scenario": self.scenario, "versus": self.versus}
        for _, name in DIFFERENCE_FIGURES:
            out[name] = self.figures[name].to_json()
        return out


@dataclass(frozen=True, slots=True)
class Comparison:
    """Scenarios compared on TCO per good part.

    ``winner`` has the lowest mean TCO; ``margin`` is the runner-up minus the winner, paired,
    and ``significant`` says whether its 95% CI lies above 0.
    """

    costs: list[ScenarioCost]
    differences: list[Difference]
    winner: str
    runner_up: str | None
    margin: Estimate | None
    significant: bool


def _differences(a: ScenarioCost, b: ScenarioCost) -> dict[str, Estimate]:
    return {
        name: paired_difference(a.values(figure), b.values(figure))
        for figure, name in DIFFERENCE_FIGURES
    }


def compare_costs(costs: Sequence[ScenarioCost]) -> Comparison:
    """Compare scenarios already costed in one currency, replication by replication.

    Raises
    ------
    ValueError
        If fewer than two scenarios are given or their replication counts differ.
    """
    if len(costs) < 2:
        raise ValueError(f"compare needs two scenarios or more (got {len(costs)})")
    counts = {len(c.replications) for c in costs}
    if len(counts) != 1:
        raise ValueError(f"paired comparison needs equal replication counts (got {sorted(counts)})")
    first = costs[0]
    differences = [
        Difference(c.scenario, first.scenario, _differences(c, first)) for c in costs[1:]
    ]
    ranked = sorted(costs, key=lambda c: _mean_or_inf(c.estimate("tco")))
    winner, runner = ranked[0], ranked[1]
    margin = paired_difference(runner.values("tco"), winner.values("tco"))
    significant = margin.n > 1 and margin.lo > 0
    return Comparison(
        costs=list(costs),
        differences=differences,
        winner=winner.scenario,
        runner_up=runner.scenario,
        margin=margin,
        significant=significant,
    )


def _mean_or_inf(e: Estimate) -> float:
    return e.mean if math.isfinite(e.mean) else math.inf

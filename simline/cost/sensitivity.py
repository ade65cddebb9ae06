"""Which cost inputs decide the verdict, and where it flips, without simulating again.

For each scenario and each cost input it has, the input is set to a low and a high value
and the scenario's TCO per good part recomputed from the replications already simulated
(:func:`simline.cost.tco.scenario_cost` on a copy of the config); the others are left as
they are. The *break-even* value is where that scenario's TCO equals the TCO it must beat
(the winner's, or for the winner the runner-up's): found by bisection, since TCO is monotone
in each input.

A scenario that draws an input in its ``uncertainty`` block (or its site's ``ranges``) is
varied between that distribution's P10 and P90, so the tornado and the futures use one range.
Other default ranges (``low``, ``high``): +-25 % of the scenario's value, except where
``shared/reference/cost-model.md`` gives a range: sea freight per 40 ft container 1,420 to
14,028 USD (Drewry WCI 2019 average and 2021 peak) converted at 1.08 USD/EUR; sea transit
door to door 35 d (Suez, no port time) to 55 d (Cape route); inventory carrying rate 20-40 %
a year; supplier margin 10-15 %; duty from 0 to 10 points above the scenario's (a tariff);
carbon price and CBAM certificate price 0-150 per t (assumption); risk and innovation shares
0 to twice the scenario's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simline.config.uncertainty import quantiles, uncertain_inputs
from simline.config.units import duration_seconds, seconds_per_unit
from simline.cost.tco import scenario_cost

if TYPE_CHECKING:
    from collections.abc import Sequence

    from simline.config import ScenarioConfig
    from simline.engine.results import RunResult

__all__ = ["INPUTS", "Input", "SensitivityRow", "sensitivity"]

#: USD per EUR used to convert the sourced USD freight range (2024 ECB average, to verify).
USD_PER_EUR = 1.08

Setter = Callable[["ScenarioConfig", float], "ScenarioConfig"]


@dataclass(frozen=True, slots=True)
class Input:
    """A cost input: how to read it from a scenario, set it, and its default range."""

    name: str
    unit: str
    get: Callable[[ScenarioConfig], float | None]
    set: Setter
    range: Callable[[ScenarioConfig, float], tuple[float, float]]
    upper: Callable[[float], float]
    shared: bool = False
    """A property of the product or market (material, demand): set in every scenario at once."""
    path: str | None = None
    """The input's dotted path in a scenario, when it has one: a scenario that draws it in its
    ``uncertainty`` block is varied between that distribution's P10 and P90."""
    scale: Callable[[ScenarioConfig], float] = lambda _c: 1.0
    """The input's value per unit of the path's value (days per time unit for the transit)."""


def _site(key: str) -> tuple[Callable[[ScenarioConfig], float | None], Setter]:
    def get(c: ScenarioConfig) -> float | None:
        return None if c.site is None else float(getattr(c.site, key))

    def put(c: ScenarioConfig, v: float) -> ScenarioConfig:
        assert c.site is not None
        return c.model_copy(update={"site": c.site.model_copy(update={key: v})})

    return get, put


def _logistics(key: str) -> tuple[Callable[[ScenarioConfig], float | None], Setter]:
    def get(c: ScenarioConfig) -> float | None:
        if c.logistics is None or c.logistics.mode == "none":
            return None
        value = getattr(c.logistics, key)
        return None if value is None else float(value)

    def put(c: ScenarioConfig, v: float) -> ScenarioConfig:
        assert c.logistics is not None
        return c.model_copy(update={"logistics": c.logistics.model_copy(update={key: v})})

    return get, put


def _tco(key: str) -> tuple[Callable[[ScenarioConfig], float | None], Setter]:
    def get(c: ScenarioConfig) -> float | None:
        value = float(getattr(c.tco, key))
        return value if value > 0 else None

    def put(c: ScenarioConfig, v: float) -> ScenarioConfig:
        return c.model_copy(update={"tco": c.tco.model_copy(update={key: v})})

    return get, put


def _transit() -> tuple[Callable[[ScenarioConfig], float | None], Setter]:
    def get(c: ScenarioConfig) -> float | None:
        if c.logistics is None or c.logistics.mode == "none" or c.logistics.legs is not None:
            return None  # several legs: each has its own transit, not varied here
        return duration_seconds(c.logistics.transit, c.time_unit) / 86400.0

    def put(c: ScenarioConfig, v: float) -> ScenarioConfig:
        assert c.logistics is not None
        value = v * 86400.0 / seconds_per_unit(c.time_unit)
        return c.model_copy(update={"logistics": c.logistics.model_copy(update={"transit": value})})

    return get, put


def _capex() -> tuple[Callable[[ScenarioConfig], float | None], Setter]:
    def get(c: ScenarioConfig) -> float | None:
        return 1.0 if any(s.capex > 0 for s in c.stations.values()) else None

    def put(c: ScenarioConfig, v: float) -> ScenarioConfig:
        # the machine's value moves with its price: the replacement value too, when given
        stations = {
            n: s.model_copy(
                update={
                    "capex": s.capex * v,
                    "replacement_value": None
                    if s.replacement_value is None
                    else s.replacement_value * v,
                }
            )
            for n, s in c.stations.items()
        }
        return c.model_copy(update={"stations": stations})

    return get, put


def _cbam() -> tuple[Callable[[ScenarioConfig], float | None], Setter]:
    def get(c: ScenarioConfig) -> float | None:
        cbam = c.logistics.cbam if c.logistics is not None else None
        return None if cbam is None else float(cbam.price_per_t)

    def put(c: ScenarioConfig, v: float) -> ScenarioConfig:
        assert c.logistics is not None and c.logistics.cbam is not None
        cbam = c.logistics.cbam.model_copy(update={"price_per_t": v})
        return c.model_copy(update={"logistics": c.logistics.model_copy(update={"cbam": cbam})})

    return get, put


def _material() -> tuple[Callable[[ScenarioConfig], float | None], Setter]:
    def get(c: ScenarioConfig) -> float | None:
        return 1.0 if any(p.material_cost > 0 for p in c.product_configs().values()) else None

    def put(c: ScenarioConfig, v: float) -> ScenarioConfig:
        products = {
            n: p.model_copy(update={"material_cost": p.material_cost * v})
            for n, p in c.product_configs().items()
        }
        return c.model_copy(update={"products": products})

    return get, put


def _demand() -> tuple[Callable[[ScenarioConfig], float | None], Setter]:
    def get(c: ScenarioConfig) -> float | None:
        return None if c.demand is None else c.demand.annual

    def put(c: ScenarioConfig, v: float) -> ScenarioConfig:
        assert c.demand is not None
        return c.model_copy(update={"demand": c.demand.model_copy(update={"annual": v})})

    return get, put


def _pm25(_: ScenarioConfig, base: float) -> tuple[float, float]:
    return 0.75 * base, 1.25 * base


def _fixed(low: float, high: float) -> Callable[[ScenarioConfig, float], tuple[float, float]]:
    return lambda _c, _b: (low, high)


def _freight_range(c: ScenarioConfig, base: float) -> tuple[float, float]:
    if c.logistics is not None and c.logistics.mode == "sea" and c.currency == "EUR":
        return 1420.0 / USD_PER_EUR, 14028.0 / USD_PER_EUR
    return _pm25(c, base)


def _transit_range(c: ScenarioConfig, base: float) -> tuple[float, float]:
    if c.logistics is not None and c.logistics.mode == "sea":
        return 35.0, 55.0
    return _pm25(c, base)


def _days_per_unit(c: ScenarioConfig) -> float:
    return seconds_per_unit(c.time_unit) / 86400.0


def _times(k: float) -> Callable[[float], float]:
    return lambda base: k * base if base > 0 else k


#: The cost inputs the sensitivity analysis varies, in display order.
INPUTS: tuple[Input, ...] = (
    Input(
        "labour_cost_per_hour",
        "/h",
        *_site("labour_cost_per_hour"),
        _pm25,
        _times(20),
        path="site.labour_cost_per_hour",
    ),
    Input(
        "energy_price_per_kwh",
        "/kWh",
        *_site("energy_price_per_kwh"),
        _pm25,
        _times(20),
        path="site.energy_price_per_kwh",
    ),
    Input("material_cost", "x", *_material(), _pm25, _times(20), shared=True),
    Input("capex", "x", *_capex(), _pm25, _times(20)),
    Input(
        "interest_rate",
        "/yr",
        *_site("interest_rate"),
        _pm25,
        _times(20),
        path="site.interest_rate",
    ),
    Input(
        "rent_per_m2_year",
        "/m2/yr",
        *_site("rent_per_m2_year"),
        _pm25,
        _times(20),
        path="site.rent_per_m2_year",
    ),
    Input(
        "co2_price_per_t",
        "/t",
        *_site("co2_price_per_t"),
        _fixed(0.0, 150.0),
        _times(2000),
        path="site.co2_price_per_t",
    ),
    Input(
        "cbam_price_per_t",
        "/t",
        *_cbam(),
        _fixed(0.0, 150.0),
        _times(2000),
        path="logistics.cbam.price_per_t",
    ),
    Input(
        "inventory_carrying_rate",
        "/yr",
        *_site("inventory_carrying_rate"),
        _fixed(0.20, 0.40),
        _times(20),
        path="site.inventory_carrying_rate",
    ),
    Input(
        "rate_per_container",
        "",
        *_logistics("rate_per_container"),
        _freight_range,
        _times(50),
        path="logistics.rate_per_container",
    ),
    Input(
        "rate_per_kg",
        "/kg",
        *_logistics("rate_per_kg"),
        _pm25,
        _times(50),
        path="logistics.rate_per_kg",
    ),
    Input(
        "rate_per_part",
        "",
        *_logistics("rate_per_part"),
        _pm25,
        _times(50),
        path="logistics.rate_per_part",
    ),
    Input(
        "transit_days",
        "d",
        *_transit(),
        _transit_range,
        _times(20),
        path="logistics.transit",
        scale=_days_per_unit,
    ),
    Input("duty_rate", "", *_logistics("duty_rate"), lambda _c, b: (0.0, b + 0.10), _times(1)),
    Input(
        "supplier_margin",
        "",
        *_tco("supplier_margin"),
        _fixed(0.10, 0.15),
        _times(20),
        path="tco.supplier_margin",
    ),
    Input("ip_risk_rate", "", *_tco("ip_risk_rate"), lambda _c, b: (0.0, 2 * b), _times(50)),
    Input(
        "quality_risk_rate", "", *_tco("quality_risk_rate"), lambda _c, b: (0.0, 2 * b), _times(50)
    ),
    Input("disruption_rate", "", *_tco("disruption_rate"), lambda _c, b: (0.0, 2 * b), _times(50)),
    Input("innovation_rate", "", *_tco("innovation_rate"), lambda _c, b: (0.0, 2 * b), _times(50)),
    Input(
        "demand_annual",
        "parts/yr",
        *_demand(),
        _pm25,
        _times(20),
        shared=True,
        path="demand.annual",
    ),
)


@dataclass(frozen=True, slots=True)
class SensitivityRow:
    """How one input of one scenario moves that scenario's TCO per part.

    ``break_even``: the input value at which the verdict flips (``None``: no flip between 0
    and a generous upper bound); ``flips_in_range``: whether it lies between ``low`` and
    ``high``.
    """

    scenario: str
    input: str
    unit: str
    base: float
    low: float
    high: float
    tco_base: float
    tco_low: float
    tco_high: float
    break_even: float | None
    flips_in_range: bool

    @property
    def swing(self) -> float:
        """``|tco_high - tco_low|``."""
        return abs(self.tco_high - self.tco_low)

    def to_json(self) -> dict[str, Any]:
        """Return the row as plain JSON."""
        return {
            "scenario": self.scenario,
            "input": self.input,
            "unit": self.unit,
            "base": self.base,
            "low": self.low,
            "high": self.high,
            "tco": {"base": self.tco_base, "low": self.tco_low, "high": self.tco_high},
            "swing": self.swing,
            "break_even": self.break_even,
            "flips_in_range": self.flips_in_range,
        }


def _drawn_range(spec: Input, config: ScenarioConfig) -> tuple[float, float] | None:
    """P10 and P90 of the input's distribution, when the scenario draws it over futures."""
    if spec.path is None:
        return None
    dist = uncertain_inputs(config).get(spec.path)
    if dist is None:
        return None
    p10, p90 = quantiles(dist, np.array([0.1, 0.9]), config.time_unit) * spec.scale(config)
    return float(p10), float(p90)


def _bisect(f: Callable[[float], float], a: float, b: float, fa: float) -> float:
    for _ in range(60):
        m = 0.5 * (a + b)
        fm = f(m)
        if (fm > 0) == (fa > 0):
            a, fa = m, fm
        else:
            b = m
        if abs(b - a) <= 1e-9 * max(1.0, abs(a)):
            break
    return 0.5 * (a + b)


def sensitivity(
    configs: Sequence[ScenarioConfig],
    results: Sequence[Sequence[RunResult]],
    rates: Sequence[float],
    *,
    inputs: Sequence[Input] = INPUTS,
) -> list[SensitivityRow]:
    """Vary each cost input of each scenario and find where the TCO verdict flips.

    Parameters
    ----------
    configs
        The scenarios.
    results
        Their replications, already simulated (nothing is simulated here).
    rates
        Each scenario's exchange rate into the reporting currency.
    inputs
        The inputs to vary (default :data:`INPUTS`).

    Returns
    -------
    list of SensitivityRow
        One row per scenario and input the scenario has.
    """

    def tco(i: int, config: ScenarioConfig) -> float:
        return scenario_cost(config, results[i], rate=rates[i]).estimate("tco").mean

    base = [tco(i, c) for i, c in enumerate(configs)]
    rows: list[SensitivityRow] = []
    for i, config in enumerate(configs):
        for spec in inputs:
            value = spec.get(config)
            if value is None:
                continue
            low, high = _drawn_range(spec, config) or spec.range(config, value)
            if low == high:
                continue

            def gap(v: float, spec: Input = spec, i: int = i) -> float:
                mine, others = _tcos_at(spec, v, i, configs, base, tco)
                return mine - min(others) if others else math.nan

            def at(v: float, spec: Input = spec, i: int = i) -> float:
                return _tcos_at(spec, v, i, configs, base, tco)[0]

            break_even = _break_even(gap, value, spec.upper(value))
            rows.append(
                SensitivityRow(
                    scenario=config.name,
                    input=spec.name,
                    unit=spec.unit,
                    base=value,
                    low=low,
                    high=high,
                    tco_base=base[i],
                    tco_low=at(low),
                    tco_high=at(high),
                    break_even=break_even,
                    flips_in_range=break_even is not None and low <= break_even <= high,
                )
            )
    return rows


def _tcos_at(
    spec: Input,
    v: float,
    i: int,
    configs: Sequence[ScenarioConfig],
    base: Sequence[float],
    tco: Callable[[int, ScenarioConfig], float],
) -> tuple[float, list[float]]:
    """TCO of scenario ``i`` with the input at ``v``, and the others' (changed too if shared)."""
    mine = tco(i, spec.set(configs[i], v))
    others = []
    for j, other in enumerate(configs):
        if j == i:
            continue
        if spec.shared and spec.get(other) is not None:
            others.append(tco(j, spec.set(other, v)))
        else:
            others.append(base[j])
    return mine, others


def _break_even(gap: Callable[[float], float], base: float, upper: float) -> float | None:
    """Find the root of ``gap`` in ``[0, upper]`` on the side of ``base`` where it changes sign."""
    g0 = gap(base)
    if not math.isfinite(g0) or g0 == 0:
        return base if g0 == 0 else None
    for edge in (0.0, upper):
        g = gap(edge)
        if math.isfinite(g) and (g > 0) != (g0 > 0):
            return _bisect(gap, base, edge, g0)
    return None

"""The ``uncertainty`` block: cost inputs drawn over many futures, after the simulation.

Each entry of ``uncertainty.inputs`` names a number of the scenario by its dotted path
(``site.labour_cost_per_hour``, ``logistics.legs[0].rate_per_container``,
``stations.mill.capex``) and gives it a distribution of ``config.md``. Only inputs that do
not change the simulation may be drawn: everything under ``site``, ``logistics``, ``demand``
and ``tco``, and the cost keys of stations (:data:`STATION_COST_KEYS`) and products
(:data:`PRODUCT_COST_KEYS`). A path that does not exist, holds no real number or changes the
line is refused when the scenario is validated, as is a distribution whose draws leave the
range the key accepts (so nothing is simulated for a study that cannot be costed).

The draws themselves (:mod:`simline.cost.uncertainty`) go through the inverse of the
distribution function (:func:`quantiles`), each input from a stream of its own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import PydanticCustomError

from simline.config._base import StrictModel, Whole, fail, name_list
from simline.config.distributions import (
    ConstantDistConfig,
    DistConfig,
    DistributionConfig,
    ErlangDistConfig,
    ExponentialDistConfig,
    GammaDistConfig,
    LognormalDistConfig,
    NormalDistConfig,
    TriangularDistConfig,
    UniformDistConfig,
    WeibullDistConfig,
    empirical_probabilities,
)
from simline.config.units import parse_duration

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from simline.config.models import ScenarioConfig

__all__ = [
    "COST_SECTIONS",
    "PRODUCT_COST_KEYS",
    "SAMPLES_MAX",
    "STATION_COST_KEYS",
    "UncertaintyConfig",
    "canonical_path",
    "check_inputs",
    "quantiles",
    "uncertain_inputs",
    "with_values",
]

#: The most futures one study draws (each is costed on every replication).
SAMPLES_MAX = 100_000

#: Sections of a scenario that only the cost model reads: any real number in them may be drawn.
COST_SECTIONS: tuple[str, ...] = ("site", "logistics", "demand", "tco")
#: The keys of a station that only the cost model reads.
STATION_COST_KEYS: tuple[str, ...] = (
    "capex",
    "replacement_value",
    "disposal_cost",
    "residual_value",
    "life_years",
    "maintenance_rate",
    "maintenance_per_year",
    "floor_m2",
    "energy",
    "tooling",
    "planned_hours_per_year",
)
#: The keys of a product that only the cost model reads.
PRODUCT_COST_KEYS: tuple[str, ...] = ("material_cost", "mass_kg")

#: Keys whose numbers are durations (a bare number in the scenario's time unit).
_DURATION_KEYS = frozenset({"transit", "life"})

_PART_RE = re.compile(r"[^.\[\]]+|\[\d+\]")


class UncertaintyConfig(StrictModel):
    """Cost inputs drawn over ``samples`` futures, costed on the replications already run."""

    samples: Annotated[Whole, Field(ge=1, le=SAMPLES_MAX)] = 2000
    """Futures to draw (1 to 100,000)."""
    seed: Annotated[Whole, Field(ge=0)] = 1
    """Seed of the draws (each path has its own stream from it)."""
    inputs: dict[str, DistConfig] = Field(default_factory=dict)
    """Dotted path of a cost input -> its distribution; with the site's ``ranges``, drawn as
    ``site.<figure>`` unless given here."""
    shared: dict[Annotated[str, Field(pattern=r"^\w[\w-]*$")], list[str]] = Field(
        default_factory=dict
    )
    """Named streams: name -> the paths drawn from it. Inputs of the same stream take their
    ``k``-th values from one uniform number in every scenario (one market price, say), where
    otherwise each site draws its own."""


def split_path(path: str) -> list[str | int]:
    """Split ``a.b[0].c`` (or ``a.b.0.c``) into ``["a", "b", 0, "c"]``."""
    parts: list[str | int] = []
    for token in _PART_RE.findall(path):
        text = token.strip("[]")
        parts.append(int(text) if text.isdigit() else text)
    return parts


def canonical_path(path: str) -> str:
    """Write a path one way, list indices in brackets: ``logistics.legs[0].rate_per_kg``."""
    out = ""
    for part in split_path(path):
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _simulated(parts: list[str | int]) -> bool:
    """Whether the value at ``parts`` changes the simulation."""
    head = parts[0]
    if head in COST_SECTIONS:
        return False
    if head == "stations" and len(parts) > 2:
        return parts[2] not in STATION_COST_KEYS
    if head == "products" and len(parts) > 2:
        return parts[2] not in PRODUCT_COST_KEYS
    return True


def _cost_inputs() -> str:
    return (
        f"uncertainty draws only cost inputs ({', '.join(COST_SECTIONS)}, and the cost keys of "
        "stations and products, docs/cost.md); vary the line with an experiment"
    )


def _resolve(config: BaseModel, path: str) -> tuple[BaseModel, str, Any]:
    """Return the model holding the path's value, its key and the value; ``fail`` if absent."""
    parts = split_path(path)
    if not parts or canonical_path(path) != canonical_path(".".join(map(str, parts))):
        fail(f"expected a dotted path such as site.labour_cost_per_hour (got {path!r})")
    node: Any = config
    holder: BaseModel | None = None
    walked = ""
    for part in parts:
        where = walked or "the scenario"
        holder = node if isinstance(node, BaseModel) else None
        if node is None:
            fail(f"{walked} is not given in this scenario")
        if isinstance(node, BaseModel):
            names = list(type(node).model_fields)
            if part not in names:
                fail(f"{where} has no key {part!r}; it has {name_list(names)}")
            node = getattr(node, str(part))
        elif isinstance(node, Mapping):
            if part not in node:
                fail(f"{where} has no {part!r}; it has {name_list([str(k) for k in node])}")
            node = node[part]
        elif isinstance(node, list):
            if not isinstance(part, int) or part >= len(node):
                fail(
                    f"{where} is a list of {len(node)}: expected an index from 0 to {len(node) - 1}"
                )
            node = node[part]
        else:
            fail(f"{where} is a single value; it has no {part!r}")
        walked = canonical_path(f"{walked}.{part}" if walked else str(part))
    key = parts[-1]
    if holder is None or not isinstance(key, str):
        fail(f"{path} is not a key with a number")
    return holder, key, node


def check_inputs(config: ScenarioConfig, time_unit: str) -> None:
    """Refuse an input that is missing, not a real number, changes the line or leaves its range.

    Raises the validation error of :func:`~simline.config._base.fail` with the sub-path
    ``("uncertainty", "inputs", path)``; called by the scenario's validator.
    """
    block = config.uncertainty
    if block is None:
        return
    if config.site is None:
        fail(
            "uncertainty costs the line over many futures: give the scenario a 'site'",
            "uncertainty",
        )
    if not uncertain_inputs(config):
        fail(
            "no input to draw: give 'inputs' (path -> distribution), or a site with 'ranges'",
            "uncertainty",
        )
    _check_shared(config)
    seen: dict[str, str] = {}
    ranges = {f"site.{k}": k for k in config.site.ranges}
    for path, dist in uncertain_inputs(config).items():
        sub = (
            ("uncertainty", "inputs", path)
            if path in block.inputs
            else ("site", "ranges", ranges[path])
        )
        try:
            parent, key, value = _resolve(config, path)
        except PydanticCustomError as exc:  # _resolve's failure, at this input's path
            fail(str((exc.context or {}).get("msg", exc)), *sub)
        canonical = canonical_path(path)
        if canonical in seen:
            fail(f"{path} is the same input as {seen[canonical]}; give it once", *sub)
        seen[canonical] = path
        if _simulated(split_path(path)):
            fail(f"this key changes the simulation; {_cost_inputs()}", *sub)
        is_duration = key in _DURATION_KEYS
        if isinstance(value, bool) or (isinstance(value, int) and not is_duration):
            fail("this key holds a whole number or a switch; expected one with a real number", *sub)
        if isinstance(value, str) and not is_duration:
            fail(f"this key holds text ({value!r}); expected one with a real number", *sub)
        if value is None:
            fail("this key is not given in this scenario, so there is nothing to vary", *sub)
        if not isinstance(value, float | int | str):
            what = type(value).__name__.removesuffix("Config").lower() or "a group"
            fail(f"this key holds a {what}, not a number; name a key inside it", *sub)
        if not is_duration and _has_text(dist):
            fail("this key is not a duration: give the distribution's figures as numbers", *sub)
        _check_truncation(dist, time_unit, sub)
        values = quantiles(dist, np.array([0.0, 0.5, 1.0 - 1e-12]), time_unit)
        lowest, highest = float(np.min(values)), float(np.max(values))
        for bound in (lowest, highest):
            problem = _out_of_range(parent, key, bound, time_unit)
            if problem is not None:
                fail(f"the distribution reaches {bound:.6g}, but {problem}", *sub)


def _check_truncation(dist: DistributionConfig, time_unit: str, sub: tuple[str, ...]) -> None:
    """Refuse a normal that its cut at 0 (``config.md``) moves by more than 1 % of its mean."""
    if not isinstance(dist, NormalDistConfig):
        return
    mean, sd = parse_duration(dist.mean, time_unit), parse_duration(dist.sd, time_unit)
    if sd == 0:
        return
    from scipy import stats

    cut = float(stats.truncnorm(-mean / sd, math.inf, loc=mean, scale=sd).mean())
    if abs(cut - mean) > 0.01 * abs(mean):
        fail(
            f"a normal is cut at 0 (config.md), and with mean {mean:.6g} and sd {sd:.6g} its "
            f"draws would average {cut:.6g}, not {mean:.6g}; give a smaller sd, or a "
            "uniform or triangular with the range meant",
            *sub,
        )


def _check_shared(config: ScenarioConfig) -> None:
    """Each path of ``shared`` must exist in the scenario, and be in one stream only.

    A path that exists but is not drawn (a site without that range) is allowed: the stream
    says how the input is drawn where it is drawn.
    """
    block = config.uncertainty
    assert block is not None
    owner: dict[str, str] = {}
    for name, paths in block.shared.items():
        for i, path in enumerate(paths):
            canonical = canonical_path(path)
            try:
                _resolve(config, path)
            except PydanticCustomError as exc:
                fail(str((exc.context or {}).get("msg", exc)), "uncertainty", "shared", name, i)
            if canonical in owner:
                fail(
                    f"{path} is in the streams {owner[canonical]} and {name}; give it one",
                    "uncertainty",
                    "shared",
                    name,
                    i,
                )
            owner[canonical] = name


def uncertain_inputs(config: ScenarioConfig) -> dict[str, DistributionConfig]:
    """Return the inputs a scenario draws: the site's ``ranges`` as ``site.<figure>``, then its own.

    An input of ``uncertainty.inputs`` replaces the site's range of the same figure. Empty
    without an ``uncertainty`` block.
    """
    if config.uncertainty is None:
        return {}
    given = {canonical_path(p) for p in config.uncertainty.inputs}
    site = config.site.ranges if config.site is not None else {}
    out = {f"site.{k}": d for k, d in site.items() if f"site.{k}" not in given}
    out.update(config.uncertainty.inputs)
    return out


def _has_text(dist: DistributionConfig) -> bool:
    for value in dist.model_dump(exclude={"dist"}).values():
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) for item in items):
            return True
    return False


def _out_of_range(parent: BaseModel, key: str, value: float, time_unit: str) -> str | None:
    """Return what the key's model says of ``value`` (``None``: accepted)."""
    data = parent.model_dump()
    data[key] = value
    try:
        type(parent).model_validate(data, context={"time_unit": time_unit})
    except ValidationError as exc:
        from simline.config._errors import error_message

        return error_message(exc.errors()[0])
    return None


def quantiles(
    dist: DistributionConfig, u: NDArray[np.float64], time_unit: str
) -> NDArray[np.float64]:
    """Return the distribution's inverse at ``u`` (durations in ``time_unit``, numbers as written).

    A normal is truncated at 0 as everywhere in ``config.md``; the lognormal and gamma are given
    by mean and coefficient of variation, the Erlang by mean and phases.
    """
    from scipy import stats

    def d(value: float | str) -> float:
        return parse_duration(value, time_unit)

    if isinstance(dist, ConstantDistConfig):
        out: Any = np.full(u.shape, d(dist.value))
    elif isinstance(dist, ExponentialDistConfig):
        out = stats.expon(scale=d(dist.mean)).ppf(u)
    elif isinstance(dist, UniformDistConfig):
        low, high = d(dist.low), d(dist.high)
        out = low + (high - low) * u
    elif isinstance(dist, TriangularDistConfig):
        low, mode, high = d(dist.low), d(dist.mode), d(dist.high)
        out = stats.triang((mode - low) / (high - low), loc=low, scale=high - low).ppf(u)
    elif isinstance(dist, NormalDistConfig):
        mean, sd = d(dist.mean), d(dist.sd)
        out = (
            np.full(u.shape, mean)
            if sd == 0
            else stats.truncnorm(-mean / sd, math.inf, loc=mean, scale=sd).ppf(u)
        )
    elif isinstance(dist, GammaDistConfig):
        mean, cv = d(dist.mean), dist.cv
        out = stats.gamma(1.0 / cv**2, scale=mean * cv**2).ppf(u)
    elif isinstance(dist, LognormalDistConfig):
        mean, cv = d(dist.mean), dist.cv
        sigma2 = math.log1p(cv * cv)
        out = stats.lognorm(math.sqrt(sigma2), scale=mean * math.exp(-sigma2 / 2)).ppf(u)
    elif isinstance(dist, ErlangDistConfig):
        out = stats.gamma(dist.k, scale=d(dist.mean) / dist.k).ppf(u)
    elif isinstance(dist, WeibullDistConfig):
        out = stats.weibull_min(dist.shape, scale=d(dist.scale)).ppf(u)
    else:
        values = np.array([d(v) for v in dist.values])
        _, cumulative = empirical_probabilities(dist.weights, len(values))
        index = np.searchsorted(np.array(cumulative), u, side="right")
        out = values[index.clip(0, len(values) - 1)]
    return np.asarray(out, dtype=np.float64)


def with_values(config: ScenarioConfig, values: Mapping[str, Any]) -> ScenarioConfig:
    """Return the scenario with the numbers at the paths replaced (arrays of futures allowed).

    Nothing is validated again: the values come from :func:`draw` on inputs
    :func:`check_inputs` accepted.
    """
    out: Any = config
    for path, value in values.items():
        out = _put(out, split_path(path), value)
    return out  # type: ignore[no-any-return]


def _put(node: Any, parts: list[str | int], value: Any) -> Any:
    head, rest = parts[0], parts[1:]
    if isinstance(node, BaseModel):
        inner = value if not rest else _put(getattr(node, str(head)), rest, value)
        return node.model_copy(update={str(head): inner})
    if isinstance(node, Mapping):
        return {**node, head: _put(node[head], rest, value) if rest else value}
    items = list(node)
    items[int(head)] = _put(items[int(head)], rest, value) if rest else value
    return items

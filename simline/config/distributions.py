"""Random durations: the ``dist`` mapping forms and the short strings of the spec.

Every form validates into one of the ``*DistConfig`` models below (a discriminated union on
``dist``). Parameters that are durations are kept as written; ``simline.plan`` converts them.

Accepted forms, for example for a process time:

- a number or a duration string: a constant (``4``, ``"90s"``); where the field is a mean
  (``mtbf``, ``mttr``) it is an exponential with that mean instead;
- a mapping ``{dist: lognormal, mean: 1.2, cv: 0.25}`` (``dist`` may use a short name too);
- a short string ``"lognormal(1.2, cv=0.25)"``: the parameters of the mapping form, in the
  order of :data:`PARAMETERS` or by name.
"""

from __future__ import annotations

import math
import re
from itertools import accumulate
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, model_validator

from simline.config._base import (
    OPEN_CALL_RE,
    NonNegative,
    Number,
    Positive,
    StrictModel,
    Whole,
    at_least,
    cut_off_message,
    fail,
    got,
    name_list,
)
from simline.config.units import Duration, PositiveDuration, parse_duration, time_unit_of

__all__ = [
    "ALIASES",
    "PARAMETERS",
    "ConstantDistConfig",
    "DistConfig",
    "DistributionConfig",
    "EmpiricalDistConfig",
    "ErlangDistConfig",
    "ExponentialDistConfig",
    "GammaDistConfig",
    "LognormalDistConfig",
    "MeanDistConfig",
    "NormalDistConfig",
    "TriangularDistConfig",
    "UniformDistConfig",
    "WeibullDistConfig",
    "empirical_probabilities",
    "moments",
    "parse_short_form",
    "scaled_shares",
    "time_unit_of",
]

#: Parameters of each distribution, in the order the short string form takes them.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "constant": ("value",),
    "exponential": ("mean",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "cv"),
    "gamma": ("mean", "cv"),
    "erlang": ("mean", "k"),
    "weibull": ("shape", "scale"),
    "empirical": ("values", "weights"),
}

#: Names accepted for ``dist`` and in short strings, and the distribution they stand for.
ALIASES: dict[str, str] = {
    **{name: name for name in PARAMETERS},
    "const": "constant",
    "exp": "exponential",
    "tri": "triangular",
}

_CALL_RE = re.compile(r"^\s*(?P<name>[A-Za-z_]\w*)\s*\((?P<args>.*)\)\s*$", re.DOTALL)
_INT_RE = re.compile(r"^[+-]?\d+$")
_FLOAT_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_SHORT_NAMES = "exp, uniform, tri, normal, lognormal, gamma, erlang, weibull, const"


class ConstantDistConfig(StrictModel):
    """Always ``value``."""

    dist: Literal["constant"]
    value: Duration


class ExponentialDistConfig(StrictModel):
    """Exponential with mean ``mean``."""

    dist: Literal["exponential"]
    mean: PositiveDuration


class UniformDistConfig(StrictModel):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: Duration
    high: Duration

    @model_validator(mode="after")
    def _order(self, info: ValidationInfo) -> Self:
        unit = time_unit_of(info)
        if parse_duration(self.low, unit) > parse_duration(self.high, unit):
            fail(f"'low' must be <= 'high' (got low={self.low!r}, high={self.high!r})", "low")
        return self


class TriangularDistConfig(StrictModel):
    """Triangular from ``low`` to ``high`` with its peak at ``mode``."""

    dist: Literal["triangular"]
    low: Duration
    mode: Duration
    high: Duration

    @model_validator(mode="after")
    def _order(self, info: ValidationInfo) -> Self:
        unit = time_unit_of(info)
        low, mode, high = (parse_duration(v, unit) for v in (self.low, self.mode, self.high))
        if not (low <= mode <= high and low < high):
            fail(
                "expected low <= mode <= high with low < high "
                f"(got low={self.low!r}, mode={self.mode!r}, high={self.high!r})",
                "mode",
            )
        return self


class NormalDistConfig(StrictModel):
    """Normal with ``mean`` and standard deviation ``sd``, truncated at 0."""

    dist: Literal["normal"]
    mean: PositiveDuration
    sd: Duration


#: Coefficients of variation a lognormal or gamma takes: below 1e-6 it is a constant (write
#: one), above 100 the variance is 10,000 times the squared mean, no process time.
CV_MIN = 1e-6
CV_MAX = 100.0
#: The smallest Weibull shape: below it the mean is more than 10! (3.6 million) times the
#: scale and draws overflow; reliability data has shapes from about 0.3 up.
WEIBULL_SHAPE_MIN = 0.1

#: A coefficient of variation.
CV = Annotated[
    Number,
    Field(gt=0, le=CV_MAX, json_schema_extra={"minimum": CV_MIN}),
    at_least(CV_MIN, "a smaller one is a constant; write the value itself"),
]


class LognormalDistConfig(StrictModel):
    """Lognormal given by its ``mean`` and coefficient of variation ``cv`` (not mu/sigma)."""

    dist: Literal["lognormal"]
    mean: PositiveDuration
    cv: CV
    """Coefficient of variation, 1e-6 to 100."""


class GammaDistConfig(StrictModel):
    """Gamma given by its ``mean`` and coefficient of variation ``cv``."""

    dist: Literal["gamma"]
    mean: PositiveDuration
    cv: CV
    """Coefficient of variation, 1e-6 to 100."""


class ErlangDistConfig(StrictModel):
    """Erlang: the sum of ``k`` exponential phases, with mean ``mean`` in total."""

    dist: Literal["erlang"]
    mean: PositiveDuration
    k: Annotated[Whole, Field(ge=1)]


class WeibullDistConfig(StrictModel):
    """Weibull with ``shape`` (a number) and ``scale`` (a duration)."""

    dist: Literal["weibull"]
    shape: Annotated[Positive, Field(ge=WEIBULL_SHAPE_MIN)]
    """Shape, at least 0.1."""
    scale: PositiveDuration

    @model_validator(mode="after")
    def _finite_mean(self, info: ValidationInfo) -> Self:
        mean, _ = moments(self, time_unit_of(info))
        if not math.isfinite(mean):
            fail(
                f"the mean scale x gamma(1 + 1/shape) is too large to compute (got shape "
                f"{got(self.shape)}, scale {got(self.scale)})",
                "scale",
            )
        return self


class EmpiricalDistConfig(StrictModel):
    """Draws one of the observed ``values``, with probabilities proportional to ``weights``."""

    dist: Literal["empirical"]
    values: Annotated[list[Duration], Field(min_length=1)]
    weights: list[NonNegative] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Self:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                fail(
                    f"'weights' must have one entry per value: {len(self.values)} "
                    f"(got {len(self.weights)})",
                    "weights",
                )
            if not sum(self.weights) > 0:
                fail("'weights' must not all be 0", "weights")
        return self


def scaled_shares(weights: list[float]) -> list[float]:
    """Return weights whose sum cannot overflow: as given, or over their largest if huge.

    Weights near the float maximum (``1e308 + 1e308``) are divided by the largest one; others
    are left as they are, so that ordinary weights give exactly the shares they always gave.
    """
    top = max(weights, default=0.0)
    if top * len(weights) < 1e300:
        return list(weights)
    return [w / top for w in weights]


def empirical_probabilities(weights: list[float] | None, n: int) -> tuple[list[float], list[float]]:
    """Return the probabilities and cumulative probabilities (the last exactly 1) of weights.

    ``None`` gives ``n`` equal weights. Any finite weights >= 0 with one > 0 work, however
    large (they are scaled by their largest first).
    """
    shares = scaled_shares(weights) if weights is not None else [1.0] * n
    total = math.fsum(shares)
    probs = [w / total for w in shares]
    cumulative = [c / total for c in accumulate(shares)]
    cumulative[-1] = 1.0
    return probs, cumulative


def moments(dist: DistributionConfig, time_unit: str) -> tuple[float, float]:
    """Return the mean (in ``time_unit``) and the squared coefficient of variation of ``dist``.

    Computed so that no finite input raises: ratios are taken before squares, sums of
    large values are scaled first. A result that does not fit a float is ``inf`` (the
    validators refuse a distribution whose mean is not finite). For a normal the figures
    are those of the untruncated distribution.

    Parameters
    ----------
    dist
        A validated distribution.
    time_unit
        The unit of bare numbers and of the mean.
    """

    def d(value: float | str) -> float:
        return parse_duration(value, time_unit)

    if isinstance(dist, ConstantDistConfig):
        return d(dist.value), 0.0
    if isinstance(dist, ExponentialDistConfig):
        return d(dist.mean), 1.0
    if isinstance(dist, UniformDistConfig):
        low, high = d(dist.low), d(dist.high)
        mean = low / 2 + high / 2
        ratio = (high - low) / mean if mean > 0 else 0.0
        return mean, ratio * ratio / 12
    if isinstance(dist, TriangularDistConfig):
        a, c, b = d(dist.low), d(dist.mode), d(dist.high)
        # in units of the largest value b > 0, so that squares cannot overflow
        x, z = a / b, c / b
        mean1 = (x + 1.0 + z) / 3
        var1 = (x * x + 1.0 + z * z - x - x * z - z) / 18
        return b * mean1, var1 / (mean1 * mean1)
    if isinstance(dist, NormalDistConfig):
        mean, sd = d(dist.mean), d(dist.sd)
        ratio = sd / mean
        return mean, ratio * ratio
    if isinstance(dist, LognormalDistConfig | GammaDistConfig):
        return d(dist.mean), dist.cv * dist.cv
    if isinstance(dist, ErlangDistConfig):
        return d(dist.mean), 1 / dist.k
    if isinstance(dist, WeibullDistConfig):
        shape, scale = dist.shape, d(dist.scale)
        g1 = math.gamma(1 + 1 / shape)  # shape >= 0.1: at most gamma(11)
        g2 = math.gamma(1 + 2 / shape)
        return scale * g1, (g2 - g1 * g1) / (g1 * g1)
    values = [d(v) for v in dist.values]
    probs, _ = empirical_probabilities(dist.weights, len(values))
    top = max(values)
    if top == 0:
        return 0.0, 0.0
    scaled = [v / top for v in values]
    mean1 = math.fsum(p * v for p, v in zip(probs, scaled, strict=True))
    var1 = math.fsum(p * (v - mean1) ** 2 for p, v in zip(probs, scaled, strict=True))
    return top * mean1, var1 / (mean1 * mean1) if mean1 > 0 else 0.0


_MODELS = (
    ConstantDistConfig,
    ExponentialDistConfig,
    UniformDistConfig,
    TriangularDistConfig,
    NormalDistConfig,
    LognormalDistConfig,
    GammaDistConfig,
    ErlangDistConfig,
    WeibullDistConfig,
    EmpiricalDistConfig,
)

#: Any validated distribution.
DistributionConfig = (
    ConstantDistConfig
    | ExponentialDistConfig
    | UniformDistConfig
    | TriangularDistConfig
    | NormalDistConfig
    | LognormalDistConfig
    | GammaDistConfig
    | ErlangDistConfig
    | WeibullDistConfig
    | EmpiricalDistConfig
)


def _scalar(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if _INT_RE.match(text):
        return int(text)
    if _FLOAT_RE.match(text):
        return float(text)
    return text


def parse_short_form(text: str) -> dict[str, Any] | None:
    """Turn a short string such as ``"lognormal(1.2, cv=0.25)"`` into the mapping form.

    Parameters
    ----------
    text
        The string as written in the scenario.

    Returns
    -------
    dict or None
        The mapping form (parameters not yet validated), or ``None`` when ``text`` is not a
        call ``name(...)`` at all (then it may be a duration).

    Raises
    ------
    pydantic_core.PydanticCustomError
        When the name is unknown or the arguments do not fit the distribution.
    """
    match = _CALL_RE.match(text)
    if match is None:
        if OPEN_CALL_RE.match(text):
            fail(cut_off_message(text))
        return None
    name = match["name"].lower()
    if name not in ALIASES or ALIASES[name] == "empirical":
        fail(
            f"unknown distribution {match['name']!r} in {text!r}; expected one of "
            f"{_SHORT_NAMES} (empirical only in the mapping form)"
        )
    dist = ALIASES[name]
    params = PARAMETERS[dist]
    mapping: dict[str, Any] = {"dist": dist}
    args = match["args"].strip()
    keyword_seen = False
    for position, arg in enumerate(args.split(",") if args else []):
        key, sep, value = arg.partition("=")
        if sep:
            key = key.strip()
            keyword_seen = True
            if key not in params:
                fail(f"unknown parameter {key!r} in {text!r}; {dist} takes {name_list(params)}")
        elif keyword_seen:
            fail(f"a positional parameter follows a named one in {text!r}")
        elif position >= len(params):
            fail(f"too many parameters in {text!r}; {dist} takes {name_list(params)}")
        else:
            key, value = params[position], arg
        if not value.strip():
            fail(f"empty parameter in {text!r}")
        if key in mapping:
            fail(f"parameter {key!r} given twice in {text!r}")
        mapping[key] = _scalar(value)
    missing = [p for p in params if p not in mapping]
    if missing:
        fail(f"{dist} needs {name_list(params)}; {name_list(missing)} missing in {text!r}")
    return mapping


def _to_mapping(plain: Literal["constant", "exponential"]) -> Any:
    key = "value" if plain == "constant" else "mean"

    def convert(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value
        if isinstance(value, dict):
            dist = value.get("dist")
            if isinstance(dist, str) and dist.lower() in ALIASES:
                return {**value, "dist": ALIASES[dist.lower()]}
            return value
        if isinstance(value, str):
            mapping = parse_short_form(value)
            if mapping is not None:
                return mapping
            return {"dist": plain, key: value}
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"dist": plain, key: value}
        fail(
            "expected a distribution: a duration, a string like 'exp(2min)' or a mapping "
            f"with 'dist' (got {got(value)})"
        )

    return convert


_INPUT = (
    Annotated[float, Field(ge=0)]
    | Annotated[str, Field(description="a duration or a short form such as 'exp(2min)'")]
    | DistributionConfig
)

#: A random duration; a plain number or duration string is a constant.
DistConfig = Annotated[
    DistributionConfig,
    Field(discriminator="dist"),
    BeforeValidator(_to_mapping("constant"), json_schema_input_type=_INPUT),
]

#: A random duration given by its mean; a plain number or duration string is an exponential.
MeanDistConfig = Annotated[
    DistributionConfig,
    Field(discriminator="dist"),
    BeforeValidator(_to_mapping("exponential"), json_schema_input_type=_INPUT),
]

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from simline.config import (
    ConstantDistConfig,
    ExponentialDistConfig,
    LognormalDistConfig,
    parse_distribution,
    parse_scenario,
)
from simline.errors import ConfigError
from simline.plan import Dist, DistCode, compile_plan


def compiled(process_time: Any, time_unit: str = "min") -> Dist:
    config = parse_scenario(
        {
            "simline": 1,
            "name": "d",
            "time_unit": time_unit,
            "run": {"length": 100},
            "stations": {"s": {"kind": "machine", "process_time": process_time}},
        }
    )
    return compile_plan(config).stations[0].process[0]


def close(dist: Dist, code: DistCode, params: tuple[float, ...], mean: float, scv: float) -> None:
    assert dist.code == code
    assert dist.params == pytest.approx(params, rel=1e-12)
    assert dist.mean == pytest.approx(mean, rel=1e-12)
    assert dist.scv == pytest.approx(scv, rel=1e-12, abs=1e-15)


LOG_SIGMA2 = math.log1p(0.25**2)

# (forms that must all mean the same, code, params, mean, scv) with time_unit = min
CASES: list[tuple[list[Any], DistCode, tuple[float, ...], float, float]] = [
    (
        [4, "4", "240s", "const(4)", "constant(4min)", {"dist": "constant", "value": 4}],
        DistCode.CONSTANT,
        (4.0,),
        4.0,
        0.0,
    ),
    (
        ["exp(2min)", "exp(2)", "exponential(mean=120s)", {"dist": "exponential", "mean": 2}],
        DistCode.EXPONENTIAL,
        (2.0,),
        2.0,
        1.0,
    ),
    (
        ["uniform(1, 2)", "uniform(low=60s, high=2min)", {"dist": "uniform", "low": 1, "high": 2}],
        DistCode.UNIFORM,
        (1.0, 2.0),
        1.5,
        (1 / 12) / 1.5**2,
    ),
    (
        [
            "tri(1, 1.5, 3)",
            "triangular(1, 1.5, high=3)",
            {"dist": "tri", "low": 1, "mode": 1.5, "high": 3},
        ],
        DistCode.TRIANGULAR,
        (1.0, 1.5, 3.0),
        5.5 / 3,
        ((1 + 2.25 + 9 - 1.5 - 3 - 4.5) / 18) / (5.5 / 3) ** 2,
    ),
    (
        ["normal(5, 0.5)", "normal(mean=5, sd=30s)", {"dist": "normal", "mean": 5, "sd": 0.5}],
        DistCode.NORMAL,
        (5.0, 0.5),
        5.0,
        0.01,
    ),
    (
        [
            "lognormal(1.2, cv=0.25)",
            "lognormal(72s, 0.25)",
            {"dist": "lognormal", "mean": 1.2, "cv": 0.25},
        ],
        DistCode.LOGNORMAL,
        (math.log(1.2) - LOG_SIGMA2 / 2, math.sqrt(LOG_SIGMA2)),
        1.2,
        0.0625,
    ),
    (
        ["gamma(3, cv=0.5)", {"dist": "gamma", "mean": "3min", "cv": 0.5}],
        DistCode.GAMMA,
        (4.0, 0.75),
        3.0,
        0.25,
    ),
    (
        ["erlang(2, k=3)", "erlang(mean=2, k=3)", {"dist": "erlang", "mean": 2, "k": 3}],
        DistCode.ERLANG,
        (3.0, 2 / 3),
        2.0,
        1 / 3,
    ),
    (
        [
            "weibull(shape=2, scale=3)",
            "weibull(2, 180s)",
            {"dist": "weibull", "shape": 2, "scale": 3},
        ],
        DistCode.WEIBULL,
        (2.0, 3.0),
        3 * math.gamma(1.5),
        (math.gamma(2) - math.gamma(1.5) ** 2) / math.gamma(1.5) ** 2,
    ),
    (
        [{"dist": "empirical", "values": [1, "2min", 4], "weights": [1, 2, 1]}],
        DistCode.EMPIRICAL,
        (1.0, 2.0, 4.0, 0.25, 0.75, 1.0),
        2.25,
        (0.25 * 1.25**2 + 0.5 * 0.25**2 + 0.25 * 1.75**2) / 2.25**2,
    ),
    (
        [{"dist": "empirical", "values": [3, 1]}],
        DistCode.EMPIRICAL,
        (3.0, 1.0, 0.5, 1.0),
        2.0,
        0.25,
    ),
]


@pytest.mark.parametrize(
    ("form", "code", "params", "mean", "scv"),
    [(form, *rest) for forms, *rest in CASES for form in forms],
)
def test_every_form_compiles_exactly(
    form: Any, code: DistCode, params: tuple[float, ...], mean: float, scv: float
) -> None:
    close(compiled(form), code, params, mean, scv)


def test_units_convert_in_every_parameter() -> None:
    close(
        compiled("uniform(30min, 2h)", time_unit="h"),
        DistCode.UNIFORM,
        (0.5, 2.0),
        1.25,
        2.25 / 12 / 1.25**2,
    )
    close(compiled("erlang(1h, k=2)", time_unit="s"), DistCode.ERLANG, (2.0, 1800.0), 3600.0, 0.5)
    dist = compiled({"dist": "empirical", "values": ["1h", "2h"]}, time_unit="min")
    assert dist.params == (60.0, 120.0, 0.5, 1.0)
    # cv and weibull's shape are not durations
    lognormal = compiled("lognormal(1h, cv=0.5)", time_unit="min")
    assert lognormal.mean == 60.0 and lognormal.scv == pytest.approx(0.25)
    assert compiled("weibull(shape=1, scale=1h)").params == (1.0, 60.0)


def test_zero_constant() -> None:
    # a zero-time station is allowed where time still advances: after one that takes time
    config = parse_scenario(
        {
            "simline": 1,
            "name": "d",
            "run": {"length": 100},
            "stations": {
                "a": {"kind": "machine", "process_time": 1},
                "s": {"kind": "machine", "process_time": 0},
            },
        }
    )
    dist = compile_plan(config).stations[1].process[0]
    assert dist.is_zero and dist.scv == 0.0


def test_short_forms_become_mappings() -> None:
    assert parse_distribution("lognormal(1.2, cv=0.25)") == LognormalDistConfig(
        dist="lognormal", mean=1.2, cv=0.25
    )
    assert parse_distribution("exp(2min)") == ExponentialDistConfig(dist="exponential", mean="2min")
    assert parse_distribution("5min") == ConstantDistConfig(dist="constant", value="5min")
    assert parse_distribution(5, plain="exponential") == ExponentialDistConfig(
        dist="exponential", mean=5.0
    )
    assert parse_distribution(" Exp ( 2 ) ") == ExponentialDistConfig(dist="exponential", mean=2.0)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("lognormal(1.2, cv=0)", "'cv' must be > 0 (got 0)"),
        ("lognormal(1.2)", "lognormal needs mean, cv; cv missing in 'lognormal(1.2)'"),
        ("gamma(0, cv=1)", "expected a duration > 0 (got 0)"),
        ("erlang(2, k=0)", "'k' must be >= 1 (got 0)"),
        ("erlang(2, k=2.5)", "expected a whole number (got 2.5)"),
        ("weibull(shape=0, scale=1)", "'shape' must be > 0 (got 0)"),
        ("weibull(shape=1, scale=0)", "expected a duration > 0 (got 0)"),
        ("tri(1, 5, 3)", "expected low <= mode <= high with low < high"),
        ("tri(2, 2, 2)", "expected low <= mode <= high with low < high"),
        ("uniform(2, 1)", "'low' must be <= 'high' (got low=2.0, high=1.0)"),
        ("normal(0, 1)", "expected a duration > 0 (got 0)"),
        ("normal(5, -1)", "expected a duration >= 0 (got -1)"),
        ("exp(0)", "expected a duration > 0 (got 0)"),
        ("exp(1, 2)", "too many parameters in 'exp(1, 2)'; exponential takes mean"),
        ("exp(sd=1)", "unknown parameter 'sd' in 'exp(sd=1)'; exponential takes mean"),
        ("exp(mean=1, 2)", "a positional parameter follows a named one"),
        ("exp(1, mean=2)", "parameter 'mean' given twice"),
        ("uniform(1, )", "empty parameter"),
        ("poisson(3)", "unknown distribution 'poisson' in 'poisson(3)'; expected one of exp,"),
        ("empirical(1, 2)", "empirical only in the mapping form"),
        ("4 apples", "unknown time unit 'apples'"),
        (
            {"dist": "poisson", "mean": 3},
            "unknown distribution 'poisson'; expected one of constant",
        ),
        ({"mean": 3}, "missing 'dist': the distribution, one of constant, exponential"),
        ({"dist": "exponential", "mean": 3, "sd": 1}, "unknown key 'sd'; allowed keys: dist, mean"),
        ({"dist": "empirical", "values": []}, "'values' must not be empty"),
        (
            {"dist": "empirical", "values": [1, 2], "weights": [1]},
            "'weights' must have one entry per value: 2 (got 1)",
        ),
        ({"dist": "empirical", "values": [1, 2], "weights": [0, 0]}, "'weights' must not all be 0"),
        (
            {"dist": "empirical", "values": [1, 2], "weights": [1, -1]},
            "'weights[1]' must be >= 0 (got -1)",
        ),
        ([1, 2], "expected a distribution: a duration, a string like 'exp(2min)' or a mapping"),
        (True, "expected a distribution"),
    ],
)
def test_invalid_distributions(value: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(match)):
        parse_distribution(value, path="x")


def test_mixed_units_are_compared_in_the_scenario_unit() -> None:
    # 30 (in h) is more than 1min: low > high only when the unit is known
    with pytest.raises(ConfigError, match="'low' must be <= 'high'"):
        parse_distribution({"dist": "uniform", "low": 30, "high": "1min"}, time_unit="h")
    parse_distribution({"dist": "uniform", "low": 30, "high": "1min"}, time_unit="s")


def test_error_in_a_short_form_points_at_the_field(tmp_path: Any) -> None:
    with pytest.raises(ConfigError) as info:
        compiled("lognormal(1.2, cv=-1)")
    assert info.value.path == "stations.s.process_time"
    assert "'cv' must be > 0 (got -1)" in info.value.message

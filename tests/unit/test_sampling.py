"""Samplers against theory: the first two moments of every distribution code.

Each check draws ``N`` numbers and compares the sample mean and variance with the exact
ones (scipy), with a tolerance of ``Z`` standard errors: ``sd / sqrt(N)`` for the mean and
``var * sqrt((kurtosis - 1) / N)`` for the variance (kurtosis not in excess form). Seeds are
fixed, so the checks are deterministic; the tolerances are what keeps them honest.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simline.engine._sampling import bernoulli, choice, sampler, uniform
from simline.plan import Dist, DistCode

N = 40_000
Z = 5.0


def draw(dist: Dist, n: int = N, seed: int = 12345) -> np.ndarray:
    sample = sampler(dist, np.random.default_rng(seed))
    return np.array([sample() for _ in range(n)])


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def truncnorm(mean: float, sd: float) -> stats.rv_continuous:
    return stats.truncnorm((0.0 - mean) / sd, np.inf, loc=mean, scale=sd)


CASES: list[tuple[str, Dist, stats.rv_continuous | stats.rv_discrete]] = [
    ("exponential", Dist(DistCode.EXPONENTIAL, (2.5,), 2.5, 1.0), stats.expon(scale=2.5)),
    ("uniform", Dist(DistCode.UNIFORM, (1.0, 3.0), 2.0, 1 / 12), stats.uniform(1.0, 2.0)),
    (
        "triangular",
        Dist(DistCode.TRIANGULAR, (1.0, 1.5, 3.0), 11 / 6, 0.0),
        stats.triang(0.25, loc=1.0, scale=2.0),
    ),
    ("normal", Dist(DistCode.NORMAL, (5.0, 0.5), 5.0, 0.01), truncnorm(5.0, 0.5)),
    ("normal-truncated", Dist(DistCode.NORMAL, (1.0, 1.0), 1.0, 1.0), truncnorm(1.0, 1.0)),
    (
        "lognormal",
        Dist(DistCode.LOGNORMAL, lognormal_params(1.2, 0.25), 1.2, 0.0625),
        stats.lognorm(
            lognormal_params(1.2, 0.25)[1], scale=math.exp(lognormal_params(1.2, 0.25)[0])
        ),
    ),
    ("gamma", Dist(DistCode.GAMMA, (4.0, 0.5), 2.0, 0.25), stats.gamma(4.0, scale=0.5)),
    ("erlang", Dist(DistCode.ERLANG, (3.0, 2.0 / 3.0), 2.0, 1 / 3), stats.erlang(3, scale=2 / 3)),
    ("weibull", Dist(DistCode.WEIBULL, (1.5, 2.0), 0.0, 0.0), stats.weibull_min(1.5, scale=2.0)),
    (
        "empirical",
        Dist(DistCode.EMPIRICAL, (1.0, 2.0, 5.0, 0.2, 0.7, 1.0), 0.0, 0.0),
        stats.rv_discrete(values=([1.0, 2.0, 5.0], [0.2, 0.5, 0.3])),
    ),
]


@pytest.mark.parametrize(("name", "dist", "theory"), CASES, ids=[c[0] for c in CASES])
def test_moments_match_theory(
    name: str, dist: Dist, theory: stats.rv_continuous | stats.rv_discrete
) -> None:
    x = draw(dist)
    mean, var = float(theory.mean()), float(theory.var())
    kurtosis = float(theory.stats(moments="k")) + 3.0
    assert x.min() >= 0.0
    assert abs(x.mean() - mean) < Z * math.sqrt(var / N), (x.mean(), mean)
    assert abs(x.var(ddof=1) - var) < Z * var * math.sqrt((kurtosis - 1.0) / N), (x.var(), var)


def test_empirical_draws_only_its_values_at_their_weights() -> None:
    x = draw(Dist(DistCode.EMPIRICAL, (1.0, 2.0, 5.0, 0.2, 0.7, 1.0), 0.0, 0.0))
    values, counts = np.unique(x, return_counts=True)
    assert values.tolist() == [1.0, 2.0, 5.0]
    for share, p in zip(counts / N, (0.2, 0.5, 0.3), strict=True):
        assert abs(share - p) < Z * math.sqrt(p * (1 - p) / N)


def test_constant_is_constant_and_draws_nothing() -> None:
    gen = np.random.default_rng(1)
    before = gen.bit_generator.state
    sample = sampler(Dist.constant(4.0), gen)
    assert [sample() for _ in range(5)] == [4.0] * 5
    assert gen.bit_generator.state == before


def test_degenerate_parameters_give_constants() -> None:
    gen = np.random.default_rng(1)
    assert sampler(Dist(DistCode.UNIFORM, (2.0, 2.0), 2.0, 0.0), gen)() == 2.0
    assert sampler(Dist(DistCode.TRIANGULAR, (3.0, 3.0, 3.0), 3.0, 0.0), gen)() == 3.0
    assert sampler(Dist(DistCode.NORMAL, (-1.0, 0.0), -1.0, 0.0), gen)() == 0.0
    assert sampler(Dist(DistCode.EMPIRICAL, (7.0, 1.0), 7.0, 0.0), gen)() == 7.0


def test_draws_come_in_numpy_order_block_after_block() -> None:
    sample = sampler(Dist(DistCode.EXPONENTIAL, (2.0,), 2.0, 1.0), np.random.default_rng(9), 8)
    got = [sample() for _ in range(20)]
    ref = np.random.default_rng(9)
    expected = np.concatenate([ref.exponential(2.0, 8) for _ in range(3)])[:20]
    assert got == expected.tolist()


def test_same_generator_state_gives_the_same_numbers() -> None:
    dist = Dist(DistCode.GAMMA, (2.0, 1.0), 2.0, 0.5)
    a = sampler(dist, np.random.default_rng(3))
    b = sampler(dist, np.random.default_rng(3))
    assert [a() for _ in range(1500)] == [b() for _ in range(1500)]


def test_uniform_bernoulli_and_choice() -> None:
    u = uniform(np.random.default_rng(4))
    x = np.array([u() for _ in range(N)])
    assert x.min() >= 0.0 and x.max() < 1.0
    assert abs(x.mean() - 0.5) < Z * math.sqrt(1 / 12 / N)

    hit = bernoulli(0.1, np.random.default_rng(5))
    share = sum(hit() for _ in range(N)) / N
    assert abs(share - 0.1) < Z * math.sqrt(0.09 / N)

    pick = choice([1.0, 3.0], np.random.default_rng(6))
    share = sum(pick() for _ in range(N)) / N
    assert abs(share - 0.75) < Z * math.sqrt(0.75 * 0.25 / N)

    gen = np.random.default_rng(7)
    before = gen.bit_generator.state
    only = choice([2.0], gen)
    assert {only() for _ in range(10)} == {0}
    assert gen.bit_generator.state == before


def test_bad_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="weights"):
        choice([], np.random.default_rng(1))
    with pytest.raises(ValueError, match="weights"):
        choice([0.0, 0.0], np.random.default_rng(1))

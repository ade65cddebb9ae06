"""simline.kernels.random: the generator against its twin, every sampler against scipy.

Tolerances: each sample has N = 20,000 draws from a fixed seed. The Kolmogorov-Smirnov test
against the scipy distribution must not reject at level 0.001 (a correct sampler fails with
probability 0.001 per check; fixed seeds make the suite deterministic). The sample mean must
lie within 5 standard errors of the exact mean (sd / sqrt(N)), and the sample variance within
15 % of the exact one (for these shapes the variance's relative standard error is below 3 %).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simline.kernels import distributions as kd
from simline.kernels import random as kr
from tests import reference

N = 20_000
ALPHA = 0.001


def state(seed: int) -> np.ndarray:
    return kr.seed_state(np.random.SeedSequence(seed).generate_state(4, np.uint32))


def test_uniforms_match_the_reference_generator() -> None:
    s = state(1)
    expected = reference.uniforms(list(s), 200)
    np.testing.assert_array_equal(kr.uniforms(s.copy(), 200), expected)


def test_uniforms_are_uniform_and_open() -> None:
    u = kr.uniforms(state(2), N)
    assert u.min() > 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > ALPHA


def test_stream_advances_in_place_and_repeats_from_the_same_state() -> None:
    s = state(3)
    a = kr.uniforms(s.copy(), 10)
    b = kr.uniforms(s, 5)
    c = kr.uniforms(s, 5)
    np.testing.assert_array_equal(a, np.concatenate([b, c]))


def test_all_zero_seed_words_are_replaced() -> None:
    assert kr.seed_state(np.zeros(4, dtype=np.uint32)).any()


CASES = [
    ("exponential", kd.EXPONENTIAL, (2.0,), stats.expon(scale=2.0)),
    ("uniform", kd.UNIFORM, (1.0, 3.0), stats.uniform(1.0, 2.0)),
    ("triangular", kd.TRIANGULAR, (1.0, 1.5, 4.0), stats.triang(0.5 / 3.0, 1.0, 3.0)),
    ("lognormal", kd.LOGNORMAL, (0.1, 0.5), stats.lognorm(0.5, scale=math.exp(0.1))),
    ("gamma", kd.GAMMA, (2.5, 0.8), stats.gamma(2.5, scale=0.8)),
    ("gamma-small-shape", kd.GAMMA, (0.4, 2.0), stats.gamma(0.4, scale=2.0)),
    ("erlang", kd.ERLANG, (3.0, 0.5), stats.gamma(3.0, scale=0.5)),
    ("weibull", kd.WEIBULL, (1.7, 2.0), stats.weibull_min(1.7, scale=2.0)),
]


@pytest.mark.parametrize(
    ("code", "params", "dist"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_continuous_samplers_match_scipy(
    code: int, params: tuple[float, ...], dist: object
) -> None:
    x = kd.sample(code, params, state(10 + code), N)
    assert stats.kstest(x, dist.cdf).pvalue > ALPHA  # type: ignore[attr-defined]
    mean, var = dist.mean(), dist.var()  # type: ignore[attr-defined]
    assert abs(x.mean() - mean) < 5 * math.sqrt(var / N)
    assert abs(x.var() - var) < 0.15 * var


ONE_BY_ONE = [
    *[(c[1], c[2]) for c in CASES],
    (kd.CONSTANT, (2.5,)),
    (kd.NORMAL, (1.0, 1.0)),
    (kd.EMPIRICAL, (1.0, 2.0, 5.0, 0.2, 0.7, 1.0)),
]


@pytest.mark.parametrize(("code", "params"), ONE_BY_ONE, ids=lambda v: str(v))
def test_a_block_holds_the_numbers_of_one_draw_at_a_time(
    code: int, params: tuple[float, ...]
) -> None:
    """``fill`` (the block the kernels draw ahead) and ``draw`` give the same sequence."""
    dint, dpar, emp = kd.dist_tables([(code, params)])
    rs_block, rs_single = state(30)[None, :].copy(), state(30)[None, :].copy()
    block = np.zeros(257)
    kd.fill(0, dint, dpar, emp, rs_block, 0, block)
    single = [kd.draw(0, dint, dpar, emp, rs_single, 0) for _ in range(257)]
    assert block.tolist() == single
    np.testing.assert_array_equal(rs_block, rs_single)  # the stream is left at one place


def test_normal_is_truncated_at_zero() -> None:
    mean, sd = 1.0, 1.0
    x = kd.sample(kd.NORMAL, (mean, sd), state(20), N)
    assert x.min() >= 0.0
    truncated = stats.truncnorm(-mean / sd, np.inf, loc=mean, scale=sd)
    assert stats.kstest(x, truncated.cdf).pvalue > ALPHA
    assert abs(x.mean() - truncated.mean()) < 5 * truncated.std() / math.sqrt(N)


def test_empirical_frequencies() -> None:
    values, probs = [1.0, 2.0, 5.0], [0.2, 0.5, 0.3]
    x = kd.sample(kd.EMPIRICAL, (*values, *np.cumsum(probs)), state(21), N)
    counts = [int(np.sum(x == v)) for v in values]
    assert sum(counts) == N
    assert stats.chisquare(counts, [p * N for p in probs]).pvalue > ALPHA


@pytest.mark.parametrize(
    ("code", "params", "value"),
    [
        (kd.CONSTANT, (2.5,), 2.5),
        (kd.UNIFORM, (3.0, 3.0), 3.0),
        (kd.TRIANGULAR, (1.0, 1.0, 1.0), 1.0),
        (kd.NORMAL, (-1.0, 0.0), 0.0),
        (kd.EMPIRICAL, (4.0, 1.0), 4.0),
    ],
)
def test_degenerate_distributions_are_constant(
    code: int, params: tuple[float, ...], value: float
) -> None:
    np.testing.assert_array_equal(kd.sample(code, params, state(22), 50), value)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="'code' must be in"):
        kd.sample(42, (1.0,), state(0), 1)
    with pytest.raises(ValueError, match="empirical"):
        kd.sample(kd.EMPIRICAL, (1.0, 2.0, 1.0), state(0), 1)
    with pytest.raises(ValueError, match="'shape' must be > 0"):
        kd.sample(kd.GAMMA, (0.0, 1.0), state(0), 1)
    with pytest.raises(ValueError, match="'n' must be >= 0"):
        kd.sample(kd.CONSTANT, (1.0,), state(0), -1)
    with pytest.raises(ValueError, match="'state' must be"):
        kr.uniforms(np.zeros(3, dtype=np.int64), 1)


def test_kernel_distribution_codes_are_the_plans() -> None:
    # The kernels name the codes of simline.vocabulary as plain integers: the same ones.
    from simline.kernels import distributions as kd
    from simline.plan import DistCode

    assert len(DistCode) == kd.N_CODES
    for code in DistCode:
        assert getattr(kd, code.name) == int(code), code.name

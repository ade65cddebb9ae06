"""Samplers: a compiled :class:`~simline.plan.Dist` turned into a fast zero-argument callable.

Each sampler draws a block of numbers at a time from its generator with numpy and hands them
out one by one, in the order numpy drew them. A sampler is deterministic for its generator,
but the numbers are not those of one-at-a-time draws (numpy fills blocks differently for
some distributions). Several samplers may share one generator (for instance the process
times of several products at one station): they then take blocks from it in turn.

A constant never touches its generator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from simline.plan import DistCode

if TYPE_CHECKING:
    from simline.plan import Dist

__all__ = ["BLOCK", "Sampler", "bernoulli", "choice", "sampler", "uniform"]

#: How many numbers a sampler draws from its generator at a time.
BLOCK = 512

#: A zero-argument callable returning the next draw.
Sampler = Callable[[], float]

_Draw = Callable[[int], "np.ndarray"]


def _blocked(draw: _Draw, block: int) -> Sampler:
    """Hand out, one per call and in order, the numbers ``draw(block)`` returns."""
    pool: list[float] = []
    pop = pool.pop
    extend = pool.extend

    def sample() -> float:
        try:
            return pop()
        except IndexError:
            while not pool:
                extend(draw(block)[::-1].tolist())
            return pop()

    return sample


def _constant(value: float) -> Sampler:
    def sample() -> float:
        return value

    return sample


def sampler(dist: Dist, gen: np.random.Generator, block: int = BLOCK) -> Sampler:
    """Make a zero-argument callable drawing from ``dist`` with ``gen``.

    Parameters
    ----------
    dist
        The compiled distribution (parameters as documented in :class:`DistCode`).
    gen
        The generator of the stream the draws belong to.
    block
        How many numbers to draw from ``gen`` at a time.

    Returns
    -------
    Sampler
        Each call returns the next draw (a Python float, never negative for the duration
        distributions the plan holds).

    Raises
    ------
    ValueError
        If the code is unknown or the parameters do not fit it.
    """
    code = dist.code
    p = tuple(float(x) for x in dist.params)
    if code == DistCode.CONSTANT:
        return _constant(p[0])
    draw: _Draw
    if code == DistCode.EXPONENTIAL:
        (mean,) = p

        def draw(n: int) -> np.ndarray:
            return gen.exponential(mean, n)

    elif code == DistCode.UNIFORM:
        low, high = p
        if low == high:
            return _constant(low)

        def draw(n: int) -> np.ndarray:
            return gen.uniform(low, high, n)

    elif code == DistCode.TRIANGULAR:
        low, mode, high = p
        if low == high:
            return _constant(low)

        def draw(n: int) -> np.ndarray:
            return gen.triangular(low, mode, high, n)

    elif code == DistCode.NORMAL:
        mean, sd = p
        if sd == 0.0:
            return _constant(max(mean, 0.0))

        def draw(n: int) -> np.ndarray:
            x = gen.normal(mean, sd, n)
            return x[x >= 0.0]

    elif code == DistCode.LOGNORMAL:
        mu, sigma = p

        def draw(n: int) -> np.ndarray:
            return gen.lognormal(mu, sigma, n)

    elif code in (DistCode.GAMMA, DistCode.ERLANG):
        shape, scale = p

        def draw(n: int) -> np.ndarray:
            return gen.gamma(shape, scale, n)

    elif code == DistCode.WEIBULL:
        shape, scale = p

        def draw(n: int) -> np.ndarray:
            return scale * gen.weibull(shape, n)

    elif code == DistCode.EMPIRICAL:
        if len(p) % 2 or not p:
            raise ValueError(
                "'params' of an empirical distribution must be values, then cumulative "
                f"probabilities (got {p!r})"
            )
        k = len(p) // 2
        values = np.asarray(p[:k])
        cum = np.asarray(p[k:])
        if k == 1:
            return _constant(p[0])
        last = k - 1

        def draw(n: int) -> np.ndarray:
            idx = np.searchsorted(cum, gen.random(n), side="right")
            return values[np.minimum(idx, last)]

    else:  # pragma: no cover - DistCode is closed
        raise ValueError(f"'code' must be a DistCode (got {code!r})")
    return _blocked(draw, block)


def uniform(gen: np.random.Generator, block: int = BLOCK) -> Sampler:
    """Make a sampler of uniform numbers on ``[0, 1)``."""

    def draw(n: int) -> np.ndarray:
        return gen.random(n)

    return _blocked(draw, block)


def bernoulli(p: float, gen: np.random.Generator, block: int = BLOCK) -> Callable[[], bool]:
    """Make a zero-argument callable, true with probability ``p`` (one uniform per call)."""
    u = uniform(gen, block)

    def draw() -> bool:
        return u() < p

    return draw


def choice(
    weights: Sequence[float], gen: np.random.Generator, block: int = BLOCK
) -> Callable[[], int]:
    """Make a zero-argument callable returning ``i`` with probability ``weights[i] / sum``.

    With one weight it returns 0 and never touches ``gen``.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or len(w) == 0 or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(
            f"'weights' must be non-negative with a positive sum (got {list(weights)!r})"
        )
    if len(w) == 1:
        return lambda: 0
    cum = np.cumsum(w / w.sum())
    last = len(w) - 1
    pool: list[int] = []
    pop = pool.pop

    def pick() -> int:
        try:
            return pop()
        except IndexError:
            idx = np.minimum(np.searchsorted(cum, gen.random(block), side="right"), last)
            pool.extend(idx[::-1].tolist())
            return pop()

    return pick

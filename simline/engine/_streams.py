"""Where the SimPy engine's random numbers come from: numpy's generators or the kernels'.

:func:`simline.engine.build.build` asks one :class:`Draws` for every sampler it makes, by
owner (a station name or :data:`~simline.engine.rng.RELEASE`) and purpose. Two sources:

- :class:`NumpyDraws` (``streams="numpy"``, the default): one numpy generator per
  (owner, purpose) (:func:`simline.engine.rng.stream`) and the block samplers of
  :mod:`simline.engine._sampling`.
- :class:`KernelDraws` (``streams="kernel"``): the fast engine's xoshiro128** stream states,
  seeded from the same seed sequences as the fast engine seeds them
  (:func:`simline.engine.rng.entropy`, :func:`simline.kernels.random.seed_states`), and the
  kernels' own variate algorithms (:func:`simline.kernels.distributions.draw` and
  :func:`~simline.kernels.random.u01`, called one draw at a time). A stream then hands out
  the numbers the fast engine's stream of the same (owner, purpose) hands out, in the order
  they are asked for, so that the two engines, making the same draws in the same order, run
  the same sample path. It is slower (a compiled call per draw) and is meant for tests.

Samplers are made per (owner, purpose) stream: the samplers made on one stream (the process
times of several products and the per-part times of a station, the setups of every change of
product) take their numbers from it in turn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from simline.engine import rng
from simline.engine._sampling import Sampler, choice, sampler, uniform
from simline.plan import DistCode

if TYPE_CHECKING:
    from simline.plan import Dist, Plan

__all__ = ["STREAMS", "Draws", "KernelDraws", "NumpyDraws", "Streams", "draws"]

#: The sources of random numbers the SimPy engine can draw from.
Streams = Literal["numpy", "kernel"]
STREAMS: tuple[Streams, ...] = ("numpy", "kernel")


class Draws(Protocol):
    """The samplers of one replication, over one stream per (owner, purpose)."""

    def sampler(self, dist: Dist, owner: str, purpose: rng.Purpose) -> Sampler:
        """Return a zero-argument callable drawing from ``dist`` on the stream given."""
        ...

    def uniform(self, owner: str, purpose: rng.Purpose) -> Sampler:
        """Return a zero-argument callable drawing uniform numbers (scrap checks)."""
        ...

    def choice(
        self, weights: Sequence[float], owner: str, purpose: rng.Purpose
    ) -> Callable[[], int]:
        """Return a callable drawing index ``i`` with probability ``weights[i] / sum``.

        With one weight it returns 0 and draws nothing.
        """
        ...


class NumpyDraws:
    """numpy generators (:func:`simline.engine.rng.stream`) and block samplers (the default)."""

    def __init__(self, seed: int, replication: int) -> None:
        self._seed = seed
        self._replication = replication
        self._gens: dict[tuple[str, rng.Purpose], np.random.Generator] = {}

    def _gen(self, owner: str, purpose: rng.Purpose) -> np.random.Generator:
        key = (owner, purpose)
        gen = self._gens.get(key)
        if gen is None:
            gen = self._gens[key] = rng.stream(self._seed, self._replication, owner, purpose)
        return gen

    def sampler(self, dist: Dist, owner: str, purpose: rng.Purpose) -> Sampler:
        return sampler(dist, self._gen(owner, purpose))

    def uniform(self, owner: str, purpose: rng.Purpose) -> Sampler:
        return uniform(self._gen(owner, purpose))

    def choice(
        self, weights: Sequence[float], owner: str, purpose: rng.Purpose
    ) -> Callable[[], int]:
        return choice(weights, self._gen(owner, purpose))


class KernelDraws:
    """The kernels' stream states and variate algorithms, one compiled call per draw.

    Parameters
    ----------
    plan
        The plan: its seed and its owners (the stations, in plan order, then the release).
    replication
        The replication number.

    Notes
    -----
    Each stream is seeded as the fast engine seeds the stream of the same (owner, purpose),
    so the numbers depend only on the seed, the replication, the owner's name and the
    purpose. The choice of an index by weights is the kernels' too: cumulative shares of the
    weights (all equal when they sum to zero), the first whose share exceeds a uniform draw.
    """

    def __init__(self, plan: Plan, replication: int) -> None:
        from simline.kernels.random import seed_states

        owners = [s.name for s in plan.stations] + [rng.RELEASE]
        self._rows = {
            (owner, purpose): i * len(rng.Purpose) + int(purpose)
            for i, owner in enumerate(owners)
            for purpose in rng.Purpose
        }
        entropy = [rng.entropy(plan.seed, replication, o, p) for o, p in self._rows]
        self._rs = seed_states(entropy)

    def sampler(self, dist: Dist, owner: str, purpose: rng.Purpose) -> Sampler:
        from simline.kernels.distributions import dist_tables, draw

        if dist.code == DistCode.CONSTANT:
            value = float(dist.params[0])
            return lambda: value
        dint, dpar, emp = dist_tables([(int(dist.code), tuple(dist.params))])
        rs = self._rs
        k = self._rows[owner, purpose]

        def sample() -> float:
            return float(draw(0, dint, dpar, emp, rs, k))

        return sample

    def uniform(self, owner: str, purpose: rng.Purpose) -> Sampler:
        from simline.kernels.random import u01

        rs = self._rs
        k = self._rows[owner, purpose]

        def sample() -> float:
            return float(u01(rs, k))

        return sample

    def choice(
        self, weights: Sequence[float], owner: str, purpose: rng.Purpose
    ) -> Callable[[], int]:
        w = [float(x) for x in weights]
        if not w or any(x < 0.0 for x in w):
            raise ValueError(f"'weights' must be non-negative (got {list(weights)!r})")
        if len(w) == 1:
            return lambda: 0
        if sum(w) <= 0.0:
            w = [1.0] * len(w)
        cum = np.cumsum(np.asarray(w, dtype=np.float64) / math.fsum(w))
        cum[-1] = 1.0
        shares = cum.tolist()
        last = len(shares) - 1
        u = self.uniform(owner, purpose)

        def pick() -> int:
            x = u()
            j = 0
            while j < last and shares[j] <= x:
                j += 1
            return j

        return pick


def draws(plan: Plan, replication: int, streams: Streams) -> Draws:
    """Return the samplers' source ``streams`` names for one replication of ``plan``.

    Raises
    ------
    ValueError
        If ``streams`` is not one of :data:`STREAMS`.
    """
    if streams == "numpy":
        return NumpyDraws(plan.seed, replication)
    if streams == "kernel":
        return KernelDraws(plan, replication)
    raise ValueError(f"'streams' must be 'numpy' or 'kernel' (got {streams!r})")

"""Warm-up advice: where to truncate a run's start, by MSER-5 on its time series.

A run starts empty (or at its CONWIP level), so its first stretch is not the line's steady
state; the figures are measured after the warm-up to leave that stretch out. MSER-5 (White
1997; Franklin and White 2008) picks the truncation point from the output itself: the series
is cut into batch means of 5 observations ``Z_1 .. Z_m``, and the truncation ``d`` (in
batches) that minimises

    MSER(d) = sum_{j > d} (Z_j - mean(Z_{d+1..m}))**2 / (m - d)**2

is the one after which the rest is most homogeneous (its mean's standard error, in effect).
``d`` is searched in the first half of the run only; a minimum at the end of that half says
that the run is too short to tell (the series still drifts).

simline applies it to the time series every engine keeps (:class:`~simline.engine.results.
Series`: WIP and good parts per bin over the whole run, warm-up included): the bins of each
replication are averaged over the replications (which takes out most of the noise), then
MSER-5 runs on the WIP series and on the throughput series, and the advice is the later of
the two points. It never changes the warm-up; it says what it would be.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simline.engine.results import RunResult

__all__ = ["ADVICE_BINS", "BATCH", "WarmupAdvice", "advise", "mser"]

#: Observations per batch mean (the 5 of MSER-5).
BATCH = 5

#: Bins of the time series a run keeps for the advice: 100 batch means of 5.
ADVICE_BINS = 500


def mser(values: Sequence[float], batch: int = BATCH) -> tuple[int, bool]:
    """Return the MSER truncation of ``values`` in observations, and whether it is clear.

    The truncation is a multiple of ``batch``, searched in the first half of the batch
    means; ``False`` when the minimum falls at the end of that half (the run is too short
    to show the end of the start-up) or there are fewer than 4 batch means.
    """
    m = len(values) // batch
    if m < 4:
        return 0, False
    means = [math.fsum(values[j * batch : (j + 1) * batch]) / batch for j in range(m)]
    best_d, best = 0, math.inf
    limit = m // 2
    for d in range(limit + 1):
        rest = means[d:]
        k = len(rest)
        mean = math.fsum(rest) / k
        stat = math.fsum((z - mean) ** 2 for z in rest) / (k * k)
        if stat < best:
            best_d, best = d, stat
    return best_d * batch, best_d < limit


@dataclass(frozen=True, slots=True)
class WarmupAdvice:
    """The truncation point MSER-5 suggests, against the configured warm-up.

    Times are in the scenario's time unit, from time 0. ``wip`` and ``throughput``: the
    point each series gives; ``truncation``: the later of the two; ``clear``: whether both
    found a point before the middle of the run (else the run is too short to tell, and
    ``truncation`` is a lower bound); ``sufficient``: the configured warm-up is at least
    ``truncation`` (and the point is clear); ``shifts``: the line follows a weekly shift
    pattern, whose swing MSER-5 (which assumes a series that settles to a steady level) may
    read as start-up, so that the point can lie later than needed.
    """

    truncation: float
    wip: float
    throughput: float
    configured: float
    clear: bool
    bins: int
    width: float
    shifts: bool = False

    @property
    def sufficient(self) -> bool:
        """Whether the configured warm-up covers the suggested truncation."""
        return self.clear and self.configured >= self.truncation

    def to_json(self) -> dict[str, object]:
        """Return the ``warmup_advice`` object of the JSON output."""
        return {
            "method": "MSER-5",
            "truncation": self.truncation,
            "wip": self.wip,
            "throughput": self.throughput,
            "configured": self.configured,
            "clear": self.clear,
            "sufficient": self.sufficient,
            "bins": self.bins,
            "bin_width": self.width,
            "shifts": self.shifts,
        }


def advise(
    results: Sequence[RunResult], warmup: float, *, shifts: bool = False
) -> WarmupAdvice | None:
    """MSER-5 advice from replications that kept their time series (``None`` if none did).

    ``shifts``: the line follows a shift pattern (:attr:`WarmupAdvice.shifts`).
    """
    kept = [r.series for r in results if r.series is not None]
    if not kept:
        return None
    n = len(kept[0].good)
    width = kept[0].width
    wip = [math.fsum(s.wip_integral[k] for s in kept) / (len(kept) * width) for k in range(n)]
    out = [math.fsum(s.good[k] for s in kept) / (len(kept) * width) for k in range(n)]
    d_wip, clear_wip = mser(wip)
    d_out, clear_out = mser(out)
    return WarmupAdvice(
        truncation=max(d_wip, d_out) * width,
        wip=d_wip * width,
        throughput=d_out * width,
        configured=warmup,
        clear=clear_wip and clear_out,
        bins=n,
        width=width,
        shifts=shifts,
    )

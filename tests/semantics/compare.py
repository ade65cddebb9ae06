"""Every figure of a :class:`~simline.engine.results.RunResult`, and where two runs differ."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from simline.engine import des, fast
from simline.engine._streams import Streams
from simline.engine.results import RunResult
from simline.errors import SimulationError
from simline.plan import Plan

#: Fields that name the run or count an engine's own steps, not figures of the model.
NOT_FIGURES = frozenset({"backend", "events", "trace"})

#: Relative tolerance for times and sums of times (counts must be equal).
REL = 1e-9

#: Bins of the time series every differential run keeps (an odd number, so that bin edges
#: fall between the round times of the deterministic plans as well as on them).
BINS = 7


def figures(result: RunResult) -> dict[str, float | int | str]:
    """Flatten ``result`` into ``{name: value}``: every station, product and line figure."""
    out: dict[str, float | int | str] = {}
    for f in dataclasses.fields(result):
        if f.name in NOT_FIGURES or f.name in ("stations", "products", "series"):
            continue
        out[f.name] = getattr(result, f.name)
    if result.series is not None:
        out["series.width"] = result.series.width
        for k, (wip, good) in enumerate(
            zip(result.series.wip_integral, result.series.good, strict=True)
        ):
            out[f"series.wip_integral[{k}]"] = wip
            out[f"series.good[{k}]"] = good
    for name, st in result.stations.items():
        for f in dataclasses.fields(st):
            value = getattr(st, f.name)
            if isinstance(value, tuple):
                for k, v in enumerate(value):
                    out[f"stations.{name}.{f.name}[{k}]"] = v
            else:
                out[f"stations.{name}.{f.name}"] = value
    for name, p in result.products.items():
        for f in dataclasses.fields(p):
            out[f"products.{name}.{f.name}"] = getattr(p, f.name)
    return out


def differences(a: RunResult, b: RunResult) -> list[str]:
    """Name every figure on which ``a`` and ``b`` disagree (counts exactly, times to REL)."""
    fa, fb = figures(a), figures(b)
    out = [f"{k}: only in one run" for k in sorted(fa.keys() ^ fb.keys())]
    for key in sorted(fa.keys() & fb.keys()):
        x, y = fa[key], fb[key]
        if isinstance(x, float) or isinstance(y, float):
            assert isinstance(x, (int, float)) and isinstance(y, (int, float))
            same = (math.isnan(x) and math.isnan(y)) or math.isclose(
                x, y, rel_tol=REL, abs_tol=REL * max(1.0, a.measured_time)
            )
        else:
            same = x == y
        if not same:
            out.append(f"{key}: {x!r} != {y!r}")
    return out


def outcome(run: Callable[[], RunResult]) -> RunResult | str:
    """The result of ``run()``, or the first words of the :class:`SimulationError` it raised."""
    try:
        return run()
    except SimulationError as exc:
        return str(exc).split(":", 1)[0]


def kernels_for(plan: Plan) -> list[str]:
    """The fast kernels that run ``plan``: the event kernel, and the recursion where it can."""
    if fast.supports(plan) is not None:
        return []
    return ["events"] + (["tandem"] if fast.tandem_steps(plan) is not None else [])


def disagreements(
    plan: Plan, replication: int = 0, streams: Streams = "numpy"
) -> dict[str, list[str]]:
    """Run ``plan`` on des (drawing from ``streams``) and on each fast kernel that runs it.

    Returns, per kernel, every figure it differs in from des (the time series in
    :data:`BINS` bins included); a run that fails must fail on both with the same words.
    """
    reference = outcome(lambda: des.simulate(plan, replication, streams=streams, bins=BINS))
    found: dict[str, list[str]] = {}
    for kernel in kernels_for(plan):
        other = outcome(lambda k=kernel: fast.simulate(plan, replication, kernel=k, bins=BINS))
        if isinstance(reference, RunResult) and isinstance(other, RunResult):
            diff = differences(reference, other)
        elif reference == other:
            diff = []
        else:
            ran = "ran"
            diff = [
                f"des: {reference if isinstance(reference, str) else ran}; "
                f"{kernel}: {other if isinstance(other, str) else ran}"
            ]
        if diff:
            found[kernel] = diff
    return found

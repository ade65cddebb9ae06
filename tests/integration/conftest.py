"""Helpers of the integration tests: build scenarios, run replications, check against theory.

A theory check runs ``R`` independent replications of one scenario (one seed, replications
``0 .. R-1``, each with its own random streams), takes one value of a figure from each, and
builds a Student t interval for the mean at :data:`CONFIDENCE`. The check passes when the
theoretical value lies inside the interval, and only when the interval is tight enough to
mean something (its half-width under a stated share of the theoretical value), so that a
test cannot pass by being noisy.

Runs are cached per scenario name for the whole session: the Little's-law tests reuse the
replications of the theory tests instead of simulating again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from scipy import stats

from simline.config import parse_scenario
from simline.engine.results import RunResult
from simline.plan import STATES, compile_plan

#: Two-sided confidence of every theory check: a correct simulator fails one check with
#: probability 1 - CONFIDENCE.
CONFIDENCE = 0.999

#: The engines checked against theory (each analytic case runs on every one of them).
BACKENDS: tuple[str, ...] = ("des", "fast")

Scenario = dict[str, Any]
Figure = Callable[[RunResult], float]


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean over replications with its Student t half-width."""

    mean: float
    halfwidth: float
    n: int
    confidence: float

    @property
    def lo(self) -> float:
        """Lower end of the interval."""
        return self.mean - self.halfwidth

    @property
    def hi(self) -> float:
        """Upper end of the interval."""
        return self.mean + self.halfwidth


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """Student t interval for the mean of independent replication values.

    ``mean +- t_{(1+confidence)/2, n-1} * s / sqrt(n)`` with ``s`` the sample standard
    deviation (``n - 1`` in the denominator).
    """
    n = len(values)
    if n < 2:
        raise ValueError(f"a t interval needs at least 2 values (got {n})")
    mean = math.fsum(values) / n
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    t = float(stats.t.ppf((1 + confidence) / 2, n - 1))
    return Interval(mean, t * math.sqrt(var / n), n, confidence)


def scenario(
    name: str,
    stations: dict[str, Any],
    *,
    release: Any = "saturated",
    products: dict[str, Any] | None = None,
    workforce: dict[str, Any] | None = None,
    warmup: float | str,
    length: float | str,
    replications: int,
    seed: int,
    time_unit: str = "min",
) -> Scenario:
    """A scenario mapping in the YAML format of ``spec/config.md``."""
    data: Scenario = {
        "simline": 1,
        "name": name,
        "time_unit": time_unit,
        "run": {"warmup": warmup, "length": length, "replications": replications, "seed": seed},
        "release": release,
        "stations": stations,
    }
    if products is not None:
        data["products"] = products
    if workforce is not None:
        data["workforce"] = workforce
    return data


_RUNS: dict[tuple[str, str], tuple[Scenario, list[RunResult]]] = {}


def _simulator(backend: str) -> Callable[..., RunResult]:
    if backend == "des":
        from simline.engine.des import simulate

        return simulate
    if backend == "fast":
        from simline.engine.fast import simulate as fast_simulate

        return fast_simulate
    raise ValueError(f"unknown backend {backend!r}")


def run(data: Scenario, backend: str = "des") -> list[RunResult]:
    """All replications of ``data`` (``run.replications`` of them), cached per name.

    Parses and compiles the scenario as the command line does, then simulates replications
    ``0 .. R-1`` one by one.
    """
    key = (data["name"], backend)
    if key in _RUNS:
        cached, results = _RUNS[key]
        assert cached == data, f"two different scenarios are called {data['name']!r}"
        return results
    plan = compile_plan(parse_scenario(data, source=f"<{data['name']}>"))
    if backend == "fast":
        from simline.engine.fast import supports

        reason = supports(plan)
        if reason is not None:
            pytest.skip(f"the fast backend does not support {reason} yet")
    simulate = _simulator(backend)
    results = [simulate(plan, r) for r in range(plan.replications)]
    _RUNS[key] = (data, results)
    return results


def fraction(station: str, *states: str) -> Figure:
    """Per-replication figure: time share of ``states`` at ``station``, averaged over servers."""
    indices = [STATES.index(s) for s in states]

    def figure(r: RunResult) -> float:
        return sum(r.stations[station].fraction(k, r.measured_time) for k in indices)

    return figure


def little_gap(r: RunResult) -> float:
    """``L - lambda W`` over the measured period of one replication.

    ``wip_integral / T - (sum of lead times of parts leaving in the period) / T``. In steady
    state its expectation is 0: the two sides differ only by the time spent before the period
    by parts there at its start and the time spent in the period by parts there at its end,
    and these have the same distribution when the line is stationary at both ends.
    """
    leaving = sum(p.lead_n * p.lead_mean for p in r.products.values())
    return (r.wip_integral - leaving) / r.measured_time


@dataclass(frozen=True, slots=True)
class Check:
    """One theory check, kept for the summary table."""

    case: str
    figure: str
    theory: float
    interval: Interval
    max_halfwidth: float
    passed: bool


CHECKS: list[Check] = []


def check(
    case: str,
    figure: str,
    values: Sequence[float],
    theory: float,
    *,
    tight: float,
    scale: float | None = None,
) -> Interval:
    """Assert that ``theory`` lies in the t interval of ``values`` and that it is tight.

    Parameters
    ----------
    case, figure
        Names for messages and the summary table.
    values
        One value per replication.
    theory
        The analytic value.
    tight
        Largest allowed half-width, as a share of ``scale``.
    scale
        Reference size of the figure (default ``abs(theory)``; give one when theory is 0).

    Returns
    -------
    Interval
        The interval, for further use.
    """
    iv = t_interval(values)
    max_hw = tight * (abs(theory) if scale is None else scale)
    passed = abs(iv.mean - theory) <= iv.halfwidth and iv.halfwidth <= max_hw
    CHECKS.append(Check(case, figure, theory, iv, max_hw, passed))
    where = (
        f"{case} {figure}: theory {theory:.6g}, simulated {iv.mean:.6g} "
        f"[{iv.lo:.6g}, {iv.hi:.6g}] ({iv.confidence:.1%}, n={iv.n})"
    )
    assert iv.halfwidth <= max_hw, f"{where}: interval too wide (half-width > {max_hw:.3g})"
    assert abs(iv.mean - theory) <= iv.halfwidth, f"{where}: theory outside the interval"
    return iv


def check_exact(
    case: str, figure: str, values: Sequence[float], theory: float, *, rel: float
) -> None:
    """Assert a deterministic figure in every replication: ``abs(v - theory) <= rel * |theory|``.

    The summary table shows the replication farthest from ``theory``.
    """
    worst = max(values, key=lambda v: abs(v - theory))
    passed = abs(worst - theory) <= rel * abs(theory)
    CHECKS.append(
        Check(
            case, figure, theory, Interval(worst, 0.0, len(values), 1.0), rel * abs(theory), passed
        )
    )
    assert passed, f"{case} {figure}: theory {theory!r}, simulated {worst!r} (rel tol {rel})"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """With ``-v``, print every theory check as a table."""
    if not CHECKS or config.option.verbose < 1:
        return
    tr = terminalreporter
    tr.section("theory checks")
    tr.write_line(
        f"{'case':<14} {'figure':<22} {'theory':>12} {'simulated':>12} "
        f"{'interval':>27} {'max hw':>9} ok"
    )
    for c in CHECKS:
        iv = c.interval
        tr.write_line(
            f"{c.case:<14} {c.figure:<22} {c.theory:>12.6g} {iv.mean:>12.6g} "
            f"[{iv.lo:>12.6g}, {iv.hi:>12.6g}] {c.max_halfwidth:>9.3g} "
            f"{'yes' if c.passed else 'NO'}"
        )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each engine in turn."""
    return str(request.param)

"""The exact Markov chain of ``tests/ctmc_line.py`` against known results and simline's engine.

First the chain itself: on two stations it must give the birth-death solution of
``tests/analytic.two_machine_line`` (for equal rates ``mu (b + 2) / (b + 3)``: the number of
parts finished by the first machine and not yet by the second takes ``b + 3`` values, 0 to
``b + 2``, all equally likely, and only 0 starves the second machine), a hand-solved chain
for ``b = 0``, and the published exact value for three balanced stations without buffers.

Then simline's SimPy engine on saturated exponential lines of three and four stations and
several buffer allocations: the CTMC's throughput and mean WIP must lie in the 99 % Student t
interval over 20 replications (``conftest.t_interval``; no allowance added, the tolerance is
the interval), and the interval's half-width must be at most 2 % (throughput) or 5 % (WIP)
of the exact value, so that a check cannot pass by being noisy. Each line starts empty and is
warmed up for 500 process times, many times the few hundred it takes a line holding at most
a dozen parts to forget its start. There are 10 such checks: a correct engine run with fresh
seeds fails one with probability at most 10 % (Bonferroni); the seeds here are fixed (201 to
205, taken in order, not chosen), so the outcome is reproducible.
"""

from __future__ import annotations

from typing import Any

import pytest

from simline.engine.results import RunResult
from tests import analytic, ctmc_line
from tests.integration.conftest import run, scenario, t_interval

#: Two-sided confidence of the simulation checks.
CONFIDENCE = 0.99
#: Largest half-width, as a share of the exact value: throughput, WIP.
TIGHT_X, TIGHT_WIP = 0.02, 0.05


def _line(name: str, means: list[float], buffers: list[int], seed: int) -> dict[str, Any]:
    stations: dict[str, Any] = {}
    for i, mean in enumerate(means):
        spec: dict[str, Any] = {
            "kind": "machine",
            "process_time": {"dist": "exponential", "mean": mean},
        }
        if i > 0:
            spec["buffer"] = buffers[i - 1]
        stations[f"s{i + 1}"] = spec
    return scenario(name, stations, warmup=500, length=10000, replications=20, seed=seed)


def _throughput(r: RunResult) -> float:
    return r.throughput_per_hour * r.hours_per_unit  # parts per minute


def _wip(r: RunResult) -> float:
    return r.wip_integral / r.measured_time


# --- the chain against known results -------------------------------------------------------


@pytest.mark.parametrize("b", [0, 1, 2, 5, 10])
def test_two_balanced_stations_give_the_closed_form(b: int) -> None:
    result = ctmc_line.line([1.0, 1.0], [b])
    assert result.states == b + 3
    assert result.throughput == pytest.approx((b + 2) / (b + 3), rel=1e-12)
    scaled = ctmc_line.line([2.5, 2.5], [b])
    assert scaled.throughput == pytest.approx(2.5 * (b + 2) / (b + 3), rel=1e-12)
    assert scaled.wip == pytest.approx(result.wip, rel=1e-12)  # time scale does not matter


@pytest.mark.parametrize(("mu1", "mu2", "b"), [(1.0, 1.25, 3), (1.25, 1.0, 0), (2.0, 0.5, 4)])
def test_two_stations_give_the_birth_death_chain(mu1: float, mu2: float, b: int) -> None:
    exact = analytic.two_machine_line(mu1, mu2, b)
    result = ctmc_line.line([mu1, mu2], [b])
    assert result.throughput == pytest.approx(exact.throughput, rel=1e-12)
    assert result.wip == pytest.approx(exact.wip, rel=1e-12)
    assert result.blocked[0] == pytest.approx(exact.blocked_first, rel=1e-12)
    assert result.starved[1] == pytest.approx(exact.starved_second, rel=1e-12)


def test_two_stations_without_buffer_by_hand() -> None:
    """States (working, starved), (working, working), (blocked, working), rates mu1 and mu2.

    Balance: pi_WS mu1 = pi_WW mu2; pi_WW mu1 = pi_BW mu2. With mu1 = 1, mu2 = 2:
    pi = (4, 2, 1) / 7, throughput = 2 (2 + 1) / 7 = 6/7, WIP = (4 * 1 + 2 * 2 + 1 * 2) / 7.
    """
    result = ctmc_line.line([1.0, 2.0], [0])
    assert result.states == 3
    assert result.throughput == pytest.approx(6 / 7, rel=1e-12)
    assert result.wip == pytest.approx(10 / 7, rel=1e-12)
    assert result.blocked == pytest.approx((1 / 7, 0.0), abs=1e-12)
    assert result.starved == pytest.approx((0.0, 4 / 7), abs=1e-12)


def test_three_balanced_stations_without_buffers() -> None:
    """Hillier and Boling (1967): 0.5641 of the rate; the chain's exact value is 22/39."""
    result = ctmc_line.line([1.0, 1.0, 1.0], [0, 0])
    assert result.throughput == pytest.approx(22 / 39, rel=1e-12)
    assert round(result.throughput, 4) == 0.5641


def test_a_line_and_its_mirror_image_have_the_same_throughput() -> None:
    """Reversibility of tandem lines with blocking after service (Yamazaki and Sakasegawa)."""
    forward = ctmc_line.line([1.0, 0.7, 1.3, 0.9], [2, 0, 3])
    mirror = ctmc_line.line([0.9, 1.3, 0.7, 1.0], [3, 0, 2])
    assert forward.throughput == pytest.approx(mirror.throughput, rel=1e-10)


def test_more_buffer_never_lowers_throughput() -> None:
    base = ctmc_line.throughput([1.0, 0.8, 1.2], [1, 1])
    assert ctmc_line.throughput([1.0, 0.8, 1.2], [2, 1]) > base
    assert ctmc_line.throughput([1.0, 0.8, 1.2], [1, 2]) > base


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="K - 1 buffers"):
        ctmc_line.line([1.0, 1.0], [])
    with pytest.raises(ValueError, match="whole buffers"):
        ctmc_line.line([1.0, 1.0], [-1])


# --- simline's des engine against the chain ------------------------------------------------

CASES = [
    # name, mean process times (min), buffers in front of stations 2.., seed
    ("ctmc-two", [1.0, 1.0], [2], 201),
    ("ctmc-three", [1.0, 0.8, 0.9], [1, 3], 202),
    ("ctmc-four-even", [1.0, 1.0, 1.0, 1.0], [4, 4, 4], 203),
    ("ctmc-four-skewed", [1.0, 1.0, 1.0, 1.0], [0, 2, 10], 204),
    ("ctmc-four-none", [1.0, 1.0, 1.0, 1.0], [0, 0, 0], 205),
]


@pytest.mark.parametrize(("name", "means", "buffers", "seed"), CASES, ids=[c[0] for c in CASES])
def test_des_agrees_with_the_chain(
    name: str, means: list[float], buffers: list[int], seed: int
) -> None:
    exact = ctmc_line.line([1.0 / m for m in means], buffers)
    runs = run(_line(name, means, buffers, seed), "des")
    where = f"{name} {buffers}"
    x = t_interval([_throughput(r) for r in runs], CONFIDENCE)
    assert x.halfwidth <= TIGHT_X * exact.throughput, f"{where}: throughput interval too wide"
    assert abs(x.mean - exact.throughput) <= x.halfwidth, (
        f"{where}: exact throughput {exact.throughput:.5f}, simulated {x.mean:.5f} "
        f"[{x.lo:.5f}, {x.hi:.5f}]"
    )
    w = t_interval([_wip(r) for r in runs], CONFIDENCE)
    assert w.halfwidth <= TIGHT_WIP * exact.wip, f"{where}: WIP interval too wide"
    assert abs(w.mean - exact.wip) <= w.halfwidth, (
        f"{where}: exact WIP {exact.wip:.4f}, simulated {w.mean:.4f} [{w.lo:.4f}, {w.hi:.4f}]"
    )

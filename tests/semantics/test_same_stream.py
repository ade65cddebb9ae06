"""Same-stream differential test: random times, the same numbers drawn, the same figures.

The second layer of the differential tests (issue #11; the first, on deterministic plans, is
``test_differential.py``). The SimPy engine run with ``streams="kernel"`` draws from the fast
engine's streams with its variate algorithms (:mod:`simline.engine._streams`); hypothesis
draws scenarios with random times over every feature the kernels run
(:func:`tests.semantics.stochastic.stochastic_scenarios`, and serial lines the recursion runs,
:func:`~tests.semantics.stochastic.serial_scenarios`) and a replication, and every figure of
des must agree with the event kernel's and, where :func:`simline.engine.fast.tandem_steps`
accepts the plan, the recursion's: counts exactly, times to a relative 1e-9. This holds only
if both engines make the same draws from each stream in the same order (``docs/model.md``,
"Randomness"), so the test checks that rule too.

The default suite draws :data:`EXAMPLES` scenarios (about 15 s of CPU once the kernels are
compiled); :func:`test_many_same_stream_scenarios` (``slow``) draws
``SIMLINE_SAME_STREAM_EXAMPLES`` (1,000 unless set)::

    SIMLINE_SAME_STREAM_EXAMPLES=5000 python -m pytest tests/semantics/test_same_stream.py \\
        -n 0 -k many
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simline.engine import des, rng
from simline.engine._streams import KernelDraws
from simline.kernels import distributions as kd
from simline.kernels import random as kr
from simline.plan import Dist, DistCode
from tests.semantics.compare import disagreements, kernels_for
from tests.semantics.stochastic import (
    plan_of,
    serial_scenarios,
    stochastic_scenarios,
)
from tests.unit.test_des import expo, line, station

#: Scenarios the default suite draws.
EXAMPLES = 300
#: Scenarios the ``slow`` test draws.
MANY = int(os.environ.get("SIMLINE_SAME_STREAM_EXAMPLES", "1000"))

#: Three general scenarios for each serial line (the recursion's plans are rare among them).
SCENARIOS = st.integers(0, 3).flatmap(
    lambda i: serial_scenarios() if i == 0 else stochastic_scenarios()
)


def check(data: dict[str, Any], replication: int) -> None:
    """Run ``data`` on des (kernel streams) and each fast kernel; every figure must agree."""
    plan = plan_of(data)
    event(f"kernels: {', '.join(kernels_for(plan))}")
    assert disagreements(plan, replication, streams="kernel") == {}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCENARIOS, st.integers(0, 3))
def test_same_stream_runs_agree_on_every_figure(data: dict[str, Any], replication: int) -> None:
    check(data, replication)


@pytest.mark.slow
@settings(max_examples=MANY, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCENARIOS, st.integers(0, 3))
def test_many_same_stream_scenarios(data: dict[str, Any], replication: int) -> None:
    check(data, replication)


#: Every feature at once, each of them busy in the run (checked below).
EVERYTHING: dict[str, Any] = {
    "simline": 1,
    "name": "everything",
    "time_unit": "min",
    "run": {"warmup": 60, "length": 1440, "replications": 1, "seed": 20261202},
    "products": {
        "a": {"routing": ["cut", "oven", "pack"], "mix": 0.7},
        "b": {"routing": ["cut", "pack"], "mix": 0.3},
    },
    "release": {"interarrival": {"dist": "gamma", "mean": 1.6, "cv": 1.2}},
    "stations": {
        "cut": {
            "kind": "manual",
            "servers": 2,
            "process_time": {"a": "lognormal(2.5, cv=0.4)", "b": "tri(1, 2, 4)"},
            "buffer": 4,
            "failures": {"mtbf": 90, "mttr": "exp(6)", "basis": "calendar"},
            "setup": {"from_to": {"a": {"b": "uniform(1, 3)"}, "b": {"a": 2.0}}},
            "scrap": 0.05,
        },
        "oven": {
            "kind": "additive",
            "servers": 2,
            "batch": {"size": 4, "max_wait": 12},
            "process_time": {"dist": "weibull", "shape": 2.0, "scale": 5.0},
            "per_part_time": {"dist": "normal", "mean": 0.3, "sd": 0.3},
            "failures": {"mtbf": 120, "mttr": "erlang(5, k=2)", "basis": "operating"},
            "scrap": 0.1,
        },
        "pack": {
            "kind": "machine",
            "servers": 1,
            "process_time": {"dist": "empirical", "values": [0.5, 1.0, 1.5], "weights": [1, 2, 1]},
            "buffer": 2,
            "failures": {"mtbf": 60, "mttr": 3.0},
            "operators": 1,
        },
    },
    "workforce": {"operators": 2, "shifts": [["00:00", "10:00"], ["12:00", "20:00"]]},
}


def test_a_line_with_every_feature_runs_the_same_on_both_engines() -> None:
    plan = plan_of(EVERYTHING)
    assert kernels_for(plan) == ["events"]
    assert disagreements(plan, streams="kernel") == {}
    result = des.simulate(plan, 0, streams="kernel")
    cut, oven, pack = (result.stations[n] for n in ("cut", "oven", "pack"))
    assert result.good_total > 100 and result.scrap_total > 0
    assert min(cut.state_time[1], cut.state_time[4], cut.state_time[5]) > 0.0  # setup, down, off
    assert oven.builds > 0 and oven.state_time[4] > 0.0 and pack.state_time[5] > 0.0


# -- the option itself -----------------------------------------------------------------------

DISTS = [
    Dist(DistCode.EXPONENTIAL, (2.0,), 2.0, 1.0),
    Dist(DistCode.UNIFORM, (1.0, 3.0), 2.0, 0.0),
    Dist(DistCode.TRIANGULAR, (1.0, 2.0, 4.0), 2.3, 0.0),
    Dist(DistCode.NORMAL, (1.0, 1.0), 1.0, 1.0),
    Dist(DistCode.LOGNORMAL, (0.5, 0.8), 2.3, 0.0),
    Dist(DistCode.GAMMA, (0.6, 2.0), 1.2, 0.0),
    Dist(DistCode.ERLANG, (3.0, 0.5), 1.5, 0.0),
    Dist(DistCode.WEIBULL, (1.5, 2.0), 1.8, 0.0),
    Dist(DistCode.EMPIRICAL, (1.0, 2.0, 5.0, 0.2, 0.7, 1.0), 2.2, 0.0),
]


def kernel_stream(seed: int, replication: int, owner: str, purpose: rng.Purpose) -> np.ndarray:
    """The state the fast engine starts the stream with (its documented seeding)."""
    words = rng.seed_sequence(seed, replication, owner, purpose).generate_state(4, np.uint32)
    return kr.seed_state(words)


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: d.code.name.lower())
def test_kernel_streams_hand_out_the_kernels_numbers(dist: Dist) -> None:
    plan = line([station("a", 1.0), station("b", 1.0)], seed=77)
    draws = KernelDraws(plan, 3)
    sample = draws.sampler(dist, "b", rng.Purpose.REPAIR)
    got = [sample() for _ in range(200)]
    state = kernel_stream(77, 3, "b", rng.Purpose.REPAIR)
    assert got == kd.sample(int(dist.code), dist.params, state, 200).tolist()


def test_kernel_streams_share_a_stream_and_pick_as_the_kernel() -> None:
    plan = line([station("a", 1.0)], seed=5)
    draws = KernelDraws(plan, 0)
    # two samplers on one stream take its numbers in turn
    first = draws.sampler(DISTS[0], "a", rng.Purpose.PROCESS)
    second = draws.sampler(DISTS[0], "a", rng.Purpose.PROCESS)
    got = [first(), second(), first()]
    state = kernel_stream(5, 0, "a", rng.Purpose.PROCESS)
    assert got == kd.sample(int(DISTS[0].code), DISTS[0].params, state, 3).tolist()
    # scrap checks are the stream's uniforms; a choice is the first share above one
    u = draws.uniform("release", rng.Purpose.SCRAP)
    assert [u() for _ in range(5)] == kr.uniforms(
        kernel_stream(5, 0, "release", rng.Purpose.SCRAP), 5
    ).tolist()
    pick = draws.choice([1.0, 3.0], "release", rng.Purpose.MIX)
    picks = [pick() for _ in range(50)]
    uniforms = kr.uniforms(kernel_stream(5, 0, "release", rng.Purpose.MIX), 50)
    assert picks == [0 if x < 0.25 else 1 for x in uniforms]
    assert draws.choice([2.0], "release", rng.Purpose.MIX)() == 0


def test_the_default_streams_are_numpys_and_kernel_streams_repeat() -> None:
    plan = line([station("a", expo(1.0)), station("b", expo(1.2), buffer=2)], length=300.0)
    default = des.simulate(plan, 0)
    assert des.simulate(plan, 0, streams="numpy") == default
    kernel = des.simulate(plan, 0, streams="kernel")
    assert kernel == des.simulate(plan, 0, streams="kernel")
    assert kernel.good_total != default.good_total or kernel.wip_integral != default.wip_integral


def test_unknown_streams_are_refused() -> None:
    plan = line([station("a", 1.0)])
    with pytest.raises(ValueError, match="'streams' must be 'numpy' or 'kernel'"):
        des.simulate(plan, 0, streams="pcg")  # type: ignore[arg-type]

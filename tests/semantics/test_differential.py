"""Exact differential test: on deterministic scenarios every engine gives the same figures.

Hypothesis draws scenarios in which every duration is constant and nothing is left to chance
(:mod:`tests.semantics.deterministic`): parallel servers, buffers of 0 to 4 places and
unlimited ones, batch stations with and without ``max_wait``, failures in operating and in
calendar time, shifts and operator pools, the three release modes. Each runs on the SimPy
engine (the reference, :func:`simline.engine.des.simulate`), on the event kernel
(``fast.simulate(plan, 0, kernel="events")``) and, where :func:`simline.engine.fast.tandem_steps`
accepts the plan, on the recursion (``kernel="tandem"``). Every figure of the result must
agree (:func:`tests.semantics.compare.differences`: counts exactly, times and sums of times to
a relative 1e-9); only ``backend`` and ``events`` (each engine counts its own steps) are not
compared. A run that fails (a deadlock) must fail on every engine.

The default suite draws :data:`EXAMPLES` scenarios. A larger run, e.g. 5,000::

    SIMLINE_DIFF_EXAMPLES=5000 python -m pytest tests/semantics/test_differential.py -n 0

Disagreements this test found and that are fixed (each in the event kernel, written down in
``docs/model.md``, "Simultaneous events and ties", its smallest case a timeline in
``test_batch_rules.py``): a part entering a batch buffer went to the server finishing at that
instant instead of the one already waiting; under interarrival release the next arrival came
before the ``max_wait`` of the part that had just arrived; a ``max_wait`` timer of a part
that had left started the build of a newer part that got its number.

One is still open, named in :func:`known_disagreement`: the test rejects only the scenarios
it marks (hypothesis counts them, ``--hypothesis-show-statistics``), and
``test_known_disagreement_is_still_there`` keeps its smallest case as a strict xfail, so
that a fix shows up as an XPASS.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings

from simline.engine import des, fast
from simline.engine.results import RunResult
from simline.errors import SimulationError
from tests.semantics.compare import differences
from tests.semantics.deterministic import deterministic_scenarios, plan_of

#: Scenarios drawn by the default suite (about 10 s of CPU once the kernels are compiled).
EXAMPLES = int(os.environ.get("SIMLINE_DIFF_EXAMPLES", "500"))


#: The open disagreement (issue #11), by the features that mark it. In 10,000 scenarios (two
#: seeds) drawn after the fixes above, 4 disagreed, all between des and the event kernel and
#: all marked so (as was the one found by a 5,000-example run of this test).
CALENDAR_FAILURES_AND_OPERATORS = (
    "issue #11: calendar failures at a station whose servers need operators from a "
    "workforce: des and the event kernel order some events of one instant differently"
)


def known_disagreement(data: dict[str, Any]) -> str | None:
    """Name the open disagreement (issue #11) ``data`` may show, or ``None``."""
    if "workforce" not in data:
        return None
    for station in data["stations"].values():
        manned = station.get("operators", 1 if station["kind"] == "manual" else 0) > 0
        if manned and station.get("failures", {}).get("basis") == "calendar":
            return CALENDAR_FAILURES_AND_OPERATORS
    return None


def outcome(run: Any) -> RunResult | str:
    """The result of ``run()``, or the first words of the :class:`SimulationError` it raised."""
    try:
        result: RunResult = run()
    except SimulationError as exc:
        return str(exc).split(":", 1)[0]
    return result


def disagreements(data: dict[str, Any]) -> dict[str, list[str]]:
    """Run ``data`` on every engine that supports it; name what each differs in from des."""
    plan = plan_of(data)
    reference = outcome(lambda: des.simulate(plan, 0))
    kernels = ["events"] + (["tandem"] if fast.tandem_steps(plan) is not None else [])
    found: dict[str, list[str]] = {}
    for kernel in kernels:
        other = outcome(lambda k=kernel: fast.simulate(plan, 0, kernel=k))
        if isinstance(reference, str) or isinstance(other, str):
            diff = (
                []
                if isinstance(reference, str) == isinstance(other, str)
                else [
                    f"des: {reference if isinstance(reference, str) else 'ran'}; "
                    f"{kernel}: {other if isinstance(other, str) else 'ran'}"
                ]
            )
        else:
            diff = differences(reference, other)
        if diff:
            found[kernel] = diff
    return found


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(deterministic_scenarios())
def test_every_engine_gives_the_same_figures(data: dict[str, Any]) -> None:
    if known_disagreement(data) is not None:
        reject()
    assert disagreements(data) == {}


def _constant(value: float) -> dict[str, Any]:
    return {"dist": "constant", "value": value}


#: The smallest scenario of the open disagreement (found and shrunk by hypothesis): des
#: makes 10 builds at the oven, the event kernel 9.
KNOWN = {
    CALENDAR_FAILURES_AND_OPERATORS: {
        "simline": 1,
        "name": "known",
        "time_unit": "min",
        "run": {"warmup": 0, "length": 120, "replications": 1, "seed": 1},
        "release": {"conwip": 4},
        "stations": {
            "oven": {
                "kind": "additive",
                "batch": {"size": 3, "max_wait": 5.0},
                "process_time": _constant(3.0),
                "failures": {
                    "mtbf": _constant(5.0),
                    "mttr": _constant(1.0),
                    "basis": "calendar",
                },
                "operators": 2,
            },
            "pack": {
                "kind": "additive",
                "batch": {"size": 1},
                "process_time": _constant(3.0),
                "operators": 1,
            },
        },
        "workforce": {"operators": 2, "shifts": [["00:00", "01:00"]], "days": ["mon"]},
    }
}


@pytest.mark.parametrize("reason", list(KNOWN))
@pytest.mark.xfail(reason="a known disagreement, issue #11", strict=True)
def test_known_disagreement_is_still_there(reason: str) -> None:
    data = KNOWN[reason]
    assert known_disagreement(data) == reason
    assert disagreements(data) == {}

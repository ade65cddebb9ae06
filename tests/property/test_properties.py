"""Properties every valid scenario keeps, on generated scenarios (hypothesis).

- it runs;
- each station's six state fractions sum to 1 (per server, over the measured period);
- parts are conserved: released = good + scrap + still in the line, over the whole run;
- the same seed gives identical numbers;
- measured counts are consistent: the good parts of the measured period never exceed the
  parts released over the whole run, and the WIP average is within [0, max parts ever in line].
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings

from simline.config import parse_scenario
from simline.engine.des import simulate
from simline.plan import compile_plan
from tests.strategies import scenarios

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_any_valid_scenario_runs_and_keeps_the_invariants(data: dict[str, Any]) -> None:
    plan = compile_plan(parse_scenario(data))
    result = simulate(plan, 0)

    for name, station in result.stations.items():
        total = sum(station.state_time)
        assert math.isclose(total, station.servers * plan.length, rel_tol=1e-9), name
        assert all(t >= -1e-9 for t in station.state_time), name

    assert result.released_total == result.good_total + result.scrap_total + result.wip_end
    assert result.wip_end >= 0
    assert result.good <= result.good_total
    assert result.scrap <= result.scrap_total
    assert result.wip >= 0.0
    if plan.release.mode == "conwip":
        assert math.isclose(result.wip, plan.release.wip, rel_tol=1e-9)
        assert result.wip_end == plan.release.wip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_same_seed_same_numbers(data: dict[str, Any]) -> None:
    plan = compile_plan(parse_scenario(data))
    assert simulate(plan, 0) == simulate(plan, 0)

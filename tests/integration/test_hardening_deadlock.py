"""Issue #8 item 5: a line that deadlocks fails (exit status 1) instead of standing still.

Two products with opposite routings through zero buffers used to run to the horizon with
throughput 0 and 99.9 % blocked, exit status 0, on both engines.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from simline.config import parse_scenario
from simline.engine import des, fast
from simline.errors import SimulationError
from simline.plan import Plan, compile_plan
from tests.spec import run_cli

OPPOSITE = """\
    simline: 1
    name: opposite
    time_unit: min
    run: {{warmup: 0, length: 8h, replications: 2, seed: 5}}
    release: {release}
    products:
      a: {{routing: [s1, s2]}}
      b: {{routing: [s2, s1]}}
    stations:
      s1: {{kind: machine, process_time: {time}, buffer: {buffer}}}
      s2: {{kind: machine, process_time: {time}, buffer: {buffer}}}
"""


def scenario(
    release: str = "saturated", time: str = "{dist: exponential, mean: 1.0}", buffer: int = 0
) -> str:
    return textwrap.dedent(OPPOSITE.format(release=release, time=time, buffer=buffer))


def plan_of(text: str) -> Plan:
    return compile_plan(parse_scenario(yaml.safe_load(text)))


@pytest.mark.parametrize("backend", ["des", "fast"])
def test_opposite_routings_through_zero_buffers_fail_with_the_stations(
    tmp_path: Path, backend: str
) -> None:
    path = tmp_path / "opposite.yaml"
    path.write_text(scenario())
    done = run_cli("run", str(path), "--backend", backend, "-q", "-j", "1")
    assert done.returncode == 1
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("simline: error: scenario 'opposite', replication 0: deadlock at t=")
    assert line.endswith(
        "min: 's1' and 's2' are blocked, each waiting for room at the other "
        "(zero buffers on a cycle of routings)"
    )


@pytest.mark.parametrize("engine", [des, fast])
def test_both_engines_find_it_at_the_same_instant(engine: object) -> None:
    """Constant times: both parts finish at t=1, each blocks waiting for the other's place."""
    plan = plan_of(scenario(time="1.0"))
    with pytest.raises(SimulationError, match=r"replication 0: deadlock at t=1 min: 's1' and"):
        engine.simulate(plan, 0)  # type: ignore[attr-defined]


@pytest.mark.parametrize("engine", [des, fast])
def test_finite_buffers_on_a_cycle_deadlock_once_full(engine: object) -> None:
    """Ten parts in two stations of one server and two places each: they fill up."""
    plan = plan_of(scenario(release="{conwip: 10}", buffer=2))
    with pytest.raises(SimulationError, match=r"full buffers on a cycle of routings"):
        engine.simulate(plan, 0)  # type: ignore[attr-defined]


@pytest.mark.parametrize("engine", [des, fast])
def test_a_cycle_that_cannot_fill_never_deadlocks(engine: object) -> None:
    """CONWIP 3 on two stations of one server and one place each: never all four full."""
    plan = plan_of(scenario(release="{conwip: 3}", buffer=1))
    result = engine.simulate(plan, 0)  # type: ignore[attr-defined]
    assert result.good > 100


@pytest.mark.parametrize("engine", [des, fast])
def test_a_blocked_server_repaired_after_its_room_was_taken_is_found(engine: object) -> None:
    """Calendar failures: a server that is down while blocked still holds its part."""
    text = scenario(release="{conwip: 10}", buffer=1).replace(
        "s2: {kind: machine, process_time: {dist: exponential, mean: 1.0}, buffer: 1}",
        "s2: {kind: machine, process_time: {dist: exponential, mean: 1.0}, buffer: 1,\n"
        "        failures: {mtbf: 3, mttr: 2, basis: calendar}}",
    )
    assert "calendar" in text
    with pytest.raises(SimulationError, match=r"deadlock at t=.* 's1' and 's2' are blocked"):
        engine.simulate(plan_of(text), 0)  # type: ignore[attr-defined]


def test_serial_lines_with_zero_buffers_are_not_deadlocks() -> None:
    """Blocking without a cycle of routings is ordinary blocking, on both engines."""
    plan = plan_of(
        textwrap.dedent(
            """\
            simline: 1
            name: serial
            time_unit: min
            run: {warmup: 0, length: 8h, replications: 1, seed: 2}
            products:
              a: {routing: [s1, s2, s3]}
              b: {routing: [s1, s3]}
            stations:
              s1:
                {kind: machine, servers: 2, process_time: {dist: exponential, mean: 0.5}, buffer: 0}
              s2: {kind: machine, process_time: {dist: exponential, mean: 1.0}, buffer: 0}
              s3: {kind: machine, process_time: {dist: exponential, mean: 0.9}, buffer: 0}
            """
        )
    )
    for engine in (des, fast):
        result = engine.simulate(plan, 0)
        assert result.good > 100
        assert result.stations["s1"].fraction(2, result.measured_time) > 0.05  # blocked

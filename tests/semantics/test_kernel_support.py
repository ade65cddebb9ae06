"""The event kernel refuses what it cannot run instead of deadlocking (issue #11).

A batch station whose buffer has no place (``buffer: 0``) cannot come from a scenario file
(``'buffer' must hold at least batch.size``) but can be built as a plan. The SimPy engine
hands the parts blocked in front of it straight to a free server; the event kernel has no
such path and would wait for ever with no part made. :func:`simline.engine.fast.supports`
names the feature, so ``--backend auto`` runs the SimPy engine and ``--backend fast`` is a
clear error.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from simline.engine import des, fast
from simline.errors import ConfigError
from simline.experiment.replicate import resolve_backend
from simline.plan import BatchPlan, Plan
from tests.spec import run_cli
from tests.unit.test_des import const, line, station


def zero_buffer_batch() -> Plan:
    """A saw feeding a 2-part oven with no place in front of it, then a packer."""
    return line(
        [
            station("saw", 1.0, buffer=None),
            station("oven", 3.0, buffer=0, batch=BatchPlan(2, math.inf, const(0.0))),
            station("pack", 1.0),
        ],
        length=30.0,
    )


def test_fast_names_a_batch_station_without_places() -> None:
    reason = fast.supports(zero_buffer_batch())
    assert reason == "a batch station without buffer places (station 'oven', buffer 0)"


def test_fast_refuses_it_with_a_config_error_and_des_makes_parts() -> None:
    plan = zero_buffer_batch()
    with pytest.raises(ConfigError, match="does not support a batch station without buffer"):
        fast.simulate(plan, 0)
    assert des.simulate(plan, 0).good > 0


def test_auto_falls_back_to_des_and_fast_by_name_is_refused() -> None:
    plan = zero_buffer_batch()
    name, simulate = resolve_backend("auto", plan)
    assert name == "des"
    assert simulate(plan, 0).good > 0
    with pytest.raises(ConfigError, match=r"fast \(Numba\) backend does not support a batch"):
        resolve_backend("fast", plan)


def test_a_scenario_file_cannot_ask_for_it(tmp_path: Path) -> None:
    # Through the command line the plan cannot be reached: the file is refused first, as
    # bad input (exit 2, one line on stderr) on every backend.
    path = tmp_path / "oven.yaml"
    path.write_text(
        "simline: 1\nname: oven\ntime_unit: min\nrun: {length: 30}\n"
        "stations:\n  oven:\n    kind: additive\n    process_time: 3\n    buffer: 0\n"
        "    batch: {size: 2}\n",
        encoding="utf-8",
    )
    for backend in ("auto", "fast"):
        done = run_cli("run", str(path), "--backend", backend)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert "'buffer' must hold at least batch.size = 2 parts" in lines[0]
        assert "Traceback" not in done.stderr
        assert done.stdout == ""


def test_the_kernel_itself_refuses_a_batch_station_without_places() -> None:
    """Called directly, past ``supports``, the kernel raises instead of waiting for ever."""
    from simline.kernels.line import simulate_line

    packed, state = fast.line_run(zero_buffer_batch(), 0)
    with pytest.raises(ValueError, match="a batch station needs buffer places"):
        simulate_line(packed, state)

"""The library's facade: run, compare, experiment and check, with the command line's policy.

``simline run``, ``compare`` and ``experiment`` are thin layers over these functions:
loading (a file that cannot be read is bad input), the run-size overrides, the choice of
engine (one for all of a comparison's or an experiment's runs), common random numbers (one
seed and one number of replications for all), the site rules, exchange rates, the run
budget and the cost block all live here. The results are typed, frozen objects whose
``to_dict()`` is exactly the command's JSON object and whose ``to_frame()`` is its CSV (for
an experiment: its runs) as a pandas ``DataFrame``.

Nothing here prints or exits. Bad input raises :class:`~simline.errors.ConfigError` before
anything is simulated, a failing replication :class:`~simline.errors.SimulationError`; cost
notices are returned on the result (``warnings``), not shown. Two optional callbacks let a
caller act between the steps: ``on_compiled(plans)`` once every scenario is compiled (the
command line checks its result files there) and ``before_simulate(backend, plans)`` once
every check passed (it says there that the fast engine compiles).
"""

from __future__ import annotations

from simline.api._check import (
    CheckOutcome,
    Gate,
    GateResult,
    StoredBaseline,
    check,
    load_baseline,
    parse_gate,
    simulate_baseline,
)
from simline.api._experiment import (
    ExperimentProgress,
    ExperimentResult,
    default_store,
    experiment,
    experiment_plan,
    load_experiment_file,
)
from simline.api._scenarios import (
    COMPARE_CSV_COLUMNS,
    BeforeSimulate,
    CompareOutcome,
    OnCompiled,
    Progress,
    RunOutcome,
    check_sites,
    common_backend,
    compare,
    cost_block,
    load,
    run,
)

__all__ = [
    "COMPARE_CSV_COLUMNS",
    "BeforeSimulate",
    "CheckOutcome",
    "CompareOutcome",
    "ExperimentProgress",
    "ExperimentResult",
    "Gate",
    "GateResult",
    "OnCompiled",
    "Progress",
    "RunOutcome",
    "StoredBaseline",
    "check",
    "check_sites",
    "common_backend",
    "compare",
    "cost_block",
    "default_store",
    "experiment",
    "experiment_plan",
    "load",
    "load_baseline",
    "load_experiment_file",
    "parse_gate",
    "run",
    "simulate_baseline",
]

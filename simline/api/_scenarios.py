"""``simline.run`` and ``simline.compare``: one scenario, or several with common random numbers."""

from __future__ import annotations

import contextlib
import copy
import functools
import math
import os
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simline import __version__
from simline.errors import ConfigError, SimlineError

if TYPE_CHECKING:
    import pandas

    from simline.config import ScenarioConfig
    from simline.cost import ScenarioCost, SensitivityRow
    from simline.cost.uncertainty import FutureComparison
    from simline.engine.results import RunResult
    from simline.notices import Notice
    from simline.plan import Plan
    from simline.stats import RunSummary
    from simline.warmup_advice import WarmupAdvice

__all__ = [
    "COMPARE_CSV_COLUMNS",
    "BeforeSimulate",
    "CompareOutcome",
    "OnCompiled",
    "Progress",
    "RunOutcome",
    "check_sites",
    "common_backend",
    "compare",
    "cost_block",
    "load",
    "run",
]

#: ``progress(label, done, total)``: the scenario's name and its replications done so far;
#: called with ``done == 0`` before a scenario's first replication, then after each one.
Progress = Callable[[str, int, int], None]
#: ``on_compiled(plans)``: called once every scenario is compiled, before the engine is chosen.
OnCompiled = Callable[[Sequence["Plan"]], None]
#: ``before_simulate(backend, plans)``: called once every check passed, just before simulating.
BeforeSimulate = Callable[[str, Sequence["Plan"]], None]

#: A duration as ``--length``/``--warmup`` take it: ``"2d"``, ``"90min"``, or a number in the
#: scenario's time unit.
Duration = str | float | int

#: Columns of ``simline compare --format csv``: ``versus`` is empty on a scenario's own
#: figures and names the first scenario on a difference row.
COMPARE_CSV_COLUMNS: tuple[str, ...] = (
    "scenario",
    "versus",
    "figure",
    "mean",
    "ci95_lo",
    "ci95_hi",
    "unit",
)


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RunOutcome:
    """One simulated scenario: its figures, cost and replications, as ``simline run`` has them.

    Attributes
    ----------
    path
        The scenario file.
    scenario
        The scenario as it ran (overrides applied).
    plan
        Its compiled plan.
    summary
        Every figure over the replications, with 95 % confidence intervals.
    results
        Each replication's raw result, by replication index.
    cost
        The ``cost`` block of the JSON object when the scenario has a site, else ``None``.
    backend
        The engine that ran it: ``"des"`` or ``"fast"`` (never ``"auto"``).
    warnings
        Every notice's message: a station that cannot keep up (before running), WIP that
        grew over the run (after), then the cost model's (also in ``cost["warnings"]``); the
        command line shows each as ``simline: warning: FILE: ...``.
    notices
        The same notices with their kind, station and figures (the JSON ``warnings``).
    warmup_advice
        MSER-5's truncation point against the configured warm-up, when asked for.

    Examples
    --------
    >>> import simline
    >>> outcome = simline.run("configs/two-product.yaml", replications=3, length="2d")
    >>> outcome.to_dict()["throughput_per_hour"]["mean"]  # doctest: +SKIP
    11.83
    >>> outcome.to_frame().columns.tolist()
    ['scenario', 'figure', 'mean', 'ci95_lo', 'ci95_hi', 'unit']
    """

    path: Path
    scenario: ScenarioConfig
    plan: Plan
    summary: RunSummary
    results: tuple[RunResult, ...]
    cost: dict[str, Any] | None
    backend: str
    warnings: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()
    warmup_advice: WarmupAdvice | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the object of ``simline run --format json`` (a fresh copy, plain JSON types)."""
        from simline.report.output import run_to_json, series_to_json

        out = run_to_json(
            self.plan,
            self.summary,
            backend=self.backend,
            version=__version__,
            cost=copy.deepcopy(self.cost),
        )
        out["warnings"] = [n.to_json(self.plan.name) for n in self.notices]
        series = series_to_json(self.results, self.plan.hours_per_unit)
        if series is not None:
            out["series"] = series
        if self.warmup_advice is not None:
            out["warmup_advice"] = self.warmup_advice.to_json()
        return out

    def rows(self) -> list[dict[str, str | float | None]]:
        """Return the rows of ``simline run --format csv``: every figure, then the cost's."""
        from simline.report.output import cost_to_csv_rows, run_to_csv_rows

        rows = run_to_csv_rows(self.plan, self.summary)
        if self.cost is not None:
            rows += cost_to_csv_rows(self.plan, self.cost)
        return rows

    def to_frame(self) -> pandas.DataFrame:
        """Return the CSV output as a ``DataFrame``: one row per figure.

        Columns ``scenario``, ``figure`` (the dotted path of the JSON object, e.g.
        ``stations.mill.utilization``), ``mean``, ``ci95_lo``, ``ci95_hi`` (floats, ``NaN``
        where undefined) and ``unit``.
        """
        from simline.report.output import CSV_COLUMNS

        return _frame(self.rows(), CSV_COLUMNS)


@dataclass(frozen=True, eq=False)
class CompareOutcome:
    """Scenarios simulated with common random numbers, side by side, as ``simline compare``.

    Attributes
    ----------
    paths
        The scenario files, in the order given (the first is the reference).
    scenarios
        The scenarios as they ran (common seed and replications, overrides applied).
    plans
        Their compiled plans.
    results
        Each scenario's replications, by replication index.
    backend
        The one engine all ran on: ``"des"`` or ``"fast"``.
    costed
        Whether they were compared on cost (every scenario has a site) or on the line alone.
    currency
        The reporting currency (the first scenario's) when compared on cost, else ``""``.
    costs
        Each scenario's cost in that currency when compared on cost, else ``None``.
    sensitivity
        The rows of the sensitivity analysis when asked for, else ``None``.
    futures
        The scenarios costed over the futures of their ``uncertainty`` blocks, and each against
        the first; ``None`` when no scenario has one.
    warnings
        ``(file, message)`` of every notice, scenario by scenario: stations that cannot keep
        up, WIP that grew over the run, the cost model's.

    Examples
    --------
    >>> import simline
    >>> outcome = simline.compare(
    ...     ["configs/two-product.yaml", "configs/robot-machining.yaml"], replications=3
    ... )
    >>> outcome.winner  # doctest: +SKIP
    'robot-machining'
    >>> frame = outcome.to_frame()
    >>> frame[frame.versus.notna()].figure.tolist()[:1]  # doctest: +SKIP
    ['throughput_per_hour']
    """

    paths: tuple[Path, ...]
    scenarios: tuple[ScenarioConfig, ...]
    plans: tuple[Plan, ...]
    results: tuple[tuple[RunResult, ...], ...]
    backend: str
    costed: bool
    currency: str
    costs: tuple[ScenarioCost, ...] | None
    sensitivity: tuple[SensitivityRow, ...] | None
    warnings: tuple[tuple[Path, str], ...]
    _data: dict[str, Any] = field(repr=False)
    notices: tuple[tuple[Path, Notice], ...] = ()
    futures: FutureComparison | None = None

    @property
    def winner(self) -> str:
        """The winning scenario's name: lowest TCO per good part, or highest throughput."""
        return str(self._data["winner"])

    @property
    def significant(self) -> bool:
        """Whether the winner's paired 95 % CI margin over the runner-up lies above 0."""
        return bool(self._data["significant"])

    @property
    def verdict(self) -> str:
        """The verdict in one paragraph, as the table ends with it."""
        return str(self._data["verdict"])

    def to_dict(self) -> dict[str, Any]:
        """Return the object of ``simline compare --format json`` (a fresh copy)."""
        return copy.deepcopy(self._data)

    def rows(self) -> list[dict[str, str | float | None]]:
        """Return the rows of ``simline compare --format csv`` (:data:`COMPARE_CSV_COLUMNS`)."""
        from simline.report.output import comparison_to_csv_rows

        return comparison_to_csv_rows(self._data, self.plans)

    def to_frame(self) -> pandas.DataFrame:
        """Return the CSV output as a ``DataFrame``.

        One row per scenario and figure (``versus`` empty), then one per difference against
        the first scenario (``versus`` names it); columns :data:`COMPARE_CSV_COLUMNS`.
        """
        return _frame(self.rows(), COMPARE_CSV_COLUMNS)


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pandas.DataFrame:
    import pandas

    frame = pandas.DataFrame.from_records(rows, columns=list(columns))
    for column in ("mean", "ci95_lo", "ci95_hi"):
        frame[column] = frame[column].astype(float)
    return frame


# --- run -----------------------------------------------------------------------------------


def run(
    path: str | os.PathLike[str],
    *,
    replications: int | None = None,
    seed: int | None = None,
    length: Duration | None = None,
    warmup: Duration | None = None,
    backend: str = "auto",
    jobs: int | None = None,
    trace: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    on_compiled: OnCompiled | None = None,
    before_simulate: BeforeSimulate | None = None,
    series: int = 0,
    warmup_advice: bool = False,
) -> RunOutcome:
    """Simulate one scenario file, as ``simline run`` does.

    Parameters
    ----------
    path
        The scenario file.
    replications, seed
        Override ``run.replications`` and ``run.seed``.
    length, warmup
        Override ``run.length`` and ``run.warmup``: a duration as in a scenario file
        (``"2d"``, ``"90min"``) or a number in the scenario's time unit.
    backend
        ``"auto"`` (the fast engine where the scenario allows it), ``"des"`` or ``"fast"``.
    jobs
        Parallel workers (``None``: one per core), as ``--jobs``.
    trace
        Keep every replication's event trace on its result.
    force
        Run even when the run is estimated to take longer than the limit (``--force``).
    progress
        Called as ``progress(scenario, done, total)`` while simulating.
    on_compiled
        Called with ``[plan]`` once the scenario is compiled, before the engine is chosen;
        what it raises propagates and nothing is simulated.
    before_simulate
        Called with the engine's name and ``[plan]`` once every check passed.
    series
        Keep the line's time series in this many bins over the whole run (``--series``):
        ``to_dict()`` then has ``"series"``, WIP and throughput per bin over replications.
    warmup_advice
        Suggest a warm-up by MSER-5 (``--warmup-advice``) on the series (its bins when
        ``series`` is given, else :data:`~simline.warmup_advice.ADVICE_BINS`).

    Returns
    -------
    RunOutcome
        The figures; ``to_dict()`` is ``simline run --format json``.

    Raises
    ------
    ConfigError
        On bad input (the file, a value, an engine that cannot run it, a run over the
        budget), before anything is simulated.
    SimulationError
        If a replication fails.

    Examples
    --------
    >>> import simline
    >>> outcome = simline.run("configs/two-product.yaml", replications=3, length="2d")
    >>> outcome.backend in ("des", "fast")
    True
    >>> frame = outcome.to_frame()
    >>> frame.loc[frame.figure == "throughput_per_hour", "mean"].item()  # doctest: +SKIP
    11.83
    """
    from simline.plan import compile_plan

    path = Path(path)
    _check_jobs(jobs)
    scenario = _overridden(
        load(path), replications=replications, seed=seed, length=length, warmup=warmup
    )
    plan = compile_plan(scenario)
    if on_compiled is not None:
        on_compiled([plan])
    from simline.experiment.replicate import resolve_backend

    backend_name, _ = resolve_backend(backend, plan, trace=trace)
    sizes = _sizes(replications=replications, length=length, warmup=warmup)
    _check_budget(path, plan, backend_name, jobs, force, sizes)
    bins = _series_bins(series, warmup_advice)
    before = _load_notices(plan)
    if before_simulate is not None:
        before_simulate(backend_name, [plan])
    results = _replicate(plan, backend_name, jobs, progress, trace=trace, bins=bins)
    outcome = _run_outcome(path, scenario, plan, results, backend_name, before)
    if not warmup_advice:
        return outcome
    from simline.warmup_advice import advise

    shifts = plan.workforce is not None and any(s.operators > 0 for s in plan.stations)
    return replace(outcome, warmup_advice=advise(results, plan.warmup, shifts=shifts))


def _series_bins(series: int, warmup_advice: bool) -> int:
    """Return the bins each replication keeps, checked: ``series``, or the advice's own."""
    from simline.warmup_advice import ADVICE_BINS, BATCH

    if isinstance(series, bool) or not isinstance(series, int) or series < 0:
        raise ConfigError(f"must be a whole number >= 0 (got {series!r})", path="--series")
    if series > MAX_SERIES_BINS:
        raise ConfigError(f"must be at most {MAX_SERIES_BINS} (got {series})", path="--series")
    if warmup_advice and 0 < series < 4 * BATCH:
        raise ConfigError(
            f"--warmup-advice needs at least {4 * BATCH} bins (got {series})", path="--series"
        )
    return series if series or not warmup_advice else ADVICE_BINS


#: The most bins a series may have (each costs two numbers per replication).
MAX_SERIES_BINS = 100_000


def _run_outcome(
    path: Path,
    scenario: ScenarioConfig,
    plan: Plan,
    results: list[RunResult],
    backend: str,
    before: Sequence[Notice],
) -> RunOutcome:
    from simline.stats import summarize

    cost = cost_block(scenario, results)
    notices = _notices(before, plan, results, (cost or {}).get("warnings", []))
    return RunOutcome(
        path=path,
        scenario=scenario,
        plan=plan,
        summary=summarize(plan, results),
        results=tuple(results),
        cost=cost,
        backend=backend,
        warnings=tuple(n.message for n in notices),
        notices=tuple(notices),
    )


def _load_notices(plan: Plan) -> list[Notice]:
    """Return the notices known before running: the stations that cannot keep up."""
    from simline.notices import load_notices

    return load_notices(plan)


def _notices(
    before: Sequence[Notice], plan: Plan, results: Sequence[RunResult], cost: Sequence[str]
) -> list[Notice]:
    """Every notice of one scenario: before running, the WIP trend, the cost model's."""
    from simline.notices import Notice, trend_notice

    trend = trend_notice(plan, results)
    return [
        *before,
        *([trend] if trend is not None else []),
        *(Notice("cost", None, str(c)) for c in cost),
    ]


def cost_block(scenario: ScenarioConfig, results: Sequence[RunResult]) -> dict[str, Any] | None:
    """Return the ``cost`` block of a run when the scenario has a site (no new simulation)."""
    if getattr(scenario, "site", None) is None:
        return None
    from simline.cost import scenario_cost
    from simline.cost.uncertainty import futures_cost

    block = scenario_cost(scenario, list(results)).to_json()
    futures = futures_cost(scenario, list(results))
    if futures is not None:
        block["uncertainty"] = futures.to_json()
    return block


# --- compare -------------------------------------------------------------------------------


def compare(
    paths: Sequence[str | os.PathLike[str]],
    *,
    replications: int | None = None,
    seed: int | None = None,
    length: Duration | None = None,
    warmup: Duration | None = None,
    backend: str = "auto",
    jobs: int | None = None,
    rates: Mapping[str, float] | Sequence[str] = (),
    sensitivity: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    cost_options: Sequence[str] = (),
    on_compiled: OnCompiled | None = None,
    before_simulate: BeforeSimulate | None = None,
) -> CompareOutcome:
    """Simulate scenarios with common random numbers and compare them, as ``simline compare``.

    Every scenario runs on the same engine with the same seed and replications (the first
    scenario's unless given), so the paired differences against the first have tight 95 %
    CIs. With a site in every scenario they are compared on cost (money in the first
    scenario's currency, winner: lowest TCO per good part); with a site in none, on the
    line's figures (winner: highest throughput).

    Parameters
    ----------
    paths
        Two or more scenario files; the first is the reference.
    replications, seed
        The common replications and seed (default: the first scenario's).
    length, warmup
        Override ``run.length`` and ``run.warmup`` of every scenario (as in :func:`run`).
    backend
        ``"auto"`` picks the fast engine only if every scenario allows it; ``"des"``,
        ``"fast"``.
    jobs
        Parallel workers (``None``: one per core).
    rates
        Exchange rates into the first scenario's currency, ``{"USD": 0.93}`` or as the
        command line takes them, ``["USD=0.93"]``; needed for every other currency.
    sensitivity
        Vary each cost input between a low and a high value (no new simulation).
    force
        Run even when a run is estimated to take longer than the limit.
    progress
        Called as ``progress(scenario, done, total)`` while simulating, scenario by scenario.
    cost_options
        The caller's further options that are about cost (the command line's ``--plot``):
        refused, like ``rates`` and ``sensitivity``, when no scenario has a site.
    on_compiled, before_simulate
        As in :func:`run`, with every scenario's plan.

    Returns
    -------
    CompareOutcome
        The comparison; ``to_dict()`` is ``simline compare --format json``.

    Raises
    ------
    ConfigError
        On bad input before anything is simulated: a file, a value, some scenarios with a
        site and some without, equal scenario names, a missing or unused exchange rate.
    SimulationError
        If a replication fails.

    Examples
    --------
    >>> import simline
    >>> outcome = simline.compare(
    ...     ["configs/reshoring/nl-robot-am.yaml", "configs/reshoring/cn-manual-sea.yaml"],
    ...     replications=3,
    ...     length="2d",
    ... )
    >>> outcome.costed, outcome.currency
    (True, 'EUR')
    >>> print(outcome.verdict)  # doctest: +SKIP
    Winner on TCO: ...
    """
    from simline.plan import compile_plan

    files = _compare_paths(paths)
    _check_jobs(jobs)
    loaded = [load(p) for p in files]
    costed = check_sites(files, loaded)
    rate_texts = _rate_texts(rates)
    if not costed:
        _refuse_cost_options(rate_texts, sensitivity, cost_options)
    _check_names(loaded)
    currency, factors = _exchange(loaded, rate_texts) if costed else ("", [1.0] * len(loaded))
    common_seed = loaded[0].run.seed if seed is None else seed
    common_reps = loaded[0].run.replications if replications is None else replications
    scenarios = [
        _overridden(s, replications=common_reps, seed=common_seed, length=length, warmup=warmup)
        for s in loaded
    ]
    plans = [compile_plan(s) for s in scenarios]
    if on_compiled is not None:
        on_compiled(plans)
    backend_name = common_backend(backend, plans)
    sizes = _sizes(replications=replications, length=length, warmup=warmup)
    for path, plan in zip(files, plans, strict=True):
        _check_budget(path, plan, backend_name, jobs, force, sizes)
    before = [_load_notices(plan) for plan in plans]
    if before_simulate is not None:
        before_simulate(backend_name, plans)
    all_results = [_replicate(plan, backend_name, jobs, progress) for plan in plans]
    head: dict[str, Any] = {
        "simline_version": __version__,
        "compared_on": "tco" if costed else "throughput_per_hour",
        "seed": common_seed,
        "replications": common_reps,
    }
    parts = _Parts(files, scenarios, plans, all_results, backend_name, before)
    if costed:
        return _cost_outcome(parts, head, currency, factors, sensitivity)
    return _line_outcome(parts, head)


@dataclass(frozen=True)
class _Parts:
    """What every comparison has, whatever it is compared on."""

    paths: list[Path]
    scenarios: list[ScenarioConfig]
    plans: list[Plan]
    results: list[list[RunResult]]
    backend: str
    before: list[list[Notice]]


def _cost_outcome(
    parts: _Parts,
    head: dict[str, Any],
    currency: str,
    factors: list[float],
    sensitivity: bool,
) -> CompareOutcome:
    from simline.report.compare import cost_comparison

    obj, costs, rows, futures = cost_comparison(
        head,
        parts.scenarios,
        parts.plans,
        parts.results,
        factors,
        currency,
        parts.backend,
        sensitivity,
        __version__,
    )
    cost_warnings = [list(s["cost"].get("warnings", [])) for s in obj["scenarios"]]
    return _compare_outcome(
        parts,
        obj,
        cost_warnings,
        costed=True,
        currency=currency,
        costs=tuple(costs),
        sensitivity=None if rows is None else tuple(rows),
        futures=futures,
    )


def _line_outcome(parts: _Parts, head: dict[str, Any]) -> CompareOutcome:
    from simline.report.compare import line_comparison

    obj = line_comparison(head, parts.plans, parts.results, parts.backend, __version__)
    no_cost: list[list[str]] = [[] for _ in parts.plans]
    return _compare_outcome(
        parts, obj, no_cost, costed=False, currency="", costs=None, sensitivity=None, futures=None
    )


def _compare_outcome(
    parts: _Parts, obj: dict[str, Any], cost_warnings: list[list[str]], **kwargs: Any
) -> CompareOutcome:
    """Return the outcome, with every scenario's notices in ``obj["warnings"]`` and on it."""
    owned = [
        (path, plan.name, notice)
        for path, plan, results, before, cost in zip(
            parts.paths, parts.plans, parts.results, parts.before, cost_warnings, strict=True
        )
        for notice in _notices(before, plan, results, cost)
    ]
    obj["warnings"] = [notice.to_json(name) for _, name, notice in owned]
    notices = [(path, notice) for path, _, notice in owned]
    return CompareOutcome(
        paths=tuple(parts.paths),
        scenarios=tuple(parts.scenarios),
        plans=tuple(parts.plans),
        results=tuple(tuple(r) for r in parts.results),
        backend=parts.backend,
        warnings=tuple((path, n.message) for path, n in notices),
        _data=obj,
        notices=tuple(notices),
        **kwargs,
    )


def _compare_paths(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files = [Path(p) for p in paths]
    if len(files) < 2:
        raise ConfigError(
            f"compare needs two scenario files or more (got {len(files)})", path="paths"
        )
    return files


def check_sites(paths: Sequence[Path], scenarios: Sequence[ScenarioConfig]) -> bool:
    """Return whether the scenarios are compared on cost (all have a site) or not (none has).

    Raises
    ------
    ConfigError
        If some have a site and some do not: the first without one is named.
    """
    sited = [s.site is not None for s in scenarios]
    if all(sited) or not any(sited):
        return all(sited)
    missing = sited.index(False)
    with_site = scenarios[sited.index(True)].name
    raise ConfigError(
        f"scenario {scenarios[missing].name!r} has no 'site' but {with_site!r} has one: "
        "give every scenario a site to compare them on cost, or none to compare the lines "
        "alone",
        file=str(paths[missing]),
        path="site",
    )


def _refuse_cost_options(rates: Sequence[str], sensitivity: bool, others: Sequence[str]) -> None:
    """Refuse options about cost when no scenario has a site (the first given is named)."""
    given = [("--rate", bool(rates)), ("--sensitivity", sensitivity)]
    given += [(option, True) for option in others]
    for option, present in given:
        if present:
            raise ConfigError(
                "is about cost and needs a 'site' in every scenario (none has one)",
                path=option,
            )


def _check_names(scenarios: Sequence[ScenarioConfig]) -> None:
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ConfigError(f"scenario names must differ to be compared (got {', '.join(names)})")


def _rate_texts(rates: Mapping[str, float] | Sequence[str]) -> list[str]:
    """Exchange rates as the command line writes them, ``CUR=X``, whichever form was given."""
    if isinstance(rates, str):
        return [rates]
    if isinstance(rates, Mapping):
        return [f"{code}={value}" for code, value in rates.items()]
    return [str(text) for text in rates]


def _exchange(scenarios: Sequence[ScenarioConfig], rates: Sequence[str]) -> tuple[str, list[float]]:
    """Return the reporting currency and each scenario's exchange rate into it."""
    from simline.cost import exchange_rates, parse_rates

    return exchange_rates(scenarios, parse_rates(rates))


def common_backend(name: str, plans: Sequence[Plan]) -> str:
    """Return the one engine for all of a comparison's plans.

    The two engines draw different numbers and common random numbers need the same ones,
    so all run on one: ``auto`` picks the fast engine only if every plan allows it.

    Raises
    ------
    ConfigError
        If the name is unknown, or an engine named explicitly cannot run one of the plans.
    """
    from simline.experiment.replicate import resolve_backend

    engines = {resolve_backend(name, plan)[0] for plan in plans}
    return engines.pop() if len(engines) == 1 else "des"


# --- shared steps --------------------------------------------------------------------------


def load(path: str | os.PathLike[str]) -> ScenarioConfig:
    """Load a scenario file; a file that cannot be read is bad input too.

    Raises
    ------
    ConfigError
        If the file is missing, not a regular file, unreadable or not a valid scenario.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ConfigError("no such file", file=str(path)) from None
    except OSError as err:
        raise ConfigError(f"cannot read: {err.strerror or err}", file=str(path)) from None
    if not stat.S_ISREG(st.st_mode):
        from simline.report.output import describe_mode

        raise ConfigError(f"cannot read: it is {describe_mode(st.st_mode)}", file=str(path))
    from simline.config import load_scenario

    try:
        return load_scenario(path)
    except OSError as err:
        raise ConfigError(f"cannot read: {err.strerror or err}", file=str(path)) from err


def _check_jobs(jobs: int | None) -> None:
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ConfigError(f"expected a whole number >= 1 (got {jobs!r})", path="--jobs")


def _sizes(
    *, replications: int | None, length: Duration | None, warmup: Duration | None
) -> dict[str, object]:
    """Return the run's sizes given by the caller, named as the command line's options."""
    return {"--length": length, "--warmup": warmup, "-r/--replications": replications}


def _overridden(
    scenario: ScenarioConfig,
    *,
    replications: int | None,
    seed: int | None,
    length: Duration | None,
    warmup: Duration | None,
) -> ScenarioConfig:
    """Apply the run-size overrides; a bad duration is echoed as the caller gave it."""
    from simline.config import apply_overrides

    try:
        return apply_overrides(
            scenario,
            replications=replications,
            seed=seed,
            length=_duration(length),
            warmup=_duration(warmup),
        )
    except ConfigError as err:
        typed = {"--length": length, "--warmup": warmup}.get(err.path or "")
        if typed is None:
            raise
        message = re.sub(r"\(got [^()]*\)$", f"(got {typed!r})", err.message)
        raise ConfigError(message, path=err.path) from None


def _duration(value: Duration | None) -> str | float | None:
    """Pass a duration on as the config expects it: a bare number as a float."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) else str(value)
    text = str(value)
    try:
        number = float(text)
    except ValueError:
        return text.strip()
    return number if math.isfinite(number) else text


def _check_budget(
    path: Path,
    plan: Plan,
    backend_name: str,
    jobs: int | None,
    force: bool,
    given: Mapping[str, object],
) -> None:
    """Refuse a run that cannot run correctly, or (without ``force``) would take too long.

    ``given`` maps the options that set the run's size (``--length``, ``--warmup``,
    ``-r/--replications``) to their values: when one was given, the message names it rather
    than a line of the file that the option overrode.
    """
    from simline.engine.budget import check_budget
    from simline.experiment.replicate import available_cores

    cores = available_cores()
    workers = min(cores if jobs is None else jobs, cores, plan.replications)
    try:
        check_budget(plan, backend_name, workers=workers, force=force, file=str(path))
    except ConfigError as err:
        horizon_only = "estimated at" not in err.message
        options = [
            option
            for option, value in given.items()
            if value is not None and not (horizon_only and "replications" in option)
        ]
        if options and err.path == "run.length":
            raise ConfigError(err.message, file=err.file, path=" and ".join(options)) from None
        if err.line is None and err.path:  # the plan has no lines: find the key's
            from simline.config.loader import line_of, read_yaml

            with contextlib.suppress(SimlineError):
                err.line = line_of(tuple(err.path.split(".")), read_yaml(path)[1])
        raise ConfigError(err.message, file=err.file, path=err.path, line=err.line) from None


def _replicate(
    plan: Plan,
    backend: str,
    jobs: int | None,
    progress: Progress | None,
    *,
    trace: bool = False,
    bins: int = 0,
) -> list[RunResult]:
    """Run every replication of one plan, reporting progress under the plan's name."""
    from simline.experiment.replicate import run_replications

    report = None if progress is None else functools.partial(progress, plan.name)
    return run_replications(
        plan, backend=backend, jobs=jobs, trace=trace, progress=report, bins=bins
    )

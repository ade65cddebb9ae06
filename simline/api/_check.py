"""``simline.api.check``: a KPI gate for CI, a candidate scenario against a baseline.

Both scenarios run with common random numbers (one seed, one number of replications, one
engine), so replication ``i`` of each saw the same random numbers and their difference is
measured pair by pair. A gate ``FIGURE OP TOLERANCE`` fails only when the difference is
*significantly* beyond the tolerance: for ``<`` when the upper one-sided 95 % confidence
bound of ``candidate - baseline`` lies below the tolerance, for ``>`` when the lower bound
lies above it. Noise alone therefore fails a gate at most 5 % of the time when the true
difference sits exactly on the tolerance, and less the further it is on the good side.

A relative tolerance (``-1%``) is judged on the relative change of the means,
``mean(candidate) / mean(baseline) - 1``, with a delta-method (ratio estimator) interval:
its standard error is that of the paired values ``(c_i - R b_i) / mean(b)`` with
``R = mean(c) / mean(b)``, which takes the baseline's own noise into account (dividing the
paired difference's interval by the baseline mean would treat that mean as exact).

A baseline can be stored (:func:`simulate_baseline`, ``simline check --save-baseline``):
every figure of each replication, with the seed, replications, engine, run-size overrides and
simline version it was made with. Checking against it (``baseline_json=``) simulates only the
candidate, under exactly those settings, and refuses settings that would break the pairing.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

from simline import __version__
from simline.api._scenarios import (
    BeforeSimulate,
    Duration,
    Progress,
    _check_budget,
    _check_jobs,
    _duration,
    _overridden,
    _replicate,
    _sizes,
    common_backend,
    load,
)
from simline.errors import MAX_MESSAGE, ConfigError

if TYPE_CHECKING:
    from simline.config import ScenarioConfig
    from simline.plan import Plan

__all__ = [
    "BASELINE_FORMAT",
    "CheckOutcome",
    "Gate",
    "GateResult",
    "StoredBaseline",
    "check",
    "load_baseline",
    "parse_gate",
    "simulate_baseline",
]

#: The ``format`` key of a stored baseline file; raised when its layout changes.
BASELINE_FORMAT = "simline-check-baseline/1"

#: The one-sided confidence level of a gate's bound.
GATE_LEVEL = 0.95

_GATE = re.compile(
    r"^\s*(?P<figure>[A-Za-z_][\w.\-]*)\s*(?P<op>[<>])\s*"
    r"(?P<tol>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<pct>%?)\s*$"
)


# --- gates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """One ``--fail-if`` expression: ``FIGURE OP TOLERANCE``.

    Attributes
    ----------
    figure
        A dotted figure name of ``simline run``'s JSON (``throughput_per_hour``,
        ``stations.mill.utilization``, ``cost.tco``).
    op
        ``"<"``: fail when the candidate is significantly lower than the baseline by more than
        the tolerance; ``">"``: significantly higher by more.
    tolerance
        The signed tolerance on ``candidate - baseline``: in the figure's unit, or as a
        fraction of the baseline's mean when ``relative`` (``-1%`` is ``-0.01``).
    relative
        Whether the tolerance was given in percent.
    text
        The expression as given.
    """

    figure: str
    op: str
    tolerance: float
    relative: bool
    text: str

    def __str__(self) -> str:
        if self.relative:
            return f"{self.figure} {self.op} {_signed(self.tolerance * 100)}%"
        return f"{self.figure} {self.op} {_signed(self.tolerance)}"


def parse_gate(text: str) -> Gate:
    """Parse ``"throughput_per_hour < -1%"`` or ``"cost.tco > +0.5"`` into a :class:`Gate`.

    Raises
    ------
    ConfigError
        If the text is not ``FIGURE < TOLERANCE`` or ``FIGURE > TOLERANCE``.
    """
    match = _GATE.match(str(text))
    if match is None:
        raise ConfigError(
            "expected FIGURE < TOLERANCE or FIGURE > TOLERANCE, a tolerance a signed number "
            f"with an optional % ('throughput_per_hour < -1%', 'cost.tco > +0.5') (got {text!r})",
            path="--fail-if",
        )
    value = float(match["tol"])
    relative = bool(match["pct"])
    return Gate(
        figure=match["figure"],
        op=match["op"],
        tolerance=value / 100.0 if relative else value,
        relative=relative,
        text=str(text),
    )


def _signed(value: float) -> str:
    return f"{value:+g}"


@dataclass(frozen=True)
class GateResult:
    """A gate's verdict with the numbers behind it.

    Attributes
    ----------
    gate
        The gate.
    passed
        ``False`` when the candidate is significantly worse than the baseline beyond the
        tolerance, or when the change cannot be estimated (``reason`` says why).
    baseline, candidate
        The figure's means over the replications that defined it in both.
    change
        ``candidate - baseline``, relative to the baseline's mean for a relative gate.
    ci95
        The two-sided 95 % interval of ``change``.
    bound
        The one-sided 95 % bound the verdict is taken on: the upper one for ``<``, the lower
        one for ``>``.
    n
        The pairs of replications that defined the figure.
    reason
        Why the change could not be estimated, else ``""``.
    """

    gate: Gate
    passed: bool
    baseline: float
    candidate: float
    change: float
    ci95: tuple[float, float]
    bound: float
    n: int
    reason: str = ""

    def line(self) -> str:
        """One line: ``PASS throughput_per_hour < -1%: change -0.3 % [95 % bound -0.8 %]``."""
        verdict = "PASS" if self.passed else "FAIL"
        head = f"{verdict} {self.gate}: "
        if self.reason:
            return head + self.reason
        if self.gate.relative:
            change, bound = _pct(self.change), _pct(self.bound)
        else:
            change, bound = _num(self.change), _num(self.bound)
        side = "upper" if self.gate.op == "<" else "lower"
        return (
            f"{head}change {change} [95 % {side} bound {bound}] "
            f"(baseline {_num(self.baseline, signed=False)}, "
            f"candidate {_num(self.candidate, signed=False)}, n={self.n})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the gate as ``simline check --format json`` has it (``None`` for undefined)."""
        return {
            "gate": str(self.gate),
            "figure": self.gate.figure,
            "op": self.gate.op,
            "tolerance": self.gate.tolerance,
            "relative": self.gate.relative,
            "baseline": _finite(self.baseline),
            "candidate": _finite(self.candidate),
            "change": _finite(self.change),
            "ci95": [_finite(self.ci95[0]), _finite(self.ci95[1])],
            "bound": _finite(self.bound),
            "n": self.n,
            "verdict": "pass" if self.passed else "fail",
            "reason": self.reason or None,
        }


def _pct(value: float) -> str:
    return f"{value * 100:+.2f} %" if math.isfinite(value) else "undefined"


def _num(value: float, *, signed: bool = True) -> str:
    if not math.isfinite(value):
        return "undefined"
    return f"{value:+.4g}" if signed else f"{value:.4g}"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _undefined(
    gate: Gate, n: int, reason: str, base: float = math.nan, cand: float = math.nan
) -> GateResult:
    """Return the failed result of a gate whose change cannot be estimated, saying why."""
    nan = math.nan
    return GateResult(gate, False, base, cand, nan, (nan, nan), nan, n, reason=reason)


def _judge(gate: Gate, base: Sequence[float], cand: Sequence[float]) -> GateResult:
    """Judge one gate on paired per-replication values (``nan`` pairs dropped)."""
    pairs = [
        (b, c) for b, c in zip(base, cand, strict=True) if not (math.isnan(b) or math.isnan(c))
    ]
    n = len(pairs)
    if n < 2:
        return _undefined(gate, n, f"defined in {n} paired replications, a gate needs 2 or more")
    b_mean = math.fsum(b for b, _ in pairs) / n
    c_mean = math.fsum(c for _, c in pairs) / n
    if gate.relative:
        if b_mean == 0.0:
            why = "the baseline's mean is 0: give the tolerance in the figure's unit"
            return _undefined(gate, n, why, b_mean, c_mean)
        ratio = c_mean / b_mean
        values = [(c - ratio * b) / b_mean for b, c in pairs]
        change = ratio - 1.0
    else:
        values = [c - b for b, c in pairs]
        change = c_mean - b_mean
    mean = math.fsum(values) / n
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    se = math.sqrt(var / n)
    from scipy.special import stdtrit  # what scipy.stats.t.ppf evaluates, a lighter import

    one = float(stdtrit(n - 1, GATE_LEVEL)) * se
    two = float(stdtrit(n - 1, 0.975)) * se
    bound = change + one if gate.op == "<" else change - one
    failed = bound < gate.tolerance if gate.op == "<" else bound > gate.tolerance
    return GateResult(
        gate, not failed, b_mean, c_mean, change, (change - two, change + two), bound, n
    )


# --- a stored baseline ---------------------------------------------------------------------


@dataclass(frozen=True)
class StoredBaseline:
    """Every figure of every replication of a baseline, with what made them.

    Attributes
    ----------
    scenario
        The baseline scenario's name.
    file
        The file it was read from, as given.
    config_sha256
        A hash of the scenario as it ran (overrides applied): which baseline this was.
    backend
        The engine: ``"des"`` or ``"fast"``.
    seed, replications
        The common random numbers' seed and replications.
    length, warmup
        The ``--length``/``--warmup`` overrides it ran with (``None`` where not given).
    simline_version
        The version that simulated it.
    figures
        Dotted figure name -> one value per replication (``nan`` where undefined).
    """

    scenario: str
    file: str
    config_sha256: str
    backend: str
    seed: int
    replications: int
    length: str | float | None
    warmup: str | float | None
    simline_version: str
    figures: Mapping[str, tuple[float, ...]] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the file's JSON object (``nan`` as ``null``)."""
        return {
            "format": BASELINE_FORMAT,
            "simline_version": self.simline_version,
            "scenario": self.scenario,
            "file": self.file,
            "config_sha256": self.config_sha256,
            "backend": self.backend,
            "seed": self.seed,
            "replications": self.replications,
            "length": self.length,
            "warmup": self.warmup,
            "figures": {
                name: [_finite(v) for v in values] for name, values in self.figures.items()
            },
        }

    def to_json(self) -> str:
        """Return the file's text: :meth:`to_dict` as strict JSON with a final newline."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"


def load_baseline(path: str | os.PathLike[str]) -> StoredBaseline:
    """Read a baseline that :meth:`StoredBaseline.to_json` wrote.

    Raises
    ------
    ConfigError
        If the file cannot be read or is not a stored baseline of this format.
    """
    file = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("no such file", file=file, path="--baseline-json") from None
    except IsADirectoryError:
        raise ConfigError("cannot read: it is a directory", file=file) from None
    except OSError as err:
        raise ConfigError(f"cannot read: {err.strerror or err}", file=file) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ConfigError(
            f"expected a baseline that 'simline check --save-baseline' wrote (not JSON: {err})",
            file=file,
        ) from None
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        if not isinstance(data, dict):
            got = f"a JSON {type(data).__name__}"
        elif "format" not in data:
            got = "no 'format' key"
        else:
            got = f"format {data['format']!r}"
        raise ConfigError(
            "expected a baseline that 'simline check --save-baseline' wrote "
            f"(format {BASELINE_FORMAT!r}; got {got}); a 'simline run --format json' "
            "result has no per-replication values to pair with",
            file=file,
        )
    try:
        figures = {
            str(name): tuple(math.nan if v is None else float(v) for v in values)
            for name, values in data["figures"].items()
        }
        stored = StoredBaseline(
            scenario=str(data["scenario"]),
            file=str(data["file"]),
            config_sha256=str(data["config_sha256"]),
            backend=str(data["backend"]),
            seed=int(data["seed"]),
            replications=int(data["replications"]),
            length=data["length"],
            warmup=data["warmup"],
            simline_version=str(data["simline_version"]),
            figures=figures,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ConfigError(
            f"a damaged stored baseline ({type(err).__name__}: {err})", file=file
        ) from None
    if any(len(v) != stored.replications for v in figures.values()):
        raise ConfigError(
            f"a damaged stored baseline: every figure needs {stored.replications} values",
            file=file,
        )
    return stored


def _config_hash(scenario: ScenarioConfig) -> str:
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rows(scenario: ScenarioConfig, plan: Plan, results: Sequence[Any]) -> dict[str, list[float]]:
    from simline.experiment.figures import figure_names, replication_row

    names = figure_names(scenario, plan)
    out: dict[str, list[float]] = {name: [] for name in names}
    for result in results:
        row = replication_row(scenario, plan, result)
        for name in names:
            out[name].append(float(row.get(name, math.nan)))
    return out


def _prepare(
    path: str | os.PathLike[str],
    *,
    replications: int | None,
    seed: int | None,
    length: Duration | None,
    warmup: Duration | None,
) -> tuple[Path, ScenarioConfig, Plan]:
    from simline.plan import compile_plan

    file = Path(path)
    scenario = _overridden(
        load(file), replications=replications, seed=seed, length=length, warmup=warmup
    )
    return file, scenario, compile_plan(scenario)


def _store(
    file: Path,
    scenario: ScenarioConfig,
    plan: Plan,
    results: Sequence[Any],
    backend: str,
    length: Duration | None,
    warmup: Duration | None,
) -> StoredBaseline:
    return StoredBaseline(
        scenario=scenario.name,
        file=str(file),
        config_sha256=_config_hash(scenario),
        backend=backend,
        seed=plan.seed,
        replications=plan.replications,
        length=_duration(length),
        warmup=_duration(warmup),
        simline_version=__version__,
        figures={name: tuple(v) for name, v in _rows(scenario, plan, results).items()},
    )


def simulate_baseline(
    path: str | os.PathLike[str],
    *,
    replications: int | None = None,
    seed: int | None = None,
    length: Duration | None = None,
    warmup: Duration | None = None,
    backend: str = "auto",
    jobs: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
    before_simulate: BeforeSimulate | None = None,
) -> StoredBaseline:
    """Simulate a baseline and keep every figure of every replication, to check against later.

    Parameters are those of :func:`check`. Write the result with
    :meth:`StoredBaseline.to_json`; :func:`check` reads it back with ``baseline_json=``.

    Raises
    ------
    ConfigError
        On bad input, before anything is simulated.
    SimulationError
        If a replication fails.
    """
    _check_jobs(jobs)
    file, scenario, plan = _prepare(
        path, replications=replications, seed=seed, length=length, warmup=warmup
    )
    _check_replications(plan.replications)
    engine = common_backend(backend, [plan])
    _check_budget(
        file,
        plan,
        engine,
        jobs,
        force,
        _sizes(replications=replications, length=length, warmup=warmup),
    )
    if before_simulate is not None:
        before_simulate(engine, [plan])
    results = _replicate(plan, engine, jobs, progress)
    return _store(file, scenario, plan, results, engine, length, warmup)


def _check_replications(replications: int) -> None:
    if replications < 2:
        raise ConfigError(
            f"a gate needs 2 replications or more for its confidence bound (got {replications})",
            path="-r/--replications",
        )


# --- the outcome ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CheckOutcome:
    """A candidate checked against a baseline: each gate's verdict.

    Attributes
    ----------
    baseline, candidate
        The scenarios' names.
    baseline_file, candidate_file
        Their files (the stored baseline's JSON file when checked against one).
    backend
        The one engine both ran on.
    seed, replications
        The common random numbers.
    gates
        Each gate's result, in the order given.
    stored
        The baseline's per-replication figures (to save with ``--save-baseline``).
    """

    baseline: str
    candidate: str
    baseline_file: str
    candidate_file: str
    backend: str
    seed: int
    replications: int
    gates: tuple[GateResult, ...]
    stored: StoredBaseline = field(repr=False)

    @property
    def passed(self) -> bool:
        """Whether every gate passed."""
        return all(g.passed for g in self.gates)

    @property
    def failures(self) -> int:
        """How many gates failed."""
        return sum(not g.passed for g in self.gates)

    def lines(self) -> list[str]:
        """One line per gate (``PASS ...``/``FAIL ...``), as the table format prints them."""
        return [g.line() for g in self.gates]

    def to_dict(self) -> dict[str, Any]:
        """Return the object of ``simline check --format json``."""
        return {
            "simline_version": __version__,
            "baseline": {"scenario": self.baseline, "file": self.baseline_file},
            "candidate": {"scenario": self.candidate, "file": self.candidate_file},
            "backend": self.backend,
            "seed": self.seed,
            "replications": self.replications,
            "level": GATE_LEVEL,
            "passed": self.passed,
            "gates": [g.to_dict() for g in self.gates],
        }

    def junit_xml(self) -> str:
        """Return a JUnit XML report: testsuite ``simline check``, one testcase per gate.

        The layout CI systems read (GitHub Actions' test reporters, GitLab's
        ``artifacts:reports:junit``, Jenkins' JUnit plugin): ``<testsuites>`` holding one
        ``<testsuite name="simline check" tests= failures= errors="0" skipped="0">`` whose
        ``<testcase classname= name=>`` carry a ``<failure message= type=>`` when failed.
        """
        classname = f"simline.check.{self.candidate}"
        cases = []
        for result in self.gates:
            line = result.line()
            case = (
                f"    <testcase classname={quoteattr(classname)} name={quoteattr(str(result.gate))}"
            )
            body = f"      <system-out>{_text(line)}</system-out>\n"
            if result.passed:
                cases.append(f'{case} time="0">\n{body}    </testcase>\n')
            else:
                failure = (
                    f'      <failure message={quoteattr(line)} type="GateFailed">'
                    f"{_text(line)}</failure>\n"
                )
                cases.append(f'{case} time="0">\n{failure}{body}    </testcase>\n')
        tests, failures = len(self.gates), self.failures
        counts = f'tests="{tests}" failures="{failures}" errors="0" skipped="0"'
        props = "".join(
            f"      <property name={quoteattr(k)} value={quoteattr(str(v))}/>\n"
            for k, v in (
                ("baseline", self.baseline_file),
                ("candidate", self.candidate_file),
                ("backend", self.backend),
                ("seed", self.seed),
                ("replications", self.replications),
                ("simline_version", __version__),
            )
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="simline check" {counts} time="0">\n'
            f'  <testsuite name="simline check" {counts} time="0">\n'
            f"    <properties>\n{props}    </properties>\n"
            f"{''.join(cases)}"
            "  </testsuite>\n"
            "</testsuites>\n"
        )


def _text(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)


# --- check ---------------------------------------------------------------------------------


def check(
    baseline: str | os.PathLike[str] | None,
    candidate: str | os.PathLike[str],
    gates: Sequence[str | Gate],
    *,
    replications: int | None = None,
    seed: int | None = None,
    length: Duration | None = None,
    warmup: Duration | None = None,
    backend: str = "auto",
    jobs: int | None = None,
    baseline_json: str | os.PathLike[str] | StoredBaseline | None = None,
    force: bool = False,
    progress: Progress | None = None,
    before_simulate: BeforeSimulate | None = None,
) -> CheckOutcome:
    """Check a candidate scenario against a baseline, as ``simline check`` does.

    Both run with common random numbers: one seed and number of replications (the
    baseline's unless given), one engine. A gate fails when its one-sided 95 % paired bound
    of ``candidate - baseline`` lies beyond its tolerance (see the module's description).

    Parameters
    ----------
    baseline
        The baseline scenario file; ``None`` when ``baseline_json`` is given.
    candidate
        The candidate scenario file.
    gates
        ``"FIGURE < TOLERANCE"``/``"FIGURE > TOLERANCE"`` expressions or :class:`Gate` objects.
    replications, seed
        The common replications and seed (default: the baseline's).
    length, warmup
        Override ``run.length`` and ``run.warmup`` of both scenarios.
    backend
        ``"auto"``, ``"des"`` or ``"fast"``: one engine for both.
    jobs
        Parallel workers (``None``: one per core).
    baseline_json
        A stored baseline (:func:`simulate_baseline`, or the file it was written to):
        only the candidate is simulated, with the stored seed, replications, engine and
        overrides; other values given here are refused.
    force
        Run even when a run is estimated to take longer than the limit.
    progress
        Called as ``progress(scenario, done, total)`` while simulating.
    before_simulate
        Called with the engine's name and the plans once every check passed.

    Returns
    -------
    CheckOutcome
        Every gate's verdict; ``passed`` when all passed.

    Raises
    ------
    ConfigError
        On bad input before anything is simulated: a bad expression, a figure that one of
        the scenarios does not have, a stored baseline that does not match the run.
    SimulationError
        If a replication fails.

    Examples
    --------
    >>> import simline
    >>> outcome = simline.api.check(
    ...     "configs/robot-machining.yaml",
    ...     "configs/robot-machining.yaml",
    ...     ["throughput_per_hour < -1%"],
    ...     replications=3,
    ...     length="1d",
    ...     backend="des",
    ... )
    >>> outcome.passed
    True
    """
    parsed = [g if isinstance(g, Gate) else parse_gate(g) for g in gates]
    if not parsed:
        raise ConfigError("give one gate or more", path="--fail-if")
    _check_jobs(jobs)
    stored: StoredBaseline | None = None
    if baseline_json is not None:
        if baseline is not None:
            raise ConfigError(
                "give the baseline as a scenario file or as a stored baseline, not both",
                path="--baseline-json",
            )
        stored = (
            baseline_json
            if isinstance(baseline_json, StoredBaseline)
            else load_baseline(baseline_json)
        )
        where = stored.file if isinstance(baseline_json, StoredBaseline) else str(baseline_json)
        replications, seed, length, warmup, backend = _stored_settings(
            stored, where, replications, seed, length, warmup, backend
        )
    elif baseline is None:
        raise ConfigError("give a baseline scenario file or a stored baseline", path="baseline")
    sizes = _sizes(replications=replications, length=length, warmup=warmup)
    if stored is None:
        assert baseline is not None
        base_file, base_scn, base_plan = _prepare(
            baseline, replications=replications, seed=seed, length=length, warmup=warmup
        )
        replications = base_plan.replications
        seed = base_plan.seed
    cand_file, cand_scn, cand_plan = _prepare(
        candidate, replications=replications, seed=seed, length=length, warmup=warmup
    )
    _check_replications(cand_plan.replications)
    if stored is None:
        engine = common_backend(backend, [base_plan, cand_plan])
        base_names = _figure_list(base_scn, base_plan)
    else:
        engine = common_backend(backend, [cand_plan])
        base_names = list(stored.figures)
    _check_gate_figures(parsed, base_names, _figure_list(cand_scn, cand_plan))
    if stored is None:
        _check_budget(base_file, base_plan, engine, jobs, force, sizes)
    _check_budget(cand_file, cand_plan, engine, jobs, force, sizes)
    if before_simulate is not None:
        before_simulate(engine, [base_plan, cand_plan] if stored is None else [cand_plan])
    if stored is None:
        base_results = _replicate(base_plan, engine, jobs, progress)
        stored = _store(base_file, base_scn, base_plan, base_results, engine, length, warmup)
        baseline_file = str(base_file)
    else:
        baseline_file = str(
            baseline_json if not isinstance(baseline_json, StoredBaseline) else stored.file
        )
    cand_results = _replicate(cand_plan, engine, jobs, progress)
    cand_rows = _rows(cand_scn, cand_plan, cand_results)
    results = tuple(_judge(g, stored.figures[g.figure], cand_rows[g.figure]) for g in parsed)
    return CheckOutcome(
        baseline=stored.scenario,
        candidate=cand_scn.name,
        baseline_file=baseline_file,
        candidate_file=str(cand_file),
        backend=engine,
        seed=cand_plan.seed,
        replications=cand_plan.replications,
        gates=results,
        stored=stored,
    )


def _stored_settings(
    stored: StoredBaseline,
    where: str,
    replications: int | None,
    seed: int | None,
    length: Duration | None,
    warmup: Duration | None,
    backend: str,
) -> tuple[int, int, Duration | None, Duration | None, str]:
    """Return the run settings a stored baseline fixes; refuse a given one that differs."""
    if stored.simline_version != __version__:
        raise ConfigError(
            f"the stored baseline was simulated by simline {stored.simline_version} and this "
            f"is {__version__}: its random numbers may differ, so nothing pairs; save the "
            "baseline again with this version",
            file=where,
        )
    given: list[tuple[str, object, object]] = [
        ("-r/--replications", replications, stored.replications),
        ("--seed", seed, stored.seed),
        ("--length", _duration(length), stored.length),
        ("--warmup", _duration(warmup), stored.warmup),
        ("--backend", None if backend == "auto" else backend, stored.backend),
    ]
    for option, value, kept in given:
        if value is not None and value != kept:
            raise ConfigError(
                f"the stored baseline was simulated with {option} {_given(kept)}"
                f" and this check has {value}: common random numbers need the same; "
                f"leave {option} out (the stored one is used) or save the baseline again",
                file=where,
                path=option,
            )
    return stored.replications, stored.seed, stored.length, stored.warmup, stored.backend


def _given(value: object) -> str:
    return "(not given)" if value is None else str(value)


def _figure_list(scenario: ScenarioConfig, plan: Plan) -> list[str]:
    from simline.experiment.figures import figure_names

    return figure_names(scenario, plan)


def _check_gate_figures(gates: Sequence[Gate], base: list[str], cand: list[str]) -> None:
    known = set(base) & set(cand)
    names = [n for n in base if n in known]
    for gate in gates:
        if gate.figure in known:
            continue
        if gate.figure in base or gate.figure in cand:
            side = "candidate" if gate.figure in base else "baseline"
            message = f"figure {gate.figure!r} is not defined for the {side}"
            if gate.figure.startswith("cost."):
                message += " (cost figures need a site in both)"
            raise ConfigError(message, path="--fail-if")
        if gate.figure.startswith("cost.") and not any(n.startswith("cost.") for n in names):
            raise ConfigError(
                f"figure {gate.figure!r} is a cost figure, which needs a site in both "
                "scenarios, and they have none",
                path="--fail-if",
            )
        raise ConfigError(_unknown_figure(gate.figure, names), path="--fail-if")


def _unknown_figure(figure: str, names: list[str]) -> str:
    close = difflib.get_close_matches(figure, names, n=1)
    head = f"unknown figure {figure!r}"
    if close:
        head += f" (did you mean {close[0]!r}?)"
    head += "; figures are "
    first = [n for n in names if "." not in n or (n.count(".") == 1 and n.startswith("cost."))]
    ordered = first + [n for n in names if n not in first]
    room = MAX_MESSAGE - len("--fail-if: ") - len(head)
    for count in range(len(ordered), 0, -1):
        rest = len(ordered) - count
        example = next((n for n in ordered[count:] if n.count(".") > 1), None)
        tail = f" and {rest} more" + (f", such as {example}" if example else "") if rest else ""
        text = ", ".join(ordered[:count]) + tail
        if len(text) <= room:
            return head + text
    return head + f"{ordered[0]} and {len(ordered) - 1} more"

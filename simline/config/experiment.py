"""Experiment files: what to vary in which base scenarios, and what to measure.

The contract is ``spec/experiment.md``. An experiment file is YAML like a scenario file and
is read with the same discipline: every model is strict (unknown keys are errors), and every
problem is a one-line :class:`~simline.errors.ConfigError` naming the file, the YAML line, the
path inside the file and what was expected. Typical use::

    exp = load_experiment("experiments/mill-buffers.yaml")
    exp.config.factors      # {"stations.mill.buffer": [5, 10, 20], ...}
    exp.bases[0].config     # the first base scenario, validated

What the factors do to the base scenarios (paths that exist, values that keep a valid
scenario) is checked when the design is expanded (:func:`simline.experiment.design.expand`),
before anything runs.
"""

from __future__ import annotations

import copy
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from simline.config._base import (
    Name,
    Number,
    Positive,
    StrictModel,
    Whole,
    fail,
    got,
    name_list,
)
from simline.config._errors import to_config_error
from simline.config._files import file_problem, read_text
from simline.config.loader import Lines, parse_yaml, read_yaml
from simline.config.models import REPLICATIONS_MAX, ScenarioConfig, _scenario_name, _version
from simline.config.parse import load_scenario
from simline.errors import ConfigError

__all__ = [
    "LHS_MAX",
    "BaseScenario",
    "Constraint",
    "ExperimentConfig",
    "Lhs",
    "LoadedExperiment",
    "Objective",
    "OneAtATime",
    "Optimize",
    "Precision",
    "Range",
    "RunOverrides",
    "Select",
    "is_experiment_data",
    "load_base",
    "load_experiment",
    "parse_constraint",
]

#: Most points of a Latin hypercube design (each is a run).
LHS_MAX = 100_000

_PATH_RE = re.compile(r"^[^.\s\[\]]+(?:\.[^.\s\[\]]+)*$")


class Range(StrictModel):
    """A factor or variable over an interval, for designs that sample (``lhs``, ``optimize``)."""

    low: Number
    """Lowest value."""
    high: Number
    """Highest value (>= low)."""
    integer: bool = False
    """Whole values only, each from low to high equally likely (low and high whole)."""

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.integer:
            for key in ("low", "high"):
                value = getattr(self, key)
                if not float(value).is_integer():
                    fail(
                        f"with 'integer: true', {key!r} must be a whole number (got {got(value)})",
                        key,
                    )
        if self.low > self.high:
            fail(f"'low' must be <= 'high' (got low {got(self.low)} and high {got(self.high)})",
                 "high")  # fmt: skip
        return self

    def levels(self) -> int | None:
        """How many whole values an integer range holds (``None`` for a continuous one)."""
        if not self.integer:
            return None
        return int(self.high) - int(self.low) + 1


class Objective(StrictModel):
    """What the best run is: the figure and whether less or more is better."""

    figure: str
    """A figure of ``simline run``'s JSON, e.g. ``cost.tco`` or ``throughput_per_hour``."""
    goal: Literal["min", "max"] = "min"
    """``min`` or ``max``."""


class Precision(StrictModel):
    """Replications are added until every run's 95 % CI half-width of a figure is small enough."""

    figure: str
    """The figure whose confidence interval is to be narrow."""
    relative: Positive | None = None
    """Half-width as a share of the mean, e.g. 0.01."""
    absolute: Positive | None = None
    """Half-width in the figure's unit."""
    min: Annotated[Whole, Field(ge=2, le=REPLICATIONS_MAX)] = 5
    """Replications of the first round (at least 2)."""
    max: Annotated[Whole, Field(ge=2, le=REPLICATIONS_MAX)] = 200
    """Most replications of a run (at most 100,000)."""

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.relative is None) == (self.absolute is None):
            fail("give exactly one of 'relative' and 'absolute' (the target half-width)")
        if self.min > self.max:
            fail(f"'min' must be <= 'max' = {self.max} (got {self.min})", "min")
        return self


class Select(StrictModel):
    """Ranking and selection of the best run (Kim and Nelson's fully sequential KN)."""

    indifference: Positive
    """Differences smaller than this (in the objective's unit) do not matter."""
    confidence: Annotated[Number, Field(gt=0, lt=1)] = 0.95
    """Probability that the selected run is within ``indifference`` of the best."""
    first_stage: Annotated[Whole, Field(ge=2, le=REPLICATIONS_MAX)] = 10
    """Replications of every run before any is eliminated (at least 2)."""
    max: Annotated[Whole, Field(ge=2, le=REPLICATIONS_MAX)] = 1000
    """Most replications of a run."""

    @model_validator(mode="after")
    def _stages(self) -> Self:
        if self.max < self.first_stage:
            fail(f"'max' must be >= first_stage = {self.first_stage} (got {self.max})", "max")
        return self


class Lhs(StrictModel):
    """A Latin hypercube design of ``lhs`` points."""

    lhs: Annotated[Whole, Field(ge=1, le=LHS_MAX)]
    """Points (runs per base scenario)."""
    seed: Annotated[Whole, Field(ge=0)] = 0
    """Seed of the design (not of the simulation)."""


def _must_be_true(value: Any) -> Any:
    if value is not True:
        fail(f"'one_at_a_time' must be true (got {got(value)})")
    return value


class OneAtATime(StrictModel):
    """Each factor through its values with the others at their first value."""

    one_at_a_time: Annotated[
        Literal[True], PlainValidator(_must_be_true), WithJsonSchema({"const": True})
    ]
    """Must be true."""


_VARIABLE_EXPECTED = (
    "expected a range {low: L, high: H, integer: true} or an expression over the other "
    "variables such as '12 - stations.a.buffer'"
)


def _variable_check(value: Any) -> Any:
    if isinstance(value, str | dict | Range):
        return value
    fail(f"{_VARIABLE_EXPECTED} (got {got(value)})")


def _variable_tag(value: Any) -> str:
    return "<expression>" if isinstance(value, str) else "<range>"


#: A variable of a search: a range, or derived from the others (a fixed total).
Variable = Annotated[
    Annotated[str, Tag("<expression>")] | Annotated[Range, Tag("<range>")],
    Discriminator(_variable_tag),
    BeforeValidator(_variable_check),
]


class Optimize(StrictModel):
    """A search (Optuna) over variables too many to enumerate."""

    variables: Annotated[dict[str, Variable], Field(min_length=1)]
    """Factor paths, each over a range, or derived from the others by an arithmetic
    expression over their paths (``"12 - stations.s2.buffer"``: a fixed total)."""
    budget: Annotated[Whole, Field(ge=1, le=LHS_MAX)]
    """Runs at most."""
    method: Literal["tpe", "cmaes", "random", "grid"] = "tpe"
    """Optuna's sampler."""
    seed: Annotated[Whole, Field(ge=0)] = 0
    """Seed of the sampler."""
    top: Annotated[Whole, Field(ge=1)] = 5
    """Best candidates compared with ``select`` at the end."""

    @field_validator("variables")
    @classmethod
    def _paths(cls, variables: dict[str, Range | str]) -> dict[str, Range | str]:
        _check_paths(list(variables))
        return variables


def _duration_like(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(f"expected a duration such as 2w or 8h, or a number (got {got(value)})")
    return value


#: A duration as the scenario takes it; checked in the base scenario's time unit when applied.
DurationLike = Annotated[
    int | float | str | None,
    PlainValidator(_duration_like),
    WithJsonSchema({"type": ["number", "string"]}),
]


class RunOverrides(StrictModel):
    """Run settings for every run of the experiment (each ``None``: the scenario's own)."""

    replications: Annotated[Whole, Field(ge=1, le=REPLICATIONS_MAX)] | None = None
    """Replications of every run."""
    seed: Annotated[Whole, Field(ge=0)] | None = None
    """The seed every run shares (common random numbers)."""
    length: DurationLike = None
    """Measured period."""
    warmup: DurationLike = None
    """Warm-up before the measured period."""


_FACTOR_EXPECTED = "expected a list of values, or a range {low: L, high: H}"


def _factor_check(value: Any) -> Any:
    if isinstance(value, list):
        if not value:
            fail(f"{_FACTOR_EXPECTED} (got an empty list)")
        for i, item in enumerate(value):
            for j in range(i):
                if value[j] == item and type(value[j]) is type(item):
                    fail(f"value {got(item)} is listed twice (items {j} and {i})", i)
        return value
    if isinstance(value, dict | Range):
        return value
    fail(f"{_FACTOR_EXPECTED} (got {got(value)})")


def _factor_tag(value: Any) -> str:
    return "<values>" if isinstance(value, list) else "<range>"


#: A factor: its values (each replaces the key), or a range for ``lhs``.
Factor = Annotated[
    Annotated[list[Any], Tag("<values>")] | Annotated[Range, Tag("<range>")],
    Discriminator(_factor_tag),
    BeforeValidator(_factor_check),
]

_DESIGN_EXPECTED = "expected 'full', {lhs: N, seed: S} or {one_at_a_time: true}"


def _design_check(value: Any) -> Any:
    if isinstance(value, str) and value != "full":
        fail(f"{_DESIGN_EXPECTED} (got {got(value)})")
    if isinstance(value, dict) and "lhs" not in value and "one_at_a_time" not in value:
        fail(f"{_DESIGN_EXPECTED} (got a mapping with keys {name_list(list(value))})")
    if not isinstance(value, str | dict | Lhs | OneAtATime):
        fail(f"{_DESIGN_EXPECTED} (got {got(value)})")
    return value


def _design_tag(value: Any) -> str:
    if isinstance(value, str):
        return "<full>"
    if isinstance(value, Lhs) or (isinstance(value, dict) and "lhs" in value):
        return "<lhs>"
    return "<one_at_a_time>"


#: How the factors' values combine into points.
Design = Annotated[
    Annotated[Literal["full"], Tag("<full>")]
    | Annotated[Lhs, Tag("<lhs>")]
    | Annotated[OneAtATime, Tag("<one_at_a_time>")],
    Discriminator(_design_tag),
    BeforeValidator(_design_check),
]


def _path_problem(paths: list[str]) -> tuple[str, str] | None:
    """Return the first factor path that is not a dotted path or lies inside another, and why."""
    for path in paths:
        if not _PATH_RE.match(path):
            return path, (
                f"expected a dotted path into the scenario such as stations.mill.buffer "
                f"(got {path!r})"
            )
    for path in paths:
        for other in paths:
            if other != path and path.startswith(other + "."):
                return path, f"{path!r} lies inside {other!r}; vary one of them"
    return None


def _check_paths(paths: list[str], *where: str) -> None:
    problem = _path_problem(paths)
    if problem is not None:
        fail(problem[1], *where, problem[0])


class ExperimentConfig(StrictModel):
    """The root of an experiment file (``spec/experiment.md``)."""

    simline: Annotated[Literal[1], PlainValidator(_version), WithJsonSchema({"const": 1})]
    """Format version; must be 1."""
    experiment: Annotated[str, PlainValidator(_scenario_name), WithJsonSchema({"type": "string"})]
    """The experiment's name (the store is ``runs/<name>``)."""
    description: str | None = None
    """Free text."""
    scenarios: Annotated[list[str], Field(min_length=1)]
    """Base scenario files, relative to the experiment file."""
    run: RunOverrides | None = None
    """Run settings for every run (before the command line's)."""
    factors: Annotated[dict[str, Factor], Field(min_length=1)] | None = None
    """Dotted paths into the scenario, each with its values (or a range for lhs)."""
    runs: Annotated[dict[Name, dict[str, Any]], Field(min_length=1)] | None = None
    """Points given by hand: label -> {path: value}; instead of factors."""
    design: Design = "full"
    """full, {lhs: N, seed: S} or {one_at_a_time: true}."""
    objective: Objective | None = None
    """What the best run is."""
    constraints: list[str] = Field(default_factory=list)
    """Conditions a best run must meet, e.g. ``throughput_per_hour >= 22``."""
    precision: Precision | None = None
    """Replications until a confidence interval is narrow enough."""
    select: Select | None = None
    """Ranking and selection of the best run."""
    optimize: Optimize | None = None
    """A search over variables, instead of factors or runs."""

    @field_validator("factors")
    @classmethod
    def _factor_paths(cls, factors: dict[str, Any] | None) -> dict[str, Any] | None:
        if factors is not None:
            _check_paths(list(factors))
        return factors

    @field_validator("runs")
    @classmethod
    def _run_paths(cls, runs: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]] | None:
        for label, point in (runs or {}).items():
            _check_paths(list(point), label)
        return runs

    @field_validator("constraints")
    @classmethod
    def _constraints(cls, constraints: list[str]) -> list[str]:
        for i, text in enumerate(constraints):
            problem = _constraint_problem(text)
            if problem is not None:
                fail(problem, i)
        return constraints

    @model_validator(mode="after")
    def _combinations(self) -> Self:
        factors = self.factors or {}
        design = self.design
        if self.factors is not None and self.runs is not None:
            fail("give either 'factors' or 'runs', not both", "runs")
        if self.runs is not None and design != "full":
            fail("'design' applies to 'factors'; 'runs' lists its points itself", "design")
        if isinstance(design, Lhs):
            if not factors:
                fail("design lhs needs 'factors', at least one a range {low: L, high: H}", "design")
            if not any(isinstance(v, Range) for v in factors.values()):
                fail(
                    "design lhs needs at least one factor given as a range {low: L, high: H} "
                    "(every factor is a list of values: use design full)",
                    "design",
                )
        else:
            for name, values in factors.items():
                if isinstance(values, Range):
                    what = "full" if design == "full" else "one_at_a_time"
                    fail(
                        f"a range {{low, high}} needs design {{lhs: N}}; with design {what} "
                        "give the factor a list of values",
                        "factors",
                        name,
                    )
        if isinstance(design, OneAtATime) and not factors:
            fail("design one_at_a_time needs 'factors'", "design")
        if design == "full" and factors:
            runs = math.prod(len(v) for v in factors.values() if isinstance(v, list))
            runs *= len(self.scenarios)
            if runs > LHS_MAX:
                fail(
                    f"the full factorial has {runs:,} runs, more than {LHS_MAX:,}: give fewer "
                    "values, or sample the space with design {lhs: N} or search it with "
                    "'optimize'",
                    "factors",
                )
        self._check_run_overlap()
        if self.select is not None and self.objective is None:
            fail("'select' needs an 'objective' (the figure to select on)", "select")
        if self.optimize is not None:
            if self.objective is None:
                fail("'optimize' needs an 'objective' (the figure to optimize)", "optimize")
            if self.factors is not None or self.runs is not None:
                fail(
                    "'optimize' searches over its own variables; leave out 'factors' and 'runs'",
                    "optimize",
                )
        if self.precision is not None and self.select is not None:
            fail(
                "give either 'precision' or 'select': the selection decides the replications",
                "select",
            )
        if self.precision is not None and self.optimize is not None:
            fail(
                "give either 'precision' or 'optimize': its candidates are compared with 'select'",
                "precision",
            )
        return self

    def _check_run_overlap(self) -> None:
        """Refuse a run setting varied by a factor and also fixed under ``run:`` (given twice)."""
        if self.run is None:
            return
        fixed = [k for k in type(self.run).model_fields if getattr(self.run, k) is not None]
        places: list[tuple[str, ...]] = [("factors", p) for p in self.factors or {}]
        places += [("runs", label, p) for label, point in (self.runs or {}).items() for p in point]
        places += [("optimize", "variables", p) for p in (self.optimize.variables if
                                                            self.optimize else {})]  # fmt: skip
        for place in places:
            path = place[-1]
            clash = [k for k in fixed if path in ("run", f"run.{k}")]
            if clash:
                fail(
                    f"'run.{clash[0]}' is varied here and also set under 'run:'; give it in "
                    "one place",
                    *place,
                )


@dataclass(frozen=True)
class Constraint:
    """A condition on a figure's mean, e.g. ``throughput_per_hour >= 22``.

    Parameters
    ----------
    figure
        The figure's dotted path.
    op
        The comparison.
    value
        The bound.
    text
        The constraint as written.
    """

    figure: str
    op: Literal[">=", "<=", ">", "<"]
    value: float
    text: str

    def holds(self, mean: float) -> bool:
        """Whether ``mean`` meets the constraint (an undefined mean, ``nan``, never does)."""
        if math.isnan(mean):
            return False
        if self.op == ">=":
            return mean >= self.value
        if self.op == "<=":
            return mean <= self.value
        if self.op == ">":
            return mean > self.value
        return mean < self.value


_CONSTRAINT_RE = re.compile(
    r"^\s*(?P<figure>[A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*(?P<op>>=|<=|>|<)\s*"
    r"(?P<value>[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?)\s*$"
)
_CONSTRAINT_EXPECTED = (
    "expected 'FIGURE OP NUMBER' with OP one of >=, <=, >, <, e.g. 'throughput_per_hour >= 22'"
)


def _constraint_problem(text: Any) -> str | None:
    if not isinstance(text, str):
        return f"{_CONSTRAINT_EXPECTED} (got {got(text)})"
    match = _CONSTRAINT_RE.match(text)
    if match is None:
        return f"{_CONSTRAINT_EXPECTED} (got {text!r})"
    if not math.isfinite(float(match["value"].replace("_", ""))):
        return f"expected a finite bound (got {text!r})"
    return None


def parse_constraint(text: str, *, path: str = "constraints") -> Constraint:
    """Parse a constraint such as ``"throughput_per_hour >= 22"`` or ``"cost.tco < 12.5"``.

    Parameters
    ----------
    text
        ``FIGURE OP NUMBER``, ``OP`` one of ``>=``, ``<=``, ``>``, ``<``.
    path
        Named in the error message.

    Raises
    ------
    ConfigError
        When ``text`` is not a constraint; the message quotes it.

    Examples
    --------
    >>> parse_constraint("cost.tco < 12.5")
    Constraint(figure='cost.tco', op='<', value=12.5, text='cost.tco < 12.5')
    """
    problem = _constraint_problem(text)
    if problem is not None:
        raise ConfigError(problem, path=path)
    match = _CONSTRAINT_RE.match(text)
    assert match is not None
    op: Any = match["op"]
    return Constraint(
        figure=match["figure"], op=op, value=float(match["value"].replace("_", "")), text=text
    )


@dataclass(frozen=True)
class BaseScenario:
    """A base scenario of an experiment: its file, its data as written, and the validated config.

    ``data`` is what the file holds (a ``site`` name, path or mapping with ``base`` in it
    replaced by the validated site),
    so a factor sets a key as if the file had been edited by hand.
    """

    file: Path
    config: ScenarioConfig
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedExperiment:
    """An experiment file, read and validated, with its base scenarios loaded.

    Parameters
    ----------
    config
        The validated experiment.
    file
        The experiment file.
    text
        The file as read (for the run store's copy and its hash).
    lines
        Line of each path in the file.
    constraints
        ``config.constraints`` parsed.
    bases
        The base scenarios in the order of ``config.scenarios``.
    """

    config: ExperimentConfig
    file: Path
    text: str
    lines: Lines
    constraints: tuple[Constraint, ...]
    bases: tuple[BaseScenario, ...] = ()

    def where(self, *loc: str | int) -> tuple[str, int | None]:
        """Return the dotted path and YAML line of ``loc`` (or of its nearest ancestor)."""
        from simline.config.loader import format_path, line_of

        return format_path(loc), line_of(loc, self.lines)


def is_experiment_data(data: object) -> bool:
    """Whether YAML data is an experiment file: a top-level mapping with the key ``experiment``."""
    return isinstance(data, Mapping) and "experiment" in data


def load_base(path: Path) -> BaseScenario:
    """Read a base scenario: validated like ``simline run`` does, and its data as written."""
    config = load_scenario(path)
    data, _ = read_yaml(path)
    data = copy.deepcopy(dict(data))
    site = data.get("site")
    named = isinstance(site, str) or (isinstance(site, Mapping) and "base" in site)
    if named and config.site is not None:
        data["site"] = config.site
    return BaseScenario(file=path, config=config, data=data)


def load_experiment(path: str | os.PathLike[str]) -> LoadedExperiment:
    """Read and validate an experiment file and load its base scenarios.

    Parameters
    ----------
    path
        A UTF-8 YAML experiment file; its ``scenarios`` are relative to it.

    Raises
    ------
    ConfigError
        On any problem: naming the experiment file, the path inside it and the line, or, for
        a problem inside a base scenario, that scenario's file.
    """
    file = str(path)
    text = read_text(path)
    data, lines = parse_yaml(text, file)
    if not isinstance(data, Mapping):
        what = "an empty file" if data is None else got(data)
        raise ConfigError(
            "expected a mapping of experiment keys (simline, experiment, scenarios, factors, "
            f"...) at the top level (got {what})",
            file=file,
            line=lines.get(()),
        )
    if "experiment" not in data:
        hint = (
            "; this looks like a scenario file, which 'simline run' takes"
            if "stations" in data
            else ""
        )
        raise ConfigError(
            f"missing required key 'experiment' (the experiment's name{hint})",
            file=file,
            line=lines.get(()),
        )
    try:
        config = ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        raise to_config_error(exc, data, lines, file) from None
    constraints = tuple(
        parse_constraint(t, path=f"constraints[{i}]") for i, t in enumerate(config.constraints)
    )
    here = Path(path).parent
    bases = []
    for i, name in enumerate(config.scenarios):
        scenario = Path(name) if Path(name).is_absolute() else here / name
        problem = file_problem(scenario, "a scenario file")
        if problem is not None:
            raise ConfigError(
                f"scenario file {name!r} {problem} (looked for {os.path.abspath(scenario)})",
                file=file,
                path=f"scenarios[{i}]",
                line=lines.get(("scenarios", i)),
            )
        bases.append(load_base(scenario))
    return LoadedExperiment(
        config=config,
        file=Path(path),
        text=text,
        lines=lines,
        constraints=constraints,
        bases=tuple(bases),
    )

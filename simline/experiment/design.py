"""Design expansion: an experiment file to the explicit list of its runs.

A *run* is one base scenario at one point of the design. :func:`expand` builds every run,
in design order, and checks everything before anything runs: each factor's path exists in
the base scenario, each value keeps the scenario valid, each run compiles, the figures the
experiment names exist, and no two points give the same scenario.

A factor sets its key in the base scenario *as the file is written* (so a station's
``kind`` or the ``site`` may change as if the file had been edited by hand: the currency of a
new site carries over when the file names none); the path is checked against the validated
scenario, so keys left at their defaults (``stations.mill.servers``) exist too, and a
section left out (``workforce``, ``tco``) may be set key by key.

Order of application: the point's factor values in the order they are written, then the
experiment's ``run:``, then the command line's overrides (:func:`simline.config.apply_overrides`,
so their messages name ``--length``).

Run ids (:func:`run_id`) hash the resolved scenario, so the same scenario has the same id
in every experiment, whatever file or factor it came from.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import json
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from simline.config import (
    Lhs,
    LoadedExperiment,
    OneAtATime,
    Range,
    ScenarioConfig,
    apply_overrides,
    parse_scenario,
)
from simline.config._base import got, name_list
from simline.config.experiment import BaseScenario, load_base
from simline.config.loader import parse_yaml
from simline.config.sites import load_site, resolve_site
from simline.config.units import parse_duration
from simline.errors import MAX_MESSAGE, ConfigError
from simline.experiment.figures import figure_names
from simline.plan import compile_plan

__all__ = ["Overrides", "RunSpec", "expand", "resolve", "run_id", "scenario_yaml"]

#: Run settings from the command line: ``{"replications": int | None, "seed": int | None,
#: "length": str | None, "warmup": str | None}`` (a ``None`` or missing key: not given).
Overrides = dict[str, Any]

_OPTIONS = {
    "replications": "--replications",
    "seed": "--seed",
    "length": "--length",
    "warmup": "--warmup",
}


@dataclass(frozen=True)
class RunSpec:
    """One run: a base scenario at one point of the design, fully resolved.

    Parameters
    ----------
    id
        :func:`run_id` of ``config``.
    label
        The key under ``runs:``; ``None`` for a point of ``factors``.
    scenario
        The base scenario's ``name``.
    base
        The base scenario file.
    factors
        Factor path -> value, for display and JSON: a site given as a file path shows as the
        file's stem (``"nl"``), everything else as given.
    config
        The resolved scenario: factors, then the experiment's ``run:``, then the CLI overrides.
    """

    id: str
    label: str | None
    scenario: str
    base: Path
    factors: dict[str, Any]
    config: ScenarioConfig


def run_id(config: ScenarioConfig) -> str:
    """Return the id of a resolved scenario: 12 hex characters of a SHA-256.

    The hash is over the canonical JSON (sorted keys, compact separators) of
    ``config.model_dump(mode="json")`` without ``run.replications``: the same scenario has
    the same id in any experiment, and more replications of a run do not make another run.
    """
    data = config.model_dump(mode="json")
    data["run"].pop("replications", None)
    data = _durations_as_numbers(data, config.time_unit)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _durations_as_numbers(value: Any, time_unit: str) -> Any:
    """Write every duration with a unit (``"2w"``, ``"90s"``) as a number of ``time_unit``.

    The scenario keeps durations as they were written; the id must not depend on the
    spelling: ``length: 2w``, ``14d`` and ``336h`` are one scenario. Other strings (names,
    kinds, shift times) are not durations and stay as they are.
    """
    if isinstance(value, dict):
        return {k: _durations_as_numbers(v, time_unit) for k, v in value.items()}
    if isinstance(value, list):
        return [_durations_as_numbers(v, time_unit) for v in value]
    if isinstance(value, str) and value[:1].isdigit() and not value.isdigit():
        try:
            return parse_duration(value, time_unit)
        except ValueError:
            return value
    return value


class _QuotedDumper(yaml.SafeDumper):
    """Writes every string in double quotes (the fallback of :func:`scenario_yaml`)."""


_QuotedDumper.add_representer(
    str, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
)


def scenario_yaml(config: ScenarioConfig) -> str:
    """Return a YAML scenario file of ``config`` that ``simline run`` takes on its own.

    Every key is written out (defaults too) and the site inline, so the file needs no other
    file and loads back to a scenario with the same :func:`run_id`. The text is read back
    here (by simline's YAML 1.2 reader) and, should any string read back as something else,
    written again with every string quoted.
    """
    data = config.model_dump(mode="json")
    header = f"# Scenario {config.name}, run {run_id(config)}: resolved by simline experiment.\n"
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    again, _ = parse_yaml(text, "<scenario>")
    if again != data:
        text = yaml.dump(data, Dumper=_QuotedDumper, sort_keys=False, allow_unicode=True)
    return header + text


# -- paths --------------------------------------------------------------------------------


def _model_class(annotation: Any) -> type[BaseModel] | None:
    """Return the one model class an optional field holds (``WorkforceConfig | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(models) == 1 and len(args) == 1:
            return models[0]
    return None


def _path_problem(config: ScenarioConfig, path: str, room: int = MAX_MESSAGE) -> str | None:
    """Say why ``path`` names no key of the scenario ``config`` (``None`` when it does).

    The valid keys at the level where the path leaves the scenario are listed, as many as
    fit in ``room`` characters.
    """
    parts = path.split(".")
    node: Any = config
    unset: type[BaseModel] | None = None  # the model of a section the base leaves out
    for depth, key in enumerate(parts):
        where = ".".join(parts[:depth])
        at = f" in {where}" if where else ""
        if isinstance(node, BaseModel) or unset is not None:
            cls = unset if unset is not None else type(node)
            keys = [k for k in cls.model_fields if k not in getattr(cls, "_hidden_keys", ())]
            if key not in keys:
                head = f"unknown key {key!r}{at}{_did_you_mean(key, keys)}; valid keys: "
                return head + _fit(keys, room - len(head))
            annotation = cls.model_fields[key].annotation
            child = None if unset is not None else getattr(node, key)
            unset = _model_class(annotation) if child is None else None
            node = child
        elif isinstance(node, dict):
            if key not in node:
                keys = [str(k) for k in node]
                head = f"unknown key {key!r}{at}{_did_you_mean(key, keys)}; keys there: "
                return head + _fit(keys, room - len(head))
            node = node[key]
        elif node is None:
            return (
                f"{where!r} is not set in scenario {config.name!r} and has no fixed keys; "
                f"make {where!r} the factor, with whole values"
            )
        else:
            return (
                f"{where!r} is {got(node)} in scenario {config.name!r}, not a mapping; "
                f"make {where!r} the factor, with whole values"
            )
    return None


def _fit(names: list[str], room: int, example: bool = False) -> str:
    """Join names as ``a, b, c``, or ``a, b and 7 more[, such as x.y]`` to fit ``room``."""
    text = name_list(names)
    if len(text) <= room:
        return text
    for count in range(len(names) - 1, 0, -1):
        more = len(names) - count
        shown = next((n for n in names[count:] if n.count(".") > 1), None) if example else None
        tail = f" and {more} more" + (f", such as {shown}" if shown else "")
        text = ", ".join(names[:count]) + tail
        if len(text) <= room:
            return text
    return f"{names[0]} and {len(names) - 1} more"


def _did_you_mean(key: str, keys: list[str]) -> str:
    close = difflib.get_close_matches(key, keys, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _assign(data: dict[str, Any], config: ScenarioConfig, path: str, value: Any) -> None:
    """Set ``path`` to ``value`` in the scenario data ``data`` as written (``config`` validated).

    A section missing from the data is created; a value written in a short form (a plain
    duration, ``"exp(20min)"``, a site read from its file) is first replaced by its validated
    mapping, so that one key of it can be set.
    """
    parts = path.split(".")
    node = data
    model: Any = config
    for key in parts[:-1]:
        if isinstance(model, BaseModel):
            model = getattr(model, key, None)
        elif isinstance(model, dict):
            model = model.get(key)
        child = node.get(key)
        if not isinstance(child, dict):
            child = model.model_dump() if isinstance(model, BaseModel) else {}
            node[key] = child
        node = child
    node[parts[-1]] = copy.deepcopy(value)


# -- points -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    """A point of the design: where it is written, its label and factor values."""

    label: str | None
    values: dict[str, Any]
    #: the path inside the experiment file of each value, e.g. ``("factors", "site", 1)``
    places: dict[str, tuple[str | int, ...]]


def _points(exp: LoadedExperiment) -> list[_Point]:
    cfg = exp.config
    if cfg.runs is not None:
        return [
            _Point(label, dict(values), {p: ("runs", label, p) for p in values})
            for label, values in cfg.runs.items()
        ]
    factors = cfg.factors or {}
    if not factors:
        return [_Point(None, {}, {})]
    names = list(factors)
    design = cfg.design
    if isinstance(design, Lhs):
        return _lhs_points(exp, design)
    lists = {n: v for n, v in factors.items() if isinstance(v, list)}
    if isinstance(design, OneAtATime):
        first = {n: 0 for n in names}
        combos = [first] + [
            {**first, n: i} for n in names for i in range(1, len(lists[n]))
        ]  # fmt: skip
    else:
        combos = [
            dict(zip(names, idx, strict=True))
            for idx in itertools.product(*(range(len(lists[n])) for n in names))
        ]
    return [
        _Point(
            None,
            {n: lists[n][i] for n, i in combo.items()},
            {n: ("factors", n, i) for n, i in combo.items()},
        )
        for combo in combos
    ]


def _lhs_points(exp: LoadedExperiment, design: Lhs) -> list[_Point]:
    """Points of a Latin hypercube over every factor.

    Each factor gets one coordinate in [0, 1), stratified into ``lhs`` equal slices. A
    continuous range maps it linearly; an integer range and a list of values pick by index
    from equal shares (``floor(u * k)`` of ``k`` whole values or list entries), so each whole
    value or entry is equally likely and the strata spread over them evenly.
    """
    from scipy.stats import qmc  # lazy: scipy is slow to import

    factors = exp.config.factors or {}
    sample = qmc.LatinHypercube(d=len(factors), rng=design.seed).random(design.lhs)
    points = []
    for row in sample:
        values: dict[str, Any] = {}
        places: dict[str, tuple[str | int, ...]] = {}
        for (name, spec), u in zip(factors.items(), row, strict=True):
            if isinstance(spec, Range):
                values[name] = _range_value(spec, float(u))
                places[name] = ("factors", name)
            else:
                i = min(int(u * len(spec)), len(spec) - 1)
                values[name] = spec[i]
                places[name] = ("factors", name, i)
        points.append(_Point(None, values, places))
    return points


def _range_value(spec: Range, u: float) -> float | int:
    levels = spec.levels()
    if levels is not None:
        return int(spec.low) + min(int(u * levels), levels - 1)
    return spec.low + u * (spec.high - spec.low)


# -- resolving ----------------------------------------------------------------------------


def _bases(exp: LoadedExperiment) -> tuple[BaseScenario, ...]:
    if exp.bases:
        return exp.bases
    here = exp.file.parent
    return tuple(
        load_base(Path(s) if Path(s).is_absolute() else here / s) for s in exp.config.scenarios
    )


def _display(path: str, value: Any) -> Any:
    if path == "site" and isinstance(value, str):
        return Path(value).stem
    return value


def _describe(values: dict[str, Any], *, limit: int = 120) -> str:
    text = ", ".join(f"{k}={json.dumps(_display(k, v), default=str)}" for k, v in values.items())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Resolver:
    """Applies points to one base scenario, with messages that point into the experiment file."""

    def __init__(self, exp: LoadedExperiment, base: BaseScenario, overrides: Overrides) -> None:
        self.exp = exp
        self.base = base
        self.overrides = {k: v for k, v in overrides.items() if v is not None}
        self.file = str(exp.file)
        self._sites: dict[str, Any] = {}
        self._run: dict[str, Any] | None = None

    def run_settings(self) -> dict[str, Any]:
        """Return the run keys the experiment's ``run:`` and then the command line set.

        They are checked once, on the base scenario, so that their messages name
        ``run.length`` in the experiment file or ``--length``; each point then sets them
        after its factor values (the same as applying them to the resolved point).
        """
        if self._run is None:
            config = self.base.config
            run = self.exp.config.run
            given = {k: v for k, v in (run.model_dump() if run else {}).items() if v is not None}
            try:
                config = apply_overrides(config, **given) if given else config
            except ConfigError as exc:
                key = next(k for k, o in _OPTIONS.items() if o == exc.path)
                raise self.error(
                    f"{exc.message} (in scenario {config.name!r})", ("run", key)
                ) from None
            config = apply_overrides(config, **self.overrides) if self.overrides else config
            self._run = {k: getattr(config.run, k) for k in [*given, *self.overrides]}
        return self._run

    def error(self, message: str, loc: tuple[str | int, ...]) -> ConfigError:
        path, line = self.exp.where(*loc)
        return ConfigError(message, file=self.file, path=path or None, line=line)

    def check_path(self, path: str, loc: tuple[str | int, ...]) -> None:
        loc = loc[:2] if loc[0] == "factors" else loc
        where, line = self.exp.where(*loc)
        room = MAX_MESSAGE - len(f"{self.file}:{line}: {where}: ")
        problem = _path_problem(self.base.config, path, room)
        if problem is not None:
            raise self.error(problem, loc)

    def value(self, path: str, value: Any, loc: tuple[str | int, ...]) -> Any:
        """Return the value to set: a site given as a path is read, relative to the file.

        So is the ``base`` of a site mapping; its other figures are set over the base's.
        """
        if path == "site" and isinstance(value, Mapping) and "base" in value:
            try:
                return resolve_site(value, self.exp.file.parent, self.file, {})
            except ConfigError as exc:
                if exc.file == self.file:
                    raise self.error(exc.message, (*loc, "base")) from None
                raise
        if path != "site" or not isinstance(value, str):
            return value
        if value not in self._sites:
            _, line = self.exp.where(*loc)
            try:
                site = load_site(value, self.exp.file.parent, self.file, line)
            except ConfigError as exc:
                if exc.file == self.file:  # the file is missing or not a file
                    raise self.error(exc.message, loc) from None
                raise
            self._sites[value] = site
        return self._sites[value]

    def scenario(self, point: _Point) -> ScenarioConfig:
        """Return the base with the point's values and then the run settings set, validated."""
        data = copy.deepcopy(dict(self.base.data))
        for path, value in point.values.items():
            _assign(data, self.base.config, path, self.value(path, value, point.places[path]))
        for key, value in self.run_settings().items():
            _assign(data, self.base.config, f"run.{key}", value)
        return parse_scenario(data, source=str(self.base.file), base_dir=self.base.file.parent)

    def check_value(
        self, path: str, value: Any, loc: tuple[str | int, ...], context: _Point | None = None
    ) -> None:
        """Refuse a value that makes the base scenario invalid, naming factor and value.

        The value is set alone, or into the ``context`` point (the other factors at their
        first values), so that two factors that only together make a section (``mtbf`` and
        ``mttr`` of failures the base has none of) are not refused.
        """
        values = {**(context.values if context else {}), path: value}
        places = {**(context.places if context else {}), path: loc}
        try:
            self.scenario(_Point(None, values, places))
        except ConfigError as exc:
            if exc.file != str(self.base.file):
                raise
            shown = json.dumps(_display(path, value), default=str)
            others = ""
            if context is not None and len(values) > 1:
                others = " (with the other factors at their first values)"
            raise self.error(
                f"{path} = {shown} makes scenario {self.base.config.name!r} invalid{others}: "
                f"{exc.path + ': ' if exc.path else ''}{exc.message}",
                loc,
            ) from None

    def resolve(self, point: _Point, where: tuple[str | int, ...]) -> ScenarioConfig:
        for path, loc in point.places.items():
            self.check_path(path, loc)
        self.check_overrides(point)
        self.run_settings()
        try:
            config = self.scenario(point)
        except ConfigError as exc:
            if exc.file != str(self.base.file):
                raise
            self.blame(point)
            raise self.error(
                f"the point {_describe(point.values)} makes scenario "
                f"{self.base.config.name!r} invalid: "
                f"{exc.path + ': ' if exc.path else ''}{exc.message}",
                where,
            ) from None
        return config

    def blame(self, point: _Point) -> None:
        """Name the one value of an invalid point that is to blame, where one is.

        A single value is checked alone; a point of the factors, value by value with the
        other factors at their first values (the first point itself: each value alone).
        Otherwise only the combination is at fault, and nothing is raised here.
        """
        if len(point.values) == 1 or point.label is not None or not self.exp.config.factors:
            if len(point.values) == 1:
                ((path, value),) = point.values.items()
                self.check_value(path, value, point.places[path])
            return
        first = _first_point(self.exp)
        for path, value in point.values.items():
            if point.values == first.values:
                self.check_value(path, value, point.places[path])
            else:
                self.check_value(path, value, point.places[path], first)

    def check_overrides(self, point: _Point) -> None:
        for key in self.overrides:
            for path, loc in point.places.items():
                if path in ("run", f"run.{key}"):
                    where, _ = self.exp.where(*(loc[:2] if loc[0] == "factors" else loc))
                    _, line = self.exp.where(*loc)
                    raise ConfigError(
                        f"the experiment varies {where} ({self.file}:{line}); "
                        f"{_OPTIONS[key]} would give every run the same value: leave it out",
                        path=_OPTIONS[key],
                    )


def resolve(
    exp: LoadedExperiment,
    base_index: int,
    assignments: dict[str, Any],
    *,
    overrides: Overrides | None = None,
    label: str | None = None,
) -> RunSpec:
    """Resolve one point of an experiment on one base scenario (``optimize`` calls this).

    Parameters
    ----------
    exp
        The experiment.
    base_index
        Index into ``exp.config.scenarios``.
    assignments
        Factor path -> value, as a factor would give it.
    overrides
        The command line's run settings (see :data:`Overrides`).
    label
        The point's label (a key of ``runs:``), if any.

    Raises
    ------
    ConfigError
        When a path names no key of the base scenario, or the values make it invalid.
    """
    base = _bases(exp)[base_index]
    resolver = _Resolver(exp, base, _common_seed(exp, _bases(exp), overrides or {}))
    point = _Point(label, dict(assignments), {p: _place(exp, label, p) for p in assignments})
    where: tuple[str | int, ...] = ("runs", label) if label is not None else _section(exp)
    return _spec(resolver.resolve(point, where), base, point)


def _section(exp: LoadedExperiment) -> tuple[str | int, ...]:
    cfg = exp.config
    if cfg.optimize is not None:
        return ("optimize", "variables")
    if cfg.runs is not None:
        return ("runs",)
    return ("factors",) if cfg.factors else ("scenarios",)


def _place(exp: LoadedExperiment, label: str | None, path: str) -> tuple[str | int, ...]:
    cfg = exp.config
    if label is not None:
        return ("runs", label, path)
    if cfg.optimize is not None:
        return ("optimize", "variables", path)
    return ("factors", path)


def _spec(config: ScenarioConfig, base: BaseScenario, point: _Point) -> RunSpec:
    return RunSpec(
        id=run_id(config),
        label=point.label,
        scenario=base.config.name,
        base=base.file,
        factors={p: _display(p, v) for p, v in point.values.items()},
        config=config,
    )


def _common_seed(
    exp: LoadedExperiment, bases: Sequence[BaseScenario], overrides: Overrides
) -> Overrides:
    """Give every run one seed: the first base scenario's, unless the experiment sets one.

    All runs share one seed (``spec/experiment.md``), so that every pair of runs, of one
    base scenario or of two, is compared with common random numbers.
    """
    cfg = exp.config
    given = cfg.run is not None and cfg.run.seed is not None
    varied = [*(cfg.factors or {}), *(p for point in (cfg.runs or {}).values() for p in point)]
    varied += list(cfg.optimize.variables) if cfg.optimize is not None else []
    if len(bases) < 2 or given or overrides.get("seed") is not None:
        return overrides
    if any(path in ("run", "run.seed") for path in varied):  # the design sets the seeds
        return overrides
    return {**overrides, "seed": bases[0].config.run.seed}


def expand(exp: LoadedExperiment, *, overrides: Overrides | None = None) -> list[RunSpec]:
    """Every run of the experiment's design, in design order, each checked.

    Points are the full factorial of the factors (the last factor varies fastest), a Latin
    hypercube, one factor at a time, or the ``runs:`` given by hand; with neither factors nor
    runs, one run per base scenario. The design applies to every base scenario in turn.
    With ``optimize`` there is no list of runs to give: its variables are checked (low and
    high on every base) and the list is empty (the search resolves its points one by one
    with :func:`resolve`).

    Raises
    ------
    ConfigError
        Before anything runs: a factor path that names no key of a base scenario (the valid
        keys at that level listed), a value that makes it invalid (naming the factor and the
        value), a point whose values together do, an override clash, an unknown figure in
        ``objective``, ``constraints`` or ``precision`` (the valid ones listed), or two points
        that give the same scenario (naming both).
    """
    cfg = exp.config
    bases = _bases(exp)
    overrides = _common_seed(exp, bases, overrides or {})
    specs: list[RunSpec] = []
    for base in bases:
        resolver = _Resolver(exp, base, overrides)
        if cfg.optimize is not None:
            for path, spec in cfg.optimize.variables.items():
                loc = ("optimize", "variables", path)
                resolver.check_path(path, loc)
                if isinstance(spec, str):
                    _check_derived(exp, path, spec, list(cfg.optimize.variables))
                    continue
                for value in _range_checks(spec):
                    resolver.check_value(path, value, loc)
            specs.append(_spec(resolver.resolve(_Point(None, {}, {}), ("scenarios",)),
                               base, _Point(None, {}, {})))  # fmt: skip
            continue
        _check_factors(exp, resolver)
        for point in _points(exp):
            where = ("runs", point.label) if point.label is not None else _section(exp)
            specs.append(_spec(resolver.resolve(point, where), base, point))
    _check_duplicates(exp, specs)
    _check_figures(exp, specs)
    return [] if cfg.optimize is not None else specs


def _check_derived(exp: LoadedExperiment, path: str, expression: str, names: list[str]) -> None:
    """Check a derived variable's expression: numbers, ``+ - * /`` and the other variables."""
    from simline.experiment.optimize import check_expression

    loc = ("optimize", "variables", path)
    try:
        check_expression(expression, [n for n in names if n != path], path=".".join(loc))
    except ConfigError as err:
        where, line = exp.where(*loc)
        raise ConfigError(err.message, file=str(exp.file), path=where, line=line) from None


def _range_checks(spec: Range) -> list[float | int]:
    if spec.integer:
        return [int(spec.low), int(spec.high)]
    return [spec.low, spec.high]


def _first_point(exp: LoadedExperiment) -> _Point:
    """Every factor at its first value (a range at its low end)."""
    values: dict[str, Any] = {}
    places: dict[str, tuple[str | int, ...]] = {}
    for path, spec in (exp.config.factors or {}).items():
        if isinstance(spec, Range):
            values[path], places[path] = _range_checks(spec)[0], ("factors", path)
        else:
            values[path], places[path] = spec[0], ("factors", path, 0)
    return _Point(None, values, places)


def _check_factors(exp: LoadedExperiment, resolver: _Resolver) -> None:
    """Check each factor's path, then each of its values with the others at their first.

    The first point itself is resolved first (a value that alone breaks the scenario is
    named as such); then each factor goes through its values (a range: low and high).
    """
    cfg = exp.config
    for path in cfg.factors or {}:
        resolver.check_path(path, ("factors", path))
    for label, point in (cfg.runs or {}).items():
        for path in point:
            resolver.check_path(path, ("runs", label, path))
    if not cfg.factors:
        return
    first = _first_point(exp)
    resolver.resolve(first, _section(exp))
    for path, spec in cfg.factors.items():
        if isinstance(spec, Range):
            for value in _range_checks(spec):
                resolver.check_value(path, value, ("factors", path), first)
            if not spec.integer and spec.low != spec.high:
                _check_fractional(resolver, path, spec, first)
        else:
            for i, value in enumerate(spec):
                resolver.check_value(path, value, ("factors", path, i), first)


def _check_fractional(resolver: _Resolver, path: str, spec: Range, first: _Point) -> None:
    """Refuse a continuous range over a whole-number key: say to add ``integer: true``."""
    middle = spec.low + (spec.high - spec.low) * 0.5
    if float(middle).is_integer():
        middle += (spec.high - spec.low) * 0.01
    try:
        resolver.check_value(path, middle, ("factors", path), first)
    except ConfigError as exc:
        try:
            resolver.check_value(path, round(middle), ("factors", path), first)
        except ConfigError:
            raise exc from None
        raise resolver.error(
            f"{path} takes whole numbers only, and a range gives fractions: add 'integer: true'",
            ("factors", path),
        ) from None


def _name_of(spec: RunSpec, exp: LoadedExperiment) -> str:
    if spec.label is not None:
        return f"run {spec.label!r}"
    what = f"scenario {spec.scenario!r}"
    if len(exp.config.scenarios) > 1:
        what += f" ({spec.base.name})"
    return f"{what} with {_describe(spec.factors, limit=80)}" if spec.factors else what


def _check_duplicates(exp: LoadedExperiment, specs: list[RunSpec]) -> None:
    seen: dict[str, RunSpec] = {}
    for spec in specs:
        first = seen.setdefault(spec.id, spec)
        if first is spec:
            continue
        hint = ""
        if isinstance(exp.config.design, Lhs):
            hint = " (the Latin hypercube has more points than its factors have values)"
        path, line = exp.where(*_section(exp))
        raise ConfigError(
            f"{_name_of(first, exp)} and {_name_of(spec, exp)} give the same scenario "
            f"(run {spec.id}){hint}",
            file=str(exp.file),
            path=path,
            line=line,
        )


def _named_figures(exp: LoadedExperiment) -> list[tuple[str, tuple[str | int, ...]]]:
    cfg = exp.config
    named: list[tuple[str, tuple[str | int, ...]]] = []
    if cfg.objective is not None:
        named.append((cfg.objective.figure, ("objective", "figure")))
    for i, constraint in enumerate(exp.constraints):
        named.append((constraint.figure, ("constraints", i)))
    if cfg.precision is not None:
        named.append((cfg.precision.figure, ("precision", "figure")))
    return named


def _check_figures(exp: LoadedExperiment, specs: list[RunSpec]) -> None:
    named = _named_figures(exp)
    known: dict[tuple[str, ...], set[str]] = {}
    for spec in specs:
        plan = compile_plan(spec.config)
        names = figure_names(spec.config, plan)
        key = tuple(names)
        if key in known:
            continue
        known[key] = set(names)
        for figure, loc in named:
            if figure in known[key]:
                continue
            path, line = exp.where(*loc)
            elsewhere = any(figure in other for other in known.values())
            if elsewhere:
                message = f"figure {figure!r} is not defined for every run: {_name_of(spec, exp)}"
                if spec.config.site is None:
                    message += " has no site (cost figures need one)"
                else:
                    message += " has none"
            elif figure.startswith("cost.") and spec.config.site is None:
                message = (
                    f"figure {figure!r} is a cost figure, which needs a site, and "
                    f"{_name_of(spec, exp)} has none"
                )
            else:
                prefix = len(f"{exp.file}:{line}: {path}: ")
                message = _unknown_figure(figure, names, MAX_MESSAGE - prefix)
            raise ConfigError(message, file=str(exp.file), path=path, line=line)


def _unknown_figure(figure: str, names: list[str], room: int) -> str:
    """``unknown figure 'x' (did you mean ...); figures are a, b and 71 more, such as ...``.

    The line's own figures and the cost totals come first; as many as fit in ``room``.
    """
    head = f"unknown figure {figure!r}{_did_you_mean(figure, names)}; figures are "
    first = [n for n in names if "." not in n or (n.count(".") == 1 and n.startswith("cost."))]
    rest = [n for n in names if n not in first]
    return head + _fit([*first, *rest], room - len(head), example=True)

"""Searching a design space with Optuna: the ``optimize:`` block of an experiment file.

:func:`search` drives an Optuna study one trial at a time: it asks for a point, fills in the
derived variables, calls the caller's ``evaluate`` (which simulates the point and returns the
objective's mean and the constraints' violations), and tells Optuna the outcome. The study
lives in an SQLite file (Optuna's RDB storage), so a search that was interrupted, by Ctrl-C or
by SIGKILL, goes on where it stopped when :func:`search` is called again with the same file,
and ends with exactly the trials an uninterrupted search would have made:

- ``budget`` counts every finished trial, those already in the storage included;
- each trial's sampler is seeded from ``(seed, n)``, ``n`` the number of trials finished
  before it, so the point asked for does not depend on how many trials an earlier process
  ran before it stopped;
- a trial an interrupted process left ``RUNNING`` is finished first, with the parameters it
  was given (Optuna's own retry would mark it failed and enqueue its parameters as a new
  trial; that shifts the trial numbers, which :class:`optuna.samplers.GridSampler` keys its
  points on, so the orphan is completed in place instead, under its own number).

Variables are either ranges (an object with ``low``, ``high`` and ``integer``, such as the
experiment file's ``Range``) or *derived*: a string holding an arithmetic expression over the
other variables' paths, e.g. ``"12 - stations.s2.buffer - stations.s3.buffer"`` to hold a
total fixed. Expressions allow numbers, variable paths, ``+ - * /`` and parentheses; they are
parsed with :mod:`ast` and evaluated exactly (rationals), never with :func:`eval`. A minus
between two paths needs no spaces unless a name could run on (names may hold ``-``: the
longest known path wins, so write ``a - b`` when ``a-b`` is a variable too).

The SQLite file is in WAL mode with ``synchronous=NORMAL``: a finished trial survives the
process being killed at any moment. Nothing here prints: while searching, Optuna's log is set
to warnings (and set back after), and its ``ExperimentalWarning`` is silenced.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import numbers
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import numpy as np

from simline.errors import ConfigError

__all__ = [
    "GRID_LIMIT",
    "METHODS",
    "Trial",
    "check_expression",
    "derived_value",
    "require",
    "search",
    "startup_trials",
    "top",
]

#: The samplers :func:`search` offers, by the experiment file's name.
METHODS = ("tpe", "cmaes", "random", "grid")

#: Most points of a ``grid`` search (Optuna's grid sampler lists every point up front).
GRID_LIMIT = 1_000_000

#: The constraint keys a trial carries in Optuna when it could not be judged on its figures.
_INVALID = "invalid"

_EXTRA = 'optimize needs pip install "simline[optimize]"'
_PLACEHOLDER = "__simline_var_"
_MAX_EXPRESSION = 1000


@dataclass(frozen=True)
class Trial:
    """One evaluated point of a search.

    Attributes
    ----------
    number
        Position in the search, from 0.
    assignments
        Every variable's value at this point, free and derived, in the order of ``variables``.
    value
        The objective's mean, or None when the point could not be evaluated (see ``error``).
    violations
        The constraints' violations as ``evaluate`` returned them: each ``<= 0`` means met.
    feasible
        True when the point was evaluated and every violation is ``<= 0``.
    error
        Why the point could not be evaluated (the scenario it makes is invalid, the
        objective is undefined), else None.
    """

    number: int
    assignments: dict[str, Any]
    value: float | None
    violations: tuple[float, ...]
    feasible: bool
    error: str | None = None


# --- derived variables: expressions ---------------------------------------------------------

_BINARY: dict[type[ast.operator], Callable[[Fraction, Fraction], Fraction]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}

_WHAT = "must be an arithmetic expression of numbers, variable paths, + - * / and parentheses"


@dataclass(frozen=True)
class _Expression:
    """A parsed expression: its tree and the variables it names, by placeholder."""

    text: str
    tree: ast.expr
    names: dict[str, str]  # placeholder -> variable path


def _substitute(expression: str, names: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Replace each known path in ``expression`` by a placeholder identifier, longest first."""
    by_length = sorted(set(names), key=len, reverse=True)
    out: list[str] = []
    found: dict[str, str] = {}
    slots: dict[str, str] = {}
    pos = 0
    while pos < len(expression):
        char = expression[pos]
        starts = (char.isalpha() or char == "_") and (
            pos == 0 or not (expression[pos - 1].isalnum() or expression[pos - 1] in "_.")
        )
        if starts:
            for name in by_length:
                end = pos + len(name)
                if expression.startswith(name, pos) and (
                    end == len(expression)
                    or not (expression[end].isalnum() or expression[end] in "_.")
                ):
                    if name not in slots:
                        slots[name] = f"{_PLACEHOLDER}{len(slots)}__"
                        found[slots[name]] = name
                    out.append(slots[name])
                    pos = end
                    break
            else:
                out.append(char)
                pos += 1
            continue
        out.append(char)
        pos += 1
    return "".join(out), found


def _parse(expression: str, names: Sequence[str], *, path: str | None) -> _Expression:
    """Parse ``expression`` over ``names``; ConfigError naming it when it is not one."""
    if not isinstance(expression, str):
        raise ConfigError(f"{_WHAT} (got {expression!r})", path=path)
    if len(expression) > _MAX_EXPRESSION:
        raise ConfigError(
            f"an expression must be at most {_MAX_EXPRESSION} characters (got {len(expression)})",
            path=path,
        )
    if _PLACEHOLDER in expression:
        raise ConfigError(f"{_WHAT} (got {expression!r})", path=path)
    text, found = _substitute(expression, names)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ConfigError(f"{_WHAT} (got {expression!r})", path=path) from None
    try:
        _check_nodes(tree, expression, found, names, path=path)
    except RecursionError:
        raise ConfigError(f"{_WHAT} (got {expression!r}: nested too deeply)", path=path) from None
    return _Expression(expression, tree, found)


def _check_nodes(
    node: ast.expr,
    expression: str,
    found: Mapping[str, str],
    names: Sequence[str],
    *,
    path: str | None,
) -> None:
    """Accept only numbers, placeholders and the four operations; name what else is there."""
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check_nodes(node.left, expression, found, names, path=path)
        _check_nodes(node.right, expression, found, names, path=path)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        _check_nodes(node.operand, expression, found, names, path=path)
        return
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return
        raise ConfigError(f"{_WHAT} (got {expression!r}: {ast.unparse(node)})", path=path)
    if isinstance(node, ast.Name) and node.id in found:
        return
    if isinstance(node, ast.Name | ast.Attribute):
        unknown = ast.unparse(node)
        for placeholder, name in found.items():
            unknown = unknown.replace(placeholder, name)
        known = ", ".join(sorted(names)) or "none"
        raise ConfigError(
            f"unknown variable {unknown!r} in {expression!r} (the variables: {known})",
            path=path,
        )
    raise ConfigError(f"{_WHAT} (got {expression!r}: {ast.unparse(node)})", path=path)


def _number(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    # A literal as written (0.1 is one tenth), a variable's float exactly as it is.
    return Fraction(repr(float(value)))


def _evaluate(expr: _Expression, values: Mapping[str, Any], *, path: str | None) -> Fraction:
    def walk(node: ast.expr) -> Fraction:
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise ConfigError(f"{expr.text!r} divides by zero at {dict(values)!r}", path=path)
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            operand = walk(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Constant):
            return _number(node.value)
        assert isinstance(node, ast.Name)
        value = values[expr.names[node.id]]
        if not isinstance(value, int | float | Fraction) or isinstance(value, bool):
            raise ConfigError(
                f"{expr.names[node.id]!r} in {expr.text!r} must be a number (got {value!r})",
                path=path,
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(
                f"{expr.names[node.id]!r} in {expr.text!r} must be finite (got {value!r})",
                path=path,
            )
        return _number(value)

    return walk(expr.tree)


def check_expression(expression: str, names: Sequence[str], *, path: str) -> None:
    """Check that ``expression`` is a derived variable's expression over ``names``.

    Parameters
    ----------
    expression
        E.g. ``"12 - stations.s2.buffer - stations.s3.buffer"``.
    names
        The variable paths it may use.
    path
        The config path to name in the error, e.g. ``optimize.variables.stations.s4.buffer``.

    Raises
    ------
    ConfigError
        When it is not an expression of numbers, known paths, ``+ - * /`` and parentheses;
        the message quotes it and names an unknown variable with the known ones.
    """
    _parse(expression, names, path=path)


def derived_value(
    expression: str, values: Mapping[str, float], *, path: str | None = None
) -> float:
    """Return the value of a derived variable's expression at a point.

    Parameters
    ----------
    expression
        The expression (see :func:`check_expression`).
    values
        Every variable it names, by path.
    path
        The config path to name in an error.

    Returns
    -------
    float
        The value, computed exactly over rationals and then rounded once to a float.

    Raises
    ------
    ConfigError
        A bad expression, an unknown variable, or a division by zero.
    """
    expr = _parse(expression, list(values), path=path)
    return float(_evaluate(expr, values, path=path))


# --- variables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Free:
    name: str
    low: float
    high: float
    integer: bool


@dataclass(frozen=True)
class _Derived:
    name: str
    expression: _Expression


def _variables(
    variables: Mapping[str, Any],
) -> tuple[list[_Free], list[_Derived]]:
    """Split the variables into free ones and derived ones, the latter in evaluation order."""
    if not variables:
        raise ConfigError("'variables' must name at least one variable (got none)", path="optimize")
    free: list[_Free] = []
    texts: dict[str, str] = {}
    for name, spec in variables.items():
        where = f"optimize.variables.{name}"
        if isinstance(spec, str):
            texts[name] = spec
            continue
        try:
            low, high = float(getattr(spec, "low")), float(getattr(spec, "high"))  # noqa: B009
        except (AttributeError, TypeError, ValueError):
            raise ConfigError(
                f"a variable must be a range {{low, high, integer}} or an expression "
                f"(got {spec!r})",
                path=where,
            ) from None
        integer = bool(getattr(spec, "integer", False))
        if not (math.isfinite(low) and math.isfinite(high)) or low > high:
            raise ConfigError(
                f"'low' must be <= 'high', both finite (got {low!r} and {high!r})", path=where
            )
        if integer and not (low.is_integer() and high.is_integer()):
            raise ConfigError(
                f"with 'integer: true', 'low' and 'high' must be whole (got {low!r} and {high!r})",
                path=where,
            )
        free.append(_Free(name, low, high, integer))
    if not free:
        raise ConfigError(
            "at least one variable must be a range {low, high} (got only expressions)",
            path="optimize.variables",
        )
    parsed = {
        name: _parse(text, [n for n in variables if n != name], path=f"optimize.variables.{name}")
        for name, text in texts.items()
    }
    # Derived variables may use each other: evaluate them in dependency order.
    order: list[_Derived] = []
    done = {v.name for v in free}
    pending = dict(parsed)
    while pending:
        ready = [n for n, e in pending.items() if set(e.names.values()) <= done]
        if not ready:
            cycle = ", ".join(repr(n) for n in pending)
            raise ConfigError(
                f"derived variables must not depend on each other in a cycle (got {cycle})",
                path="optimize.variables",
            )
        for name in ready:
            order.append(_Derived(name, pending.pop(name)))
            done.add(name)
    return free, order


def _integer_valued(derived: Sequence[_Derived], free: Sequence[_Free]) -> dict[str, bool]:
    """Which variables take whole values only (derived: all they use do)."""
    whole = {v.name: v.integer for v in free}
    for d in derived:
        whole[d.name] = all(whole[n] for n in d.expression.names.values())
    return whole


def _assignments(
    params: Mapping[str, Any],
    variables: Mapping[str, Any],
    free: Sequence[_Free],
    derived: Sequence[_Derived],
) -> dict[str, Any]:
    """Every variable's value at a point given by the free ones (``params``)."""
    values: dict[str, Any] = {v.name: params[v.name] for v in free}
    whole = _integer_valued(derived, free)
    for d in derived:
        exact = _evaluate(d.expression, values, path=f"optimize.variables.{d.name}")
        values[d.name] = int(exact) if whole[d.name] and exact.denominator == 1 else float(exact)
    return {name: values[name] for name in variables}


# --- Optuna ---------------------------------------------------------------------------------


def require(method: str) -> None:
    """Refuse, before anything runs or is written, a search whose libraries are missing.

    Optuna (>= 5.0) for every method, and cmaes for ``method: cmaes``; the error names the
    extra to install (``simline[optimize]``).
    """
    _optuna()
    if method == "cmaes" and importlib.util.find_spec("cmaes") is None:
        raise ConfigError(
            "method 'cmaes' needs cmaes, Optuna's CMA-ES backend: "
            'pip install "simline[optimize]"',
            path="optimize.method",
        )


def _optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise ConfigError(_EXTRA, path="optimize") from None
    version = str(getattr(optuna, "__version__", "0"))
    major = re.match(r"\d+", version)
    if major is None or int(major.group()) < 5:
        # Constraints per trial (Trial.set_constraint) and multivariate TPE by default: 5.0.
        raise ConfigError(
            f'optimize needs optuna >= 5.0 (got {version}): pip install -U "simline[optimize]"',
            path="optimize",
        )
    return optuna


@contextmanager
def _quiet(optuna: Any) -> Iterator[None]:
    """Optuna's log at warnings only and its ExperimentalWarning silenced, for the search."""
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            # True and expected: CMA-ES ignores constraints; top() judges feasibility after it.
            warnings.filterwarnings("ignore", "Constraints have been set, but CmaEsSampler")
            # A trial killed after its constraints were stored gets the same values again.
            warnings.filterwarnings("ignore", "The constraint value is ignored because")
            yield
    finally:
        optuna.logging.set_verbosity(before)


def _trial_seed(seed: int, number: int) -> int:
    """Return the seed of trial ``number``'s sampler: independent of how the search was split."""
    state = np.random.SeedSequence([seed & 0xFFFFFFFF, seed >> 32 & 0xFFFFFFFF, number])
    return int(state.generate_state(1, dtype=np.uint32)[0])


def _grid_space(free: Sequence[_Free]) -> dict[str, list[int]]:
    space: dict[str, list[int]] = {}
    size = 1
    for v in free:
        if not v.integer:
            raise ConfigError(
                f"method 'grid' needs integer ranges ('integer: true'), "
                f"got {v.low!r}..{v.high!r} for {v.name!r}",
                path="optimize.method",
            )
        space[v.name] = list(range(int(v.low), int(v.high) + 1))
        size *= len(space[v.name])
        if size > GRID_LIMIT:
            raise ConfigError(
                f"method 'grid' must have at most {GRID_LIMIT} points "
                f"(got more: use 'tpe' or 'random')",
                path="optimize.method",
            )
    return space


def startup_trials(budget: int) -> int:
    """Return how many random trials TPE makes before it models: an eighth of the budget, 3 to 10.

    Optuna's default is 10 whatever the budget, a quarter of a 40-trial search. On the
    buffer-allocation benchmark of the tests (4 balanced stations, 12 places, 40 trials) the
    exact optimum was found in 17 of 30 seeds with 10 random trials and in 27 of 30 with 5.
    """
    return max(3, min(10, budget // 8))


def _sampler_factory(
    optuna: Any, method: str, seed: int, free: Sequence[_Free], budget: int
) -> Callable[[int], Any]:
    """Return a function giving the sampler for trial ``number``."""
    samplers = optuna.samplers
    if method == "tpe":
        startup = startup_trials(budget)
        return lambda number: samplers.TPESampler(
            seed=_trial_seed(seed, number), n_startup_trials=startup
        )
    if method == "random":
        return lambda number: samplers.RandomSampler(seed=_trial_seed(seed, number))
    if method == "cmaes":
        require(method)
        return lambda number: samplers.CmaEsSampler(
            seed=_trial_seed(seed, number), warn_independent_sampling=False
        )
    if method == "grid":
        space = _grid_space(free)

        grid_sampler: Any = samplers.GridSampler

        class _Grid(grid_sampler):  # type: ignore[misc]
            # GridSampler stops the study when the grid is done, which only works inside
            # Study.optimize; search() stops by itself (its budget is at most the grid).
            def after_trial(self, *args: Any, **kwargs: Any) -> None:
                return None

        # One sampler for all trials: its seed shuffles the grid, trial n takes point n.
        grid = _Grid(space, seed=seed)
        return lambda number: grid
    raise ConfigError(
        f"'method' must be one of {', '.join(METHODS)} (got {method!r})", path="optimize.method"
    )


def _suggest(trial: Any, free: Sequence[_Free]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for v in free:
        if v.integer:
            params[v.name] = int(trial.suggest_int(v.name, int(v.low), int(v.high)))
        else:
            params[v.name] = float(trial.suggest_float(v.name, v.low, v.high))
    return params


def _from_frozen(
    number: int,
    frozen: Any,
    variables: Mapping[str, Any],
    free: Sequence[_Free],
    derived: Sequence[_Derived],
) -> Trial:
    """Return the :class:`Trial` of a finished Optuna trial (as stored)."""
    attrs = frozen.user_attrs
    error = attrs.get("error")
    violations = tuple(float(v) for v in attrs.get("violations", ()))
    try:
        assignments = _assignments(frozen.params, variables, free, derived)
    except ConfigError:
        assignments = {v.name: frozen.params[v.name] for v in free}
    value = None if error is not None or frozen.value is None else float(frozen.value)
    feasible = value is not None and all(v <= 0 for v in violations)
    return Trial(number, assignments, value, violations, feasible, error)


def _run_trial(
    optuna: Any,
    study: Any,
    trial: Any,
    number: int,
    variables: Mapping[str, Any],
    free: Sequence[_Free],
    derived: Sequence[_Derived],
    evaluate: Callable[[dict[str, Any]], tuple[float, Sequence[float]]],
) -> Trial:
    """Evaluate one asked trial and tell Optuna; see :func:`search` for the rules."""
    params = _suggest(trial, free)
    error: str | None = None
    value: float | None = None
    violations: tuple[float, ...] = ()
    try:
        assignments = _assignments(params, variables, free, derived)
    except ConfigError as exc:
        assignments = dict(params)
        error = str(exc)
    if error is None:
        try:
            mean, raw = evaluate(dict(assignments))
        except ConfigError as exc:
            error = str(exc)
        except Exception:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            raise
        # A KeyboardInterrupt (or SIGKILL) leaves the trial RUNNING: the next search finishes it.
        else:
            violations = tuple(float(v) for v in raw)
            objective = float(mean) if isinstance(mean, numbers.Real) else math.nan
            if not math.isfinite(objective):
                error = f"the objective is undefined at this point (got {mean!r})"
            else:
                value = objective
    trial.set_user_attr("violations", list(violations))
    if error is not None:
        trial.set_user_attr("error", error)
        trial.set_constraint(_INVALID, 1.0)
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        return Trial(number, assignments, None, violations, False, error)
    for i, v in enumerate(violations):
        # Optuna takes no NaN: a constraint that cannot be judged is not met.
        trial.set_constraint(str(i), v if not math.isnan(v) else math.inf)
    study.tell(trial, value)
    feasible = all(v <= 0 for v in violations)
    return Trial(number, assignments, value, violations, feasible, None)


def _storage_url(storage: Path) -> str:
    path = Path(storage).resolve()
    if not path.parent.is_dir():
        raise ConfigError(
            f"the study's directory must exist (got {str(path.parent)!r})", path="optimize"
        )
    if re.search(r"[?#%]", str(path)):
        raise ConfigError(
            f"the study's path must not hold '?', '#' or '%' (got {str(path)!r})", path="optimize"
        )
    return f"sqlite:///{path}"


def _pragmas(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _fast_commits(engine: Any) -> None:
    """Put the study's SQLite file in WAL mode with ``synchronous=NORMAL``.

    A commit then survives the process being killed at any moment (it is in the operating
    system's hands once the call returns); only a crash of the machine could lose the last
    trials, and a search resumed after that just runs them again. Without it every trial
    waits for several disk flushes (7 s against 2.7 s for 40 quick trials, measured).
    """
    from sqlalchemy import event

    event.listen(engine, "connect", _pragmas)
    engine.dispose()  # the connection Optuna opened has no pragmas: open new ones


def search(
    variables: Mapping[str, Any],
    *,
    budget: int,
    method: Literal["tpe", "cmaes", "random", "grid"],
    seed: int,
    goal: Literal["min", "max"],
    storage: Path,
    study_name: str,
    evaluate: Callable[[dict[str, Any]], tuple[float, Sequence[float]]],
    on_trial: Callable[[Trial], None] | None = None,
) -> list[Trial]:
    """Search the variables' space for the best objective under the constraints.

    Runs trials one at a time until the study in ``storage`` holds ``budget`` finished ones
    (fewer with ``grid`` when the grid has fewer points), so the sequence of points is a
    function of ``seed`` alone. Called again on the same storage after an interruption, it
    finishes the trial the interrupted process left running, then runs only the remaining
    ones, and returns what an uninterrupted search would have: ``evaluate`` is not called
    again for a finished trial.

    A point whose scenario is invalid -- ``evaluate`` raises :class:`ConfigError` for it, or a
    derived variable cannot be computed there (a division by zero) -- is an infeasible trial
    (``PRUNED`` in Optuna, with a violated constraint so that the sampler steers away, and
    counted in the budget), never a crash: a derived buffer that comes out negative just
    makes that point infeasible. So is a point whose objective is not finite (``nan``: the
    figure is undefined there). Any other exception from ``evaluate`` marks the trial failed
    (not counted) and propagates; a ``KeyboardInterrupt`` propagates and leaves the trial
    running, to be finished by the next call.

    Parameters
    ----------
    variables
        Dotted path -> a range (``low``, ``high``, ``integer`` attributes) or a derived
        variable's expression over the other paths (see :func:`check_expression`).
    budget
        Total number of trials, those already in the storage included (>= 1).
    method
        ``tpe`` (Optuna's TPESampler, multivariate, using the constraints, after
        :func:`startup_trials` random ones), ``cmaes`` (CmaEsSampler; integers rounded by
        Optuna; needs the ``cmaes`` package; it steers by the objective alone, skipping
        invalid points), ``random`` (RandomSampler) or ``grid`` (GridSampler over every
        integer of each range; integer ranges only). Trial ``n``'s sampler is seeded from
        ``(seed, n)`` (the grid is shuffled once by ``seed``).
    seed
        The search's seed.
    goal
        ``min`` or ``max`` the objective.
    storage
        The SQLite file of the study (its directory must exist); created if missing.
    study_name
        The study's name in the storage (loaded if it exists).
    evaluate
        Point (every variable's value, derived ones included) -> (objective mean,
        constraint violations: each ``<= 0`` means the constraint is met).
    on_trial
        Called with each trial evaluated by this call, as it finishes.

    Returns
    -------
    list of Trial
        Every finished trial of the study, in order.

    Raises
    ------
    ConfigError
        Optuna is not installed (``pip install "simline[optimize]"``); a bad variable,
        expression, method, goal or budget; the storage is not a study of this goal.
    """
    optuna = _optuna()
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        raise ConfigError(
            f"'budget' must be an integer >= 1 (got {budget!r})", path="optimize.budget"
        )
    if goal not in ("min", "max"):
        raise ConfigError(f"'goal' must be min or max (got {goal!r})", path="objective.goal")
    free, derived = _variables(variables)
    if method == "grid":
        budget = min(budget, math.prod(int(v.high) - int(v.low) + 1 for v in free))
    make_sampler = _sampler_factory(optuna, method, seed, free, budget)
    direction = "minimize" if goal == "min" else "maximize"
    url = _storage_url(storage)
    with _quiet(optuna):
        from sqlalchemy.exc import SQLAlchemyError  # Optuna's RDB storage stands on it

        try:
            rdb = optuna.storages.RDBStorage(url)
        except SQLAlchemyError as exc:
            raise ConfigError(
                f"{str(Path(storage))!r} must be an Optuna study database (got a file that is "
                f"not one: {str(getattr(exc, 'orig', exc)) or type(exc).__name__})",
                path="optimize",
            ) from None
        _fast_commits(rdb.engine)
        try:
            return _search(
                optuna, rdb, study_name, direction, budget, make_sampler, variables, free,
                derived, evaluate, on_trial,
            )  # fmt: skip
        finally:
            rdb.engine.dispose()


def _search(
    optuna: Any,
    rdb: Any,
    study_name: str,
    direction: str,
    budget: int,
    make_sampler: Callable[[int], Any],
    variables: Mapping[str, Any],
    free: Sequence[_Free],
    derived: Sequence[_Derived],
    evaluate: Callable[[dict[str, Any]], tuple[float, Sequence[float]]],
    on_trial: Callable[[Trial], None] | None,
) -> list[Trial]:
    state = optuna.trial.TrialState
    study = optuna.create_study(
        storage=rdb, study_name=study_name, direction=direction, load_if_exists=True,
        sampler=make_sampler(0),
    )  # fmt: skip
    stored = study.direction.name.lower()
    if stored != direction:
        raise ConfigError(
            f"the stored study {study_name!r} must have goal {direction[:3]} "
            f"(got {stored[:3]}: the storage holds another search)",
            path="optimize",
        )
    trials = study.get_trials(deepcopy=False)
    names = {v.name for v in free}
    for t in trials:
        if not set(t.params) <= names or (
            t.state.is_finished() and t.params and set(t.params) != names
        ):
            theirs = ", ".join(sorted(t.params))
            raise ConfigError(
                f"the stored study {study_name!r} must search {', '.join(sorted(names))} "
                f"(got {theirs}: the storage holds another search)",
                path="optimize",
            )
    done = [t for t in trials if t.state in (state.COMPLETE, state.PRUNED)]
    result = [_from_frozen(i, t, variables, free, derived) for i, t in enumerate(done)]
    orphans = [t for t in trials if t.state == state.RUNNING]
    pending: Iterator[Any] = iter(orphans)
    while len(result) < budget:
        number = len(result)
        study.sampler = make_sampler(number)
        orphan = next(pending, None)
        # The orphan's parameters are stored: suggesting them again returns them.
        trial = optuna.trial.Trial(study, orphan._trial_id) if orphan is not None else study.ask()
        outcome = _run_trial(optuna, study, trial, number, variables, free, derived, evaluate)
        result.append(outcome)
        if on_trial is not None:
            on_trial(outcome)
    return result


def _key(trial: Trial) -> tuple[tuple[str, str], ...]:
    return tuple((name, repr(value)) for name, value in trial.assignments.items())


def top(trials: Sequence[Trial], k: int, goal: str) -> list[Trial]:
    """Return the best ``k`` distinct points of a search.

    Feasible trials come first, best objective first; then the infeasible ones that were
    evaluated, least total violation first; then the points that could not be evaluated. A
    point visited twice counts once (its first trial).

    Parameters
    ----------
    trials
        The search's trials.
    k
        How many to return (at most; >= 1).
    goal
        ``min`` or ``max``.

    Returns
    -------
    list of Trial
        Up to ``k`` trials, best first.
    """
    if goal not in ("min", "max"):
        raise ConfigError(f"'goal' must be min or max (got {goal!r})", path="objective.goal")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ConfigError(f"'top' must be an integer >= 1 (got {k!r})", path="optimize.top")
    sign = -1.0 if goal == "max" else 1.0

    def rank(t: Trial) -> tuple[int, float, float, int]:
        if t.value is None:
            return (2, 0.0, 0.0, t.number)
        if t.feasible:
            return (0, 0.0, sign * t.value, t.number)
        excess = math.fsum(v if not math.isnan(v) else math.inf for v in t.violations if not v <= 0)
        return (1, excess, sign * t.value, t.number)

    seen: set[tuple[tuple[str, str], ...]] = set()
    best: list[Trial] = []
    for t in sorted(trials, key=rank):
        key = _key(t)
        if key in seen:
            continue
        seen.add(key)
        best.append(t)
        if len(best) == k:
            break
    return best

"""Scenario files and dicts to validated :class:`ScenarioConfig`, and CLI overrides."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from simline.config._base import got
from simline.config._errors import to_config_error
from simline.config.distributions import DistConfig, DistributionConfig, MeanDistConfig
from simline.config.loader import Lines, read_yaml
from simline.config.models import RunConfig, ScenarioConfig
from simline.config.sites import load_site, resolve_site
from simline.config.units import TIME_UNITS
from simline.errors import ConfigError

__all__ = ["apply_overrides", "load_scenario", "parse_distribution", "parse_scenario"]


def load_scenario(path: str | os.PathLike[str]) -> ScenarioConfig:
    """Read and validate a scenario file.

    Parameters
    ----------
    path
        A UTF-8 YAML scenario file. A ``site:`` given as a name is a shipped profile, as a
        path a site file relative to it; a ``site:`` mapping with ``base`` starts from one.

    Returns
    -------
    ScenarioConfig
        The validated scenario, with the site file read into ``site``.

    Raises
    ------
    ConfigError
        On any problem, naming the file, the path inside it and the line.
    """
    data, lines = read_yaml(path)
    return _parse(data, file=str(path), lines=lines, base_dir=Path(path).parent)


def parse_scenario(
    data: Mapping[str, Any],
    *,
    source: str = "<scenario>",
    base_dir: Path | None = None,
) -> ScenarioConfig:
    """Validate a scenario given as a mapping (as a scenario file would hold it).

    Parameters
    ----------
    data
        The scenario keys.
    source
        Named as the file in error messages.
    base_dir
        Directory a ``site:`` path (or ``site.base`` path) is relative to (default: the
        current directory).

    Raises
    ------
    ConfigError
        On any problem, naming the path inside the scenario.
    """
    return _parse(data, file=source, lines={}, base_dir=base_dir)


def _context(data: Mapping[str, Any]) -> dict[str, Any]:
    unit = data.get("time_unit", "min")
    return {"time_unit": unit if unit in TIME_UNITS else "min"}


def _parse(data: Any, *, file: str, lines: Lines, base_dir: Path | None) -> ScenarioConfig:
    if not isinstance(data, Mapping):
        what = "an empty file" if data is None else got(data)
        raise ConfigError(
            "expected a mapping of scenario keys (simline, name, run, stations, ...) "
            f"at the top level (got {what})",
            file=file,
            line=lines.get(()),
        )
    if "experiment" in data and "name" not in data:
        raise ConfigError(
            "this is an experiment file (it has the key 'experiment'), not a scenario: "
            "run it with 'simline experiment' (check it with 'simline experiment FILE --plan')",
            file=file,
            line=lines.get(("experiment",)),
            path="experiment",
        )
    data = dict(data)
    site = data.get("site")
    if isinstance(site, str | os.PathLike):
        data["site"] = load_site(site, base_dir, file, lines.get(("site",)))
    elif isinstance(site, Mapping) and "base" in site:
        data["site"] = resolve_site(site, base_dir, file, lines)
    try:
        return ScenarioConfig.model_validate(data, context=_context(data))
    except ValidationError as exc:
        raise to_config_error(exc, data, lines, file) from None


def apply_overrides(
    config: ScenarioConfig,
    *,
    replications: int | str | None = None,
    seed: int | str | None = None,
    length: float | str | None = None,
    warmup: float | str | None = None,
) -> ScenarioConfig:
    """Return the scenario with the run settings given on the command line.

    Parameters
    ----------
    config
        A validated scenario.
    replications, seed
        Replace ``run.replications`` and ``run.seed`` (``None``: keep).
    length, warmup
        Replace ``run.length`` and ``run.warmup``: a duration as in a scenario file, a number
        in the scenario's ``time_unit`` or a string with a unit (``None``: keep).

    Returns
    -------
    ScenarioConfig
        A new, re-validated scenario.

    Raises
    ------
    ConfigError
        When a value is bad; its path names the option, e.g. ``--length``.
    """
    options = {
        "replications": ("--replications", replications),
        "seed": ("--seed", seed),
        "length": ("--length", length),
        "warmup": ("--warmup", warmup),
    }
    run = config.run.model_dump()
    for key, (option, value) in options.items():
        if value is None:
            continue
        if key in ("replications", "seed") and isinstance(value, str):
            # text from a command line: a whole number there is not a quoted string
            try:
                value = int(value.strip())
            except ValueError:
                raise ConfigError(
                    f"expected a whole number (got {got(value)})", path=option
                ) from None
        run[key] = value
        try:
            RunConfig.model_validate(run, context={"time_unit": config.time_unit})
        except ValidationError as exc:
            error = to_config_error(exc, run, {}, None)
            raise ConfigError(error.message, path=option) from None
    data = config.model_dump()
    data["run"] = run
    try:
        return ScenarioConfig.model_validate(data, context=_context(data))
    except ValidationError as exc:
        raise to_config_error(exc, data, {}, None) from None


@cache
def _adapter(kind: Literal["constant", "exponential"]) -> TypeAdapter[DistributionConfig]:
    annotation: Any = DistConfig if kind == "constant" else MeanDistConfig
    return TypeAdapter(annotation)


def parse_distribution(
    value: Any,
    *,
    plain: Literal["constant", "exponential"] = "constant",
    time_unit: str = "min",
    path: str | None = None,
) -> DistributionConfig:
    """Validate one random duration in any form of the spec.

    Parameters
    ----------
    value
        A number or duration string, a short string such as ``"exp(2min)"``, or a mapping
        with ``dist``.
    plain
        What a plain number or duration means: a ``constant``, or the mean of an
        ``exponential`` (as for ``mtbf`` and ``mttr``).
    time_unit
        The unit of bare numbers, for order checks such as ``low <= high``.
    path
        Named in error messages.

    Raises
    ------
    ConfigError
        When ``value`` is not a valid distribution.

    Examples
    --------
    >>> parse_distribution("lognormal(1.2, cv=0.25)")
    LognormalDistConfig(dist='lognormal', mean=1.2, cv=0.25)
    """
    try:
        return _adapter(plain).validate_python(value, context={"time_unit": time_unit})
    except ValidationError as exc:
        error = to_config_error(exc, value, {}, None)
        raise ConfigError(error.message, path=path) from None

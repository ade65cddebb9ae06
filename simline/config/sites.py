"""Site profiles: the ones shipped with simline, and how a scenario's ``site`` refers to one.

A scenario's ``site`` is a mapping of figures, or a reference to a profile:

- a bare name (no path separator, no ``.yaml``/``.yml`` suffix), such as ``nl``: the profile
  shipped in the package (``simline/sites/nl.yaml``), found wherever simline is installed;
  a name no profile has is still a file when one of that name is there (``./nl`` is always
  the file);
- anything else, a path: a site file, relative to the scenario file;
- a mapping with ``base``: the profile ``base`` names (either way), with the figures given
  beside ``base`` in its place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simline.config._base import got, name_list
from simline.config._errors import to_config_error
from simline.config.cost import SiteConfig
from simline.config.loader import Lines, file_problem, parse_yaml, read_yaml
from simline.errors import ConfigError

__all__ = ["is_site_name", "load_site", "resolve_site", "shipped_site", "site_names"]

_SUFFIXES = (".yaml", ".yml")


def _folder() -> Traversable:
    return files("simline").joinpath("sites")


@cache
def _shipped() -> dict[str, Traversable]:
    found = {}
    for entry in _folder().iterdir():
        if entry.name.endswith(".yaml") and entry.is_file():
            found[entry.name.removesuffix(".yaml")] = entry
    return dict(sorted(found.items()))


def site_names() -> tuple[str, ...]:
    """Return the names of the shipped site profiles, sorted (``cn``, ``de``, ...)."""
    return tuple(_shipped())


def is_site_name(ref: str) -> bool:
    """Whether a ``site`` string names a shipped profile rather than a file.

    A name has no path separator and no ``.yaml`` or ``.yml`` suffix: ``nl`` is a name,
    ``nl.yaml``, ``./nl`` and ``sites/nl.yaml`` are paths.
    """
    separators = {"/", "\\", os.sep, os.altsep or os.sep}
    return (
        bool(ref.strip())
        and not any(s in ref for s in separators)
        and not ref.lower().endswith(_SUFFIXES)
    )


def shipped_site(name: str) -> SiteConfig:
    """Return a shipped site profile, validated.

    Parameters
    ----------
    name
        One of :func:`site_names`, e.g. ``"nl"``.

    Raises
    ------
    ConfigError
        If no profile has that name (the message lists the names).

    Examples
    --------
    >>> shipped_site("nl").country
    'NL'
    """
    entry = _shipped().get(name)
    if entry is None:
        raise ConfigError(_unknown(name))
    return _validated(*parse_yaml(entry.read_text(encoding="utf-8"), str(entry)), str(entry))


def _unknown(name: str) -> str:
    return (
        f"unknown site {name!r}; the shipped sites are {name_list(site_names())} "
        "(a site file is a path ending in .yaml)"
    )


def _validated(data: Any, lines: Lines, file: str) -> SiteConfig:
    """Validate the content of a site file."""
    expected = "expected a mapping of site figures at the top level"
    if not isinstance(data, Mapping):
        raise ConfigError(f"{expected} (got {_type_name(data)})", file=file, line=lines.get(()))
    if data and not any(key in SiteConfig.model_fields for key in data):
        raise ConfigError(
            f"{expected}, such as labour_cost_per_hour and energy_price_per_kwh "
            f"(got a mapping of {len(data)} key{'s' if len(data) > 1 else ''}, "
            "none of them a site figure)",
            file=file,
            line=lines.get(()),
        )
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        raise to_config_error(exc, data, lines, file) from None


def _type_name(value: Any) -> str:
    """Name the type of a value read from a file, never its content."""
    if value is None:
        return "an empty file"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"a {type(value).__name__}"


def load_site(
    site: str | os.PathLike[str],
    base_dir: Path | None,
    file: str,
    line: int | None,
    path: str = "site",
) -> SiteConfig:
    """Read and validate the profile a ``site`` string refers to: a shipped name or a file.

    The path comes from a scenario file, which may come from anyone: what is not a site file
    (``/etc/passwd``, a directory, a pipe) is refused by its type, never by quoting it.

    Parameters
    ----------
    site
        A shipped name (see :func:`is_site_name`) or a path, relative to ``base_dir``
        (default: the current directory). A name no profile has is a path if that exists.
    file, line, path
        Where the reference is written, for the messages.

    Raises
    ------
    ConfigError
        For an unknown name or a missing file (naming ``file``, ``path`` and ``line``), or a
        site file that is not valid (naming the site file).
    """
    where = Path(site)
    if not where.is_absolute():
        where = (base_dir if base_dir is not None else Path.cwd()) / where
    if isinstance(site, str) and is_site_name(site):
        if site in _shipped():
            return shipped_site(site)
        if not os.path.lexists(where):  # else a file named so, as before names were known
            raise ConfigError(_unknown(site), file=file, path=path, line=line)
    problem = file_problem(where, "a site file")
    if problem is not None:
        raise ConfigError(
            f"site file {str(site)!r} {problem} (looked for {os.path.abspath(where)})",
            file=file,
            path=path,
            line=line,
        )
    data, lines = read_yaml(where)
    return _validated(data, lines, str(where))


def resolve_site(
    site: Mapping[str, Any], base_dir: Path | None, file: str, lines: Lines
) -> dict[str, Any]:
    """Return the figures of a ``site`` mapping with ``base``: the base's, then the given ones.

    The result is still to be validated with the scenario, so that a bad figure given beside
    ``base`` is reported at its own line. A source the base gives for a figure that is given
    here is dropped (it was the source of the base's figure); ``sources`` given here are added.

    Raises
    ------
    ConfigError
        If ``base`` is not a string, names no shipped profile or no file, or the base file is
        not a valid site file.
    """
    ref = site["base"]
    line = lines.get(("site", "base"))
    if not isinstance(ref, str) or not ref.strip():
        raise ConfigError(
            f"expected the name of a shipped site ({name_list(site_names())}) or a site file "
            f"path (got {got(ref)})",
            file=file,
            path="site.base",
            line=line,
        )
    base = load_site(ref, base_dir, file, line, path="site.base")
    given = {k: v for k, v in site.items() if k != "base"}
    figures = base.model_dump(exclude_unset=True)
    sources = {k: v for k, v in base.sources.items() if not _overruled(k, given)}
    # a figure given here has lost the base's range around the base's value, too
    ranges = {k: v for k, v in figures.get("ranges", {}).items() if k not in given}
    figures.update(given)
    extra = given.get("sources", {})
    if isinstance(extra, Mapping):  # else left as given, for validation to refuse
        figures["sources"] = {**sources, **extra}
    more = given.get("ranges", {})
    if isinstance(more, Mapping):
        figures["ranges"] = {**ranges, **more}
    return figures


def _overruled(source: str, given: Mapping[str, Any]) -> bool:
    """Whether a base's source no longer applies: its figure (or the range's) is given anew."""
    figure = source.removeprefix("ranges.")
    return source in given or (figure != source and figure in given)

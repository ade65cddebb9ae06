"""Turn pydantic's validation errors into one-line :class:`~simline.errors.ConfigError`.

Pydantic reports a location through the models (with the tags of discriminated unions in it);
here that location is followed through the data as the user wrote it, so the path names only
keys and indices of the file, and the line table gives the line. Of several problems the one
nearest the top of the file is the error, the others follow it in the order of the file
(:attr:`~simline.errors.ConfigError.others`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from simline.config._base import got
from simline.config.distributions import PARAMETERS
from simline.config.loader import Lines, Loc, format_path, line_of
from simline.config.stations import STATION_KINDS
from simline.errors import ConfigError

__all__ = ["error_message", "to_config_error"]

_UNIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "'kind'": ("station kind", STATION_KINDS),
    "'dist'": ("distribution", tuple(PARAMETERS)),
}

_HINTS: dict[str, str] = {
    "simline": " (the format version: write 'simline: 1' at the top)",
    "name": " (an identifier used in outputs)",
    "run": " (with at least 'length')",
    "stations": " (the stations in layout order)",
}

_COMPARE = {
    "greater_than": (">", "gt"),
    "greater_than_equal": (">=", "ge"),
    "less_than": ("<", "lt"),
    "less_than_equal": ("<=", "le"),
}

_TYPES = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "mapping_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
}


def _walk(data: Any, loc: Loc, path: list[str | int]) -> Any:
    """Follow ``loc`` through ``data``, appending the steps that exist to ``path``."""
    node = data
    for part in loc:
        in_mapping = isinstance(node, Mapping) and isinstance(part, str) and part in node
        in_list = (
            isinstance(node, list)
            and isinstance(part, int)
            and not isinstance(part, bool)
            and 0 <= part < len(node)
        )
        if not (in_mapping or in_list):
            continue
        node = node[part]
        path.append(part)
    return node


def _subject(loc: Loc) -> str:
    """``'buffer'``, or ``'weights[1]'`` for a list item: the field an error is about."""
    tail = ""
    for part in reversed(loc):
        if isinstance(part, int):
            tail = f"[{part}]{tail}"
        elif not part.startswith("<") and "[" not in part:
            return f"'{part}{tail}'"
    return "the value"


def _number(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and abs(value) >= 100_000:
        return f"{value:_}"
    return str(value)


def _union(ctx: Mapping[str, Any]) -> tuple[str, str]:
    discriminator = str(ctx.get("discriminator", ""))
    what, tags = _UNIONS.get(discriminator, ("value", ()))
    if not tags:
        tags = tuple(t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(","))
    return what, ", ".join(tags)


def _uncertain_number(loc: tuple[Any, ...], message: str) -> str:
    """Say "a number" for a distribution of ``uncertainty.inputs`` on a key not a duration.

    Its figures are checked as durations, as every distribution of config.md is.
    """
    if len(loc) > 3 and loc[:2] == ("uncertainty", "inputs"):
        key = str(loc[2]).replace("]", "").rsplit(".", 1)[-1].rsplit("[", 1)[-1]
        if key not in ("transit", "life"):
            return message.replace("a duration >= 0", "a number >= 0").replace(
                "a duration > 0", "a number > 0"
            )
    return message


def error_message(error: ErrorDetails) -> str:
    """Return the one-line message simline gives for a pydantic error (no file, path, line)."""
    return _message(error, [])


def _message(error: ErrorDetails, path: list[str | int]) -> str:
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    loc = tuple(error["loc"])
    if kind == "simline":
        return _uncertain_number(loc, str(ctx["msg"]))
    if kind == "missing":
        key = str(error["loc"][-1])
        hint = _HINTS.get(key, "") if not path else ""
        return f"missing required key {key!r}{hint}"
    if kind == "extra_forbidden":
        return f"unknown key {error['loc'][-1]!r}"
    if kind == "union_tag_invalid":
        what, tags = _union(ctx)
        return f"unknown {what} {ctx.get('tag')!r}; expected one of {tags}"
    if kind == "union_tag_not_found":
        what, tags = _union(ctx)
        key = str(ctx.get("discriminator", "")).strip("'")
        return f"missing {key!r}: the {what}, one of {tags}"
    if kind in _COMPARE:
        sign, key = _COMPARE[kind]
        return f"{_subject(loc)} must be {sign} {_number(ctx.get(key))} (got {got(value)})"
    if kind in _TYPES:
        return f"expected {_TYPES[kind]} (got {got(value)})"
    if kind == "literal_error":
        return f"{_subject(loc)} must be {ctx.get('expected')} (got {got(value)})"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        if least == 1:
            return f"{_subject(loc)} must not be empty"
        return (
            f"{_subject(loc)} must have at least {least} entries (got {ctx.get('actual_length')})"
        )
    if kind == "too_long":
        most = ctx.get("max_length")
        # pydantic stops counting a mapping at the limit (actual_length None): count it here
        actual = ctx.get("actual_length")
        if actual is None and hasattr(value, "__len__"):
            actual = len(value)
        return f"{_subject(loc)} must have at most {_number(most)} entries (got {_number(actual)})"
    text = " ".join(str(error["msg"]).split())
    text = text.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{text[:1].lower()}{text[1:]} (got {got(value)})"


def to_config_error(
    exc: ValidationError,
    data: Any,
    lines: Lines,
    file: str | None,
    *,
    prefix: Loc = (),
) -> ConfigError:
    """Report the problems of ``exc`` as a :class:`ConfigError`, in the order of the file.

    The error is the problem nearest the top of the file; the others are its ``others``.

    Parameters
    ----------
    exc
        What pydantic raised when validating ``data``.
    data
        The data as given (dicts and lists), to follow error locations through.
    lines
        Line of each path in the file (empty when the data did not come from a file).
    file
        The file (or source) name for the message.
    prefix
        Path of ``data`` inside a larger config, prepended to the reported path.
    """
    problems: list[tuple[float, int, Loc, str, int | None]] = []
    for order, error in enumerate(exc.errors(include_url=False)):
        path: list[str | int] = []
        node = _walk(data, tuple(error["loc"]), path)
        ctx = error.get("ctx") or {}
        if error["type"] == "simline" and ctx.get("sub"):
            _walk(node, tuple(ctx["sub"]), path)
        message = _message(error, path)
        loc = (*prefix, *path)
        line = line_of(tuple(path), lines)
        problems.append((line if line is not None else math.inf, order, loc, message, line))
    problems.sort(key=lambda p: (p[0], p[1]))
    errors = [
        ConfigError(message, file=file, path=format_path(loc) or None, line=line)
        for _, _, loc, message, line in problems
    ]
    first = errors[0]
    return ConfigError(
        first.message, file=file, path=first.path, line=first.line, others=tuple(errors[1:])
    )

"""The JSON Schema of scenario files, for editors' YAML completion (``simline schema``)."""

from __future__ import annotations

import re
from typing import Any

from simline.config.distributions import ALIASES
from simline.config.models import ScenarioConfig

__all__ = ["scenario_json_schema"]

_SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def _any_of(node: Any) -> Any:
    """Turn ``oneOf`` without a ``discriminator`` into ``anyOf``.

    Unions told apart by a function (a process time that is one distribution or one per
    product) overlap as JSON Schema (both are objects), so ``oneOf`` would reject valid files.
    """
    if isinstance(node, dict):
        out = {key: _any_of(value) for key, value in node.items()}
        if "oneOf" in out and "discriminator" not in out:
            out["anyOf"] = out.pop("oneOf")
        return out
    if isinstance(node, list):
        return [_any_of(item) for item in node]
    return node


#: Pydantic's names of number bounds, as JSON Schema spells them. A bound on a type with a
#: before-validator (``Whole``, ``Number``) reaches the schema under pydantic's own name.
_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _bounds(node: Any) -> Any:
    """Rename ``ge``/``le``/``gt``/``lt`` of a number schema to their JSON Schema names."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            number = isinstance(value, int | float) and not isinstance(value, bool)
            out[_BOUNDS.get(key, key) if number else key] = _bounds(value)
        return out
    if isinstance(node, list):
        return [_bounds(item) for item in node]
    return node


def _any_case(word: str) -> str:
    """Return a regular expression (ECMA 262 and Python alike) for ``word`` in any case."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _dist_names(defs: dict[str, Any]) -> None:
    """Let ``dist`` take every spelling the loader accepts: aliases, in any case.

    Pydantic writes ``{"const": "exponential"}``; the loader also takes ``exp``, ``EXP`` or
    ``Exponential``. Each distribution's ``dist`` becomes a pattern of its names in any case
    (the patterns of two distributions never overlap, so the union still picks one).
    """
    for definition in defs.values():
        dist = definition.get("properties", {}).get("dist")
        if not isinstance(dist, dict) or "const" not in dist:
            continue
        canonical = dist.pop("const")
        names = sorted(alias for alias, name in ALIASES.items() if name == canonical)
        dist["pattern"] = "^(?:" + "|".join(_any_case(n) for n in names) + ")$"
        dist["examples"] = names
        dist["description"] = f"{' or '.join(names)} (any case)"


def scenario_json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a scenario file.

    Durations show as a number or a string with a unit, distributions as a number, a string
    or a mapping with ``dist``, and ``site`` as a name, a file path or a mapping (maybe with
    ``base``).

    Returns
    -------
    dict
        A JSON-serialisable schema.
    """
    schema = _bounds(_any_of(ScenarioConfig.model_json_schema(mode="validation")))
    _dist_names(schema.get("$defs", {}))
    properties = schema["properties"]
    site = properties["site"]
    site_ref = next(
        (option for option in site.get("anyOf", []) if "$ref" in option),
        {"$ref": "#/$defs/SiteConfig"},
    )
    properties["site"] = {
        "anyOf": [
            {
                "type": "string",
                "description": "a shipped site's name (such as nl), or a site file, relative "
                "to the scenario file",
            },
            site_ref,
            {
                "type": "object",
                "required": ["base"],
                "properties": {
                    "base": {
                        "type": "string",
                        "description": "a shipped site's name or a site file; the other "
                        "keys replace its figures",
                    }
                },
            },
            {"type": "null"},
        ],
        "default": None,
        "description": site.get("description", ""),
    }
    return {
        "$schema": _SCHEMA_URI,
        "title": "simline scenario",
        "description": "A production line at one site, simulated by simline (format version 1).",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }

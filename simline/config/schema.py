"""The JSON Schema of scenario files, for editors' YAML completion (``simline schema``)."""

from __future__ import annotations

from typing import Any

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


def scenario_json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a scenario file.

    Durations show as a number or a string with a unit, distributions as a number, a string
    or a mapping with ``dist``, and ``site`` as a file path or a mapping.

    Returns
    -------
    dict
        A JSON-serialisable schema.
    """
    schema = _any_of(ScenarioConfig.model_json_schema(mode="validation"))
    properties = schema["properties"]
    site = properties["site"]
    site_ref = next(
        (option for option in site.get("anyOf", []) if "$ref" in option),
        {"$ref": "#/$defs/SiteConfig"},
    )
    properties["site"] = {
        "anyOf": [
            {"type": "string", "description": "a site file, relative to the scenario file"},
            site_ref,
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

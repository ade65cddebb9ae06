"""Hypothesis over scenario values: valid scenarios (``tests/strategies.py``) with one value
replaced by something hostile, through ``validate`` in this process.

Every value of the scenario tree may become a huge, tiny, negative or non-finite number, a
huge whole number, a string (with control and bidi characters too), a boolean, null, a list
or a mapping. For every input: exit 0 or 2, no traceback, no exception out of the CLI, and
on 2 one line that names the file. An unchanged generated scenario must be valid.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.test_mutations import contract, invoke
from tests.strategies import scenarios

HOSTILE = st.one_of(
    st.sampled_from(
        [
            1e308,
            -1e308,
            1e-308,
            5e-324,
            -1.0,
            0.0,
            -0.0,
            float("nan"),
            float("inf"),
            float("-inf"),
            2**63 - 1,
            2**63,
            2**64 + 1,
            -(2**63),
            10**30,
            1e9,
            1e12,
            True,
            False,
            None,
            "",
            "2",
            "1e308",
            "nan",
            "\u202e",
            "a\x1bb",
            "x" * 5000,
            [],
            {},
            [1e308],
            {"dist": "weibull", "shape": 1e-3, "scale": 1.0},
            {"dist": "empirical", "values": [1.0, 2.0], "weights": [1e308, 1e308]},
            "normal(1e-300, 0)",
            "exp(1e-300)",
            "uniform(1, " + "1, " * 2000 + "1)",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=30),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into the scenario tree (mappings and lists), leaves and branches."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _validate(data: dict[str, Any]) -> tuple[int, str, str, BaseException | None, str]:
    with tempfile.TemporaryDirectory(prefix="simline-values-") as top:
        path = Path(top) / "generated.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        code, stdout, stderr, escaped, _ = invoke(["validate", str(path)])
    return code, stdout, stderr, escaped, path.name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios())
def test_generated_scenario_is_valid(data: dict[str, Any]) -> None:
    code, _, stderr, escaped, _ = _validate(data)
    assert code == 0 and escaped is None, stderr


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=scenarios(), pick=st.data(), value=HOSTILE)
def test_hostile_value(data: dict[str, Any], pick: st.DataObject, value: Any) -> None:
    path = pick.draw(st.sampled_from(_paths(data)), label="path")
    _replace(data, path, value)
    code, _, stderr, escaped, name = _validate(data)
    bad = contract(code, stderr, name, codes={0, 2})
    if escaped is not None:
        bad.append(f"exception escaped the CLI: {type(escaped).__name__}: {escaped}")
    shown = repr(value) if len(repr(value)) <= 200 else repr(value)[:200] + "..."
    assert not bad, f"{'.'.join(map(str, path))} = {shown}: {stderr[:400]!r}: {bad}"

"""The kernels stay small modules of small functions (issue #11).

Each module of ``simline/kernels/`` has one owner (events, buffers, batches, the operator
pool, a station's process, statistics ...): at most 400 lines, and no function over 150, so
that a feature added to the model is added in one readable place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KERNELS = Path(__file__).resolve().parents[2] / "simline" / "kernels"
MODULES = sorted(KERNELS.glob("*.py"))


def test_the_kernels_are_split_into_modules() -> None:
    names = {path.stem for path in MODULES}
    assert {"layout", "events", "buffers", "batches", "operators", "station", "line"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_over_400_lines_and_no_function_over_150(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 400, f"{path.name} has {len(source.splitlines())} lines"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= 150, f"{path.name}: {node.name} has {length} lines"

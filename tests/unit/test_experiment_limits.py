"""The limits of experiment files (docs/limits.md, "Experiments"), each refused before running."""

from __future__ import annotations

from pathlib import Path

import pytest

from simline.config.experiment import LHS_MAX, load_experiment
from simline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "exp.yaml"
    scenario = ROOT / "configs" / "two-product.yaml"
    path.write_text(
        f"simline: 1\nexperiment: big\nscenarios: [{scenario}]\n{body}", encoding="utf-8"
    )
    return path


def _factorial(values: int, keys: int) -> str:
    names = ["lathe.buffer", "wash.buffer", "assemble.buffer", "pack.buffer", "lathe.servers"]
    listed = "[" + ", ".join(str(i) for i in range(1, values + 1)) + "]"
    return "factors:\n" + "".join(f"  stations.{k}: {listed}\n" for k in names[:keys])


def test_a_full_factorial_over_the_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    body = _factorial(10, 5) + "  stations.pack.servers: [1, 2]\n"  # 200,000 runs
    with pytest.raises(ConfigError) as info:
        load_experiment(_write(tmp_path, body))
    assert str(info.value) == (
        f"{tmp_path / 'exp.yaml'}:4: factors: the full factorial has 200,000 runs, more than "
        f"{LHS_MAX:,}: give fewer values, or sample the space with design {{lhs: N}} or "
        "search it with 'optimize'"
    )


def test_a_full_factorial_at_the_limit_is_accepted(tmp_path: Path) -> None:
    exp = load_experiment(_write(tmp_path, _factorial(10, 5)))  # 100,000 runs
    assert exp.config.factors is not None and len(exp.config.factors) == 5

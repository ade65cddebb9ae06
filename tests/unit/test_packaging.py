"""The package's metadata: what a user's ``pip install simline`` brings, and what CI runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Distributions whose import name is not their name with ``-`` as ``_``.
IMPORT_NAMES = {"pyyaml": "yaml"}


def _project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]  # type: ignore[no-any-return]


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match is not None, requirement
    return match.group().lower()


def test_every_runtime_dependency_is_imported_by_simline() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "simline").rglob("*.py"))
    unused = []
    for requirement in _project()["dependencies"]:  # type: ignore[attr-defined]
        name = _name(requirement)
        module = IMPORT_NAMES.get(name, name.replace("-", "_"))
        if not re.search(rf"^\s*(import|from) {module}\b", source, re.MULTILINE):
            unused.append(name)
    assert unused == []


def test_test_tools_are_only_in_the_dev_extra() -> None:
    project = _project()
    runtime = {_name(r) for r in project["dependencies"]}  # type: ignore[attr-defined]
    dev = {_name(r) for r in project["optional-dependencies"]["dev"]}  # type: ignore[index]
    tools = {"pytest", "pytest-benchmark", "pytest-xdist", "hypothesis", "mypy", "ruff", "nox"}
    assert runtime & tools == set()
    assert tools <= dev


def test_every_extra_a_message_names_exists() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "simline").rglob("*.py"))
    named = set(re.findall(r"simline\[(\w+)\]", source))
    assert named == {"dask", "optimize", "parquet"}
    extras = _project()["optional-dependencies"]
    for extra in named:
        assert extras[extra], extra  # type: ignore[index]


def test_ci_runs_the_readme_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.split("## Start here", 1)[1].split("\n## ", 1)[0]
    install, tests = re.findall(r"```bash\n(.*?)\n```", start, re.DOTALL)
    assert "[dev]" not in install
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci
    assert "simline run configs/robot-machining.yaml" in install

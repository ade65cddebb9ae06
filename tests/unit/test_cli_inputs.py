"""Bad command-line input found in review: one line on stderr, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simline.cli import cli

SCENARIO = """\
simline: 1
name: tiny
run: {length: 60, replications: 1}
stations:
  a: {kind: machine, process_time: 1}
"""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--trace", "out.txt"), "--trace: expected a .csv or .parquet file"),
        (("--length", "1e308w"), "--length: expected a finite duration"),
        (("--warmup", "1e308w"), "--warmup: expected a finite duration"),
    ],
)
def test_bad_option_values(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO)
    out = tmp_path / "result.json"
    result = CliRunner().invoke(cli, ["run", str(scenario), "-o", str(out), "-q", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not (tmp_path / "out.txt").exists()

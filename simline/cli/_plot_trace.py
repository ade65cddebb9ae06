"""``simline plot-trace``: a Gantt chart of an event trace written by ``simline run --trace``.

Registered on the ``simline`` group when :mod:`simline.cli` is imported. What the chart
reconstructs from the events (and what it cannot) is said in :mod:`simline.report.gantt`.
"""

from __future__ import annotations

import math
from pathlib import Path

import click

from simline.cli import _OUTPUT, _check_targets, _reports_errors, _WholeNumber, cli
from simline.errors import ConfigError

__all__: list[str] = []

#: The chart formats, by the output file's suffix.
_FORMATS = (".png", ".svg", ".pdf")


class _Time(click.ParamType):  # type: ignore[type-arg]
    """A time of the trace: a number >= 0 in the scenario's time unit."""

    name = "number"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(str(value))
        except ValueError:
            self.fail(f"expected a number >= 0 (got {value!r})", param, ctx)
        if not math.isfinite(number) or number < 0:
            self.fail(f"expected a number >= 0 (got {value!r})", param, ctx)
        return number


@cli.command("plot-trace")
@click.argument("trace", type=click.Path(path_type=Path, readable=False))
@click.option(
    "-o",
    "--output",
    type=_OUTPUT,
    metavar="PATH",
    required=True,
    help="The chart: PNG, SVG or PDF by suffix, written atomically.",
)
@click.option(
    "--replication",
    type=_WholeNumber(0),
    default=0,
    show_default=True,
    metavar="K",
    help="The replication to draw.",
)
@click.option(
    "--from", "start", type=_Time(), metavar="T", help="Start of the window (scenario time unit)."
)
@click.option("--to", "end", type=_Time(), metavar="T", help="End of the window.")
@click.option(
    "--time-unit",
    metavar="UNIT",
    default="",
    help="The scenario's time unit, for the axis label (a trace does not record it).",
)
@click.option(
    "--flow/--no-flow",
    default=True,
    show_default=True,
    help="Draw each part's moves between stations.",
)
@_reports_errors
def plot_trace(
    trace: Path,
    output: Path,
    replication: int,
    start: float | None,
    end: float | None,
    time_unit: str,
    flow: bool,
) -> None:
    """Draw a Gantt chart of a trace: each station's states over time, and the part flow.

    TRACE is a CSV or Parquet file of 'simline run --trace'. The states are reconstructed
    from the events (busy, setup, blocked, down, waiting for operators, paused); a lane
    without a bar held no part (starved or off shift: the trace does not tell which).
    """
    from simline.report.gantt import plot_gantt, read_trace, reconstruct

    if output.suffix.lower() not in _FORMATS:
        raise ConfigError(
            f"expected a .png, .svg or .pdf file (got {str(output)!r})", path="--output"
        )
    _check_targets({"--output": output}, [], more=[(trace, "the trace file")])
    events = read_trace(trace)
    if replication not in events:
        have = ", ".join(str(k) for k in sorted(events)) or "none"
        raise ConfigError(
            f"no replication {replication} in the trace (it has: {have})",
            file=str(trace),
            path="--replication",
        )
    gantt = reconstruct(events[replication], replication=replication, start=start, end=end)
    plot_gantt(output, gantt, flow=flow, time_unit=time_unit)

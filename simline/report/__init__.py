"""Presenting results: the documented JSON, CSV rows, traces, and tables for people."""

from __future__ import annotations

from simline.report.output import (
    atomic_write,
    dumps_json,
    rows_to_csv,
    run_to_csv_rows,
    run_to_json,
    write_trace,
)
from simline.report.table import render_table

__all__ = [
    "atomic_write",
    "dumps_json",
    "render_table",
    "rows_to_csv",
    "run_to_csv_rows",
    "run_to_json",
    "write_trace",
]

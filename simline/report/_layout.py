"""A table for people that fits the width it is given, by splitting its columns.

Rich shrinks a table that is too wide by wrapping and truncating its cells (``Stat…``, a
confidence interval over three lines). :class:`FitTable` never does: it measures every
column at its natural width and, when the columns do not fit the console, prints them as
several tables one under the other, each repeating the key columns (the station, the
figure). Its title and caption are plain text, wrapped at the width.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["FitTable"]

Justify = Literal["left", "right"]

#: Spaces between two columns (one on each side of a cell; none at the table's edges).
_GAP = 2


class FitTable:
    """Rows of text cells with a title and a caption, split over tables to fit the width.

    Parameters
    ----------
    title
        Printed in bold above the table (wrapped at the width).
    columns
        Each column's header (a newline starts a second header line, for a unit) and
        justification.
    keys
        How many leading columns identify a row; they are repeated in every part.
    caption
        Printed below the last part (wrapped at the width), or ``None``.
    breaks
        Indices of columns that start a group: a split falls before a group rather than
        inside it where the group fits a part of its own.
    """

    def __init__(
        self,
        title: str,
        columns: Sequence[tuple[str, Justify]],
        *,
        keys: int = 1,
        caption: str | None = None,
        breaks: Sequence[int] = (),
    ) -> None:
        self.title = title
        self.columns = list(columns)
        self.keys = keys
        self.caption = caption
        self.breaks = tuple(breaks)
        self.rows: list[tuple[list[str], str | None]] = []

    def add_row(self, *cells: str, style: str | None = None) -> None:
        """Add a row of as many cells as there are columns."""
        if len(cells) != len(self.columns):
            raise ValueError(f"a row needs {len(self.columns)} cells (got {len(cells)})")
        self.rows.append((list(cells), style))

    def widths(self) -> list[int]:
        """Each column's natural width: its longest header line or cell."""
        out = []
        for i, (header, _) in enumerate(self.columns):
            lines = [*header.split("\n"), *(row[i] for row, _ in self.rows)]
            out.append(max(cell_len(line) for line in lines))
        return out

    def parts(self, width: int) -> list[list[int]]:
        """Return the columns of each part (indices, keys first), each part within ``width``.

        Columns are taken in order; a part ends where the next column would not fit, or,
        when a whole group (the columns between two :attr:`breaks`) would not fit in what
        is left, before that group. A part holds at least one column besides the keys,
        even if that does not fit.
        """
        widths = self.widths()
        keys = list(range(min(self.keys, len(widths))))
        base = sum(widths[i] + _GAP for i in keys)
        starts = sorted({len(keys), *(b for b in self.breaks if len(keys) < b < len(widths))})
        groups = [
            list(range(a, b)) for a, b in zip(starts, [*starts[1:], len(widths)], strict=True)
        ]
        parts: list[list[int]] = []
        current: list[int] = []
        used = base

        def span(columns: list[int]) -> int:
            return sum(widths[i] + _GAP for i in columns) - _GAP

        for group in groups:
            if current and used + span(group) > width and base + span(group) <= width:
                parts.append(keys + current)
                current, used = [], base
            for i in group:
                if current and used + widths[i] > width:
                    parts.append(keys + current)
                    current, used = [], base
                current.append(i)
                used += widths[i] + _GAP
        if current or not parts:
            parts.append(keys + current)
        return parts

    def _table(self, columns: list[int]) -> Table:
        table = Table(box=None, padding=(0, 1), pad_edge=False)
        for i in columns:
            header, justify = self.columns[i]
            table.add_column(header, justify=justify, overflow="fold")
        for cells, style in self.rows:
            table.add_row(*(cells[i] for i in columns), style=style)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Render the title, each part, then the caption, within ``options.max_width``."""
        yield from self._render(options.max_width)

    def _render(self, width: int) -> Iterator[Text | Table]:
        yield Text(self.title, style="bold")
        for k, columns in enumerate(self.parts(width)):
            if k:
                yield Text("")
            yield self._table(columns)
        if self.caption:  # wrapped here: rich leaves a space past the width where it wraps
            paragraphs = self.caption.split("\n")
            yield Text(
                "\n".join(
                    textwrap.fill(p, max(width, 20), break_on_hyphens=False) for p in paragraphs
                )
            )

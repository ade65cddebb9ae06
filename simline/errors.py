"""The exceptions simline raises.

Every error simline raises on purpose subclasses :class:`SimlineError`, so a caller can catch
them all at once; only :mod:`simline.cli` turns them into a message and an exit status::

    SimlineError
    ├── ConfigError          bad input: a scenario file, an option or a value (exit status 2)
    ├── SimulationError      a failure while simulating (exit status 1)
    └── ExperimentError      a failure while running an experiment (exit status 1)

    SimlineWarning           something the user should know that is not an error (a
                             UserWarning: the command line shows it as one line on stderr)
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_MESSAGE",
    "MAX_PROBLEMS",
    "ConfigError",
    "ExperimentError",
    "SimlineError",
    "SimlineWarning",
    "SimulationError",
    "printable",
]

#: The longest message line, in characters: a longer one has its longest quoted values cut.
MAX_MESSAGE = 300

#: The most problems of one file the command line shows, one per line.
MAX_PROBLEMS = 20

#: Characters a message shows escaped: C0 controls, DEL, C1 controls, the bidirectional
#: controls (which reorder the text around them on a terminal) and the two Unicode line
#: separators (which end a line for ``str.splitlines``).
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

#: A quoted value as ``repr`` writes it, with its escapes.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")

#: Characters kept at each end of a cut value or line.
_KEEP = 40


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: A run of characters without spaces.
_WORD = re.compile(r"\S+")


def _cut_spans(text: str, pattern: re.Pattern[str], limit: int, *, quoted: bool) -> str:
    """Cut the longest matches of ``pattern`` to their ends until ``text`` fits ``limit``."""
    spans = sorted(
        (m for m in pattern.finditer(text) if m.end() - m.start() > 2 * _KEEP + 8),
        key=lambda m: m.start() - m.end(),
    )
    cuts: dict[int, tuple[int, str]] = {}
    length = len(text)
    keep = _KEEP + 1 if quoted else _KEEP
    for m in spans:
        if length <= limit:
            break
        value = m.group()
        inner = len(value) - 2 if quoted else len(value)
        short = f"{value[:keep]}...{value[-keep:]} ({inner} characters)"
        cuts[m.start()] = (m.end(), short)
        length -= len(value) - len(short)
    if not cuts:
        return text
    parts, pos = [], 0
    for start in sorted(cuts):
        end, short = cuts[start]
        parts += [text[pos:start], short]
        pos = end
    return "".join([*parts, text[pos:]])


def printable(text: str, limit: int = MAX_MESSAGE) -> str:
    r"""Return a message as one safe line: invisible characters escaped, long values cut.

    Control characters (C0, DEL, C1), the bidirectional controls (``U+202E`` and its kin) and
    the line separators become visible escapes such as ``\u202e``, so a station name cannot
    reorder or hide the rest of the line. A line longer than ``limit`` characters has its
    longest quoted values cut to their ends around ``...`` with their length, e.g.
    ``'aaaa...aaaa' (100000 characters)``, and if it is still too long, the line itself is
    cut the same way. Other text, ``Köln`` or a dash, stays as it is.

    Parameters
    ----------
    text
        The message.
    limit
        The longest line to return.
    """
    text = _INVISIBLE.sub(_escape, text)
    if len(text) <= limit:
        return text
    # Quoted values first, then long runs without spaces (a path with a long name in it),
    # so that what was expected, the words around them, survives.
    text = _cut_spans(text, _QUOTED, limit, quoted=True)
    text = _cut_spans(text, _WORD, limit, quoted=False)
    if len(text) > limit:
        head = limit - 2 * _KEEP - 30
        text = f"{text[:head]}...{text[-_KEEP:]} (cut from {len(text)} characters)"
    return text


class SimlineError(Exception):
    """Base class of every error simline raises on purpose."""

    exit_code = 1


class ConfigError(SimlineError):
    """Bad input: the message names the file, config path, YAML line and what was expected.

    Parameters
    ----------
    message
        What was expected and what was found, e.g. ``'buffer' must be >= 0 (got -1)``.
    file
        The scenario file, when there is one.
    path
        The dotted path inside the config, e.g. ``stations.saw.buffer``.
    line
        The 1-based YAML line, when known.
    others
        Further problems found in the same validation, in the order of the file; ``str()``
        counts them, :meth:`lines` shows them.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        line: int | None = None,
        others: tuple[ConfigError, ...] = (),
    ) -> None:
        self.message = message
        self.file = file
        self.path = path
        self.line = line
        self.others = others
        super().__init__(str(self))

    def _line(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.path:
            where.append(self.path)
        prefix = ": ".join(where)
        return printable(f"{prefix}: {self.message}" if prefix else self.message)

    def __str__(self) -> str:
        count = len(self.others)
        if not count:
            return self._line()
        return printable(f"{self._line()} (and {count} more problem{'s' if count > 1 else ''})")

    def lines(self, limit: int = MAX_PROBLEMS) -> list[str]:
        """Return each problem as its own line: this one, then the others, ``limit`` at most.

        When there are more than ``limit``, the last line counts those not shown.
        """
        problems = [self, *self.others]
        shown = [p._line() for p in problems[:limit]]
        if len(problems) > limit:
            rest = len(problems) - limit
            shown.append(f"(and {rest} more problem{'s' if rest > 1 else ''})")
        return shown


class SimulationError(SimlineError):
    """A failure while simulating a valid scenario."""

    exit_code = 1


class ExperimentError(SimlineError):
    """A failure while running an experiment."""

    exit_code = 1


class SimlineWarning(UserWarning):
    """A notice for the user from the library (which never prints): e.g. a repaired cache."""

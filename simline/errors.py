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

__all__ = ["ConfigError", "ExperimentError", "SimlineError", "SimlineWarning", "SimulationError"]


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
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.path = path
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.path:
            where.append(self.path)
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class SimulationError(SimlineError):
    """A failure while simulating a valid scenario."""

    exit_code = 1


class ExperimentError(SimlineError):
    """A failure while running an experiment."""

    exit_code = 1


class SimlineWarning(UserWarning):
    """A notice for the user from the library (which never prints): e.g. a repaired cache."""

"""Ranking and selection: Kim and Nelson's fully sequential KN procedure.

KN (Kim & Nelson 2001, "A fully sequential procedure for indifference-zone selection in
simulation", ACM TOMACS 11(3), 251-273) picks, among ``k`` runs, one whose true mean is
within the *indifference* ``delta`` of the best with probability at least ``confidence``
(under the normal model; the means of the other runs may be anywhere). It uses common
random numbers: replication ``j`` of every run shares its random numbers, and the procedure
works on the variances of the *paired differences*, which common random numbers make small.

The procedure, for ``goal="max"`` (``"min"`` is the same on the negated values):

1. Every run gets ``n0 = first_stage`` replications. For every pair ``i != l``,
   ``S_il^2`` is the sample variance of ``X_ij - X_lj`` over ``j = 1..n0``. With
   ``alpha = 1 - confidence``::

       eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2,     h^2 = 2 eta (n0 - 1)

2. At stage ``r`` (first ``r = n0``), run ``i`` is eliminated when some other survivor
   ``l`` of the stage has ``mean_i(r) < mean_l(r) - W_il(r)``, with
   ``W_il(r) = max(0, delta / (2 r) * (h^2 S_il^2 / delta^2 - r))``.
3. One run left: it is selected. Otherwise every survivor gets one more replication,
   ``r = r + 1``, and back to 2.

Rules this implementation adds where the paper leaves nothing to decide in theory:

- At ``max_replications`` per run with several survivors, the survivor of best mean is
  selected and :meth:`KN.to_json` says that the guarantee is *not* established.
- When every survivor's ``W_il(r)`` is 0 (the triangular continuation region has closed,
  ``r >= h^2 S_il^2 / delta^2`` for every pair) and several survivors remain, their means are
  exactly equal (a figure that does not vary, say): the first of them in ``ids`` order is
  selected then, with the guarantee, instead of adding replications that cannot separate them.
- One run: it is selected at once, :meth:`KN.wanted` asks for nothing and the selection
  uses no replications (``to_json()["replications"] == {id: 0}``); the run has whatever
  replications the caller gives it for its figures (the guarantee holds trivially).
- Two runs and ``confidence <= 0.5``: the formula gives ``h^2 <= 0``, every ``W`` is 0, and
  the run of better first-stage mean is selected after the first stage.

The decisions depend only on the values (means are exact sums, :func:`math.fsum`), so the
same values always give the same selection, whatever the order in which replications
finished or how often the process was interrupted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from simline.errors import ExperimentError

__all__ = ["KN", "kn_constant"]


def kn_constant(k: int, confidence: float, first_stage: int) -> float:
    """Return KN's ``h^2 = 2 eta (n0 - 1)`` for ``k`` runs.

    Parameters
    ----------
    k
        The number of runs (at least 2).
    confidence
        The probability of correct selection asked for, ``1 - alpha``.
    first_stage
        ``n0``, the replications of the first stage (at least 2).

    Examples
    --------
    >>> round(kn_constant(5, 0.95, 10), 4)
    11.4294
    """
    if k < 2:
        raise ValueError(f"'k' must be >= 2 (got {k!r})")
    if first_stage < 2:
        raise ValueError(f"'first_stage' must be >= 2 (got {first_stage!r})")
    alpha = 1.0 - confidence
    eta = 0.5 * ((2.0 * alpha / (k - 1)) ** (-2.0 / (first_stage - 1)) - 1.0)
    return float(2.0 * eta * (first_stage - 1))


class KN:
    """Kim and Nelson's fully sequential selection of the best run (common random numbers).

    Drive it with a loop; a caller with a pool of workers runs the replications each call
    to :meth:`wanted` asks for at once::

        kn = KN(ids, goal="min", indifference=0.05, confidence=0.95,
                first_stage=10, max_replications=1000)
        while not kn.done:
            for run_id, total in kn.wanted().items():
                ...  # make sure run_id has replications 0 .. total-1
            kn.update(values)   # run id -> the figure's value of each replication, by index

    Parameters
    ----------
    ids
        The runs, distinct. Their order breaks exact ties.
    goal
        ``"min"`` or ``"max"``: whether the best run has the smallest or largest mean.
    indifference
        ``delta`` (> 0), in the figure's unit: a difference smaller than this does not matter.
    confidence
        The probability of correct selection, ``0 < confidence < 1``.
    first_stage
        ``n0`` (>= 2), the replications every run gets before anything is eliminated.
    max_replications
        The most replications a run gets (>= ``first_stage``).

    Attributes
    ----------
    survivors
        The runs still in contention, in ``ids`` order.
    selected
        The selected run once :attr:`done`, else ``None``.
    done
        Whether the selection has ended.
    h2
        KN's constant ``h^2`` (``0`` for a single run).
    stage
        The replications per survivor used so far (``0`` before the first stage).
    """

    def __init__(
        self,
        ids: Sequence[str],
        *,
        goal: Literal["min", "max"],
        indifference: float,
        confidence: float,
        first_stage: int,
        max_replications: int,
    ) -> None:
        if len(ids) == 0:
            raise ValueError("KN needs at least one run (got none)")
        if len(set(ids)) != len(ids):
            raise ValueError(f"run ids must be distinct (got {list(ids)!r})")
        if goal not in ("min", "max"):
            raise ValueError(f"'goal' must be 'min' or 'max' (got {goal!r})")
        if not indifference > 0 or not math.isfinite(indifference):
            raise ValueError(f"'indifference' must be > 0 (got {indifference!r})")
        if not 0.0 < confidence < 1.0:
            raise ValueError(f"'confidence' must be > 0 and < 1 (got {confidence!r})")
        if first_stage < 2:
            raise ValueError(f"'first_stage' must be >= 2 (got {first_stage!r})")
        if max_replications < first_stage:
            raise ValueError(
                f"'max_replications' must be >= first_stage {first_stage} "
                f"(got {max_replications!r})"
            )
        self.ids: list[str] = list(ids)
        self.goal: Literal["min", "max"] = goal
        self.indifference = float(indifference)
        self.confidence = float(confidence)
        self.first_stage = int(first_stage)
        self.max_replications = int(max_replications)
        self.h2 = kn_constant(len(ids), confidence, first_stage) if len(ids) > 1 else 0.0
        self.survivors: list[str] = list(ids)
        self.stage = 0
        self.eliminated: dict[str, int] = {}
        self._variances: dict[tuple[str, str], float] = {}
        self._given: dict[str, int] = dict.fromkeys(ids, 0)
        self._established = True
        self.selected: str | None = self.ids[0] if len(ids) == 1 else None
        self.done = len(ids) == 1

    def wanted(self) -> dict[str, int]:
        """Return run id -> the total replications it needs now (survivors only; ``{}`` when done).

        Before the first stage every run wants ``first_stage``; then every survivor wants one
        more than the current :attr:`stage`.
        """
        if self.done:
            return {}
        total = self.first_stage if self.stage == 0 else self.stage + 1
        return dict.fromkeys(self.survivors, total)

    def update(self, values: Mapping[str, Sequence[float]]) -> None:
        """Take the replications :meth:`wanted` asked for and screen the survivors once.

        Parameters
        ----------
        values
            Run id -> the figure's value of each replication, by replication index. Every
            survivor must be there with at least the total :meth:`wanted` gave it; only that
            many values are used (a longer sequence is fine), and other runs are ignored.

        Raises
        ------
        ValueError
            If a survivor is missing or has fewer values than wanted.
        ExperimentError
            If a value used is not a finite number (the figure was undefined in that
            replication: KN needs it in every replication).
        """
        if self.done:
            return
        total = self.first_stage if self.stage == 0 else self.stage + 1
        rows: dict[str, list[float]] = {}
        for run_id in self.survivors:
            if run_id not in values:
                raise ValueError(f"values for run {run_id!r} are missing")
            given = values[run_id]
            if len(given) < total:
                raise ValueError(
                    f"run {run_id!r} needs {total} replications (got {len(given)} values)"
                )
            row = [float(v) for v in given[:total]]
            for j, v in enumerate(row):
                if not math.isfinite(v):
                    raise ExperimentError(
                        f"run {run_id!r} has no finite value in replication {j} (got {v!r}): "
                        "the KN selection needs the figure in every replication"
                    )
            rows[run_id] = row if self.goal == "max" else [-v for v in row]
        for run_id in rows:
            self._given[run_id] = total
        if self.stage == 0:
            self._first_stage_variances(rows)
        self.stage = total
        self._screen(rows)

    def _first_stage_variances(self, rows: Mapping[str, list[float]]) -> None:
        n0 = self.first_stage
        for a, ida in enumerate(self.ids):
            for idb in self.ids[a + 1 :]:
                diff = [x - y for x, y in zip(rows[ida], rows[idb], strict=True)]
                mean = math.fsum(diff) / n0
                var = math.fsum((d - mean) ** 2 for d in diff) / (n0 - 1)
                self._variances[(ida, idb)] = self._variances[(idb, ida)] = var

    def _half_width(self, a: str, b: str, r: int) -> float:
        """KN's ``W_ab(r)``."""
        delta = self.indifference
        return max(0.0, delta / (2.0 * r) * (self.h2 * self._variances[(a, b)] / delta**2 - r))

    def _screen(self, rows: Mapping[str, list[float]]) -> None:
        r = self.stage
        means = {run_id: math.fsum(row) / r for run_id, row in rows.items()}
        old = list(self.survivors)
        widths = {(a, b): self._half_width(a, b, r) for a in old for b in old if a != b}
        keep = [a for a in old if all(means[a] >= means[b] - widths[(a, b)] for b in old if b != a)]
        for run_id in old:
            if run_id not in keep:
                self.eliminated[run_id] = r
        self.survivors = keep
        if len(keep) == 1:
            self.selected, self.done = keep[0], True
        elif all(widths[(a, b)] == 0.0 for a in keep for b in keep if a != b):
            # The continuation region has closed for every pair of survivors: they are left
            # only because their means are exactly equal.
            self.selected, self.done = keep[0], True
        elif r >= self.max_replications:
            best = max(means[a] for a in keep)
            self.selected = next(a for a in keep if means[a] == best)
            self.done = True
            self._established = False

    @property
    def established(self) -> bool:
        """Whether the selection has ended with KN's guarantee (not cut off at the maximum)."""
        return self.done and self._established

    def replications(self) -> dict[str, int]:
        """Run id -> the replications the selection used of it (0 before the first stage)."""
        return {run_id: self._given[run_id] for run_id in self.ids}

    def fixed_count(self) -> dict[str, int]:
        """Run id -> the replications a non-sequential use of KN's bound would give it.

        Without screening, KN's continuation region for the pair ``(i, l)`` closes after
        ``N_il = floor(h^2 S_il^2 / delta^2) + 1`` replications; a procedure that fixes the
        count after the first stage gives run ``i`` ``max(n0, max_l N_il)`` (at most
        ``max_replications``). ``{}`` before the first stage; ``{id: 0}`` for a single run.
        """
        if len(self.ids) == 1:
            return {self.ids[0]: 0}
        if not self._variances:
            return {}
        out: dict[str, int] = {}
        for a in self.ids:
            bound = max(
                math.floor(self.h2 * self._variances[(a, b)] / self.indifference**2) + 1
                for b in self.ids
                if b != a
            )
            out[a] = min(self.max_replications, max(self.first_stage, bound))
        return out

    def guarantee(self) -> str:
        """Return the sentence that states what the selection guarantees (or why not)."""
        if len(self.ids) == 1:
            return "the only run is selected: there is nothing to compare it with"
        if not self.done:
            return "not established yet: the selection is still running"
        if not self._established:
            return (
                f"not established: {len(self.survivors)} runs were still in contention at "
                f"{self.max_replications} replications each, the maximum; the selected run "
                "has the best mean among them"
            )
        return (
            f"with probability at least {self.confidence:g} the selected run is within "
            f"{self.indifference:g} of the best (Kim & Nelson's KN procedure, common random "
            "numbers)"
        )

    def to_json(self) -> dict[str, Any]:
        """Return the selection as JSON.

        Keys: ``method`` (``"kn"``), ``indifference``, ``confidence``, ``first_stage``,
        ``max_replications``, ``selected`` (``None`` until done), ``replications`` (run id ->
        replications used), ``eliminated`` (run id -> the stage it was eliminated at),
        ``total_replications``, ``fixed_total`` (the sum of :meth:`fixed_count`, ``None``
        before the first stage), ``established`` and ``guarantee`` (a sentence).
        """
        used = self.replications()
        fixed = self.fixed_count()
        return {
            "method": "kn",
            "indifference": self.indifference,
            "confidence": self.confidence,
            "first_stage": self.first_stage,
            "max_replications": self.max_replications,
            "selected": self.selected,
            "replications": used,
            "eliminated": dict(self.eliminated),
            "total_replications": sum(used.values()),
            "fixed_total": sum(fixed.values()) if fixed else None,
            "established": self.established,
            "guarantee": self.guarantee(),
        }

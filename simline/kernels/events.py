# mypy: disable-error-code="no-any-return"
"""The event kernel's event list: a binary heap ordered by (time, sequence number).

Events at one instant come in the order they were scheduled, as in SimPy (whose events of
equal time and priority keep their insertion order). A push only appends the event with
its sequence number; one :func:`sift` after each event restores the heap (no event is
popped in between, so it is the heap of pushing one by one).
"""

from __future__ import annotations

from simline.kernels._jit import njit_kernel
from simline.kernels.layout import (
    C_HEAP,
    C_LIMIT,
    C_SEQ,
    C_STATUS,
    H_KIND,
    H_SEQ,
    H_TOKEN,
    H_WHO,
    N_PURPOSES,
    OVERFLOW,
    X_NOW,
    LineState,
)

__all__ = ["pop_event", "push", "push_now", "sift", "stream"]


@njit_kernel
def stream(owner: int, purpose: int) -> int:
    """Return the stream of (station or release, purpose)."""
    return N_PURPOSES * owner + purpose


@njit_kernel
def push(state: LineState, time: float, kind: int, who: int, token: int) -> None:
    """Append an event; :func:`sift` puts it in its place after the current event.

    Past ``ci[C_LIMIT]`` events the overflow is flagged (the run stops after this event)
    without a branch: the room left above the limit holds every push one event can make
    (:func:`simline.kernels.layout.heap_reserve`).
    """
    ci = state.ci
    n = ci[C_HEAP]
    seq = ci[C_SEQ]
    ci[C_SEQ] = seq + 1
    ci[C_HEAP] = n + 1
    ci[C_STATUS] |= OVERFLOW * (n >= ci[C_LIMIT])  # no branch: see the docstring
    he = state.he
    state.ht[n] = time
    he[n, H_SEQ] = seq
    he[n, H_KIND] = kind
    he[n, H_WHO] = who
    he[n, H_TOKEN] = token


@njit_kernel
def push_now(state: LineState, kind: int, who: int, token: int) -> None:
    """Append an event at the current time (after those already due now)."""
    push(state, state.cf[X_NOW], kind, who, token)


@njit_kernel
def sift(state: LineState, lo: int) -> None:
    """Sift up the events appended at ``lo`` and after, in order (by time, sequence)."""
    ht = state.ht
    he = state.he
    for j in range(lo, state.ci[C_HEAP]):
        time = ht[j]
        seq = he[j, H_SEQ]
        kind = he[j, H_KIND]
        who = he[j, H_WHO]
        token = he[j, H_TOKEN]
        i = j
        while i > 0:  # sift the hole up
            up = (i - 1) >> 1
            if ht[up] < time or (ht[up] == time and he[up, H_SEQ] < seq):
                break
            ht[i] = ht[up]
            he[i, H_SEQ] = he[up, H_SEQ]
            he[i, H_KIND] = he[up, H_KIND]
            he[i, H_WHO] = he[up, H_WHO]
            he[i, H_TOKEN] = he[up, H_TOKEN]
            i = up
        ht[i] = time
        he[i, H_SEQ] = seq
        he[i, H_KIND] = kind
        he[i, H_WHO] = who
        he[i, H_TOKEN] = token


@njit_kernel
def pop_event(state: LineState) -> tuple[int, int, int]:
    """Remove the first event; the clock moves to its time. Returns (kind, who, token)."""
    ht = state.ht
    he = state.he
    ci = state.ci
    n = ci[C_HEAP] - 1
    state.cf[X_NOW] = ht[0]
    kind = he[0, H_KIND]
    who = he[0, H_WHO]
    token = he[0, H_TOKEN]
    last_time = ht[n]
    last_seq = he[n, H_SEQ]
    i = 0
    while True:  # sift the last event down from the top
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and (
            ht[c + 1] < ht[c] or (ht[c + 1] == ht[c] and he[c + 1, H_SEQ] < he[c, H_SEQ])
        ):
            c += 1
        if ht[c] < last_time or (ht[c] == last_time and he[c, H_SEQ] < last_seq):
            ht[i] = ht[c]
            he[i, H_SEQ] = he[c, H_SEQ]
            he[i, H_KIND] = he[c, H_KIND]
            he[i, H_WHO] = he[c, H_WHO]
            he[i, H_TOKEN] = he[c, H_TOKEN]
            i = c
        else:
            break
    ht[i] = last_time
    he[i, H_SEQ] = last_seq
    he[i, H_KIND] = he[n, H_KIND]
    he[i, H_WHO] = he[n, H_WHO]
    he[i, H_TOKEN] = he[n, H_TOKEN]
    ci[C_HEAP] = n
    return kind, who, token

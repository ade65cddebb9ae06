# mypy: disable-error-code="no-any-return"
"""Parts moving along their routings.

Into a buffer or onto a waiting server, into the line (released when they get in), out of
it (CONWIP releases the next), and waiting servers and parts matched again after a repair or
a max_wait.
"""

from __future__ import annotations

from simline.kernels._jit import njit_kernel
from simline.kernels.batches import dispatch
from simline.kernels.buffers import (
    accepts,
    admit,
    any_up_putter,
    append_putter,
    give,
    has_room,
    place,
    pop_getter,
    push_item,
    take,
)
from simline.kernels.events import stream
from simline.kernels.layout import (
    B_GLEN,
    B_ILEN,
    B_PLEN,
    CONWIP,
    P_MIX,
    S_BSIZE,
    LinePlan,
    LineState,
)
from simline.kernels.parts import new_part, pick, record_exit, release

__all__ = ["enter", "leave", "put", "refill", "retry"]


@njit_kernel
def put(plan: LinePlan, state: LineState, b: int, part: int) -> bool:
    """Move ``part`` onto the first waiting server of ``b``, else into a place.

    At a batch station the part goes into a place, and waiting servers take the builds
    that are ready. ``False``: no place (the part's server blocks).
    """
    buf = state.buf
    if plan.st[b, S_BSIZE] > 0:
        if not has_room(plan, state, b):
            return False
        place(plan, state, b, part)
        if buf[b, B_GLEN] > 0:  # servers wait: the first takes the build at once
            dispatch(plan, state, b)
        return True
    if buf[b, B_GLEN] > 0:
        s = pop_getter(state, b)
        if s >= 0:
            give(state, s, part)
            return True
    if has_room(plan, state, b):
        push_item(state, b, part)
        return True
    return False


@njit_kernel
def enter(plan: LinePlan, state: LineState, part: int) -> None:
    """Send a new part to its first buffer, or queue it outside (released when it gets in)."""
    b = plan.route[state.pt_prod[part], 0]
    if accepts(plan, state, b):
        if state.pt_rel[part] < 0.0:
            release(state, part)
        put(plan, state, b, part)
    else:
        append_putter(state, b, -1, part)


@njit_kernel
def refill(plan: LinePlan, state: LineState) -> None:
    """CONWIP: release a new part (product by the release mix) into its first buffer."""
    n_st = plan.st.shape[0]
    product = pick(plan, state, -1, plan.mix_cum.shape[0], stream(n_st, P_MIX))
    part = new_part(state, product)
    release(state, part)
    enter(plan, state, part)


@njit_kernel
def leave(plan: LinePlan, state: LineState, part: int, station: int, good: bool) -> None:
    """``part`` leaves the line at ``station`` (good or scrapped); CONWIP refills."""
    record_exit(state, part, station, good)
    if plan.cfg[0] == CONWIP:
        refill(plan, state)


@njit_kernel
def retry(plan: LinePlan, state: LineState, b: int) -> None:
    """Match waiting servers and parts again (a server waiting at ``b`` was repaired)."""
    buf = state.buf
    if plan.st[b, S_BSIZE] > 0:
        dispatch(plan, state, b)
        if buf[b, B_PLEN] > 0:
            admit(plan, state, b)
        return
    while buf[b, B_GLEN] > 0 and (buf[b, B_ILEN] > 0 or any_up_putter(state, b)):
        s = pop_getter(state, b)
        if s < 0:
            break
        give(state, s, take(plan, state, b))
    if buf[b, B_PLEN] > 0:
        admit(plan, state, b)

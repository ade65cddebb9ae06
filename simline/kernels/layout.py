"""The event kernel's arrays: one place defines their columns, shapes and allocation.

A run of the event kernel (:mod:`simline.kernels.line`) takes two tuples of arrays:

- :class:`LinePlan`, the plan packed into tables, read only. It is built once per plan (by
  ``simline.engine.fast``) and shared by every replication.
- :class:`LineState`, everything a run writes: the random streams, the servers, buffers, part
  pool, event heap, counters and the results. :func:`new_state` allocates it, zeroed, for one
  replication, with the capacities of :class:`Capacities`.

Every function of the kernel takes ``(plan, state)`` and reads the columns below by name.
Both tuples are passed without Numba's runtime (see :mod:`simline.kernels._jit`), so a call
costs no reference counting, and LLVM inlines the small ones.

The model's vocabulary (the six states, the stream purposes) is :mod:`simline.vocabulary`'s.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simline.kernels._jit import njit
from simline.kernels.activity import ACT_WIDTH
from simline.kernels.series import SER_WIDTH
from simline.vocabulary import Purpose, State

__all__ = [
    "Capacities",
    "LinePlan",
    "LineState",
    "check_shapes",
    "heap_reserve",
    "new_state",
]

# The server states (BUSY ... OFF_SHIFT) are simline.vocabulary's; the stream purposes
# (simline.vocabulary.Purpose) as plain integers for the kernels.
N_STATES = len(State)
P_PROCESS = int(Purpose.PROCESS)
P_FAILURE = int(Purpose.FAILURE)
P_REPAIR = int(Purpose.REPAIR)
P_SETUP = int(Purpose.SETUP)
P_SCRAP = int(Purpose.SCRAP)
P_ARRIVAL = int(Purpose.ARRIVAL)
P_MIX = int(Purpose.MIX)
#: Streams per owner: the stream of (station, purpose) is ``N_PURPOSES * station + purpose``;
#: the release process is owner ``n_stations``.
N_PURPOSES = len(Purpose)
# Release modes (LinePlan.cfg[0]).
SATURATED, INTERARRIVAL, CONWIP = 0, 1, 2
# Failure bases (LinePlan.st[:, S_FAIL]).
FAIL_NONE, FAIL_OPERATING, FAIL_CALENDAR = 0, 1, 2

# Station table columns (LinePlan.st): servers, buffer places (-1: unlimited), first server,
# failure basis, time to failure and to repair (distribution rows), saturated first station,
# has setups, products it picks from (saturated), operators per server, build size (0: no
# batch), per-part time (distribution row, -1: none), on a cycle of routings.
(
    S_SERVERS,
    S_CAP,
    S_FIRST,
    S_FAIL,
    S_TTF,
    S_TTR,
    S_SAT,
    S_SETUP,
    S_NPICK,
    S_OPS,
    S_BSIZE,
    S_PERPART,
    S_CYCLE,
) = range(13)
ST_WIDTH = 13

# Server integer columns (LineState.sv): station, state, base state (the state but for
# down and off shift), down, program counter, part held, last product (setups), buffer it
# waits in, token of its current work, in work, its work ends in a failure, work's base
# state, program counter after the work, waits for a repair, manned, holds its operators,
# parts in its build, next part of the build to hand on, its row of LineState.bld.
(
    V_STATION,
    V_STATE,
    V_BASE,
    V_DOWN,
    V_PC,
    V_PART,
    V_LAST,
    V_WAITING_IN,
    V_TOKEN,
    V_IN_WORK,
    V_FAILING,
    V_WBASE,
    V_WNEXT,
    V_WAIT_REPAIR,
    V_MANNED,
    V_HAS_OPS,
    V_NB,
    V_BIDX,
    V_BROW,
) = range(19)
SV_WIDTH = 19
# Server float columns (LineState.sf): state entered at, work remaining, work segment
# started at, segment length, operating time left to the next failure.
F_SINCE, F_REMAIN, F_SEG_START, F_STEP, F_TTF_LEFT = range(5)
SF_WIDTH = 5

# Program counters of a server's process (where it stands, as a SimPy process at a yield).
(
    PC_TOP,
    PC_TAKE,
    PC_GOT,
    PC_PROCESS,
    PC_WORK,
    PC_SEGEND,
    PC_OPREP,
    PC_DONE,
    PC_HAND,
    PC_PUT,
) = range(10)

# Event kinds.
EV_WAKE, EV_SEG, EV_OPREP, EV_CALFAIL, EV_CALREP, EV_ARRIVAL, EV_SHIFT, EV_EXPIRE = range(8)
# Event heap columns (LineState.he; the times are in LineState.ht).
H_SEQ, H_KIND, H_WHO, H_TOKEN = range(4)
HE_WIDTH = 4

# Buffer columns (LineState.buf): places' head and length, blocked putters' head and length,
# waiting servers, the part whose max_wait ran out while it was the oldest, the deadlock
# check's marks and, down the column, its queue of stations.
B_IHEAD, B_ILEN, B_PHEAD, B_PLEN, B_GLEN, B_EXPIRED, B_MARK, B_DLQ = range(8)
BUF_WIDTH = 8

# Integer counters (LineState.ci).
(
    C_SEQ,
    C_HEAP,
    C_FREE,
    C_STATUS,
    C_EVENTS,
    C_RELEASED,
    C_GOOD,
    C_SCRAP,
    C_WIP,
    C_PSIZE,
    C_OPFREE,
    C_OFF,
    C_HLEN,
    C_QLEN,
    C_WFI,
    C_NADV,
    C_MARK,
    C_BLOCKS,
    C_BLOCKED,
    C_LIMIT,
    C_MOST_PUSHED,
) = range(21)
CI_WIDTH = 21
# Float counters (LineState.cf).
# Float counters (LineState.cf), continued: the width of a bin of the time series, and the
# time up to which its WIP integral is brought (simline.kernels.series).
X_NOW, X_WIP_ACC, X_WIP_T, X_SOJOURN, X_WEEK, X_BIN, X_SER_T = range(7)
CF_WIDTH = 7

# Results: per station (LineState.st_cnt) parts out, scrap, builds, parts in builds; per
# product (LineState.p_cnt) released, good, scrap, lead times counted; (LineState.p_lead)
# the lead time's running mean and sum of squared deviations (Welford).
ST_CNT_WIDTH = 4
P_CNT_WIDTH = 4

#: LineState.ci[C_STATUS] when a capacity was exceeded (the wrapper doubles and runs again).
OVERFLOW = 1
#: Status bit when the line deadlocked: the run stops there, the stations of the deadlock
#: are those with ``buf[:, B_MARK] == ci[C_MARK]``.
DEADLOCK = 2


class LinePlan(NamedTuple):
    """A plan packed for the event kernel (read only; shared by every replication).

    ``st`` (stations x ``ST_WIDTH``), ``scrap`` per station, ``proc`` (station x product:
    distribution row), ``setup`` (station x from x to: distribution row or -1), ``route`` /
    ``route_len``, ``pick_prod`` / ``pick_cum`` (products a saturated first station releases
    and their cumulative shares), ``mix_cum``, ``dint`` / ``dpar`` / ``emp`` (distributions,
    see :mod:`simline.kernels.random`), ``cfg`` (release mode, CONWIP level, interarrival
    distribution row, operators on duty at 0, shift changes per period), ``window`` (warm-up,
    horizon, shift period), ``stf`` (batch max_wait per station), ``wf_t`` / ``wf_n`` (the
    step function of operators on duty over a period), ``server_station`` and
    ``server_build_row`` (per server: its station, its row of ``LineState.bld``).
    """

    st: np.ndarray
    scrap: np.ndarray
    proc: np.ndarray
    setup: np.ndarray
    route: np.ndarray
    route_len: np.ndarray
    pick_prod: np.ndarray
    pick_cum: np.ndarray
    mix_cum: np.ndarray
    dint: np.ndarray
    dpar: np.ndarray
    emp: np.ndarray
    cfg: np.ndarray
    window: np.ndarray
    stf: np.ndarray
    wf_t: np.ndarray
    wf_n: np.ndarray
    server_station: np.ndarray
    server_build_row: np.ndarray


class LineState(NamedTuple):
    """Everything one run writes: run state and results (see the column names above).

    ``rs`` (random stream states), ``sv`` / ``sf`` (servers), ``items`` (buffer places, as
    rings), ``put_o`` / ``put_p`` (per buffer, the queue of blocked putters: server, -1 for
    outside, and part), ``getters`` (per buffer, waiting servers), ``buf``, ``pt_prod`` /
    ``pt_step`` / ``pt_rel`` / ``pt_ent`` (part pool: product, routing step, released at,
    entered a batch buffer at) and its ``free`` list, ``ht`` / ``he`` (event heap), ``ci`` /
    ``cf`` (counters), ``opl`` (operator holders in the order they took them; the queue for
    operators; the servers to run on after the current event), ``bld`` (the build of each
    server of a batch station), and the results ``acc`` (station x state: time), ``st_cnt``,
    ``p_cnt``, ``p_lead``, ``act`` (station x :data:`~simline.kernels.activity.ACT_WIDTH`:
    active periods, see :mod:`simline.kernels.activity`) and ``ser`` (the time series, bins x
    :data:`~simline.kernels.series.SER_WIDTH`; no rows: none kept).
    """

    rs: np.ndarray
    sv: np.ndarray
    sf: np.ndarray
    items: np.ndarray
    put_o: np.ndarray
    put_p: np.ndarray
    getters: np.ndarray
    buf: np.ndarray
    pt_prod: np.ndarray
    pt_step: np.ndarray
    pt_rel: np.ndarray
    pt_ent: np.ndarray
    free: np.ndarray
    ht: np.ndarray
    he: np.ndarray
    ci: np.ndarray
    cf: np.ndarray
    opl: np.ndarray
    bld: np.ndarray
    acc: np.ndarray
    st_cnt: np.ndarray
    p_cnt: np.ndarray
    p_lead: np.ndarray
    act: np.ndarray
    ser: np.ndarray


class Capacities(NamedTuple):
    """How much one run may hold.

    Buffer places (per buffer), blocked putters (per buffer), parts, events, the widest
    build and the rows of builds (servers of batch stations).
    """

    items: int
    putters: int
    parts: int
    heap: int
    build: int
    build_rows: int


@njit
def heap_reserve(n_servers: int, build: int) -> int:
    """Heap room kept above the overflow limit: more than every push one event can make.

    One event pushes at most: a wake per server (a shift change serves every queued one, a
    build's hand-over or a repair wakes waiting ones), the event's own next event, a
    failure or repair and an arrival, and a max_wait timer per part of a build handed on
    (``tests/semantics/test_kernel_support.py`` checks the bound, counted by the kernel in
    ``ci[C_MOST_PUSHED]``).
    """
    return 6 * n_servers + 2 * build + 16


def new_state(
    plan: LinePlan, capacities: Capacities, streams: np.ndarray, bins: int = 0
) -> LineState:
    """Allocate the zeroed state of one run of ``plan``, seeded with ``streams`` (copied).

    ``bins``: the bins of the time series to keep (0: none).
    """
    n_st = plan.st.shape[0]
    n_srv = plan.server_station.shape[0]
    n_prod = plan.route.shape[0]
    c = capacities
    return LineState(
        rs=streams.copy(),
        sv=np.zeros((n_srv, SV_WIDTH), dtype=np.int64),
        sf=np.zeros((n_srv, SF_WIDTH), dtype=np.float64),
        items=np.zeros((n_st, c.items), dtype=np.int64),
        put_o=np.zeros((n_st, c.putters), dtype=np.int64),
        put_p=np.zeros((n_st, c.putters), dtype=np.int64),
        getters=np.zeros((n_st, max(int(plan.st[:, S_SERVERS].max()), 1)), dtype=np.int64),
        buf=np.zeros((n_st, BUF_WIDTH), dtype=np.int64),
        pt_prod=np.zeros(c.parts, dtype=np.int64),
        pt_step=np.zeros(c.parts, dtype=np.int64),
        pt_rel=np.zeros(c.parts, dtype=np.float64),
        pt_ent=np.zeros(c.parts, dtype=np.float64),
        free=np.zeros(c.parts, dtype=np.int64),
        ht=np.zeros(c.heap, dtype=np.float64),
        he=np.zeros((c.heap, HE_WIDTH), dtype=np.int64),
        ci=np.zeros(CI_WIDTH, dtype=np.int64),
        cf=np.zeros(CF_WIDTH, dtype=np.float64),
        opl=np.zeros(3 * n_srv, dtype=np.int64),
        bld=np.zeros((c.build_rows, c.build), dtype=np.int64),
        acc=np.zeros((n_st, N_STATES), dtype=np.float64),
        st_cnt=np.zeros((n_st, ST_CNT_WIDTH), dtype=np.int64),
        p_cnt=np.zeros((n_prod, P_CNT_WIDTH), dtype=np.int64),
        p_lead=np.zeros((n_prod, 2), dtype=np.float64),
        act=np.zeros((n_st, ACT_WIDTH), dtype=np.float64),
        ser=np.zeros((bins, SER_WIDTH), dtype=np.float64),
    )


def check_shapes(plan: LinePlan, state: LineState) -> None:
    """Raise ``ValueError`` unless ``plan`` and ``state`` fit together (the kernel trusts it).

    The kernel reads no index it did not write, and refuses what it cannot run: a batch
    station with no place (``buffer: 0``: a build could never gather).
    """
    n_st = plan.st.shape[0]
    n_prod = plan.route.shape[0]
    n_srv = plan.server_station.shape[0]
    if plan.st.shape[1] != ST_WIDTH or state.sv.shape != (n_srv, SV_WIDTH):
        raise ValueError("station or server tables have the wrong width")
    if state.sf.shape != (n_srv, SF_WIDTH) or plan.server_build_row.shape != (n_srv,):
        raise ValueError("server tables do not match the servers")
    if plan.proc.shape != (n_st, n_prod) or plan.setup.shape != (n_st, n_prod, n_prod):
        raise ValueError("process or setup tables do not match stations x products")
    if state.rs.shape != (N_PURPOSES * (n_st + 1), 4):
        raise ValueError(f"'rs' must have {N_PURPOSES * (n_st + 1)} stream rows")
    reserve = heap_reserve(n_srv, state.bld.shape[1])
    if state.ht.shape[0] <= reserve or state.he.shape != (state.ht.shape[0], HE_WIDTH):
        raise ValueError(f"the event heap must hold more than {reserve} events")
    if state.acc.shape != (n_st, N_STATES) or state.p_cnt.shape != (n_prod, P_CNT_WIDTH):
        raise ValueError("result arrays do not match stations x products")
    if state.st_cnt.shape != (n_st, ST_CNT_WIDTH) or state.act.shape != (n_st, ACT_WIDTH):
        raise ValueError("result arrays do not match stations x products")
    if state.ser.ndim != 2 or state.ser.shape[1] != SER_WIDTH:
        raise ValueError("'ser' must have a row of SER_WIDTH per bin")
    if state.ci.shape[0] != CI_WIDTH or state.cf.shape[0] != CF_WIDTH:
        raise ValueError("counter arrays have the wrong size")
    if state.buf.shape != (n_st, BUF_WIDTH) or state.opl.shape[0] != 3 * n_srv:
        raise ValueError("buffer or operator arrays do not match the plan")
    sizes = plan.st[plan.server_station, S_BSIZE]
    rows = plan.server_build_row[sizes > 0]
    if state.bld.shape[0] < 1 or ((rows < 0) | (rows >= state.bld.shape[0])).any():
        raise ValueError("a batch server's build row is not a row of 'bld'")
    if state.bld.shape[1] < max(int(sizes.max(initial=0)), 1):
        raise ValueError("'bld' must be as wide as the largest build")
    if ((plan.st[:, S_BSIZE] > 0) & (plan.st[:, S_CAP] == 0)).any():
        raise ValueError("a batch station needs buffer places (a build could never gather)")
    if plan.cfg.shape[0] != 5 or plan.window.shape[0] != 3 or plan.wf_t.shape != plan.wf_n.shape:
        raise ValueError("'cfg', 'window' or the shift pattern have the wrong size")
    if not 0.0 <= plan.window[0] <= plan.window[1]:
        raise ValueError(f"'window' must be 0 <= warmup <= horizon (got {plan.window!r})")

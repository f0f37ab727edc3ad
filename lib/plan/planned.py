"""The planned load: what the factory can actually run, finite capacity, by priority
(DESIGN.md → Engines → Planned load), and the projected late lines it gives.

Free(W, d) starts as capacity(W, d) for every day from today to the planning horizon (the
`horizon_days` setting). Open lines with a routing are planned one at a time in priority order
(due date, order date, order, line), each taking only the free hours the lines before it left:

1. On time, backward: steps from the last to the first. The last step's latest end day is the
   last working day of its work center on or before the due date; an earlier step's is the last
   working day of its work center before the first day of the step after it. A step takes free
   hours day by day backward from its latest end day until its hours are covered; its first day
   is the earlier of the earliest day it took hours from and the lead_days-th working day
   counted back from its latest end day. Every step covered: the line is planned on time.
2. Late, forward: otherwise the line gives back what it took and is placed forward from today
   as an inquiry's steps are (lib.plan.promise, step 2), taking free hours; open lines wait for
   no material. Projected finish = the last step's finish; late by finish - due (calendar days)
   when that is positive. A line due before today goes forward at once.
3. A step that cannot be covered within the horizon leaves its line unplanned (it takes no
   hours at all), named with that step.

Worked example (tests/test_planned.py): one work center of 8 h a day, lines of one 8 h step
(lead 1) all due Wednesday, today Monday: the first takes Wednesday, the second Tuesday, the
third Monday; the fourth goes forward and finishes Thursday, 1 day late.

The placement is sequential by nature (each line takes what the lines before it left), so the
loop over lines runs compiled (numba) on arrays: capacity per work center and day, each work
center's working days numbered once (so "the last working day on or before x" and "the lead-th
working day back" are lookups), and for each work center two pointer forests that skip days
with no free hours left (a day that fills up is joined to its neighbour), so a step touches only
days it can take from. Without numba the same functions run as plain Python (slowly).

    >>> from lib.store.db import Database
    >>> with Database(":memory:").cursor() as cur:
    ...     plan(cur, date(2026, 11, 25)).late_lines().empty
    True
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import pandas as pd

from lib import settings
from lib.plan import grid
from lib.plan.grid import NO_WHATIF, Grid, WhatIf

try:
    from numba import njit
except ImportError:                      # plain Python: the same code, ~100x slower
    def njit(*args, **kwargs):
        return (lambda f: f) if not (len(args) == 1 and callable(args[0])) else args[0]

EPS = 1e-6

# status of a planned line
ON_TIME = 0        # planned backward, on time
FORWARD = 1        # placed forward from today and still finishing by its due date
LATE = 2           # placed forward, finishing after its due date
UNPLANNED = 3      # a step cannot be covered within the horizon: takes no hours
STATUS = {ON_TIME: "on_time", FORWARD: "forward", LATE: "late", UNPLANNED: "unplanned"}
# Open lines try the on-time (backward) placement first, as DESIGN.md says. False places every
# line forward from today in priority order instead (as a shop dispatching by due date runs
# them): only bench/promise_sim.py sets it, to measure that rule beside DESIGN's.
BACKWARD = True


# ---------------------------------------------------------------------------- the kernel

@njit(cache=True)
def _find_prev(par, w, d):
    """The latest day <= d of work center w that may still have free hours (-1: none)."""
    r = d
    while r >= 0 and par[w, r] != r:
        r = par[w, r]
    while d >= 0 and par[w, d] != d:      # path compression
        nxt = par[w, d]
        par[w, d] = r
        d = nxt
    return r


@njit(cache=True)
def _find_next(par, w, d, n):
    """The earliest day >= d of work center w that may still have free hours (n: none)."""
    r = d
    while r < n and par[w, r] != r:
        r = par[w, r]
    while d < n and par[w, d] != d:
        nxt = par[w, d]
        par[w, d] = r
        d = nxt
    return r


@njit(cache=True)
def _backward(free, prev_p, cnt, wd, due, first, n, s_wc, s_hours, s_lead, s_start, s_finish,
              t_step, t_day, t_hours, eps):
    """Try the on-time placement of one line; takes its hours from `free` tentatively (listed
    in t_*). Returns the number of takes, or -1 - (index of the step that failed)."""
    days = free.shape[1]
    k = 0
    nxt_first = 0
    for j in range(first + n - 1, first - 1, -1):
        w = s_wc[j]
        lim = min(due, days - 1) if j == first + n - 1 else nxt_first - 1
        if lim < 0:
            return -1 - j, k
        c = cnt[w, lim]
        if c < 1 or c - s_lead[j] + 1 < 1:
            return -1 - j, k
        x = wd[w, c]
        lead_first = wd[w, c - s_lead[j] + 1]
        rem = s_hours[j]
        earliest = x
        last = -1
        d = x
        while rem > eps:
            d = _find_prev(prev_p, w, d)
            if d < 0:
                break
            f = free[w, d]
            if f > eps:
                take = min(f, rem)
                free[w, d] = f - take
                t_step[k], t_day[k], t_hours[k] = j, d, take
                k += 1
                rem -= take
                earliest = d
                if last < 0:
                    last = d
            d -= 1
        if rem > eps:
            return -1 - j, k
        s_start[j] = min(earliest, lead_first)
        s_finish[j] = last if last >= 0 else x
        nxt_first = s_start[j]
    return 0, k


@njit(cache=True)
def _forward(free, next_p, cnt, wd, n_wd, days, first, n, s_wc, s_hours, s_lead, s_start, s_finish,
             t_step, t_day, t_hours, k, eps):
    """Try the forward placement of one line from today (as an inquiry's steps) within the
    first `days` days (the horizon; n_wd: each work center's working days in them); tentative
    takes appended to t_* from index k. Returns (status, takes) with status 0 or -1 - step."""
    t = 0
    for j in range(first, first + n):
        w = s_wc[j]
        if t >= days:
            return -1 - j, k
        c0 = cnt[w, t - 1] if t > 0 else 0          # working days before t
        if c0 + s_lead[j] > n_wd[w]:
            return -1 - j, k
        start = wd[w, c0 + 1]
        lead_last = wd[w, c0 + s_lead[j]]
        rem = s_hours[j]
        covered = start
        d = start
        while rem > eps:
            d = _find_next(next_p, w, d, days)
            if d >= days:
                break
            f = free[w, d]
            if f > eps:
                take = min(f, rem)
                free[w, d] = f - take
                t_step[k], t_day[k], t_hours[k] = j, d, take
                k += 1
                rem -= take
                covered = d
            d += 1
        if rem > eps:
            return -1 - j, k
        s_start[j] = start
        s_finish[j] = max(covered, lead_last)
        t = s_finish[j] + 1
    return 0, k


@njit(cache=True)
def _shortfall(free, prev_p, cnt, wd, n_wd, due, lo, first, n, s_wc, s_hours, s_lead, ot_cap, s_missing, s_x,
               s_from, t_step, t_day, t_hours, o_step, o_day, o_hours, eps):
    """What one line lacks to be on time against `free` (the capacity the lines before it
    left). Each step, from the last, works back from its latest end day as the on-time rule
    says, but no earlier than the first day it could start if every step before it took only
    its lead days from day `lo` (so the steps before it always keep room). What the free hours
    there do not cover is made as overtime, up to ot_cap[w] hours a working day, latest day first
    (recorded in o_*); what even that cannot cover stays in s_missing[j]. With ot_cap all zero,
    s_missing is simply the hours missing. s_x[j] is the step's latest end day, s_from[j] the
    first day it works. Returns (hours missing before overtime, overtime entries); the hours are
    -1 when the lead days alone cannot fit before the due date. `free` is left as it was."""
    days = free.shape[1]
    t = lo
    for j in range(first, first + n):        # the earliest start of each step: lead days only
        w = s_wc[j]
        if t >= days:
            return -1.0, 0
        c0 = cnt[w, t - 1] if t > 0 else 0
        if c0 + s_lead[j] > n_wd[w]:
            return -1.0, 0
        s_from[j] = wd[w, c0 + 1]
        t = wd[w, c0 + s_lead[j]] + 1
    total = 0.0
    k = 0
    m = 0
    nxt_first = 0
    for j in range(first + n - 1, first - 1, -1):
        w = s_wc[j]
        lo_j = s_from[j]
        lim = min(due, days - 1) if j == first + n - 1 else nxt_first - 1
        c = cnt[w, lim] if lim >= 0 else 0
        if c < 1 or wd[w, c] < lo_j or c - s_lead[j] + 1 < 1 or wd[w, c - s_lead[j] + 1] < lo_j:
            _give_back(free, t_step, t_day, t_hours, k, s_wc)
            return -1.0, 0
        x = wd[w, c]
        lead_first = wd[w, c - s_lead[j] + 1]
        rem = s_hours[j]
        earliest = x
        d = x
        while rem > eps:
            d = _find_prev(prev_p, w, d)
            if d < lo_j:
                break
            f = free[w, d]
            if f > eps:
                take = min(f, rem)
                free[w, d] = f - take
                t_step[k], t_day[k], t_hours[k] = j, d, take
                k += 1
                rem -= take
                earliest = d
            d -= 1
        total += rem if rem > eps else 0.0
        if rem > eps and ot_cap[w] > 0:
            d = x
            while d >= lo_j and rem > eps:
                if cnt[w, d] - (cnt[w, d - 1] if d > 0 else 0) == 1:      # a working day
                    room = ot_cap[w]
                    for q in range(m):
                        if o_day[q] == d and s_wc[o_step[q]] == w:
                            room -= o_hours[q]
                    if room > eps:
                        take = min(room, rem)
                        o_step[m], o_day[m], o_hours[m] = j, d, take
                        m += 1
                        rem -= take
                        earliest = min(earliest, d)
                d -= 1
        s_missing[j] = rem if rem > eps else 0.0
        s_x[j] = x
        s_from[j] = min(earliest, lead_first)
        nxt_first = s_from[j]
    _give_back(free, t_step, t_day, t_hours, k, s_wc)
    return total, m


@njit(cache=True)
def _give_back(free, t_step, t_day, t_hours, k, s_wc):
    for i in range(k):
        free[s_wc[t_step[i]], t_day[i]] += t_hours[i]


@njit(cache=True)
def _commit(free, prev_p, next_p, t_step, t_day, s_wc, k, e_step, e_day, e_hours, t_hours, m, eps):
    """Keep the takes: record them as entries and close days that have no free hours left."""
    for i in range(k):
        w, d = s_wc[t_step[i]], t_day[i]
        e_step[m], e_day[m], e_hours[m] = t_step[i], d, t_hours[i]
        m += 1
        if free[w, d] <= eps:
            prev_p[w, d] = d - 1
            next_p[w, d] = d + 1
    return m


@njit(cache=True)
def _run(cap, cnt, wd, l_due, l_first, l_n, s_wc, s_hours, s_lead, horizon, eps, stop=1 << 62, backward=True):
    """Plan every line in the given (priority) order; the grid may reach past the horizon (day
    `horizon`) to a later due date, backward steps may use those days, forward ones may not.
    Returns per line status, finish day and the step that failed or finished last; per step
    start and finish; the entries; the free hours left; what late lines lacked. `stop`: plan
    only the lines before it (the free hours at that line's turn)."""
    n_w, days = cap.shape
    h_days = min(horizon + 1, days)
    n_wd = cnt[:, h_days - 1].copy() if days > 0 else np.zeros(n_w, np.int64)
    free = cap.copy()
    prev_p = np.empty((n_w, days), np.int64)
    next_p = np.empty((n_w, days), np.int64)
    for w in range(n_w):
        for d in range(days):
            has = free[w, d] > eps
            prev_p[w, d] = d if has else d - 1
            next_p[w, d] = d if has else d + 1
    n_lines = l_due.shape[0]
    n_steps = s_wc.shape[0]
    status = np.full(n_lines, UNPLANNED, np.int64)
    finish = np.full(n_lines, -1, np.int64)
    which = np.full(n_lines, -1, np.int64)
    s_start = np.full(n_steps, -1, np.int64)
    s_finish = np.full(n_steps, -1, np.int64)
    l_missing = np.zeros(n_lines, np.float64)      # what a late line lacked at its turn (-1: lead days)
    s_missing = np.zeros(n_steps, np.float64)
    s_x = np.full(n_steps, -1, np.int64)
    s_from = np.full(n_steps, -1, np.int64)
    cap_e = max(16, 4 * n_steps)
    e_step = np.empty(cap_e, np.int64)
    e_day = np.empty(cap_e, np.int64)
    e_hours = np.empty(cap_e, np.float64)
    max_n = 1
    for i in range(n_lines):
        max_n = max(max_n, l_n[i])
    buf = max_n * days + 1
    t_step = np.empty(buf, np.int64)
    t_day = np.empty(buf, np.int64)
    t_hours = np.empty(buf, np.float64)
    no_ot = np.zeros(n_w, np.float64)
    o_step = np.empty(1, np.int64)
    o_day = np.empty(1, np.int64)
    o_hours = np.empty(1, np.float64)
    m = 0
    for i in range(min(n_lines, stop)):
        first, n, due = l_first[i], l_n[i], l_due[i]
        k = 0
        if due >= 0 and backward:
            res, k = _backward(free, prev_p, cnt, wd, due, first, n, s_wc, s_hours, s_lead, s_start, s_finish,
                               t_step, t_day, t_hours, eps)
            if res == 0:
                status[i] = ON_TIME
            else:
                _give_back(free, t_step, t_day, t_hours, k, s_wc)
                k = 0
                l_missing[i], _ = _shortfall(free, prev_p, cnt, wd, n_wd, due, 0, first, n, s_wc, s_hours, s_lead,
                                             no_ot, s_missing, s_x, s_from, t_step, t_day, t_hours,
                                             o_step, o_day, o_hours, eps)
        elif due < 0:
            l_missing[i] = -1.0
        if status[i] != ON_TIME:
            res, k = _forward(free, next_p, cnt, wd, n_wd, h_days, first, n, s_wc, s_hours, s_lead, s_start,
                              s_finish, t_step, t_day, t_hours, 0, eps)
            if res != 0:
                _give_back(free, t_step, t_day, t_hours, k, s_wc)
                for j in range(first, first + n):
                    s_start[j] = -1
                    s_finish[j] = -1
                which[i] = -1 - res
                continue
            status[i] = LATE if s_finish[first + n - 1] > due else FORWARD
        if m + k > e_step.shape[0]:
            grow = max(2 * e_step.shape[0], m + k)
            e_step = np.concatenate((e_step, np.empty(grow - e_step.shape[0], np.int64)))
            e_day = np.concatenate((e_day, np.empty(grow - e_day.shape[0], np.int64)))
            e_hours = np.concatenate((e_hours, np.empty(grow - e_hours.shape[0], np.float64)))
        m = _commit(free, prev_p, next_p, t_step, t_day, s_wc, k, e_step, e_day, e_hours, t_hours, m, eps)
        finish[i] = s_finish[first + n - 1]
        which[i] = first + n - 1
    return (status, finish, which, s_start, s_finish, e_step[:m], e_day[:m], e_hours[:m], free,
            l_missing, s_missing, s_x, s_from)


@njit(cache=True)
def _shortfall_on(free, cnt, wd, due, lo, s_wc, s_hours, s_lead, ot_cap, eps):
    """_shortfall of one line (all of s_*) against a given free-hours grid, with overtime."""
    n_w, days = free.shape
    free = free.copy()
    prev_p = np.empty((n_w, days), np.int64)
    for w in range(n_w):
        for d in range(days):
            prev_p[w, d] = d if free[w, d] > eps else d - 1
    n_wd = cnt[:, days - 1].copy()
    n = s_wc.shape[0]
    s_missing = np.zeros(n, np.float64)
    s_x = np.full(n, -1, np.int64)
    s_from = np.full(n, -1, np.int64)
    buf = n * days + 1
    t_step = np.empty(buf, np.int64)
    t_day = np.empty(buf, np.int64)
    t_hours = np.empty(buf, np.float64)
    o_step = np.empty(buf, np.int64)
    o_day = np.empty(buf, np.int64)
    o_hours = np.empty(buf, np.float64)
    total, m = _shortfall(free, prev_p, cnt, wd, n_wd, due, lo, 0, n, s_wc, s_hours, s_lead, ot_cap, s_missing,
                          s_x, s_from, t_step, t_day, t_hours, o_step, o_day, o_hours, eps)
    return s_missing, s_x, s_from, total, o_step[:m], o_day[:m], o_hours[:m]


@dataclass
class Shortfall:
    """What a line lacks to be on time (see _shortfall): per step the hours still missing after
    overtime, the latest end day and the first day worked; the overtime per (step, day); the hours
    missing before overtime (-1 when the lead days alone do not fit)."""
    missing: np.ndarray
    x: np.ndarray
    first: np.ndarray
    total: float
    o_step: np.ndarray
    o_day: np.ndarray
    o_hours: np.ndarray

    @property
    def lead_bound(self) -> bool:
        return self.total < 0


def shortfall(cap: np.ndarray, free: np.ndarray, due: int, lo: int, s_wc, s_hours, s_lead, ot_cap) -> Shortfall:
    """What a line of steps (work center rows, hours, lead days) due on day `due`, starting no
    earlier than day `lo`, lacks against `free`, with up to ot_cap[w] overtime hours a working day."""
    n = len(s_wc)
    if due < 0 or free.shape[1] == 0 or n == 0:
        e = np.zeros(0, np.int64)
        return Shortfall(np.zeros(n), np.full(n, -1), np.full(n, -1), -1.0, e, e, np.zeros(0))
    cnt, wd = _working_days(cap)
    return Shortfall(*_shortfall_on(np.ascontiguousarray(free, dtype=np.float64), cnt, wd, int(due), int(lo),
                                    np.asarray(s_wc, np.int64), np.asarray(s_hours, np.float64),
                                    np.asarray(s_lead, np.int64), np.asarray(ot_cap, np.float64), EPS))


# ---------------------------------------------------------------------------- the plan

@dataclass
class Plan:
    """The planned load of every open routed line, in priority order. Day numbers are grid
    columns: 0 is as_of; the grid reaches the planning horizon's end (`end`), or a later due date."""
    grid: Grid
    end: date                    # the planning horizon's last day
    lines: pd.DataFrame          # per line (priority order): line_id, order_no, line_no, customer,
                                 # product, rem_qty, due, order_date, status, finish, late_days,
                                 # work_center, step, missing_hours (-1: lead days alone do not fit)
    s_line: np.ndarray           # per step: index into lines
    s_step: np.ndarray           # routing step number
    s_wc: np.ndarray             # grid row
    s_start: np.ndarray
    s_finish: np.ndarray
    e_step: np.ndarray           # per entry (hours taken on one day): index into s_*
    e_day: np.ndarray
    e_hours: np.ndarray
    free: np.ndarray             # capacity the plan leaves, per grid cell
    s_missing: np.ndarray        # per step of a line not planned on time: hours it lacked at its turn
    s_x: np.ndarray              #   ... its latest end day, and the first day of its window
    s_from: np.ndarray
    inputs: tuple                # what the kernel ran on (for free_at)

    @property
    def as_of(self) -> date:
        return self.grid.start

    @cached_property
    def load(self) -> np.ndarray:
        """Planned hours per work center and day."""
        g = self.grid
        w = self.s_wc[self.e_step]
        return np.bincount(w * g.days + self.e_day, weights=self.e_hours,
                           minlength=len(g.work_centers) * g.days).reshape(g.cap.shape)

    @property
    def overdue_load(self) -> np.ndarray:
        """The planned view's `overdue_hours`: hours of projected late lines (lib.plan.capacity's
        bucket code reads this name)."""
        return self.late_load

    def entries(self) -> np.ndarray:
        """Entries per grid cell (a cell with planned hours shows even when they round to 0)."""
        g = self.grid
        w = self.s_wc[self.e_step]
        return np.bincount(w * g.days + self.e_day, minlength=len(g.work_centers) * g.days).reshape(g.cap.shape)

    @cached_property
    def late_load(self) -> np.ndarray:
        """Planned hours of projected late lines per work center and day (`overdue_hours` of
        the planned view)."""
        g = self.grid
        late = (self.lines["status"].to_numpy() == "late")[self.s_line[self.e_step]]
        w = self.s_wc[self.e_step][late]
        return np.bincount(w * g.days + self.e_day[late], weights=self.e_hours[late],
                           minlength=len(g.work_centers) * g.days).reshape(g.cap.shape)

    def free_at(self, i: int) -> np.ndarray:
        """The free hours line `i` (priority order) saw at its turn: the plan of the lines before it."""
        cnt, wd, l_due, l_first, l_n, s_hours, s_lead, horizon = self.inputs
        return _run(np.ascontiguousarray(self.grid.cap, dtype=np.float64), cnt, wd, l_due, l_first, l_n, self.s_wc,
                    s_hours, s_lead, horizon, EPS, i)[8]

    def step_hours(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Line i's steps: work center rows, hours, lead days."""
        cnt, wd, l_due, l_first, l_n, s_hours, s_lead, horizon = self.inputs
        sl = slice(l_first[i], l_first[i] + l_n[i])
        return self.s_wc[sl], s_hours[sl], s_lead[sl]

    def late_lines(self) -> pd.DataFrame:
        """The projected late and unplanned lines: order, line, customer, product, due_date,
        projected_finish (NaT when unplanned), days_late (NA when unplanned), work_center and
        step (the step that finished last, or that could not be planned), status."""
        df = self.lines[self.lines["status"].isin(["late", "unplanned"])]
        return df[["line_id", "order_no", "line_no", "customer", "product", "rem_qty", "due", "finish",
                   "late_days", "work_center", "step", "status"]].rename(
            columns={"due": "due_date", "finish": "projected_finish", "late_days": "days_late"}).reset_index(drop=True)


def _lines_sql() -> str:
    return f"""
        WITH l AS ({grid.open_lines_sql()})
        SELECT l.line_id, l.order_no, l.line_no, l.customer, l.product, l.rem_qty, l.qty, l.shipped_qty, l.due, o.order_date
        FROM l JOIN order_lines o USING (line_id)
        WHERE EXISTS (SELECT 1 FROM routings r WHERE r.product = l.product) AND l.due IS NOT NULL
        ORDER BY l.due, o.order_date, l.order_no, l.line_no"""


def horizon_end(con, as_of: date) -> date:
    """The last day the plan and a promise look at: as_of + the horizon_days setting."""
    return as_of + timedelta(days=int(settings.get("horizon_days", con)))


def _working_days(cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cnt[w, d]: working days of w on or before day d; wd[w, k]: the day of w's k-th working
    day (1-based)."""
    working = cap > 0
    cnt = np.cumsum(working, axis=1, dtype=np.int64)
    n_wd = cnt[:, -1] if cnt.size else np.zeros(len(cap), np.int64)
    wd = np.full((len(cap), int(n_wd.max() if len(n_wd) else 0) + 2), -1, dtype=np.int64)
    rows, cols = np.nonzero(working)
    wd[rows, cnt[rows, cols]] = cols
    return cnt, wd


def build(con, as_of: date, whatif: WhatIf = NO_WHATIF, exclude_lines=(), end: date | None = None) -> Plan:
    """The planned load of the open lines as of `as_of` (what-if calendar and due dates
    applied; `exclude_lines` left out, e.g. a line being re-quoted)."""
    end = end or horizon_end(con, as_of)
    params = grid.line_params(whatif, exclude_lines)
    lines = con.execute(_lines_sql(), params).df()
    lines["due"] = pd.to_datetime(lines["due"])
    extra = [r[0] for r in con.execute("SELECT DISTINCT work_center FROM routings").fetchall()]
    # a line due after the horizon is still planned backward from its due date
    last = max(end, lines["due"].max().date()) if len(lines) else end
    g = grid.capacity_grid(con, as_of, last, whatif, extra=set(extra))
    # every line's steps in priority and routing order, with its grid row (read set-wise: a
    # large factory has a quarter of a million of them)
    st = con.execute(f"""
        WITH l AS ({_lines_sql()}), p AS (SELECT l.*, (row_number() OVER (ORDER BY l.due, l.order_date, l.order_no, l.line_no) - 1)::BIGINT AS li FROM l)
        SELECT p.li, r.step, (list_position(?::VARCHAR[], r.work_center) - 1)::BIGINT AS w, p.qty, p.shipped_qty,
               coalesce(o.qty_done, 0) AS done, r.setup_hours, r.run_hours_per_unit, greatest(r.lead_days, 1) AS lead
        FROM p JOIN routings r USING (product)
        LEFT JOIN order_operations o ON o.line_id = p.line_id AND o.step = r.step
        ORDER BY p.li, r.step""", [*params, list(g.work_centers)]).fetchnumpy()
    # only what is left: steps done for the line's whole qty are not planned again
    hours, open_ = grid.step_hours(st["qty"], st["shipped_qty"], st["done"], st["setup_hours"], st["run_hours_per_unit"])
    li = np.asarray(st["li"], np.int64)[open_]
    # a line with every step done is only waiting to ship: nothing to plan
    keep = np.unique(li)
    lines = lines.iloc[keep].reset_index(drop=True)
    s_line = np.searchsorted(keep, li).astype(np.int64)
    s_wc = np.asarray(st["w"], np.int64)[open_]
    s_hours = np.asarray(hours, float)[open_]
    s_lead = np.asarray(st["lead"], np.int64)[open_]
    s_step_all = np.asarray(st["step"], np.int64)[open_]
    l_n = np.bincount(s_line, minlength=len(lines)).astype(np.int64)
    l_first = (np.cumsum(l_n) - l_n).astype(np.int64)
    l_due = ((lines["due"] - pd.Timestamp(as_of)).dt.days.to_numpy(np.int64) if len(lines)
             else np.zeros(0, np.int64))
    cnt, wd = _working_days(g.cap)
    status, finish, which, s_start, s_finish, e_step, e_day, e_hours, free, l_missing, s_missing, s_x, s_from = _run(
        np.ascontiguousarray(g.cap, dtype=np.float64), cnt, wd, l_due, l_first, l_n, s_wc, s_hours, s_lead,
        (end - as_of).days, EPS, 1 << 62, BACKWARD)
    planned = status != UNPLANNED
    lines["status"] = np.array([STATUS[k] for k in sorted(STATUS)], dtype=object)[status]
    lines["finish"] = pd.Series(pd.Timestamp(as_of) + pd.to_timedelta(np.where(planned, finish, 0), unit="D")
                                ).where(planned).to_numpy()
    lines["late_days"] = pd.array(np.where(status == LATE, finish - l_due, 0), dtype="Int64")
    lines.loc[~planned, "late_days"] = pd.NA
    s_step = s_step_all
    at = np.where(which >= 0, which, 0)
    names = np.array(g.work_centers, dtype=object)
    lines["work_center"] = names[s_wc[at]] if len(s_wc) else np.array([], dtype=object)
    lines["step"] = pd.array(s_step[at] if len(s_step) else np.array([], np.int64), dtype="Int64")
    lines["missing_hours"] = np.where(status == ON_TIME, 0.0, l_missing)
    return Plan(g, end, lines, s_line, s_step, s_wc, s_start, s_finish, e_step, e_day, e_hours, free,
                s_missing, s_x, s_from, (cnt, wd, l_due, l_first, l_n, s_hours, s_lead, (end - as_of).days))


# ---------------------------------------------------------------------------- cached per data version

_CACHE: dict[tuple, Plan] = {}
_CACHE_LOCK = threading.Lock()


def data_key(con) -> tuple | None:
    """What identifies the data a connection sees: the database file (path and inode: a restore
    replaces the file) and its data version (every commit moves it), or a PostgreSQL plant's
    mirror and the plant's data version; None for an in-memory database, which is never cached
    here (several may have the same version)."""
    row = con.execute("SELECT file FROM pragma_database_list WHERE name = current_database()").fetchone()
    path = row[0] if row else None
    if not path:
        # a PostgreSQL plant's in-memory mirror (lib.store.postgres) names itself by an empty
        # database attached beside it; its meta.data_version is the plant's, as PostgreSQL has it
        mirror = con.execute("SELECT database_name FROM duckdb_databases() "
                             "WHERE database_name LIKE 'tandem_mirror_%'").fetchone()
        if mirror is None:
            return None
        v = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return ("postgresql", mirror[0], v[0] if v else None)
    try:
        ino = os.stat(path).st_ino
    except OSError:
        return None
    v = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return (os.path.realpath(path), ino, v[0] if v else None)


def plan(con, as_of: date, whatif: WhatIf = NO_WHATIF, exclude_lines=(), *, key=None) -> Plan:
    """The plan, computed once per data (`key`, else data_key(con)), as_of, what-if, lines left
    out and the settings it depends on, and shared by every caller in the process (pages,
    the promise, the late list); an in-memory database without a key is planned every time."""
    key = key if key is not None else data_key(con)
    if key is None:
        return build(con, as_of, whatif, exclude_lines)
    k = (key, as_of, whatif, tuple(sorted(int(x) for x in exclude_lines)), tuple(settings.working_weekdays(con)),
         int(settings.get("horizon_days", con)))
    with _CACHE_LOCK:
        hit = _CACHE.get(k)
    if hit is None:
        hit = build(con, as_of, whatif, exclude_lines)
        with _CACHE_LOCK:
            if len(_CACHE) >= 8:
                _CACHE.pop(next(iter(_CACHE)))       # the oldest
            _CACHE[k] = hit
    return hit


def drilldown(con, as_of: date, work_center: str, period_start_day: date, by: str = "week",
              whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """The order lines and steps the plan puts in one cell (work center x bucket), with each
    line's projected finish: order_no, line_no, customer, product, qty, due_date, step,
    first_day, last_day (its days in the bucket), hours, projected_finish, status, days_late,
    line_id; largest first."""
    grid.check_by(by)
    first = grid.period_start(period_start_day, by)
    last = {"day": first, "week": first + timedelta(days=6),
            "month": (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)}[by]
    p = plan(con, as_of, whatif)
    row = p.grid.row(work_center)
    lo, hi = max((first - as_of).days, 0), (last - as_of).days
    cols = ["order_no", "line_no", "customer", "product", "qty", "due_date", "step", "first_day", "last_day", "hours",
            "projected_finish", "status", "days_late", "line_id"]
    if row is None or hi < 0:
        return pd.DataFrame({c: [] for c in cols})
    mask = (p.s_wc[p.e_step] == row) & (p.e_day >= lo) & (p.e_day <= hi)
    e = pd.DataFrame({"j": p.e_step[mask], "day": p.e_day[mask], "hours": p.e_hours[mask]})
    if e.empty:
        return pd.DataFrame({c: [] for c in cols})
    g = e.groupby("j").agg(a=("day", "min"), b=("day", "max"), hours=("hours", "sum")).reset_index()
    li = p.lines.iloc[p.s_line[g["j"].to_numpy()]].reset_index(drop=True)
    base = pd.Timestamp(as_of)
    out = pd.DataFrame({
        "order_no": li["order_no"], "line_no": li["line_no"], "customer": li["customer"], "product": li["product"],
        "qty": li["rem_qty"], "due_date": li["due"], "step": p.s_step[g["j"].to_numpy()],
        "first_day": base + pd.to_timedelta(g["a"], unit="D"), "last_day": base + pd.to_timedelta(g["b"], unit="D"),
        "hours": g["hours"], "projected_finish": li["finish"], "status": li["status"], "days_late": li["late_days"],
        "line_id": li["line_id"]})
    return out.sort_values(["hours", "order_no", "line_no"], ascending=[False, True, True]).reset_index(drop=True)

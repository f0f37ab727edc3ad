"""Capacity and load per work center and day (DESIGN.md → Engines), bucketed by day, week, month.

Capacity(W, d) = hours(W, d) x efficiency(W), where hours are the work center's hours_per_day on
the factory's working weekdays, replaced by a calendar row for that day (a row for W wins over
the row for all work centers, '' ).

Load is placed backwards from each open line's due date (promised, else requested): the last
step ends on the due date or the last working day of its work center before it; each step
occupies max(lead_days, 1) working days of its work center; the step before ends on the last
working day of *its* work center before this step's first day. A step's hours (setup + run x
remaining qty) are spread evenly over its days; hours on days before today move onto today and
count as overdue.

SQL reads the open lines, routings and calendar; the placement itself is array arithmetic
(numpy) on a dense work center x day capacity grid: each work center's working days are
numbered once (a cumulative count), so "the last working day on or before x" is one lookup and
"lead_days working days ending there" is index arithmetic. The only Python loop is over routing
*positions* (last step, the one before, ...), each placing that step of every open line at once.

    >>> from lib.store.db import Database
    >>> db = Database(":memory:")
    >>> with db.cursor() as cur:
    ...     load(cur, date(2026, 11, 25), by="week", weeks=2).empty
    True
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lib import settings
from lib.plan.grid import (  # noqa: F401 - WhatIf and Grid are part of this module's interface
    BY,
    NO_WHATIF,
    Grid,
    WhatIf,
    as_date,
    capacity_grid,
    check_by,
    line_params,
    open_lines_sql,
    period_label,
    period_start,
    step_hours,
    step_progress,
)

BANDS = ("ok", "tight", "risk", "over")
VIEWS = ("required", "planned")     # infinite capacity backward / finite capacity by priority (lib.plan.planned)


def band(load_hours: float, capacity_hours: float) -> str:
    """The load band of a bucket: ok < 70 % ≤ tight < 90 % ≤ risk ≤ 100 % < over; load without
    capacity is over; neither is 'none'.

    >>> band(69, 100), band(70, 100), band(90, 100), band(100, 100), band(101, 100), band(1, 0), band(0, 0)
    ('ok', 'tight', 'risk', 'risk', 'over', 'over', 'none')
    """
    if capacity_hours <= 0:
        return "over" if load_hours > 1e-9 else "none"
    pct = round(load_hours / capacity_hours, 9)
    return "ok" if pct < 0.7 else "tight" if pct < 0.9 else "risk" if pct <= 1.0 else "over"


def bands(load_hours: np.ndarray, capacity_hours: np.ndarray) -> np.ndarray:
    """band() of many buckets at once (a share within 1e-8 of a threshold is settled by band()
    itself, so both agree to the last digit)."""
    load_hours, capacity_hours = np.asarray(load_hours, float), np.asarray(capacity_hours, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(capacity_hours > 0, load_hours / capacity_hours, 0.0)
    out = np.select([capacity_hours <= 0, pct < 0.7, pct < 0.9, pct <= 1.0], ["none", "ok", "tight", "risk"], "over").astype(object)
    out[(capacity_hours <= 0) & (load_hours > 1e-9)] = "over"
    near = (capacity_hours > 0) & (np.abs(pct[:, None] - np.array([0.7, 0.9, 1.0])) < 1e-8).any(axis=1)
    for i in np.flatnonzero(near):
        out[i] = band(load_hours[i], capacity_hours[i])
    return out


def _register(con, name: str, df: pd.DataFrame) -> None:
    """Register a DataFrame as a view on `con` (after finishing any pending result)."""
    con.execute("SELECT 1").fetchall()
    con.register(name, df)


# ---------------------------------------------------------------------------- capacity grid


def capacity_by_day(con, start: date, end: date, whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """Capacity hours per work center and day in [start, end] (work_center, day, capacity_hours).

    >>> from lib.store.db import Database
    >>> with Database(":memory:").cursor() as cur:
    ...     list(capacity_by_day(cur, date(2026, 1, 1), date(2026, 1, 2)).columns)
    ['work_center', 'day', 'capacity_hours']
    """
    g = capacity_grid(con, start, end, whatif)
    return pd.DataFrame({"work_center": np.repeat(np.array(g.work_centers, dtype=object), g.days),
                         "day": np.tile(_days64(start, g.days), len(g.work_centers)),
                         "capacity_hours": g.cap.ravel()})


def _days64(start: date, n: int) -> np.ndarray:
    return (np.datetime64(start, "D") + np.arange(n)).astype("datetime64[us]")


# ---------------------------------------------------------------------------- load (backward)


@dataclass
class Placement:
    """Every open line's steps placed backwards: per step (s_*) and per step and occupied day
    (entries: `day` is a grid column, days before as_of already moved onto it; e_step is the
    entry's step), and the load per grid cell."""
    grid: Grid
    as_col: int
    s_line: np.ndarray          # per step: line_id
    s_step: np.ndarray          # per step: routing step number
    e_step: np.ndarray          # per entry: index into the s_ arrays
    wc: np.ndarray              # per entry: grid row
    day: np.ndarray             # per entry: grid column
    hours: np.ndarray
    overdue: np.ndarray
    load: np.ndarray            # hours per grid cell
    overdue_load: np.ndarray    # of which past due (all on column as_col)

    @property
    def line_id(self) -> np.ndarray:
        return self.s_line[self.e_step]

    @property
    def step(self) -> np.ndarray:
        return self.s_step[self.e_step]

    def entries(self) -> np.ndarray:
        """Entries per grid cell (a cell with load rows shows even at 0 h)."""
        g = self.grid
        return np.bincount(self.wc * g.days + self.day, minlength=len(g.work_centers) * g.days).reshape(g.cap.shape)


def _place(con, as_of: date, end: date, whatif: WhatIf = NO_WHATIF, work_centers=None,
           exclude_lines=()) -> Placement:
    """The backward placement, vectorised: numbered working days per work center (a cumulative
    count over the capacity grid) turn "the last working day on or before x" into one array
    lookup and "lead_days working days ending there" into index arithmetic; the only Python
    loop is over routing positions (last step, the one before, ...), each placing that step of
    every open line at once. `work_centers` limits the lines to those routed through them."""
    product_filter, wc_params = "", []
    if work_centers is not None:
        product_filter = "WHERE product IN (SELECT product FROM routings WHERE work_center IN (SELECT unnest(?::VARCHAR[])))"
        wc_params = [list(work_centers)]
    numbering = f"""pn AS (SELECT product, (row_number() OVER (ORDER BY product) - 1)::INTEGER AS p
                          FROM (SELECT DISTINCT product FROM routings {product_filter}))"""
    rout = con.execute(f"""
        WITH {numbering}
        SELECT pn.p, r.step, r.work_center, r.setup_hours, r.run_hours_per_unit, greatest(r.lead_days, 1)
        FROM routings r JOIN pn USING (product) ORDER BY pn.p, r.step DESC""", wc_params).fetchall()
    lines = con.execute(f"""
        WITH {numbering}, l AS ({open_lines_sql()})
        SELECT l.line_id, pn.p, l.rem_qty, l.qty, l.shipped_qty, date_diff('day', ?::DATE, l.due)::INTEGER AS due
        FROM l JOIN pn USING (product) WHERE l.due IS NOT NULL ORDER BY l.line_id""",
        [*wc_params, *line_params(whatif, exclude_lines), as_of]).fetchnumpy()
    l_id = np.asarray(lines["line_id"], dtype=np.int64)
    l_p = np.asarray(lines["p"], dtype=np.int64)
    l_due = np.asarray(lines["due"], dtype=np.int64)

    r_p = np.array([r[0] for r in rout], dtype=np.int64)
    r_step = np.array([r[1] for r in rout], dtype=np.int32)
    r_wc = [r[2] for r in rout]
    r_setup = np.array([r[3] for r in rout], dtype=float)
    r_run = np.array([r[4] for r in rout], dtype=float)
    r_lead = np.array([r[5] for r in rout], dtype=np.int64)

    # every line's steps, the last step first (k = 0)
    n_prod = int(r_p.max()) + 1 if len(r_p) else 0
    r_first = np.searchsorted(r_p, np.arange(n_prod))
    per_line = np.bincount(r_p, minlength=n_prod)[l_p] if len(l_p) else np.zeros(0, np.int64)
    total = int(per_line.sum())
    line_of = np.repeat(np.arange(len(l_id)), per_line)
    k = np.arange(total) - np.repeat(np.cumsum(per_line) - per_line, per_line)
    r = np.repeat(r_first[l_p], per_line) + k
    lead = r_lead[r]
    # what is left of each step (lib.plan.grid.step_hours): a step done for the whole qty adds
    # nothing; done steps come first in a routing, so they are the earliest placed and leaving
    # their hours out moves nothing else
    hours, _ = step_hours(np.asarray(lines["qty"], dtype=float)[line_of], np.asarray(lines["shipped_qty"], dtype=float)[line_of],
                          step_progress(con, l_id[line_of], r_step[r]), r_setup[r], r_run[r])

    # the grid must reach back far enough: a week per lead day covers a work center working one
    # day a week, 60 days more a long shutdown; rows for work centers routings name but the
    # work_centers table lacks (no capacity: placed on calendar days, so their load still shows)
    end_off = (end - as_of).days
    if total:
        total_lead = np.bincount(r_p, weights=r_lead, minlength=n_prod)[np.unique(l_p)].max()
        first_off = min(0, int(l_due.min())) - (7 * int(total_lead) + 60)
        last_off = max(end_off, int(l_due.max()))
    else:
        first_off, last_off = 0, end_off
    g = capacity_grid(con, as_of + timedelta(days=first_off), as_of + timedelta(days=last_off), whatif, extra=set(r_wc))
    as_col, ncol = -first_off, g.days
    wc_of_r = np.array([g.row(w) for w in r_wc], dtype=np.int64)
    w = wc_of_r[r]

    # ordinal of each working day per work center: cnt[w, c] = working days of w on or before
    # column c; wd[w, i] = the column of w's i-th working day (1-based)
    working = g.cap > 0
    cnt = np.cumsum(working, axis=1, dtype=np.int64)
    wd = np.full((len(g.work_centers), int(cnt[:, -1].max() if cnt.size else 0) + 1), -1, dtype=np.int64)
    rows, cols = np.nonzero(working)
    wd[rows, cnt[rows, cols]] = cols

    start_col = np.zeros(total, dtype=np.int64)
    start_ord = np.zeros(total, dtype=np.int64)
    ok = np.zeros(total, dtype=bool)
    due_col = l_due[line_of] + as_col
    for pos in range(int(k.max()) + 1 if total else 0):
        i = np.flatnonzero(k == pos)
        # the last step ends on or before the due date; an earlier one on or before the day
        # before the next step's first day (entries of a line are adjacent: i - 1 is that step)
        x = due_col[i] if pos == 0 else start_col[i - 1] - 1
        wi, li = w[i], lead[i]
        e = np.where(x >= 0, cnt[wi, np.clip(x, 0, ncol - 1)], 0)
        s = e - li + 1
        good = s >= 1          # else: not enough working days in the grid, placed on calendar days
        start_col[i] = np.where(good, wd[wi, np.maximum(s, 0)], x - (li - 1))
        start_ord[i], ok[i] = s, good

    # one entry per step and occupied day
    e_of = np.repeat(np.arange(total), lead)
    j = np.arange(len(e_of)) - np.repeat(np.cumsum(lead) - lead, lead)
    good = ok[e_of]
    we = w[e_of]
    day = np.where(good, wd[we, np.where(good, start_ord[e_of] + j, 0)], start_col[e_of] + j)
    he = (hours / lead)[e_of]
    overdue = day < as_col
    day = np.maximum(day, as_col)
    shape = (len(g.work_centers), ncol)
    ld = np.bincount(we * ncol + day, weights=he, minlength=shape[0] * ncol).reshape(shape)
    od = np.zeros(shape)
    od[:, as_col] = np.bincount(we[overdue], weights=he[overdue], minlength=shape[0])
    return Placement(g, as_col, l_id[line_of], r_step[r], e_of, we, day, he, overdue, ld, od)


def load(con, as_of: date, by: str = "week", weeks: int | None = None, end: date | None = None,
         whatif: WhatIf = NO_WHATIF, view: str = "required") -> pd.DataFrame:
    """Load against capacity per work center and bucket, from as_of to `end` (default: the
    `load_weeks` setting's weeks ahead, to the end of the last week).

    Columns: work_center, period (2026-W51 ...), period_start, load_hours, capacity_hours,
    load_pct (None when there is no capacity), overdue_hours, band. The current bucket counts
    capacity from as_of only: earlier days are gone. `view`: "required" (infinite capacity,
    backward from due dates; past-due load moved onto as_of and counted in overdue_hours) or
    "planned" (finite capacity by priority, lib.plan.planned; overdue_hours are the hours of
    projected late lines; it never exceeds capacity, and ends at the planning horizon).
    """
    check_by(by)
    if view not in VIEWS:
        raise ValueError(f"view is one of {', '.join(VIEWS)}, not {view!r}")
    end = end or horizon_end(con, as_of, weeks)
    if view == "planned":
        from lib.plan import planned
        p = planned.plan(con, as_of, whatif)
        return _buckets(p, as_of, min(end, p.end), by)
    return _buckets(_place(con, as_of, end, whatif), as_of, end, by)


def horizon_end(con, as_of: date, weeks: int | None = None) -> date:
    """The Sunday ending the `weeks`-th ISO week counted from as_of's (default: load_weeks setting)."""
    weeks = int(weeks or settings.get("load_weeks", con))  # con may be None: the default
    return as_of - timedelta(days=as_of.weekday()) + timedelta(weeks=weeks, days=-1)


def _periods(first: date, n: int, by: str) -> tuple[np.ndarray, list[str], list[date]]:
    """The buckets of the days first .. first + n - 1: (offset of each bucket's first day, labels, starts)."""
    offsets, labels, starts = [], [], []
    for i in range(n):
        d = first + timedelta(days=i)
        lab = period_label(d, by)
        if not labels or labels[-1] != lab:
            offsets.append(i)
            labels.append(lab)
            starts.append(period_start(d, by))
    return np.array(offsets, dtype=np.int64), labels, starts


_BUCKET_COLUMNS = ["work_center", "period", "period_start", "load_hours", "capacity_hours", "load_pct",
                   "overdue_hours", "band"]


def _buckets(pl: Placement, as_of: date, end: date, by: str) -> pd.DataFrame:
    """Sum a placement's days into buckets: every known work center x every bucket of
    [as_of, end]; a work center without a work_centers row only where it has load."""
    g = pl.grid
    a, b = g.col(as_of), g.col(end) + 1
    if b <= a or not g.work_centers:
        return pd.DataFrame({c: [] for c in _BUCKET_COLUMNS})
    offsets, labels, starts = _periods(as_of, b - a, by)
    cap = np.add.reduceat(g.cap[:, a:b], offsets, axis=1)
    ld = np.add.reduceat(pl.load[:, a:b], offsets, axis=1)
    od = np.add.reduceat(pl.overdue_load[:, a:b], offsets, axis=1)
    keep = np.ones(cap.shape, dtype=bool)
    if g.known < len(g.work_centers):
        keep[g.known:] = np.add.reduceat(pl.entries()[g.known:, a:b], offsets, axis=1) > 0
    order = sorted(range(len(g.work_centers)), key=g.work_centers.__getitem__)
    rows = np.repeat(order, len(labels))
    cols = np.tile(np.arange(len(labels)), len(order))
    m = keep[rows, cols]
    rows, cols = rows[m], cols[m]
    load_h, cap_h = ld[rows, cols], cap[rows, cols]
    pct = np.divide(load_h, cap_h, out=np.full(len(cap_h), np.nan), where=cap_h > 0)
    df = pd.DataFrame({
        "work_center": np.array(g.work_centers, dtype=object)[rows],
        "period": np.array(labels, dtype=object)[cols],
        "period_start": np.array(starts, dtype="datetime64[D]").astype("datetime64[us]")[cols],
        "load_hours": load_h, "capacity_hours": cap_h, "load_pct": pct, "overdue_hours": od[rows, cols]})
    df["band"] = bands(load_h, cap_h)
    return df


def _entries_frame(con, pl: Placement, mask: np.ndarray, name: str, **cols) -> None:
    """Register the placement's entries under `mask` as view `name` (line_id, step, work_center,
    off = days after as_of, hours, overdue_hours, plus `cols`)."""
    steps = pl.e_step[mask]
    df = pd.DataFrame({"line_id": pl.s_line[steps], "step": pl.s_step[steps],
                       "work_center": np.array(pl.grid.work_centers, dtype=object)[pl.wc[mask]],
                       "off": pl.day[mask] - pl.as_col, "hours": pl.hours[mask],
                       "overdue_hours": np.where(pl.overdue[mask], pl.hours[mask], 0.0), **cols})
    _register(con, name, df)


def drilldown(con, as_of: date, work_center: str, period_start_day: date, by: str = "week",
              whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """The order lines and steps that make one cell (work center x bucket): order, line,
    customer, product, remaining qty, due date, step, first and last day in the bucket, hours,
    overdue hours; largest first."""
    check_by(by)
    first = period_start(period_start_day, by)
    last = {"day": first, "week": first + timedelta(days=6),
            "month": (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)}[by]
    pl = _place(con, as_of, max(last, as_of), whatif, work_centers=[work_center])
    i = pl.grid.row(work_center)
    lo, hi = pl.grid.col(max(first, as_of)), pl.grid.col(last)
    mask = (pl.wc == (-1 if i is None else i)) & (pl.day >= lo) & (pl.day <= hi)
    _entries_frame(con, pl, mask, "_cap_drill")
    return con.execute(f"""
        WITH lines AS ({open_lines_sql()}),
        e AS (SELECT line_id, step, min(off) AS a, max(off) AS b, sum(hours) AS hours,
                     sum(overdue_hours) AS overdue_hours FROM _cap_drill GROUP BY ALL)
        SELECT o.order_no, o.line_no, o.customer, o.product, o.rem_qty AS qty, o.due AS due_date,
               e.step, ?::DATE + e.a::INTEGER AS first_day, ?::DATE + e.b::INTEGER AS last_day, e.hours,
               e.overdue_hours, o.line_id
        FROM e JOIN lines o USING (line_id)
        ORDER BY hours DESC, o.order_no, o.line_no
    """, [*line_params(whatif), as_of, as_of]).df()


def remaining_matrix(con, as_of: date, end: date, work_centers=None, whatif: WhatIf = NO_WHATIF,
                     exclude_lines=()) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(work centers, capacity, load) per known work center (rows) and day as_of .. end
    (columns); remaining = max(0, capacity - load). `work_centers` limits the rows and the work
    (only lines routed through them are placed); `exclude_lines` leaves lines out (to re-quote a
    line against everyone else's load)."""
    pl = _place(con, as_of, end, whatif, work_centers=work_centers, exclude_lines=exclude_lines)
    g = pl.grid
    keep = [i for i, w in enumerate(g.work_centers[:g.known]) if work_centers is None or w in set(work_centers)]
    a, b = g.col(as_of), g.col(end) + 1
    return [g.work_centers[i] for i in keep], g.cap[keep, a:b], pl.load[keep, a:b]


def remaining(con, as_of: date, end: date, work_centers=None, whatif: WhatIf = NO_WHATIF,
              exclude_lines=()) -> pd.DataFrame:
    """Per work center and day in [as_of, end]: capacity, load and remaining = max(0, capacity - load)
    (see remaining_matrix)."""
    names, cap, ld = remaining_matrix(con, as_of, end, work_centers, whatif, exclude_lines)
    n = cap.shape[1]
    return pd.DataFrame({"work_center": np.repeat(np.array(names, dtype=object), n),
                         "day": np.tile(_days64(as_of, n), len(names)),
                         "capacity": cap.ravel(), "load": ld.ravel(),
                         "remaining": np.maximum(cap - ld, 0).ravel()})


def lines_at_risk(con, as_of: date, end: date, whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """Open lines with a step in an overloaded week (band 'over') between as_of and `end`:
    order_no, line_no, customer, product, due_date, work_center, period. Used by the what-if
    panel to show which promises a change puts at risk or rescues."""
    risk_entries(con, as_of, end, whatif)
    return con.execute(f"""
        WITH lines AS ({open_lines_sql()})
        SELECT DISTINCT o.order_no, o.line_no, o.customer, o.product, o.due AS due_date,
               e.work_center, e.period, o.line_id
        FROM _cap_risk e JOIN lines o USING (line_id)
        ORDER BY due_date, order_no, line_no, work_center, period
    """, line_params(whatif)).df()


def risk_entries(con, as_of: date, end: date, whatif: WhatIf = NO_WHATIF) -> None:
    """Register view `_cap_risk` on `con`: the placed steps of open lines that fall in an
    overloaded week (band 'over') between as_of and `end` — line_id, step, work_center, off,
    hours, overdue_hours, period. For SQL that goes on from there (lib.sections.sales.at_risk_lines)
    without a round trip through pandas."""
    pl = _place(con, as_of, end, whatif)
    g = pl.grid
    weeks = _buckets(pl, as_of, end, "week")
    offsets, labels, _ = _periods(as_of, max(g.col(end) + 1 - g.col(as_of), 0), "week")
    over = np.zeros((len(g.work_centers), len(labels)), dtype=bool)
    hot = weeks[weeks["band"] == "over"]
    pos = {lab: i for i, lab in enumerate(labels)}
    over[[g.row(w) for w in hot["work_center"]], [pos[p] for p in hot["period"]]] = True
    a, b = g.col(as_of), g.col(end)
    if labels:
        # each entry's week: the last bucket starting on or before its day
        week_of = np.clip(np.searchsorted(offsets, pl.day - a, side="right") - 1, 0, len(labels) - 1)
        mask = (pl.day >= a) & (pl.day <= b) & over[pl.wc, week_of]
        period = np.array(labels, dtype=object)[week_of[mask]]
    else:                                   # end before as_of: no week to look at
        mask, period = np.zeros(len(pl.day), dtype=bool), np.array([], dtype=object)
    _entries_frame(con, pl, mask, "_cap_risk", period=period)


def load_ahead(con, as_of: date, weeks: int | None = None) -> pd.DataFrame:
    """The weekly required load of every work center in the whole ISO weeks after as_of's week,
    up to the load_weeks horizon, highest load % first (ties: earlier week, work center name).

    The peak-load rule (docs/rules.md): the overload the meeting can still act on lies ahead.
    The current week is left out: its past-due hours are moved onto today (DESIGN.md, required
    load), so it measures the backlog (the late list names its lines), and its plan is already
    running; from next week on there is time for overtime, a shift or moving a line.
    """
    df = load(con, as_of, by="week", weeks=weeks)
    if df.empty:
        return df
    nxt = pd.Timestamp(as_of - timedelta(days=as_of.weekday()) + timedelta(weeks=1))
    df = df[(df["period_start"] >= nxt) & df["load_pct"].notna() & (df["load_hours"] > 0)]
    return df.sort_values(["load_pct", "period_start", "work_center"], ascending=[False, True, True],
                          kind="stable").reset_index(drop=True)


def peak_load(con, as_of: date, weeks: int | None = None) -> tuple[str, str, float] | None:
    """(work_center, week label, load share) of the highest weekly load ahead (load_ahead: from
    next week on), or None when no work center has capacity and load there.

    >>> from lib.store.db import Database
    >>> with Database(":memory:").cursor() as cur:
    ...     peak_load(cur, date(2026, 11, 25)) is None
    True
    """
    df = load_ahead(con, as_of, weeks)
    if df.empty:
        return None
    top = df.iloc[0]
    return str(top["work_center"]), str(top["period"]), float(top["load_pct"])


def unrouted_lines(con) -> pd.DataFrame:
    """Open lines whose product has no routing: they carry no load, so the heatmap cannot show them."""
    return con.execute("""
        SELECT line_id, order_no, line_no, customer, product, qty - shipped_qty AS qty
        FROM order_lines o
        WHERE status = 'open' AND qty > shipped_qty
          AND NOT EXISTS (SELECT 1 FROM routings r WHERE r.product = o.product)
        ORDER BY order_no, line_no""").df()


def work_center_days(con, work_center: str, start: date, end: date, whatif: WhatIf = NO_WHATIF) -> pd.DataFrame:
    """The raw calendar hours (before efficiency) of one work center per day — what a what-if
    adds overtime or a shift to."""
    g = capacity_grid(con, start, end, whatif, work_centers=[work_center])
    row = con.execute("SELECT hours_per_day, efficiency FROM work_centers WHERE work_center = ?", [work_center]).fetchall()
    if not row:
        return pd.DataFrame({"day": [], "hours": [], "hours_per_day": [], "efficiency": []})
    hpd, eff = row[0]
    return pd.DataFrame({"day": _days64(start, g.days), "hours": g.cap[0] / eff, "hours_per_day": hpd, "efficiency": eff})


def save_calendar(db, user, rows: list[tuple[date, str, float]], reason: str = "what-if") -> int:
    """Write what-if calendar rows (date, work_center, hours) in one audited transaction:
    a row replaces the stored one of the same date and work center. Returns the rows written."""
    from lib.errors import ValidationError
    with db.transaction(user, source="what-if", need="edit", department="pmc") as tx:
        known = set(tx.query("SELECT work_center FROM work_centers")["work_center"])
        for d, wc, hours in rows:
            if wc and wc not in known:
                raise ValidationError(f"there is no work center {wc!r}.", where="work center")
            if not 0 <= float(hours) <= 24:
                raise ValidationError(f"{hours} hours is outside 0-24.", where="hours")
            key = {"date": d, "work_center": wc}
            if tx.fetch("calendar", key) is None:
                tx.insert("calendar", {**key, "hours": float(hours), "reason": reason})
            else:
                tx.update("calendar", key, {"hours": float(hours), "reason": reason})
    return len(rows)


def work_center_list(con) -> pd.DataFrame:
    """Every work center with its line and usual hours per working day."""
    return con.execute("SELECT work_center, line, hours_per_day FROM work_centers ORDER BY 1").df()


def open_line_list(con) -> pd.DataFrame:
    """Open order lines with something left to make, and their due date (promise, else requested)."""
    return con.execute("SELECT line_id, order_no, line_no, customer, product, "
                       "coalesce(promised_date, requested_date) AS due FROM order_lines "
                       "WHERE status = 'open' AND qty > shipped_qty ORDER BY order_no, line_no").df()
